"""`status`'s box at every width: a value is never folded a few characters at a
time, and a terminal too narrow for the box gets every field on a line of its own."""

from __future__ import annotations

import dataclasses
import io
from datetime import datetime, timedelta, timezone

import pytest
from rich.console import Console

from exportctl.domain.model import ExportJob, State
from exportctl.domain.timeutil import local
from exportctl.output import jobpanel

CREATED = datetime(2026, 11, 23, 14, 56, tzinfo=timezone.utc)
JOB = ExportJob(
    service="personalize",
    ref="arn:aws:personalize:us-east-1:123456789012:dataset-export-job/users-nightly",
    id="users-nightly",
    region="us-east-1",
    state=State.PENDING,
    status="CREATE PENDING",
    name="users-nightly",
    created=CREATED,
    details={"ingestion_mode": "BULK", "role_arn": "arn:aws:iam::123456789012:role/Role"},
)
BOX = "│╭╰"


def _printed(width: int, jobs: list[ExportJob]) -> list[str]:
    buffer = io.StringIO()
    console = Console(file=buffer, width=width, color_system=None)
    jobpanel.print_panels(console, jobs, eta=lambda job: "")
    return buffer.getvalue().splitlines()


def _created_line(lines: list[str]) -> str:
    [line] = [line for line in lines if "created" in line]
    return line


@pytest.mark.parametrize("width", range(8, 121))
def test_a_time_is_whole_on_its_line_at_every_width(width: int) -> None:
    lines = _printed(width, [JOB])
    assert local(CREATED) in _created_line(lines)
    # "ingestion mode", the widest label, leaves the values 20 columns from 40 on.
    assert any(line[:1] in BOX for line in lines) == (width >= 40)


def test_a_narrow_terminal_gets_each_field_on_a_line_of_its_own() -> None:
    lines = _printed(32, [JOB])
    assert lines[0] == "personalize users-nightly"
    assert "status          CREATE PENDING" in lines
    assert "ingestion mode  BULK" in lines
    assert f"ref             {JOB.ref}" in lines
    assert not any(character in "".join(lines) for character in BOX)


def test_jobs_on_a_narrow_terminal_are_apart() -> None:
    later = dataclasses.replace(JOB, id="other", name="other", created=CREATED + timedelta(hours=1))
    lines = _printed(32, [JOB, later])
    assert lines[lines.index("personalize other") - 1] == ""


@pytest.mark.parametrize("width", [32, 100])
def test_a_name_with_a_tab_and_a_newline_is_one_line_as_in_the_tables(width: int) -> None:
    named = dataclasses.replace(JOB, name="nightly\tpart\none")
    lines = _printed(width, [named])
    assert "personalize nightly part one" in lines[0]
    [name] = [line for line in lines if "name " in line]
    assert "nightly part one" in name
    assert not any(line.strip(" │") == "one" for line in lines)
