"""A live view within the terminal: rows cut to its width with a mark, and a table
that leaves room below it for the footer and the failures when the terminal is too
short for it all (rich would cut the bottom, those lines first, to `...`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rich.console import Console, ConsoleOptions
from rich.text import Text

from exportctl.output.styledlines import Lines


def problem_lines(problems: Iterable[str]) -> list[Text]:
    return [Text(f"retrying after: {problem}", style="yellow") for problem in sorted(problems)]


def fit_view(
    table: Lines, below: Sequence[Text], console: Console, options: ConsoleOptions
) -> Lines:
    """The table's lines that leave room for what comes below it (the footer, the
    failures) on a terminal that cannot hold them all: rich would cut the view's
    bottom, those lines first, to `...`. The rest is counted on a last line."""
    if not console.is_terminal:
        return table
    height = options.height or options.size.height
    width = max(1, options.max_width)
    under = sum(max(1, -(-line.cell_len // width)) for line in below)
    room = height - under - 1
    lines = list(table.lines)
    if len(lines) <= room or room < 3:
        return table
    hidden = len(lines) - (room - 1)
    kept = lines[: room - 1]
    kept.append(Text(f"… {hidden} more lines: a taller terminal shows them", style="dim"))
    return Lines(kept)


def cut_rows(rows: Iterable[Text], width: int) -> Lines:
    """A live table's rows within ``width``: one wider still (a reference that no
    shorter form fits) ends in "…" where it is cut, not silently where rich crops it;
    the lines printed above the view hold every reference whole."""
    lines = list(rows)
    for line in lines:
        if line.cell_len > width:
            line.truncate(width, overflow="ellipsis")
    return Lines(lines)
