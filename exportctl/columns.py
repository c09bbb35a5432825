"""Which columns a table shows at a given width: chosen by priority, not by order.

A table is a list of :class:`Column` in display order and a list of steps, the
order in which it gives things up when it is too wide: drop a column, shorten
one to its minimum (its cells end in "…"), or switch a column to its shorter
cells (a compact reference). Steps are taken one by one until the table fits;
a shortened column then gets back whatever room is left, up to its natural
width.

One column, the key, is never cut (the job reference: people copy it into the
next command). When it does not fit beside the columns that must stay, the
table is *stacked*: each row's key on a line of its own, the other cells on the
line below, indented, fitted again to what is left. A key still wider than the
table takes its form of last resort, when it has one (a Personalize job by name).

Nothing here knows rich or AWS: cells are plain strings, so the same choice
serves the styled terminal table, the plain writer for pipes and the live view.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from exportctl.printable import for_people

GAP = 2
STACK_INDENT = 4
ELLIPSIS = "…"

Action = Literal["drop", "shrink", "shorten"]


@dataclass(frozen=True)
class Column:
    name: str
    cells: Sequence[str]
    # Shrinks (cells cut with "…") down to this width; None: never cut.
    min_width: int | None = None
    # The natural width is at most this, unless the table is wide.
    cap: int | None = None
    # Shorter cells, for a "shorten" step (ARNs -> compact references).
    short_cells: Sequence[str] | None = None
    # The key's cells of last resort, each used where its cell is wider than
    # the whole table even on a line of its own.
    fallback_cells: Sequence[str] | None = None
    justify: Literal["left", "right"] = "left"
    # Kept even when every cell is empty.
    always: bool = True

    def __post_init__(self) -> None:
        # Cells come from services: measured and shown without terminal control
        # or a URL's signature (see exportctl.printable).
        for name in ("cells", "short_cells", "fallback_cells"):
            values = getattr(self, name)
            if values is not None:
                object.__setattr__(self, name, [for_people(v) for v in values])

    def natural(self, *, wide: bool = False) -> int:
        width = max([len(self.name), *(len(c) for c in self.cells)])
        if self.cap is not None and not wide:
            width = min(width, max(self.cap, len(self.name)))
        return width


@dataclass(frozen=True)
class Step:
    action: Action
    column: str


@dataclass
class Layout:
    """The columns chosen, in display order, with their widths."""

    columns: list[Column]
    widths: list[int]
    # The first column on a line of its own, the others (``below``) under it.
    below: Layout | None = None
    given_up: list[Step] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        names = [c.name for c in self.columns]
        if self.below is not None:
            names += self.below.names
        return names

    @property
    def stacked(self) -> bool:
        return self.below is not None

    def width_of(self, name: str) -> int | None:
        for column, width in zip(self.columns, self.widths, strict=True):
            if column.name == name:
                return width
        return self.below.width_of(name) if self.below else None


def choose(
    columns: Sequence[Column],
    width: int | None,
    steps: Sequence[Step] = (),
    *,
    key: str | None = None,
    wide: bool = False,
) -> Layout:
    """The layout of ``columns`` within ``width`` (None: no limit); ``key`` is never cut."""
    shown = [c for c in columns if c.always or any(c.cells)]
    if width is None or wide:
        return Layout(shown, [c.natural(wide=wide) for c in shown])
    taken: list[Step] = []
    shrunk: set[str] = set()
    for step in steps:
        if _total(shown, shrunk) <= width:
            break
        index = next((i for i, c in enumerate(shown) if c.name == step.column), None)
        if index is None:
            continue
        column = shown[index]
        if step.action == "drop":
            del shown[index]
        elif step.action == "shrink" and column.min_width is not None:
            shrunk.add(column.name)
        elif step.action == "shorten" and column.short_cells is not None:
            shown[index] = replace(column, cells=column.short_cells, short_cells=None)
        else:
            continue
        taken.append(step)
    if _total(shown, shrunk) <= width:
        shown = _give_back(columns, shown, shrunk, width, taken)
    keyed = [c for c in shown if c.name == key]
    if not keyed or len(shown) < 2:
        return Layout(shown, _widths(shown, shrunk, width), given_up=taken)
    if _total(shown, shrunk) <= width:
        beside = Layout(shown, _widths(shown, shrunk, width), given_up=taken)
        lost = _lost_for_the_key(taken, key)
        if not lost:
            return beside
        # Columns given up to keep the key on the row: stacked, the key on a line of
        # its own, they may all stay, and a wider terminal never shows less than a
        # narrower one did.
        whole = next(c for c in columns if c.name == key)
        stacked = _stacked(columns, whole, width, steps, taken, key)
        assert stacked.below is not None
        return stacked if lost <= set(stacked.below.names) else beside
    # The key would be cut: it gets a line of its own.
    return _stacked(columns, keyed[0], width, steps, taken, key)


def _lost_for_the_key(taken: Sequence[Step], key: str | None) -> set[str]:
    """The columns dropped after the key was shortened: given up for it, not cheaply."""
    shortened = False
    lost: set[str] = set()
    for step in taken:
        if step.action == "shorten" and step.column == key:
            shortened = True
        elif shortened and step.action == "drop":
            lost.add(step.column)
    return lost


def _stacked(
    columns: Sequence[Column],
    first: Column,
    width: int,
    steps: Sequence[Step],
    taken: list[Step],
    key: str | None,
) -> Layout:
    """The key on a line of its own, the other columns fitted on the line below."""
    if first.fallback_cells is not None:
        fitted = [
            fallback if len(cell) > width else cell
            for cell, fallback in zip(first.cells, first.fallback_cells, strict=True)
        ]
        first = replace(first, cells=fitted, fallback_cells=None)
    rest = [c for c in columns if c.name != key]
    below = choose(rest, max(1, width - STACK_INDENT), steps)
    return Layout([first], [first.natural()], below=below, given_up=taken)


def _give_back(
    columns: Sequence[Column],
    shown: list[Column],
    shrunk: set[str],
    width: int,
    taken: list[Step],
) -> list[Column]:
    """A column dropped early comes back when a later drop made room for it; never
    at the expense of a column cut short after it was dropped (that one ranks higher)."""
    order = {c.name: i for i, c in enumerate(columns)}
    for index in reversed(range(len(taken))):
        step = taken[index]
        if step.action != "drop":
            continue
        later = {s.column for s in taken[index + 1 :] if s.action == "shrink"}
        column = next(c for c in columns if c.name == step.column)
        candidate = sorted([*shown, column], key=lambda c: order[c.name])
        if _total(candidate, shrunk - later) <= width:
            shown = candidate
            del taken[index]
    return shown


def _total(columns: Sequence[Column], shrunk: set[str]) -> int:
    widths = [
        min(c.natural(), c.min_width) if c.name in shrunk and c.min_width else c.natural()
        for c in columns
    ]
    return sum(widths) + GAP * max(0, len(widths) - 1)


def _widths(columns: Sequence[Column], shrunk: set[str], width: int) -> list[int]:
    widths = [c.natural() for c in columns]
    if not shrunk:
        return widths
    fixed = sum(w for c, w in zip(columns, widths, strict=True) if c.name not in shrunk)
    room = width - fixed - GAP * max(0, len(columns) - 1)
    flexible = [i for i, c in enumerate(columns) if c.name in shrunk]
    # The room left goes to the shortened columns, last first (the message).
    for i in reversed(flexible):
        others = sum(columns[j].min_width or 0 for j in flexible if j < i)
        widths[i] = max(columns[i].min_width or 0, min(widths[i], room - others))
        room -= widths[i]
    return widths


def cut(text: str, width: int) -> str:
    """``text`` within ``width`` characters, ending in "…" when it was longer."""
    if len(text) <= width:
        return text
    if width <= 0:
        return ""
    return text[: width - 1].rstrip() + ELLIPSIS


def cells(layout: Layout, row: int) -> list[str]:
    """Row ``row``'s cells as shown (cut to their column's width, not padded)."""
    return [cut(c.cells[row], w) for c, w in zip(layout.columns, layout.widths, strict=True)]


def join(values: Sequence[str], widths: Sequence[int], justify: Sequence[str]) -> str:
    """One line: cells padded to their widths, GAP apart, no trailing spaces."""
    parts = []
    for value, width, how in zip(values, widths, justify, strict=True):
        parts.append(value.rjust(width) if how == "right" else value.ljust(width))
    return (" " * GAP).join(parts).rstrip()


def plain_lines(layout: Layout, rows: int, *, headers: bool = True) -> Iterator[str]:
    """The table as plain lines: headers (unless asked not to), then each row."""
    justify = [c.justify for c in layout.columns]
    below = layout.below
    if headers:
        yield join([c.name for c in layout.columns], layout.widths, justify)
        if below is not None:
            sub = [c.justify for c in below.columns]
            yield " " * STACK_INDENT + join([c.name for c in below.columns], below.widths, sub)
    for row in range(rows):
        yield join(cells(layout, row), layout.widths, justify)
        if below is not None:
            sub = [c.justify for c in below.columns]
            yield " " * STACK_INDENT + join(cells(below, row), below.widths, sub)
