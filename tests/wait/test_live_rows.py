"""The live view renders the rows a terminal shows, however many jobs it watches."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import pytest
from rich.console import Console
from rich.live import Live
from rich.text import Text

from exportctl.domain import timeutil
from exportctl.domain.model import ExportJob, Progress, State
from exportctl.ops.conditions import parse_until
from exportctl.ops.polling.waiter import Waiter
from exportctl.output import live
from exportctl.output.live import WaitView
from exportctl.services.refs import parse

START = datetime(2026, 11, 23, 8, 0, tzinfo=timezone.utc)
APP = "ae7689447ab57a683536c4499d863386"


def _waiter(count: int) -> Waiter:
    refs = [f"pinpoint:us-east-1:{APP}/{n:032x}" for n in range(count)]
    waiter = Waiter(None, [(r, parse(r)) for r in refs], parse_until("COMPLETED"),  # type: ignore[arg-type]
                    clock=lambda: 0.0)  # fmt: skip
    for n, tracked in enumerate(waiter.tracked):
        tracked.job = ExportJob(
            service="pinpoint", ref=tracked.ref, id=tracked.key.id, region="us-east-1",
            state=State.RUNNING, status="PROCESSING", created=START,
            progress=Progress(completed_pieces=n % 12, total_pieces=12),
        )  # fmt: skip
    return waiter


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The lines of the table made, each render's count."""
    counts: list[int] = []
    styled_lines = live.styled_lines

    def counted(*args: Any, **kwargs: Any) -> Iterator[Text]:
        counts.append(0)
        for line in styled_lines(*args, **kwargs):
            counts[-1] += 1
            yield line

    monkeypatch.setattr(live, "styled_lines", counted)
    return counts


@pytest.mark.parametrize(("width", "height"), [(80, 24), (200, 50)])
def test_a_refresh_makes_the_rows_the_terminal_shows_not_every_job(
    made: list[int], width: int, height: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(timeutil, "wall_clock", lambda: START.timestamp() + 300)
    shown: list[list[str]] = []
    for jobs in (100, 800):
        buffer = io.StringIO()
        console = Console(file=buffer, force_terminal=True, width=width, height=height,
                          color_system=None)  # fmt: skip
        view = Live(WaitView(_waiter(jobs), "us-east-1"), console=console, auto_refresh=False)
        with view:
            for _ in range(3):
                view.refresh()
        # The last frame, without the cursor shown again after it.
        frame = buffer.getvalue().split("\x1b[2K")[-1].replace("\x1b[?25h", "")
        shown.append([line.rstrip() for line in frame.splitlines() if line.strip()])
    # No more lines made than the terminal holds, for 100 jobs as for 800.
    assert made and max(made) <= height
    few, many = shown
    assert few[-2].startswith("… ") and many[-2].startswith("… ")
    assert many[-2] == f"… {many[-2].split()[1]} more lines: a taller terminal shows them"
    # The rows shown are those of the whole table, as it is off a terminal.
    whole = io.StringIO()
    Console(file=whole, width=width, color_system=None).print(WaitView(_waiter(800), "us-east-1"))
    rows = [line.rstrip() for line in whole.getvalue().splitlines()]
    assert many[:-2] == rows[: len(many) - 2]
