"""A live view within the terminal: rows cut to its width with a mark, and a table
that leaves room below it for the footer and the failures when the terminal is too
short for it all (rich would cut the bottom, those lines first, to `...`)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from rich.console import Console, ConsoleOptions
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
    table: TableLines, below: Sequence[Text], console: Console, options: ConsoleOptions
) -> Lines:
    """The table's lines within the terminal's width that leave room for what comes
    below it (the footer, the failures) on a terminal that cannot hold them all: rich
    would cut the view's bottom, those lines first, to `...`. The rest is counted on a
    last line."""
    if not console.is_terminal:
        return cut_rows(table.first(table.count), options.max_width)
    height = options.height or options.size.height
    width = max(1, options.max_width)
    under = sum(max(1, -(-line.cell_len // width)) for line in below)
    room = height - under - 1
    if table.count <= room or room < 3:
        # Too short even for that: all of it, which rich cuts to its height while the
        # view is live and prints whole as its last frame.
        return cut_rows(table.first(table.count), options.max_width)
    hidden = table.count - (room - 1)
    kept = cut_rows(table.first(room - 1), options.max_width)
    note = Text(f"… {hidden} more lines: a taller terminal shows them", style="dim")
    return Lines([*kept.lines, note])


def cut_rows(rows: Iterable[Text], width: int) -> Lines:
    """A live table's rows within ``width``: one wider still (a reference that no
    shorter form fits) ends in "…" where it is cut, not silently where rich crops it;
    the lines printed above the view hold every reference whole."""
    lines = list(rows)
    for line in lines:
        if line.cell_len > width:
            line.truncate(width, overflow="ellipsis")
    return Lines(lines)
