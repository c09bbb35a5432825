"""Help laid out at the terminal's width, its lines broken at spaces only.

click's wrapping breaks inside words two ways: at hyphens (at 80 columns a
hyphenated choice or a ref's ``SOURCE-YYYYMMDD-HHMMSS-XXXX`` ended one line and began
the next, and read, and copied, as two), and anywhere in a word longer than the line
(an ARN's template at 52 columns). Its ``wrap_text`` takes no switch for either, so
this formatter wraps with a ``textwrap.TextWrapper`` of its own: a line breaks at a
space only, and a word longer than the line stands alone on its line.

click also lays help out at 50 columns at the least, so that on a narrower terminal
the terminal wrapped each long line again, mid-word. Here help fits the terminal
down to ``MIN_COLUMNS``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

import click
import click.formatting

if TYPE_CHECKING:
    import textwrap

# The narrowest terminal help is laid out for: below it, lines are this wide and the
# terminal wraps them (an option's name and its placeholder alone take 25 columns).
MIN_COLUMNS = 30
# click's own widest (its max_width), and the margin it leaves on the right.
_MAX_COLUMNS = 80
_MARGIN = 2


def wrap_text(
    text: str,
    width: int,
    initial_indent: str = "",
    subsequent_indent: str = "",
    preserve_paragraphs: bool = False,
) -> str:
    """``click.wrap_text``, its lines broken at spaces only.

    With ``preserve_paragraphs``, paragraphs are parted by empty lines, each keeps its
    first line's indentation, and one whose first line is ``\\b`` keeps its lines as
    written, as click's do."""
    text = text.expandtabs()
    if not preserve_paragraphs:
        return _wrapper(width, initial_indent, subsequent_indent).fill(text)
    shown = []
    for indent, as_written, body in _paragraphs(text):
        first, rest = initial_indent + indent, subsequent_indent + indent
        if as_written:
            lines = body.splitlines()
            shown.append("\n".join((rest if i else first) + line for i, line in enumerate(lines)))
        else:
            shown.append(_wrapper(width, first, rest).fill(body))
    return "\n\n".join(shown)


def _wrapper(width: int, initial_indent: str, subsequent_indent: str) -> textwrap.TextWrapper:
    # Here, not at the top: --version and every Tab press load this module, and
    # neither lays out help (click's own help imports it when it wraps too).
    import textwrap

    return textwrap.TextWrapper(
        width,
        initial_indent=initial_indent,
        subsequent_indent=subsequent_indent,
        replace_whitespace=False,
        break_long_words=False,
        break_on_hyphens=False,
    )


def _paragraphs(text: str) -> Iterator[tuple[str, bool, str]]:
    """Each paragraph of ``text``: its indentation, whether it is kept as written
    (``\\b``), and its text (lines joined by a space unless kept)."""
    lines: list[str] = []
    indent = ""
    for line in [*text.splitlines(), ""]:
        if line:
            if not lines:
                indent = " " * (len(line) - len(line.lstrip()))
            lines.append(line if lines else line.lstrip())
        elif lines:
            if lines[0].strip() == "\b":
                yield indent, True, "\n".join(lines[1:])
            else:
                yield indent, False, " ".join(lines)
            lines = []


class HelpFormatter(click.HelpFormatter):
    """click's formatter at the terminal's width down to ``MIN_COLUMNS``, its wrapped
    text broken at spaces only."""

    def __init__(
        self, indent_increment: int = 2, width: int | None = None, max_width: int | None = None
    ) -> None:
        if width is None:
            # What click's test runner forces, as click's own formatter takes it.
            width = click.formatting.FORCED_WIDTH
        if width is None:
            import shutil

            columns = shutil.get_terminal_size().columns
            width = max(min(columns, max_width or _MAX_COLUMNS), MIN_COLUMNS) - _MARGIN
        super().__init__(indent_increment, width, max_width)

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        if prefix is None:
            prefix = "Usage: "
        usage_prefix = f"{prefix:>{self.current_indent}}{prog} "
        text_width = self.width - self.current_indent
        if not args:
            self.write(usage_prefix.rstrip(" ") + "\n")
            return
        if text_width >= len(usage_prefix) + 20:
            indent = " " * len(usage_prefix)
            self.write(wrap_text(args, text_width, usage_prefix, indent))
        else:
            # The prefix is too long: the arguments go on the next line.
            self.write(usage_prefix + "\n")
            indent = " " * (max(self.current_indent, len(prefix)) + 4)
            self.write(wrap_text(args, text_width, indent, indent))
        self.write("\n")

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        self.write(wrap_text(text, self.width, indent, indent, preserve_paragraphs=True))
        self.write("\n")

    def write_dl(
        self, rows: Iterable[tuple[str, str]], col_max: int = 30, col_spacing: int = 2
    ) -> None:
        rows = list(rows)
        # A word wider than the definitions' column would stick out past the
        # terminal's edge (a default job name's placeholder, at 60 columns): the
        # terms' column narrows instead, as far as that word needs (a longer term
        # then takes a line of its own, as click writes one wider than col_max).
        longest = max((len(word) for _, second in rows for word in second.split()), default=0)
        col_max = max(min(col_max, self.width - 2 - col_spacing - longest), 0)
        first_col = min(max((len(first) for first, _ in rows), default=0), col_max) + col_spacing
        text_width = max(self.width - first_col - 2, 10)
        for first, second in rows:
            self.write(f"{'':>{self.current_indent}}{first}")
            if not second:
                self.write("\n")
                continue
            if len(first) <= first_col - col_spacing:
                self.write(" " * (first_col - len(first)))
            else:
                self.write("\n" + " " * (first_col + self.current_indent))
            lines = wrap_text(second, text_width, preserve_paragraphs=True).splitlines() or [""]
            self.write(f"{lines[0]}\n")
            for line in lines[1:]:
                self.write(f"{'':>{first_col + self.current_indent}}{line}\n")


class HelpContext(click.Context):
    """The context every exportctl command's help is written through."""

    formatter_class = HelpFormatter
