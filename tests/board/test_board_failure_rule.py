"""One failure rule for every listing: the same outage is told the same way over one
region or two (exportctl.ops.listing.failures' docstring states the rule)."""

from __future__ import annotations

import json
import re

import pytest
from board_support import Run

from exportctl.sandbox import Sandbox
from exportctl.services import all_specs

# Every service but Discovery, the one these tests let answer (or break).
DENIED = tuple(spec for spec in all_specs() if spec.name != "discovery")
ONE = ("--region", "us-east-1")
TWO = ("--region", "us-east-1,eu-west-1")


def told(stderr: str) -> set[tuple[str, str]]:
    """(notice or error, message) of each line of stderr, without the regions it names."""
    lines = set()
    for line in stderr.splitlines():
        kind, _, message = line.removeprefix("exportctl: ").partition(": ")
        lines.add((kind, re.sub(r"^regions? [a-z0-9, -]+: ", "", message)))
    return lines


@pytest.mark.parametrize("fmt", ["json", "ndjson"])
def test_nothing_answering_is_an_error_over_one_region_as_over_two(
    run: Run, sandbox: Sandbox, fmt: str
) -> None:
    # Every service denied but Discovery, answering with an HTML page: nothing is read.
    # One region used to tell the denials as notices beside the broken answer's
    # error; two regions told them as errors: they are errors in both now.
    sandbox.faults.deny = {spec.name for spec in DENIED}
    sandbox.faults.garble = {"discovery": "html"}
    one = run(*ONE, "list", "-o", fmt, AWS_MAX_ATTEMPTS="1")
    two = run(*TWO, "list", "-o", fmt, AWS_MAX_ATTEMPTS="1")
    assert one.exit_code == two.exit_code == 5
    for result in (one, two):
        assert {kind for kind, _ in told(result.stderr)} == {"error"}, result.stderr
        assert result.stdout.strip() in ("", "[]")
    # Each service's error, in the order of the services over one region.
    assert [line.split(": ")[2] for line in one.stderr.splitlines()] == [
        spec.title for spec in all_specs()
    ]
    # Two regions say the same, and Discovery's "not its home region" of eu-west-1.
    assert told(one.stderr) < told(two.stderr)
    assert "Migration Hub home region" in two.stderr


def test_something_answering_keeps_the_notices_over_one_region_as_over_two(
    run: Run, sandbox: Sandbox
) -> None:
    sandbox.faults.deny = {spec.name for spec in DENIED}
    one = run(*ONE, "list", "-o", "json")
    two = run(*TWO, "list", "-o", "json")
    assert one.exit_code == two.exit_code == 0
    refs = [r["ref"] for r in json.loads(one.stdout)]
    assert refs and {ref.split(":")[0] for ref in refs} == {"discovery"}
    assert refs == [r["ref"] for r in json.loads(two.stdout)]
    for result in (one, two):
        assert {kind for kind, _ in told(result.stderr)} == {"notice"}, result.stderr
        for spec in DENIED:
            assert any(m.startswith(f"{spec.title}: ") for _, m in told(result.stderr))
