"""A wider terminal never shows less of any cell: every job's message, reference,
state and the rest, at every width from 60 to 240 columns.

Each listing is read once through the command line; its jobs are then printed at
every width as the command prints them on a terminal that wide, and each row's
cells are read back from the printed lines.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pytest
from output_support import invoke
from rich.console import Console

from exportctl.domain import timeutil
from exportctl.domain.model import ExportJob, State
from exportctl.ops.polling.watcher import Watched
from exportctl.output import jobtable, live
from exportctl.output.columns import GAP, STACK_INDENT, Layout
from exportctl.output.live import WatchView
from exportctl.output.styledlines import Lines
from exportctl.sandbox import Sandbox

WIDTHS = range(60, 241)
# The width a cut message keeps (jobtable's and the live view's ``min_width``).
MESSAGE_MINIMUM = {"MESSAGE": 30, "PROGRESS / MESSAGE": 20}


@dataclass
class Listing:
    """What a command handed the jobs table: the jobs and how it was asked to print them."""

    jobs: list[ExportJob]
    region: str | None
    wide: bool
    accounts: bool


def _listing(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, *args: str) -> Listing:
    calls: list[Listing] = []
    own = jobtable.print_jobs_table

    def kept(console: Console, jobs: Sequence[ExportJob], region: str | None,
             width: int | None = None, **options: Any) -> None:  # fmt: skip
        calls.append(Listing(list(jobs), region, options["wide"], options["accounts"]))
        own(console, jobs, region, width, **options)

    with monkeypatch.context() as patch:
        patch.setattr(jobtable, "print_jobs_table", kept)
        result = invoke(sandbox, "list", *args, COLUMNS="100")
    assert result.exit_code == 0, result.stderr
    [listing] = calls
    assert listing.jobs
    return listing


def _still(monkeypatch: pytest.MonkeyPatch) -> None:
    """One time for every width: "59 s ago" turning into "1 min ago" between two
    widths is the clock, not the layout."""
    moment = timeutil.now()
    monkeypatch.setattr(jobtable, "now", lambda: moment)
    monkeypatch.setattr(live, "now", lambda: moment)


def _console(width: int) -> tuple[Console, io.StringIO]:
    """A console ``width`` columns wide, as COLUMNS makes it: tables are written by
    plainlines.write_lines, the characters rich writes on a terminal (see
    test_output_plain_table) without rich rendering each line."""
    buffer = io.StringIO()
    return Console(file=buffer, width=width, color_system=None), buffer


def _layouts(monkeypatch: pytest.MonkeyPatch, module: Any) -> list[Layout]:
    """Each layout ``module`` chooses from now on, in order."""
    chosen: list[Layout] = []
    own = module.choose

    def kept(*args: Any, **kwargs: Any) -> Layout:
        layout: Layout = own(*args, **kwargs)
        chosen.append(layout)
        return layout

    monkeypatch.setattr(module, "choose", kept)
    return chosen


def _read(lines: list[str], layout: Layout, rows: int, lead: int = 0) -> list[dict[str, str]]:
    """Each row's cells as printed, sliced out of its line (two lines when stacked) at
    the columns of ``layout``; ``lead`` is the width of a mark before each line."""

    def cells(line: str, part: Layout, indent: int) -> Iterator[tuple[str, str]]:
        at = lead + indent
        for column, width in zip(part.columns, part.widths, strict=True):
            yield column.name, line[at : at + width].strip()
            at += width + GAP

    below = layout.below
    if below is None:
        return [dict(cells(line, layout, 0)) for line in lines[1 : 1 + rows]]
    key = layout.columns[0].name
    body = lines[2 : 2 + 2 * rows]
    return [
        {key: first[lead:].strip(), **dict(cells(second, below, STACK_INDENT))}
        for first, second in zip(body[::2], body[1::2], strict=True)
    ]


def _never_less(seen: dict[int, list[dict[str, str]]], message: str = "MESSAGE") -> None:
    """Each cell of each row shows at least as much at a width as at the one before,
    but a message (or bar) cut shorter where a column comes back: the room it had from
    that column goes back to it, and the message keeps its minimum."""
    widths = sorted(seen)
    for narrow, wide in itertools.pairwise(widths):
        for row, (before, after) in enumerate(zip(seen[narrow], seen[wide], strict=True)):
            back = set(after) - set(before)
            for name, text in before.items():
                shown = after.get(name, "")
                if name == message and back and len(shown) < len(text):
                    # (Less the space a cut leaves out before its "…".)
                    least = MESSAGE_MINIMUM[message] - 1
                    assert len(shown) >= least, (narrow, wide, row, text, shown)
                    continue
                assert len(shown) >= len(text), (narrow, wide, row, name, text, shown)


def _print_at_every_width(
    print_at: Callable[[int], tuple[str, Layout]], rows: int, lead: int = 0, fitted: bool = True
) -> dict[int, list[dict[str, str]]]:
    """Each row's cells as printed at each width; when ``fitted``, every line fits its
    width but a reference's line of its own (which is never cut)."""
    seen: dict[int, list[dict[str, str]]] = {}
    for width in WIDTHS:
        text, layout = print_at(width)
        lines = text.splitlines()
        seen[width] = _read(lines, layout, rows, lead)
        per_row = 1 if layout.below is None else 2
        for at, line in enumerate(lines[: per_row * (1 + rows)]):
            own_line = per_row == 2 and at >= 2 and at % 2 == 0
            assert own_line or not fitted or len(line) <= width, (width, line)
    return seen


@pytest.mark.parametrize(
    "args", [["--status", "failed"], [], ["-o", "wide"]], ids=["failed", "all", "wide"]
)
def test_a_wider_terminal_never_shows_less_of_a_listing(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    listing = _listing(sandbox, monkeypatch, *args)
    _still(monkeypatch)
    chosen = _layouts(monkeypatch, jobtable)

    def print_at(width: int) -> tuple[str, Layout]:
        console, buffer = _console(width)
        # As the command does: -o wide is never fitted, the others to the terminal.
        fitted = None if listing.wide else width
        jobtable.print_jobs_table(console, listing.jobs, listing.region, fitted,
                                wide=listing.wide, accounts=listing.accounts)  # fmt: skip
        return buffer.getvalue(), chosen[-1]

    seen = _print_at_every_width(print_at, len(listing.jobs), fitted=not listing.wide)
    _never_less(seen)
    if "failed" in args:
        for width, rows in seen.items():
            # A failed job's message is never given up, at any width.
            assert all(row["MESSAGE"] for row in rows), width


def test_a_wider_terminal_never_shows_less_of_the_watch_board(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    listing = _listing(sandbox, monkeypatch)
    # The jobs a board shows: those still going, and the failed ones as ended lately.
    jobs = [j for j in listing.jobs if not j.terminal or j.state is State.FAILED]
    assert any(j.progress for j in jobs) and any(j.state is State.FAILED for j in jobs)

    class Board:
        rounds, next_check, problems, read = 1, None, set[str](), True

        def clock(self) -> float:
            return 0.0

        def rows(self) -> list[Watched]:
            return [Watched(job, since=0.0) for job in jobs]

    def eta(job: ExportJob, reference: datetime) -> str:
        return "" if job.terminal else "eta ~15:35 (estimate)"

    _still(monkeypatch)
    chosen = _layouts(monkeypatch, live)
    view = WatchView(Board(), listing.region, eta)  # type: ignore[arg-type]

    def print_at(width: int) -> tuple[str, Layout]:
        # The board's table as the view hands it to rich: lines printed as they are.
        console, _ = _console(width)
        table = next(iter(view.__rich_console__(console, console.options)))
        assert isinstance(table, Lines)
        return "\n".join(line.plain for line in table.lines), chosen[-1]

    # Each line starts with a mark (✓, ✗ or a blank) and a space.
    seen = _print_at_every_width(print_at, len(jobs), lead=2)
    _never_less(seen, "PROGRESS / MESSAGE")
    for width, rows in seen.items():
        failed = [row for row, job in zip(rows, jobs, strict=True) if job.state is State.FAILED]
        assert all(row["PROGRESS / MESSAGE"] for row in failed), width


@pytest.mark.parametrize("width", [40, 80, 120, 200])
@pytest.mark.parametrize("args", [[], ["--status", "failed"]], ids=["all", "failed"])
def test_no_room_is_left_empty_while_a_message_is_cut(
    sandbox: Sandbox, width: int, args: list[str]
) -> None:
    result = invoke(sandbox, "list", *args, COLUMNS=str(width))
    assert result.exit_code == 0, result.stderr
    cut = [line for line in result.stdout.splitlines() if line.endswith("…")]
    # The message is the last cell of its line: cut, it reaches the terminal's edge
    # (but for a space left out before its "…").
    assert cut and all(len(line) >= width - 1 for line in cut), (width, result.stdout)
