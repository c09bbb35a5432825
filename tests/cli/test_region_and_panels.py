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
    assert message.startswith("exportctl: error: unknown region 'mars-1'")
    assert "us-east-1" in message and "eu-west-1" in message and len(message.splitlines()) == 1


def test_a_region_newer_than_botocore_is_let_through(run: Run) -> None:
    # Matches the aws partition's region pattern: botocore can build its endpoints.
    result = run("list", "-s", "personalize", "--json", region="eu-south-9")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_booleans_read_yes_and_no_in_panels(run: Run) -> None:
    listed = json.loads(run("list", "-s", "discovery", "--json").stdout)
    truncated = [j for j in listed if j["details"].get("is_truncated") is not None]
    assert truncated
    result = run("status", truncated[0]["ref"], COLUMNS="200")
    assert result.exit_code == 0, result.stderr
    line = next(x for x in result.stdout.splitlines() if "is truncated" in x)
    assert ("yes" in line or "no" in line) and "True" not in line and "False" not in line
