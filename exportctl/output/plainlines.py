"""A laid-out table written as plain strings: the characters rich prints of
:class:`exportctl.output.styledlines.Lines`, without a rich object per cell, for
tables too long for rich to build (seconds for ten thousand rows) and for pipes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.console import COLOR_SYSTEMS, Console
from rich.style import Style

from exportctl.output.columns import GAP, STACK_INDENT, Layout, cells, padded, text_width


def write_lines(
    console: Console,
    layout: Layout,
    rows: int,
    styles: Mapping[str, Sequence[str | None]] | None = None,
    *,
    headers: bool = True,
) -> None:
    """The lines :func:`exportctl.output.styledlines.styled_lines` gives rich, written
    straight to the console's file.

    Each style is rendered once by rich (or not at all without colour) and the
    lines are joined as plain strings: the same characters as ``console.print``
    of :class:`exportctl.output.styledlines.Lines`, without a rich object per cell.
    """
    styles = styles or {}
    painted: dict[tuple[str, str], str] = {}
    # The console's colours, by the name its color_system argument takes (None: no
    # escape codes at all, as off a terminal).
    name = console.color_system
    system = None if name is None else COLOR_SYSTEMS[name]

    def paint(text: str, style: str) -> str:
        if not text or not style or system is None:
            return text
        key = (text, style)
        done = painted.get(key)
        if done is None:
            # As rich renders a segment: without colours under no_color, bold kept.
            parsed = Style.parse(style)
            if console.no_color:
                parsed = parsed.without_color
            done = painted[key] = parsed.render(
                text, color_system=system, legacy_windows=console.legacy_windows
            )
        return done

    def line(layout: Layout, values: Sequence[str], row: int | None, indent: int) -> str:
        parts: list[tuple[str, str]] = [(" " * indent, "")] if indent else []
        last = len(values) - 1
        for i, (column, value, width) in enumerate(
            zip(layout.columns, values, layout.widths, strict=True)
        ):
            shown = padded(value, width, "right") if column.justify == "right" else value
            if row is None:
                style = "bold"
            else:
                per_row = styles.get(column.name)
                style = (per_row[row] or "") if per_row else ""
            parts.append((shown, style))
            if i < last:
                parts.append((" " * (width - text_width(shown) + GAP), ""))
        # As Text.rstrip: trailing whitespace goes, whatever its style.
        while parts and not parts[-1][0].rstrip():
            parts.pop()
        if parts:
            parts[-1] = (parts[-1][0].rstrip(), parts[-1][1])
        return "".join(paint(text, style) for text, style in parts) + "\n"

    if system is None and all(
        text_width(c.name) <= w and c.one_cell_each
        for part in (layout, layout.below)
        if part is not None
        for c, w in zip(part.columns, part.widths, strict=True)
    ):
        # Nothing to paint, no cell wider than its column (the headers fit, the rows
        # are cut), and no wide character, which a %-format would pad as one cell:
        # each line is one %-format of its cells, padded to the widths.
        formats: dict[tuple[int, int], str] = {}

        def line(layout: Layout, values: Sequence[str], row: int | None, indent: int) -> str:
            key = (id(layout), indent)
            form = formats.get(key)
            if form is None:
                last = len(layout.columns) - 1
                form = formats[key] = " " * indent + (" " * GAP).join(
                    "%s"
                    if i == last and c.justify != "right"
                    else f"%{'' if c.justify == 'right' else '-'}{w}s"
                    for i, (c, w) in enumerate(zip(layout.columns, layout.widths, strict=True))
                )
            return (form % tuple(values)).rstrip() + "\n"

    # Columns none of whose cells is wider than the column need no cutting.
    uncut: dict[int, bool] = {}

    def row_cells(layout: Layout, row: int) -> list[str]:
        key = id(layout)
        if key not in uncut:
            uncut[key] = all(
                max(map(len if c.one_cell_each else text_width, c.cells), default=0) <= w
                for c, w in zip(layout.columns, layout.widths, strict=True)
            )
        if uncut[key]:
            return [c.cells[row] for c in layout.columns]
        return cells(layout, row)

    below = layout.below
    out: list[str] = []
    if headers:
        out.append(line(layout, [c.name for c in layout.columns], None, 0))
        if below is not None:
            out.append(line(below, [c.name for c in below.columns], None, STACK_INDENT))
    for row in range(rows):
        out.append(line(layout, row_cells(layout, row), row, 0))
        if below is not None:
            out.append(line(below, row_cells(below, row), row, STACK_INDENT))
    console.file.write("".join(out))
    console.file.flush()
