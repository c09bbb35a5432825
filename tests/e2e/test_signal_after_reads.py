"""status --json and cancel --json print the document of nothing when Ctrl-C or
SIGTERM comes after the jobs were read, while the error lines are written (a slow
stderr holds them there). In-process: the signal is the KeyboardInterrupt it becomes
(tests/deadlines sends real ones during the reads)."""

from __future__ import annotations

import json

import pytest
from e2e_support import in_process

from exportctl.cli.context import AppContext
from exportctl.domain.errors import ExportctlError
from exportctl.sandbox import Sandbox

pytestmark = pytest.mark.e2e

DISCOVERY_DONE = "discovery:export-882161db-80a1-49ad-acda-dc4ccd4078c7"


@pytest.mark.parametrize(
    ("args", "nothing"),
    [
        (["status", DISCOVERY_DONE], None),
        (["status", DISCOVERY_DONE, "rds:gone"], []),
        (["cancel", "rds:analytics-live-export"], None),
        (["cancel", "rds:analytics-live-export", "rds:gone"], []),
        (["cancel", "--wait", "rds:analytics-live-export", "rds:gone"], []),
    ],
)
def test_a_signal_while_errors_are_said_prints_the_json_of_nothing(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, args: list[str], nothing: object
) -> None:
    said: list[int] = []

    def report(self: AppContext, errors: list[ExportctlError]) -> int:
        said.append(len(errors))
        raise KeyboardInterrupt

    monkeypatch.setattr(AppContext, "report", report)
    done = in_process(sandbox, *args, "--json")
    assert said, done.stderr
    assert json.loads(done.stdout) == nothing
    assert "Traceback" not in done.stderr
