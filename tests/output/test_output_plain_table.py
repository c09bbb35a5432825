"""Large or piped tables are written without rich (plainlines.write_lines): the same
characters as rich prints for the same layout, at every width, with and without colour."""

from __future__ import annotations

import ast
import io
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from rich.console import COLOR_SYSTEMS, Console

from exportctl.domain.model import ExportJob, Progress, State
from exportctl.output import jobtable, plainlines, statestyles

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)
ACCOUNT = "123456789012"


def _jobs() -> list[ExportJob]:
    jobs = []
    states = list(State)
    for i in range(40):
        state = states[i % len(states)]
        service = ("personalize", "backupsearch", "discovery", "pinpoint")[i % 4]
        region = "us-east-1" if i % 3 else "eu-west-1"
        if service == "personalize":
            arn = f"arn:aws:personalize:{region}:{ACCOUNT}:dataset-export-job/job-{i:03d}"
            ref, job_id = arn, f"job-{i:03d}"
        elif service == "backupsearch":
            job_id = f"{i:08d}-eeb9-4210-af2a-83fdf6a0b298"
            arn = f"arn:aws:backup-search:{region}:{ACCOUNT}:search-export-job/{job_id}"
            ref = arn
        elif service == "discovery":
            arn, job_id = None, f"export-{i:08d}-ac80-4081-a98a-878e2f264d9b"
            ref = f"discovery:{region}:{job_id}"
        else:
            arn, job_id = None, f"ae7689447ab57a683536c4499d863386/{i:032d}"
            ref = f"pinpoint:{region}:{job_id}"
        message = None
        if state is State.FAILED:
            message = f"Export failed: ünïcödé ✓ no data for agent o-{i} in the requested range."
        progress = None
        if service == "pinpoint" and state is State.RUNNING:
            progress = Progress(completed_pieces=i % 7, total_pieces=12)
        jobs.append(
            ExportJob(
                service=service,
                ref=ref,
                id=job_id,
                region=region,
                state=state,
                status=f"WORD_{state.value}" if i % 5 else "",
                arn=arn,
                created=None if i == 7 else NOW - timedelta(minutes=17 * i),
                message=message,
                progress=progress,
            )
        )
    return jobs


def _console(width: int, color: str | None, no_color: bool = False) -> Console:
    return Console(
        file=io.StringIO(),
        width=width,
        color_system=color,  # type: ignore[arg-type]
        force_terminal=color is not None,
        no_color=no_color,
        highlight=False,
        soft_wrap=False,
    )


@pytest.mark.parametrize("width", [None, 50, 80, 120, 160, 200, 400])
@pytest.mark.parametrize(
    ("color", "no_color"),
    [(None, False), ("truecolor", False), ("256", False), ("standard", True)],
    ids=["plain", "truecolor", "256", "no_color"],
)
@pytest.mark.parametrize("headers", [True, False])
@pytest.mark.parametrize("wide", [False, True])
def test_written_lines_are_what_rich_prints(
    width: int | None, color: str | None, no_color: bool, headers: bool, wide: bool
) -> None:
    jobs = _jobs()
    if wide and width is not None:
        return
    by_rich = _console(width or 400, color, no_color)
    plain = _console(width or 400, color, no_color)
    by_rich.print(
        jobtable.jobs_table(jobs, "us-east-1", NOW, width=width, wide=wide, headers=headers),
        soft_wrap=True,
    )
    layout = jobtable.job_layout(jobs, "us-east-1", width, wide=wide, reference=NOW)
    styles = {"STATE": [statestyles.STATE_STYLES[job.state] for job in jobs]}
    plainlines.write_lines(plain, layout, len(jobs), styles, headers=headers)
    expected = by_rich.file.getvalue()  # type: ignore[attr-defined]
    assert expected.count("\n") >= len(jobs)
    assert plain.file.getvalue() == expected  # type: ignore[attr-defined]


def test_stacked_layout_is_covered() -> None:
    # At 50 columns a Personalize ARN takes a line of its own.
    layout = jobtable.job_layout(_jobs(), "us-east-1", 50, reference=NOW)
    assert layout.stacked


def test_small_tables_on_a_terminal_stay_with_rich(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    monkeypatch.setattr(jobtable, "write_lines", lambda *a, **k: calls.append(1))
    jobtable.print_jobs_table(_console(120, "truecolor"), _jobs(), "us-east-1", 120)
    assert not calls
    jobtable.print_jobs_table(_console(120, None), _jobs(), "us-east-1", None)
    assert calls == [1]
    monkeypatch.setattr(jobtable, "PLAIN_ROWS", 10)
    jobtable.print_jobs_table(_console(120, "truecolor"), _jobs(), "us-east-1", 120)
    assert calls == [1, 1]


@pytest.mark.parametrize("system", sorted(COLOR_SYSTEMS))
@pytest.mark.parametrize("no_color", [False, True])
def test_every_colour_system_rich_names_is_painted_as_rich_prints(
    system: str, no_color: bool
) -> None:
    """The writer asks the console for its colours by name (Console.color_system):
    every name rich gives one, Windows' legacy console's included."""
    jobs = _jobs()
    by_rich = _console(160, system, no_color)
    plain = _console(160, system, no_color)
    assert plain.color_system == system
    by_rich.print(jobtable.jobs_table(jobs, "us-east-1", NOW, width=160), soft_wrap=True)
    layout = jobtable.job_layout(jobs, "us-east-1", 160, reference=NOW)
    styles = {"STATE": [statestyles.STATE_STYLES[job.state] for job in jobs]}
    plainlines.write_lines(plain, layout, len(jobs), styles)
    expected = by_rich.file.getvalue()  # type: ignore[attr-defined]
    # Bold headers at least, colour or not: the painting is compared, not skipped.
    assert "\x1b[" in expected and expected.count("\n") >= len(jobs)
    assert plain.file.getvalue() == expected  # type: ignore[attr-defined]


def test_the_writer_reads_no_private_attribute_of_the_console() -> None:
    tree = ast.parse(Path(plainlines.__file__).read_text(encoding="utf-8"))
    private = [
        ast.unparse(node)
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr.startswith("_")
        and not node.attr.startswith("__")
        and ast.unparse(node.value) not in ("self", "cls")
    ]
    assert private == []


def test_a_vendor_word_with_a_newline_keeps_its_row_and_its_line_one_line() -> None:
    job = ExportJob(service="discovery", ref="discovery:us-east-1:e-9", id="e-9",
                    region="us-east-1", state=State.UNKNOWN, status="STOPPED\nBY ADMIN",
                    created=NOW)  # fmt: skip
    assert job.said_state == "UNKNOWN (STOPPED BY ADMIN)"
    # The record keeps the word as sent; a table row shows it on one line.
    assert job.to_dict()["status"] == "STOPPED\nBY ADMIN"
    buffer = io.StringIO()
    jobtable.print_jobs_table(Console(file=buffer, width=200), [job], "us-east-1", None, wide=True)
    [_, row] = buffer.getvalue().splitlines()
    assert "STOPPED BY ADMIN" in row
