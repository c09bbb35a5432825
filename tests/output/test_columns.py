"""Which columns a table keeps at a width, -o wide, -o text and --no-headers."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from output_support import invoke

from exportctl.columns import Column, Step, choose, plain_lines
from exportctl.sandbox import Sandbox


def _failed(sandbox: Sandbox) -> list[dict[str, object]]:
    result = invoke(sandbox, "list", "--status", "failed", "--json")
    assert result.exit_code == 0, result.stderr
    jobs: list[dict[str, object]] = json.loads(result.stdout)
    assert jobs and all(j["message"] for j in jobs)
    return jobs


def _table(sandbox: Sandbox, width: int, *args: str) -> list[str]:
    result = invoke(sandbox, "list", "--status", "failed", *args, COLUMNS=str(width))
    assert result.exit_code == 0, result.stderr
    return result.stdout.splitlines()


def _profile_region(region: str) -> None:
    """The profile's region, as a configured shell has it: the one region printed
    references leave out."""
    config = Path(os.environ["AWS_CONFIG_FILE"])
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(f"[default]\nregion = {region}\n")


def _message_of(job: dict[str, object]) -> str:
    return " ".join(str(job["message"]).split())


def _shows_message(cell: str, job: dict[str, object]) -> bool:
    """The cell is the job's message, whole or cut short with an ellipsis."""
    message = _message_of(job)
    return cell == message or (cell.endswith("…") and message.startswith(cell[:-1].rstrip()))


def test_at_160_columns_a_failed_job_keeps_its_message_and_gives_up_the_service(
    sandbox: Sandbox,
) -> None:
    jobs = _failed(sandbox)
    lines = _table(sandbox, 160)
    header = lines[0].split()
    assert header[0] == "REF" and "SERVICE" not in header
    assert header[-1] == "MESSAGE" and "STATE" in header and "CREATED" in header
    start = lines[0].index("MESSAGE")
    for line, job in zip(lines[1:], jobs, strict=True):
        assert len(line) <= 160
        cell = line[start:]
        assert len(cell) >= 30 and _shows_message(cell, job), (cell, job["message"])


def test_at_120_columns_nothing_is_given_up_to_keep_the_reference_on_the_row(
    sandbox: Sandbox,
) -> None:
    # References without their region (the profile's): the widths this table is about.
    _profile_region("us-east-1")
    jobs = _failed(sandbox)
    lines = _table(sandbox, 120)
    # STATUS and CREATED would be dropped to keep each reference beside its cells:
    # each reference goes on a line of its own instead, every column below it.
    assert lines[0] == "REF"
    assert lines[1].split() == ["STATE", "STATUS", "CREATED", "MESSAGE"]
    start = lines[1].index("MESSAGE")
    for ref_line, line, job in zip(lines[2::2], lines[3::2], jobs, strict=True):
        assert len(line) <= 120 and not ref_line.startswith(" ")
        assert line.split()[0] == "FAILED"
        assert _shows_message(line[start:], job)


def _shown(lines: list[str]) -> set[str]:
    """The columns a table shows: its one header line, or two when stacked."""
    headers = lines[:2] if lines[0] == "REF" else lines[:1]
    return {name for header in headers for name in header.split()}


def test_a_wider_terminal_never_shows_fewer_columns(sandbox: Sandbox) -> None:
    _profile_region("us-east-1")
    seen: set[str] = set()
    for width in (80, 100, 120, 140, 160, 200):
        names = _shown(_table(sandbox, width))
        # SERVICE, the first column given up, comes and goes with the layout.
        assert names - {"SERVICE"} >= seen - {"SERVICE"}, (width, names, seen)
        seen = names


def test_at_80_columns_each_reference_has_a_line_and_the_message_is_below_it(
    sandbox: Sandbox,
) -> None:
    jobs = _failed(sandbox)
    lines = _table(sandbox, 80)
    assert lines[0] == "REF"
    assert lines[1].split() == ["STATE", "STATUS", "CREATED", "MESSAGE"]
    start = lines[1].index("MESSAGE")
    rows = lines[2:]
    assert len(rows) == 2 * len(jobs)
    for ref_line, detail, job in zip(rows[::2], rows[1::2], jobs, strict=True):
        # The reference whole, on its own line: never folded, never cut.
        assert str(job["ref"]).endswith(ref_line.split(":", 1)[-1].split(":", 1)[-1])
        assert " " not in ref_line
        assert detail.startswith("    FAILED") and len(detail) <= 80
        assert _shows_message(detail[start:], job)


def test_wide_shows_every_column_and_cuts_nothing(sandbox: Sandbox) -> None:
    jobs = _failed(sandbox)
    lines = _table(sandbox, 80, "-o", "wide")
    assert lines[0].split() == [
        "SERVICE",
        "REF",
        "REGION",
        "STATE",
        "STATUS",
        "CREATED",
        "MESSAGE",
    ]
    for line, job in zip(lines[1:], jobs, strict=True):
        assert line.startswith(str(job["service"]))
        assert line.endswith(_message_of(job))
        assert str(job["region"]) in line
    # ARNs stay ARNs.
    assert any("arn:aws:personalize:" in line for line in lines)


def test_text_is_tab_separated_one_job_a_line_without_header(sandbox: Sandbox) -> None:
    jobs = _failed(sandbox)
    result = invoke(sandbox, "list", "--status", "failed", "-o", "text")
    assert result.exit_code == 0, result.stderr
    rows = [line.split("\t") for line in result.stdout.splitlines()]
    assert len(rows) == len(jobs) and all(len(row) == 6 for row in rows)
    by_ref = {row[1]: row for row in rows}
    for job in jobs:
        row = by_ref[str(job["ref"])]
        assert row[0] == job["service"] and row[2] == "FAILED" and row[3] == job["status"]
        assert row[4] == job["created"] and row[5] == _message_of(job)


def test_text_with_fields_and_missing_values(sandbox: Sandbox) -> None:
    result = invoke(sandbox, "list", "-s", "discovery", "-o", "text", "--fields", "id,arn,terminal")
    assert result.exit_code == 0, result.stderr
    for line in result.stdout.splitlines():
        job_id, arn, terminal = line.split("\t")
        assert job_id.startswith("export-") and arn == "None" and terminal in ("True", "False")


@pytest.mark.parametrize("fmt", ["table", "wide"])
def test_no_headers_leaves_only_the_rows(sandbox: Sandbox, fmt: str) -> None:
    jobs = _failed(sandbox)
    result = invoke(sandbox, "list", "--status", "failed", "-o", fmt, "--no-headers")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == len(jobs)
    assert not any(word in lines[0].split() for word in ("REF", "STATE", "MESSAGE"))
    shown = [line.split()[1] for line in lines]
    assert all(str(j["id"]) in ref for ref, j in zip(shown, jobs, strict=True))


def test_no_headers_on_field_tables_and_csv(sandbox: Sandbox) -> None:
    table = invoke(sandbox, "list", "-s", "discovery", "--fields", "id,state", "--no-headers")
    assert table.stdout.splitlines()[0].startswith("export-")
    csv = invoke(sandbox, "list", "-s", "discovery", "-o", "csv", "--no-headers")
    assert csv.stdout.splitlines()[0].startswith("discovery,")


def test_piped_tables_have_no_trailing_spaces(sandbox: Sandbox) -> None:
    for args in (["list"], ["list", "--fields", "ref,arn,message"], ["list", "-o", "wide"]):
        result = invoke(sandbox, *args)
        assert result.exit_code == 0, result.stderr
        assert all(line == line.rstrip() for line in result.stdout.splitlines()), args


def test_priority_not_order() -> None:
    columns = [
        Column("A", ["a" * 10]),
        Column("KEY", ["k" * 20], short_cells=["k" * 8]),
        Column("B", ["b" * 10]),
        Column("MSG", ["m" * 40], min_width=12),
    ]
    steps = [Step("drop", "A"), Step("shorten", "KEY"), Step("shrink", "MSG"), Step("drop", "B")]
    assert choose(columns, None).names == ["A", "KEY", "B", "MSG"]
    assert choose(columns, 80, steps, key="KEY").names == ["KEY", "B", "MSG"]
    # The message is cut before B goes, and gets back the room B leaves.
    narrow = choose(columns, 40, steps, key="KEY")
    assert narrow.names == ["KEY", "B", "MSG"] and narrow.width_of("MSG") == 18
    narrower = choose(columns, 24, steps, key="KEY")
    assert narrower.names == ["KEY", "MSG"] and narrower.width_of("MSG") == 14
    # Too narrow for the key beside the rest: it gets a line of its own.
    stacked = choose(columns, 18, steps, key="KEY")
    assert stacked.stacked and stacked.names[0] == "KEY"
    lines = list(plain_lines(stacked, 1))
    assert lines[2] == "k" * 8 and lines[3].startswith("    ")


def test_a_column_given_up_early_comes_back_when_a_later_drop_made_room() -> None:
    columns = [
        Column("KEY", ["k" * 20]),
        Column("A", ["a" * 10]),
        Column("MSG", ["m" * 40], min_width=12),
    ]
    steps = [Step("drop", "A"), Step("shrink", "MSG"), Step("drop", "MSG")]
    # The message, cut short, ranks above A: A does not take its room.
    assert choose(columns, 34, steps, key="KEY").names == ["KEY", "MSG"]
    # Once the message is gone, A fits again.
    assert choose(columns, 32, steps, key="KEY").names == ["KEY", "A"]
    assert choose(columns, 31, steps, key="KEY").names == ["KEY"]


@pytest.mark.parametrize(
    "args", [["--json"], ["-o", "ndjson"], ["-o", "text"], ["--query", "[].ref"]]
)
def test_no_headers_where_there_are_none_is_refused(sandbox: Sandbox, args: list[str]) -> None:
    result = invoke(sandbox, "list", *args, "--no-headers")
    assert result.exit_code == 2
    assert "--no-headers is for tables and csv" in result.stderr
    assert result.stdout == ""


FAILING = "ce20c4fd32f640d0032634f087e51b42"  # Pinpoint's FAILING job of the scenario


@pytest.mark.parametrize("width", [80, 100, 120, 200])
def test_a_failing_job_never_reads_as_a_healthy_running_one(sandbox: Sandbox, width: int) -> None:
    result = invoke(sandbox, "list", "-s", "pinpoint", COLUMNS=str(width))
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if FAILING in line)
    # Its row: one line, or its reference's line and the line below it.
    row = lines[at] if FAILING in lines[at] and "RUNNING" in lines[at] else lines[at + 1]
    assert "RUNNING (FAILING)" in row, (width, result.stdout)
