"""Every renderer of a time for people, at the calendar's ends in a zone where its
local time would fall outside it (past 9999 east of UTC, before year 1 west of it),
and where the wall time alone says two moments."""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable
from datetime import datetime, timezone

import pytest
from rich.console import Console, RenderableType

from exportctl.domain.model import ExportJob, State
from exportctl.domain.timeutil import iso
from exportctl.ops.backups import Backup
from exportctl.output.backuptable import backups_table
from exportctl.output.fieldtext import field_text
from exportctl.output.jobpanel import print_panels
from exportctl.output.recordtable import record_table

UTC = timezone.utc
JOB = ExportJob(
    service="logs",
    ref="logs:us-east-1:391c94c8",
    id="391c94c8",
    region="us-east-1",
    state=State.RUNNING,
    status="RUNNING",
    created=datetime(2026, 12, 7, 4, 6, tzinfo=UTC),
)


def _text(renderable: RenderableType) -> str:
    buffer = io.StringIO()
    console = Console(file=buffer, width=120, color_system=None)
    if isinstance(renderable, ExportJob):
        print_panels(console, [renderable])
    else:
        console.print(renderable)
    return buffer.getvalue()


def _renderers(value: datetime) -> dict[str, Callable[[], str]]:
    record = {"ref": JOB.ref, "details": {"to": iso(value)}}
    backup = Backup("INDEXED", "S3", "arn:b", "arn:s", value, value, None)
    return {
        "field": lambda: field_text(iso(value)),
        "fields table": lambda: _text(record_table([record], ["ref", "details.to"])),
        "panel's detail": lambda: _text(dataclasses.replace(JOB, details={"to": iso(value)})),
        "panel's time": lambda: _text(dataclasses.replace(JOB, created=value, completed=value)),
        "backups table": lambda: _text(backups_table([backup], 120)),
    }


@pytest.mark.parametrize(
    ("name", "value", "shown"),
    [
        ("Asia/Kolkata", datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC), "9999-12-31 23:59:59 UTC"),
        ("America/Los_Angeles", datetime(1, 1, 1, tzinfo=UTC), "0001-01-01 00:00:00 UTC"),
        ("UTC", datetime(1, 1, 1, tzinfo=UTC), "0001-01-01 00:00:00"),
    ],
)
@pytest.mark.parametrize("renderer", list(_renderers(datetime.now(UTC))))
def test_a_time_at_the_calendars_ends_is_shown_in_every_renderer(
    zone: Callable[[str], None], name: str, value: datetime, shown: str, renderer: str
) -> None:
    zone(name)
    assert shown in _renderers(value)[renderer]()


@pytest.mark.parametrize("renderer", list(_renderers(datetime.now(UTC))))
def test_a_wall_time_the_clock_shows_twice_names_its_zone_in_every_renderer(
    zone: Callable[[str], None], renderer: str
) -> None:
    zone("America/New_York")
    assert (
        "2026-11-01 01:10:00 EST"
        in _renderers(datetime(2026, 11, 1, 6, 10, tzinfo=UTC))[renderer]()
    )
