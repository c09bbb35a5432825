"""Where output goes: stdout for records, stderr for diagnostics."""

from __future__ import annotations

import errno
import json
import os
import sys
from collections.abc import Iterator, Mapping
from typing import Any

from rich.console import (
    Console,
    ConsoleOptions,
    ConsoleRenderable,
    RenderableType,
    RenderHook,
    RenderResult,
)
from rich.segment import Segment
from rich.text import Text

from exportctl.domain.printable import escape_controls, for_people, json_text

# Off a terminal nothing is gained by wrapping: a row stays one line for grep and cut.
PIPE_WIDTH = 400


class Escaped:
    """A renderable shown with its text segments' terminal control escaped: the
    segments of ``Text`` built by hand, which no ``render_str`` saw. rich's own
    styles and cursor moves are no text segments and pass."""

    def __init__(self, renderable: RenderableType) -> None:
        self.renderable = renderable

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for seg in console.render(self.renderable, options):
            yield seg if seg.control else Segment(escape_controls(seg.text, keep="\n"), seg.style)


class _Escaping(RenderHook):
    def process_renderables(self, renderables: list[ConsoleRenderable]) -> list[ConsoleRenderable]:
        return [Escaped(r) for r in renderables]


class _SizeUnsaid(Mapping[str, str]):
    """The environment as rich reads it, without COLUMNS and LINES: rich would take
    `0` for a size (and print nothing at all at width 0). The size is what
    :func:`make_console` decides, else the terminal's own, read by rich as it changes.
    The rest is read as it is now (NO_COLOR, TERM, FORCE_COLOR)."""

    _SIZES = frozenset({"COLUMNS", "LINES"})

    def __getitem__(self, name: str) -> str:
        if name in self._SIZES:
            raise KeyError(name)
        return os.environ[name]

    def __iter__(self) -> Iterator[str]:
        return (name for name in os.environ if name not in self._SIZES)

    def __len__(self) -> int:
        return sum(1 for _ in self)


class _Console(Console):
    """rich's console, showing no terminal control and no signed URL it was handed.

    Strings are made safe before rich measures them, so tables stay aligned; what is
    printed is escaped once more (:class:`Escaped`, through rich's render hooks), for
    text built as ``Text`` by hand. A live view's renderable is not printed: it is
    given to ``Live`` as ``Escaped`` too.
    """

    # A class attribute, not the `_environ` argument: rich reads it in its own
    # __init__ already, and every console made of this class is covered.
    _environ: Mapping[str, str] = _SizeUnsaid()

    def __init__(self, *, tty: bool, fitted: bool, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.tty = tty
        self.fitted = fitted
        self.push_render_hook(_Escaping())

    def render_str(self, text: str, **kwargs: Any) -> Text:
        return super().render_str(for_people(text), **kwargs)

    def on_broken_pipe(self) -> None:
        # rich would exit with status 1; the command line applies its one
        # closed-pipe rule instead (ExitCode.CLOSED_PIPE).
        self.quiet = True
        raise BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))


def make_console(*, stderr: bool = False, no_color: bool = False) -> Console:
    # rich already honours NO_COLOR and leaves escape codes out off a terminal.
    stream = sys.stderr if stderr else sys.stdout
    columns = _columns()
    piped = not stream.isatty() and columns is None
    plain = no_color or bool(os.environ.get("NO_COLOR"))
    # rich sizes a dumb terminal (Emacs' shell) 80x25 unless given both: COLUMNS
    # is its width there, else the terminal's own size.
    size = _size(stream) if _dumb() and columns is None and stream.isatty() else None
    width = PIPE_WIDTH if piped else size.columns if size else columns
    if size:
        height: int | None = size.lines
    else:
        height = _DUMB_HEIGHT if columns and _dumb() else _whole("LINES")
    return _Console(
        tty=stream.isatty(),
        fitted=not piped,
        stderr=stderr,
        no_color=plain,
        # no_color alone keeps bold and dim; plain output has no escape codes at all.
        color_system=None if plain else "auto",
        highlight=False,
        # What a user or a service sent is printed as it is: `rds:rocket:x` is no
        # emoji code, and a `[/x]` in a job's message no markup tag (rich would raise
        # MarkupError on it). Styles are given as arguments and Text, never as markup.
        emoji=False,
        markup=False,
        soft_wrap=False,
        width=width,
        height=height,
    )


# The height rich gives a dumb terminal.
_DUMB_HEIGHT = 25


def _dumb() -> bool:
    return os.environ.get("TERM", "").lower() in ("dumb", "unknown")


def _size(stream: Any) -> os.terminal_size | None:
    """The terminal's size, as the terminal says it; None where it says none."""
    try:
        size = os.get_terminal_size(stream.fileno())
    except (OSError, ValueError, AttributeError):
        return None
    return size if size.columns > 0 and size.lines > 0 else None


def _columns() -> int | None:
    """COLUMNS, where it is a width (`120`, ` 120`); None unset or unusable (`abc`,
    `-5`, `0`), as if it were unset: rich would take `abc` for 80, `0` for 0."""
    return _whole("COLUMNS")


def _whole(variable: str) -> int | None:
    """The size ``variable`` gives, a whole number of cells or lines; None where it
    gives none (unset, `abc`, `-5`, `0`)."""
    given = os.environ.get(variable, "").strip()
    return int(given) if given.isdigit() and int(given) > 0 else None


def on_terminal(console: Console) -> bool:
    """Whether ``console`` writes to a terminal. rich says so of a pipe too under
    FORCE_COLOR, which asks for colour (in a CI log): the layout stays the pipe's,
    nothing fitted, cut or redrawn."""
    tty = getattr(console, "tty", None)
    return console.is_terminal if tty is None else bool(tty)


def table_width(console: Console) -> int | None:
    """The width a table is fitted to: the terminal's or COLUMNS; None off a terminal
    without COLUMNS, where rows are never cut."""
    fitted = getattr(console, "fitted", None)
    if fitted is None:
        fitted = console.is_terminal or console.width != PIPE_WIDTH
    return console.width if fitted else None


def write_json(data: Any) -> None:
    sys.stdout.write(json_text(json.dumps(data, indent=2, ensure_ascii=False)))
    sys.stdout.write("\n")
    sys.stdout.flush()
