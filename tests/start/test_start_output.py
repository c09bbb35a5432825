"""What start prints for --fields and -o wide, with and without --wait."""

from __future__ import annotations

import json

import pytest
from start_support import Run


def test_fields_print_a_one_row_table(run: Run) -> None:
    result = run("start", "discovery", "--fields", "ref,state")

    assert result.exit_code == 0, result.stderr
    header, row = result.stdout.splitlines()
    assert header.split() == ["REF", "STATE"]
    assert row.startswith("discovery:us-east-1:export-") and row.split()[1] == "RUNNING"


def test_wide_prints_every_column(run: Run) -> None:
    result = run("start", "discovery", "-o", "wide", "--no-headers")

    assert result.exit_code == 0, result.stderr
    (row,) = result.stdout.splitlines()
    assert row.split()[:4] == ["discovery", row.split()[1], "us-east-1", "RUNNING"]
    assert "export-" in row.split()[1]


def test_the_estimate_fields_its_help_lists_are_taken(run: Run) -> None:
    result = run("start", "discovery", "--json", "--fields", "ref,eta,eta_basis")

    assert result.exit_code == 0, result.stderr
    assert list(json.loads(result.stdout)) == ["ref", "eta", "eta_basis"]


def test_wait_with_fields_ends_with_their_table(run: Run) -> None:
    result = run("start", "discovery", "--wait", "--fields", "ref,state,eta")

    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[-2].split() == ["REF", "STATE", "ETA"]
    assert lines[-1].split()[1:] == ["COMPLETED"]


def test_wait_with_no_headers_on_the_live_view_is_refused_before_the_start(run: Run) -> None:
    before = run.made()

    result = run("start", "discovery", "--wait", "--no-headers")

    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "--no-headers" in result.stderr
    assert run.made() == before


REFUSED_WITH_DRY_RUN = [
    ["-o", "csv"],
    # The default's name, given: a table of the job's record, which a dry run has not.
    ["-o", "table"],
    ["--output", "TABLE"],
    ["--fields", "ref"],
    ["--query", "ref"],
    ["--no-headers"],
]


@pytest.mark.parametrize("options", REFUSED_WITH_DRY_RUN)
def test_dry_run_refuses_what_only_a_record_could_honour(run: Run, options: list[str]) -> None:
    result = run("start", "discovery", "--dry-run", *options)

    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "--dry-run" in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("options", REFUSED_WITH_DRY_RUN)
def test_a_rerun_dry_run_refuses_them_alike_before_the_job_is_read(
    run: Run, options: list[str]
) -> None:
    result = run("rerun", "discovery:export-0000", "--dry-run", *options)

    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "--dry-run" in result.stderr
    assert result.stdout == ""


def test_dry_run_takes_json(run: Run) -> None:
    result = run("start", "discovery", "--dry-run", "--json")

    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)


TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/orders"
LOG_GROUP = ["--log-group", "/x", "--bucket", "b"]
INCREMENTAL = ["--table", TABLE, "--to", "s3://b/p/", "--incremental-from", "1h"]


@pytest.mark.parametrize(
    ("service", "period"),
    [
        ("logs", [*LOG_GROUP, "--start-time", "2d", "--end-time", "3d"]),
        ("logs", [*LOG_GROUP, "--start-time", "2099-01-01"]),
        ("discovery", ["--agent-id", "o-1", "--start-time", "1d", "--end-time", "2d"]),
        ("dynamodb", [*INCREMENTAL, "--incremental-to", "2h"]),
    ],
)
def test_a_period_that_ends_before_it_begins_is_refused_before_anything_is_sent(
    run: Run, service: str, period: list[str]
) -> None:
    before = run.made()
    for dry_run in (["--dry-run"], []):
        result = run("start", service, *period, *dry_run)
        assert result.exit_code == 2, result.stderr
        assert result.stderr.count("\n") == 1 and "must be before" in result.stderr
    assert run.made() == before


@pytest.mark.parametrize("bucket", ["s3://exports/logs/", "exports/logs"])
def test_a_bucket_given_as_a_uri_or_a_path_is_refused_before_anything_is_sent(
    run: Run, bucket: str
) -> None:
    before = run.made()
    result = run("start", "logs", "--log-group", "/x", "--start-time", "1d", "--bucket", bucket)
    assert result.exit_code == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "--prefix" in result.stderr
    assert run.made() == before
