"""The lines of a table laid out by :mod:`exportctl.output.columns`, as rich texts with
styled cells, and the renderable that prints them as they are."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from rich.console import Console, ConsoleOptions, RenderResult
from rich.text import Text

from exportctl.output.columns import GAP, STACK_INDENT, Layout, cells, padded, text_width


class Lines:
    """Lines printed as they are: never wrapped, never cut (a reference stays whole)."""

    def __init__(self, lines: Sequence[Text]) -> None:
        self.lines = lines

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in self.lines:
            line.no_wrap = True
            line.overflow = "ignore"
            line.end = "\n"
            yield line


def styled_lines(
    layout: Layout,
    rows: int,
    styles: Mapping[str, Sequence[str | None]] | None = None,
    *,
    headers: bool = True,
    prefix: Sequence[Text] | None = None,
    rich_cells: Mapping[str, Sequence[Text | None]] | None = None,
) -> Iterator[Text]:
    """The lines of a table laid out by exportctl.output.columns, with styled cells.

    ``styles`` gives a style per row for some columns; ``rich_cells`` a styled
    text that stands for a row's plain cell where it fits (a progress bar);
    ``prefix`` a text put before each row (a mark), its header blank: the mark's
    style is the whole row's, both lines of a stacked one.
    """
    styles = styles or {}
    rich_cells = rich_cells or {}
    lead = max((p.cell_len for p in prefix), default=0) if prefix else 0

    def line(layout: Layout, values: Sequence[str], row: int | None, indent: int) -> Text:
        text = Text(" " * indent)
        last = len(values) - 1
        for i, (column, value, width) in enumerate(
            zip(layout.columns, values, layout.widths, strict=True)
        ):
            style = styles.get(column.name)
            shown = padded(value, width, "right") if column.justify == "right" else value
            fancy = (
                rich_cells[column.name][row]
                if column.name in rich_cells and row is not None
                else None
            )
            if fancy is not None and fancy.cell_len <= width:
                text.append_text(fancy)
                shown = fancy.plain
            elif row is None:
                text.append(shown, style="bold")
            else:
                text.append(shown, style=(style[row] or "") if style else "")
            if i < last:
                text.append(" " * (width - text_width(shown) + GAP))
        return text

    def head(row: int | None) -> Text:
        if not lead:
            return Text()
        if row is None or prefix is None:
            return Text(" " * (lead + 1))
        mark = prefix[row].copy()
        mark.append(" " * (lead - mark.cell_len + 1))
        return mark

    def joined(mark: Text, rest: Text, row: int | None) -> Text:
        # The row's style under its cells' own, said here rather than left to
        # ``mark + rest`` (which would give any styled head's style to the line).
        style = prefix[row].style if prefix is not None and row is not None else ""
        whole = Text(style=style)
        whole.append_text(mark)
        whole.append_text(rest)
        whole.rstrip()
        return whole

    below = layout.below
    if headers:
        yield joined(head(None), line(layout, [c.name for c in layout.columns], None, 0), None)
        if below is not None:
            names = [c.name for c in below.columns]
            yield joined(head(None), line(below, names, None, STACK_INDENT), None)
    for row in range(rows):
        yield joined(head(row), line(layout, cells(layout, row), row, 0), row)
        if below is not None:
            yield joined(head(None), line(below, cells(below, row), row, STACK_INDENT), row)
