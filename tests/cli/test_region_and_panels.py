"""A region that does not exist is a usage error; panels say yes and no."""

from __future__ import annotations

import json

import pytest
from cli_support import Run


@pytest.mark.parametrize("where", ["before", "after"])
def test_an_unknown_region_is_a_usage_error_not_an_empty_list(run: Run, where: str) -> None:
    args = ["--region", "mars-1", "list"] if where == "before" else ["list", "--region", "mars-1"]
    result = run(*args, region=None)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "No export jobs found" not in result.stderr
    message = result.stderr.strip()
    assert message.startswith("exportctl: error: unknown region 'mars-1' in --region")
    # Nothing is near it: no guess, and not the list of every region either.
    assert "did you mean" not in message and "us-east-1" not in message
    assert len(message.splitlines()) == 1


def test_a_region_botocore_does_not_list_is_refused_saying_how_to_use_it(run: Run) -> None:
    # The aws partition's pattern allows it, as it allows us-est-1: patterns are no list.
    result = run("list", "-s", "personalize", "--json", region="eu-south-9")
    assert result.exit_code == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert line.startswith("exportctl: error: unknown region 'eu-south-9' in --region")
    assert "newer botocore" in line and "endpoints.json on AWS_DATA_PATH" in line
    assert sum(run.sandbox.calls.values()) == 0


def test_booleans_read_yes_and_no_in_panels(run: Run) -> None:
    listed = json.loads(run("list", "-s", "discovery", "--json").stdout)
    truncated = [j for j in listed if j["details"].get("is_truncated") is not None]
    assert truncated
    result = run("status", truncated[0]["ref"], COLUMNS="200")
    assert result.exit_code == 0, result.stderr
    line = next(x for x in result.stdout.splitlines() if "is truncated" in x)
    assert ("yes" in line or "no" in line) and "True" not in line and "False" not in line


BACKUP_EXPORT = "backupsearch:58ac5831-be38-4b8c-a4ba-2e751989a017"


@pytest.mark.parametrize("width", [80, 100, 120, 200])
def test_a_panel_never_folds_a_reference_an_arn_or_an_s3_url(run: Run, width: int) -> None:
    record = json.loads(run("status", BACKUP_EXPORT, "--json").stdout)
    words = {
        record["ref"],
        record["arn"],
        record["destination"],
        record["details"]["search_job_arn"],
    }
    result = run("status", BACKUP_EXPORT, COLUMNS=str(width))
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    for word in words:
        # Whole on one line, to be copied: in the box when it fits, else below it.
        assert any(word in line for line in lines), (width, word, result.stdout)
    box = [line for line in lines if line[:1] in "╭│╰"]
    assert box and all(len(line) <= width for line in box)
    if width >= 200:
        # Wide enough, everything stays in the box.
        assert all(line[:1] in "╭│╰" for line in lines[: len(box)])
        assert not any(line.startswith("ref ") for line in lines)


def test_an_s3_location_given_as_bucket_and_prefix_reads_as_its_url(run: Run) -> None:
    record = json.loads(run("status", BACKUP_EXPORT, "--json").stdout)
    result = run("status", BACKUP_EXPORT, COLUMNS="200")
    line = next(x for x in result.stdout.splitlines() if "export specification" in x)
    assert f"export specification  {record['destination']}" in line
    assert "destination_bucket=" not in result.stdout
    # The record keeps the service's own shape.
    assert record["details"]["export_specification"]["s3_export_specification"]
