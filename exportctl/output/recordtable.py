"""The table of ``--fields``: the fields asked for, nothing cut."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import RenderableType

from exportctl.domain.model import field_value
from exportctl.output.columns import Column, choose
from exportctl.output.fieldtext import field_text
from exportctl.output.styledlines import Lines, styled_lines


def record_table(
    records: Sequence[dict[str, Any]], fields: Sequence[str], *, headers: bool = True
) -> RenderableType:
    """A plain table of chosen fields (``--fields``), dotted paths allowed; nothing cut."""
    columns = []
    for name in fields:
        values = [field_value(record, name) for record in records]
        cells_ = [" ".join(("" if v is None else field_text(v)).split()) for v in values]
        columns.append(Column(name.upper(), cells_))
    layout = choose(columns, None)
    return Lines(list(styled_lines(layout, len(records), headers=headers)))
