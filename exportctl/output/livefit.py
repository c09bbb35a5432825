"""A live view within the terminal: rows cut to its width with a mark, and a table
that leaves room below it for the footer and the failures when the terminal is too
short for it all, and failures that leave room for the footer (rich would cut the
bottom, those lines first, to `...`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from rich.console import Console, ConsoleOptions, RenderableType
from rich.text import Text

from exportctl.output.styledlines import Lines


def problem_lines(problems: Iterable[str]) -> list[Text]:
    return [Text(f"retrying after: {problem}", style="yellow") for problem in sorted(problems)]


@dataclass(frozen=True)
class TableLines:
    """A live table's lines, made only as far as the terminal shows them: a refresh of
    a wait on 800 jobs rendered every row to show the 20 a terminal holds."""

    count: int
    # The first ``n`` lines.
    first: Callable[[int], Iterable[Text]]


def fit_view(
    table: TableLines,
    footer: Text,
    problems: Sequence[Text],
    console: Console,
    options: ConsoleOptions,
) -> Iterator[RenderableType]:
    """The view: the table, the footer, then the failures, within the terminal. On one
    too short for it all, the footer is kept whole, the failures get the room left
    and the table what they leave, possibly nothing; rich would cut the view's
    bottom, those lines first, to `...`. What is left out is counted on a last line
    (the table's, the failures')."""
    if not console.is_terminal:
        yield cut_rows(table.first(table.count), options.max_width)
        yield footer
        yield from problems
        return
    height = options.height or options.size.height
    width = max(1, options.max_width)
    room = height - _rows(footer, console, width)
    shown: list[Text] = []
    for at, problem in enumerate(problems):
        needed = _rows(problem, console, width)
        # Room for it, and for the count of those after it unless it is the last.
        if needed + (at < len(problems) - 1) > room:
            if room > 0:
                hidden = sum(_rows(p, console, width) for p in problems[at:])
                shown.append(_more(hidden))
                room -= 1
            break
        shown.append(problem)
        room -= needed
    yield Lines(_table_within(table, room, options.max_width))
    yield footer
    yield from shown


def _table_within(table: TableLines, room: int, width: int) -> list[Text]:
    if table.count <= room:
        return list(cut_rows(table.first(table.count), width).lines)
    if room <= 0:
        return []
    kept = list(cut_rows(table.first(room - 1), width).lines) if room > 1 else []
    return [*kept, _more(table.count - len(kept))]


def _rows(line: Text, console: Console, width: int) -> int:
    """The terminal lines ``line`` takes at ``width``, wrapped as rich draws it:
    between words, which often takes one more than its length over the width."""
    return max(1, len(line.wrap(console, width)))


def _more(hidden: int) -> Text:
    # One line at any width, as the room kept for it counts: cut, never folded.
    return Text(
        f"… {hidden} more lines: a taller terminal shows them",
        style="dim",
        no_wrap=True,
        overflow="ellipsis",
    )


def cut_rows(rows: Iterable[Text], width: int) -> Lines:
    """A live table's rows within ``width``: one wider still (a reference that no
    shorter form fits) ends in "…" where it is cut, not silently where rich crops it;
    the lines printed above the view hold every reference whole."""
    lines = list(rows)
    for line in lines:
        if line.cell_len > width:
            line.truncate(width, overflow="ellipsis")
    return Lines(lines)
