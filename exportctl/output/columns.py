"""Which columns a table shows at a given width: chosen by priority, not by order.

A table is a list of :class:`Column` in display order and a list of steps, the
order in which it gives things up when it is too wide: drop a column, shorten
one to its minimum (its cells end in "…"), or switch a column to its shorter
cells (a compact reference). Steps are taken one by one until the table fits.

No room is left empty while a cell is cut: the column cut short gets the room
left over, that of the columns given up after it too. A wider terminal never
shows less of any cell than a narrower one did, but for that room: a column
given up stays given up until the width at which it is back for good, and
there it takes its room back from the column cut short, which keeps its minimum.

One column, the key, is never cut (the job reference: people copy it into the
next command). The table may be *stacked*: each row's key on a line of its own,
the other cells on the line below, indented, fitted again to what is left.
It is, unless side by side shows every cell at least as much as stacked does:
when the key does not fit beside the columns that must stay, when a column
would be given up to keep the key on the row, or when the line of its own
leaves a cut message more room. Stacked, the key keeps the form it has side by
side; a key still wider than the line takes its shortest form (a Personalize
job by name). The other columns give up at least what side by side gave up
before it touched the key (a service every reference already starts with).

Nothing here knows rich's renderables or AWS: cells are plain strings, so the
same choice serves the styled terminal table, the plain writer for pipes and the
live view. Widths are the cells a terminal gives a text, not its characters: a
wide character (CJK, most emoji) takes two, as rich measures it for the panels.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Literal

from rich.cells import cell_len, chop_cells

from exportctl.domain.printable import for_people

GAP = 2
STACK_INDENT = 4
ELLIPSIS = "…"

Action = Literal["drop", "shrink", "shorten"]


def text_width(text: str) -> int:
    """The cells ``text`` takes on a terminal, as rich counts them; an ASCII text (most
    cells) is as wide as it is long, without a look at each character."""
    return len(text) if text.isascii() else cell_len(text)


def padded(text: str, width: int, justify: str = "left") -> str:
    """``text`` filled with spaces to ``width`` cells, on the left when ``justify`` is right."""
    fill = " " * (width - text_width(text))
    return fill + text if justify == "right" else text + fill


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
        # or a URL's signature (see exportctl.domain.printable).
        for name in ("cells", "short_cells", "fallback_cells"):
            values = getattr(self, name)
            if values is not None:
                object.__setattr__(self, name, [for_people(v) for v in values])

    @cached_property
    def _ascii(self) -> bool:
        # Most tables: every cell as wide as it is long, measured by len alone.
        return all(map(str.isascii, self.cells))

    @cached_property
    def _longest(self) -> int:
        # Measured once: a layout asks for it at every step, of tables of many rows.
        longest = max(map(len if self._ascii else text_width, self.cells), default=0)
        return max(text_width(self.name), longest)

    @cached_property
    def one_cell_each(self) -> bool:
        """Whether each character of every cell takes one cell: padding by characters
        (a %-format) then lines it up."""
        return self._ascii or all(text_width(c) == len(c) for c in self.cells)

    def natural(self, *, wide: bool = False) -> int:
        width = self._longest
        if self.cap is not None and not wide:
            width = min(width, max(self.cap, text_width(self.name)))
        return width

    def shortened(self) -> Column:
        """The column with its shorter cells, where they are shorter."""
        if self.short_cells is None:
            return self
        cells = [
            s if text_width(s) < text_width(c) else c
            for c, s in zip(self.cells, self.short_cells, strict=True)
        ]
        return replace(self, cells=cells, short_cells=None)


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

    def parts(self) -> Iterator[tuple[Column, int]]:
        """Each column shown, with its width: the first line's, then those below it."""
        yield from zip(self.columns, self.widths, strict=True)
        if self.below is not None:
            yield from self.below.parts()


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
    at = next((i for i, c in enumerate(shown) if c.name == key), None)
    if at is None:
        return _fit(shown, width, steps).layout
    whole = shown[at]
    if whole.cap is not None or whole.min_width is not None:
        # Never cut: not to a cap, nor by a step.
        whole = shown[at] = replace(whole, cap=None, min_width=None)
    beside = _fit(shown, width, steps)
    # The steps before the first that touches the key: what the table gives up
    # rather than shorten the key, stacked too.
    cheap = next((i for i, s in enumerate(steps) if s.column == key), len(steps))
    shortened = any(s.action == "shorten" and s.column == key for s in beside.layout.given_up)
    stacked = _stacked(whole, shown, shortened, width, steps, min(beside.reached, cheap))
    if beside.fits and _shows_all_of(beside.layout, stacked):
        return beside.layout
    return stacked


@dataclass
class _Fitted:
    layout: Layout
    fits: bool
    # How far down the steps it went: each of steps[:reached] was taken where it applied.
    reached: int


def _fit(columns: Sequence[Column], width: int, steps: Sequence[Step], start: int = 0) -> _Fitted:
    """``columns`` side by side within ``width``: the steps in order until they fit,
    those before ``start`` whether they fit or not."""
    shown = list(columns)
    taken: list[Step] = []
    shrunk: set[str] = set()
    reached = 0
    for index, step in enumerate(steps):
        if index >= start and _total(shown, shrunk) <= width:
            break
        reached = index + 1
        at = next((i for i, c in enumerate(shown) if c.name == step.column), None)
        if at is None:
            continue
        column = shown[at]
        if step.action == "drop":
            del shown[at]
        elif step.action == "shrink" and column.min_width is not None and column.name not in shrunk:
            shrunk.add(column.name)
        elif step.action == "shorten" and column.short_cells is not None:
            shown[at] = column.shortened()
        else:
            continue
        taken.append(step)
    layout = Layout(shown, _widths(shown, shrunk, width, taken), given_up=taken)
    return _Fitted(layout, _total(shown, shrunk) <= width, reached)


def _stacked(
    whole: Column,
    columns: Sequence[Column],
    shortened: bool,
    width: int,
    steps: Sequence[Step],
    start: int,
) -> Layout:
    """The key on a line of its own, shortened as it is side by side (``shortened``),
    its shortest form where even that is wider than the line; the other columns
    fitted on the line below, the steps before ``start`` taken whether they fit or not."""
    # Side by side, a wider table shortens the key no more: nor does a line of its own.
    form = whole.shortened() if shortened else whole
    every = [f for f in (whole.cells, whole.short_cells, whole.fallback_cells) if f is not None]
    cells = [
        cell if text_width(cell) <= width else min((f[row] for f in every), key=text_width)
        for row, cell in enumerate(form.cells)
    ]
    first = replace(whole, cells=cells, short_cells=None, fallback_cells=None)
    rest = [c for c in columns if c.name != whole.name]
    below = _fit(rest, max(1, width - STACK_INDENT), steps, start).layout
    if not below.columns:
        return Layout([first], [first.natural()], given_up=below.given_up)
    return Layout([first], [first.natural()], below=below, given_up=below.given_up)


def _shows_all_of(layout: Layout, other: Layout) -> bool:
    """Whether ``layout`` shows every cell at least as long as ``other`` does."""
    mine = {column.name: (column, width) for column, width in layout.parts()}
    for column, width in other.parts():
        if column.name not in mine:
            if any(cut(cell, width) for cell in column.cells):
                return False
            continue
        own, own_width = mine[column.name]
        if own is column and own_width >= min(width, column.natural()):
            continue
        for ours, theirs in zip(own.cells, column.cells, strict=True):
            if len(cut(ours, own_width)) < len(cut(theirs, width)):
                return False
    return True


def _least(column: Column, shrunk: set[str]) -> int:
    """The column's width: its natural one, or its minimum once it is cut short."""
    if column.name in shrunk and column.min_width:
        return min(column.natural(), column.min_width)
    return column.natural()


def _total(columns: Sequence[Column], shrunk: set[str]) -> int:
    return sum(_least(c, shrunk) for c in columns) + GAP * max(0, len(columns) - 1)


def _widths(
    columns: Sequence[Column], shrunk: set[str], width: int, taken: Sequence[Step]
) -> list[int]:
    widths = [_least(c, shrunk) for c in columns]
    # The room left goes to the column cut short last, whatever was given up after
    # it: no room stays empty while a cell is cut (the room a column given up later
    # leaves is the cut column's until a terminal wide enough brings that one back).
    last = next((s for s in reversed(taken) if s.action == "shrink"), None)
    if last is None:
        return widths
    at = next((i for i, c in enumerate(columns) if c.name == last.column), None)
    if at is None:
        return widths
    room = width - (sum(widths) - widths[at]) - GAP * max(0, len(columns) - 1)
    widths[at] = max(widths[at], min(columns[at].natural(), room))
    return widths


def cut(text: str, width: int) -> str:
    """``text`` within ``width`` cells, ending in "…" when it was wider."""
    if text_width(text) <= width:
        return text
    if width <= 0:
        return ""
    if text.isascii():
        return text[: width - 1].rstrip() + ELLIPSIS
    # Never half of a wide character: what fits in the cells before the "…".
    kept = chop_cells(text, width - 1)[0] if width > 1 else ""
    return kept.rstrip() + ELLIPSIS


def cells(layout: Layout, row: int) -> list[str]:
    """Row ``row``'s cells as shown (cut to their column's width, not padded)."""
    return [cut(c.cells[row], w) for c, w in zip(layout.columns, layout.widths, strict=True)]
