"""Which columns a table keeps at a width, -o wide, -o text and --no-headers."""

from __future__ import annotations

import io
import json
import os
import random
from dataclasses import replace
from pathlib import Path

import pytest
from output_support import invoke
from rich.console import Console

from exportctl.output.columns import Action, Column, Layout, Step, choose, cut
from exportctl.output.plainlines import write_lines
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


def test_at_160_columns_a_failed_job_keeps_the_room_its_message_had_at_120(
    sandbox: Sandbox,
) -> None:
    jobs = _failed(sandbox)
    shown: dict[int, list[str]] = {}
    for width in (120, 160):
        lines = _table(sandbox, width)
        # Side by side, each message would be cut shorter than at 120: the
        # references keep their lines of their own, the service is given up.
        assert lines[0] == "REF"
        assert lines[1].split() == ["STATE", "STATUS", "CREATED", "MESSAGE"]
        start = lines[1].index("MESSAGE")
        shown[width] = [line[start:] for line in lines[3::2]]
        assert all(len(line) <= width for line in lines[1::2])
    for job, narrow, wide in zip(jobs, shown[120], shown[160], strict=True):
        assert _shows_message(wide, job), (wide, job["message"])
        assert len(wide) >= len(narrow) and len(wide) >= 30


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
        # A value missing is None there, as in the AWS CLI's text (EC2's creation time).
        assert row[4] == str(job["created"]) and row[5] == _message_of(job)
    assert any(job["created"] is None for job in jobs)


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
    # The key's shorter form keeps it on the row while nothing else is cut.
    compact = choose(columns, 62, steps, key="KEY")
    assert not compact.stacked and compact.names == ["KEY", "B", "MSG"]
    assert compact.columns[0].cells == ["k" * 8] and compact.width_of("MSG") == 40
    # Side by side the message would be cut to 18: on the line below the key it has 24.
    narrow = choose(columns, 40, steps, key="KEY")
    assert narrow.stacked and narrow.names == ["KEY", "B", "MSG"]
    assert narrow.width_of("MSG") == 24
    out = io.StringIO()
    write_lines(Console(file=out, color_system=None, width=40), narrow, 1)
    lines = out.getvalue().splitlines()
    assert lines[2] == "k" * 8 and lines[3].startswith("    b")
    # B goes before the message is cut below its minimum; the message takes its room.
    narrower = choose(columns, 22, steps, key="KEY")
    assert narrower.names == ["KEY", "MSG"] and narrower.width_of("MSG") == 18


def test_a_column_given_up_stays_given_up_until_it_is_back_for_good() -> None:
    columns = [
        Column("KEY", ["k" * 20]),
        Column("A", ["a" * 10]),
        Column("MSG", ["m" * 40], min_width=12),
    ]
    steps = [Step("drop", "A"), Step("shrink", "MSG"), Step("drop", "MSG")]
    # The message, cut short, ranks above A: A does not take its room.
    assert choose(columns, 34, steps, key="KEY").names == ["KEY", "MSG"]
    # Without the message A would fit at 32, but at 34 the message is back and A out
    # again: A stays out until both fit.
    assert choose(columns, 32, steps, key="KEY").names == ["KEY"]
    assert choose(columns, 73, steps, key="KEY").names == ["KEY", "MSG"]
    assert choose(columns, 74, steps, key="KEY").names == ["KEY", "A", "MSG"]


def test_a_column_cut_short_takes_the_room_a_later_one_left() -> None:
    columns = [Column("MSG", ["m" * 40], min_width=12), Column("B", ["b" * 10])]
    steps = [Step("shrink", "MSG"), Step("drop", "B")]
    # Without B the message has every column (no room left empty while it is cut);
    # at 24 B is back and takes its room back, the message keeping its minimum.
    widths = {w: choose(columns, w, steps).width_of("MSG") for w in (14, 20, 23, 24, 30)}
    assert widths == {14: 14, 20: 20, 23: 23, 24: 12, 30: 18}
    assert choose(columns, 23, steps).names == ["MSG"]


def _random_table(rng: random.Random) -> tuple[list[Column], list[Step], str | None]:
    """A table of a few columns of random cells, forms and steps, a random key."""
    rows = rng.randint(1, 3)
    names = [f"C{i}" for i in range(rng.randint(1, 6))]

    def texts(longest: int) -> list[str]:
        return [
            "".join(rng.choice("ab ") for _ in range(rng.randint(0, longest))) for _ in range(rows)
        ]

    key = rng.choice([*names, None])
    columns = []
    for name in names:
        column = Column(name, texts(30), always=rng.random() < 0.8)
        if rng.random() < 0.3:
            # Shorter cells stand for whole cells: a column that has them is never cut.
            column = replace(column, short_cells=texts(20))
        else:
            min_width = rng.randint(1, 15) if rng.random() < 0.4 else None
            cap = rng.randint(3, 20) if rng.random() < 0.15 else None
            column = replace(column, min_width=min_width, cap=cap)
        if name == key and rng.random() < 0.5:
            column = replace(column, fallback_cells=texts(8))
        columns.append(column)
    actions: list[Action] = ["drop", "shrink", "shorten"]
    steps = [Step(rng.choice(actions), rng.choice(names)) for _ in range(rng.randint(0, 8))]
    return columns, steps, key


def _amounts(layout: Layout) -> dict[tuple[str, int], int]:
    """How much of each cell a layout shows, by column and row."""
    return {
        (column.name, row): len(cut(cell, width))
        for column, width in layout.parts()
        for row, cell in enumerate(column.cells)
    }


def test_a_wider_table_never_shows_less_of_any_cell() -> None:
    """But a column cut short, where a column given up after it comes back and takes
    back its room: the cut one keeps its minimum."""
    rng = random.Random(20261205)
    for _ in range(80):
        columns, steps, key = _random_table(rng)
        widest = sum(c.natural() for c in columns) + 2 * len(columns) + 4
        before: dict[tuple[str, int], int] = {}
        for width in range(1, widest):
            layout = choose(columns, width, steps, key=key)
            now = _amounts(layout)
            back = {name for name, _ in now} - {name for name, _ in before}
            least = {
                (column.name, row): len(cut(cell, column.min_width or 0))
                for column, _ in layout.parts()
                if Step("shrink", column.name) in layout.given_up
                for row, cell in enumerate(column.cells)
            }
            less = {
                cell: n
                for cell, n in before.items()
                if now.get(cell, 0) < n and not (back and now.get(cell, 0) >= least.get(cell, n))
            }
            assert not less, (width, less, columns, steps, key)
            before = now


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
