"""--max-interval is the longest delay between checks: one given shorter than
--interval is refused before anything is sent, by every command that takes both."""

from __future__ import annotations

import pytest
from e2e_support import in_process

from exportctl.sandbox import Sandbox

pytestmark = pytest.mark.e2e

PERSONALIZE = "arn:aws:personalize:us-east-1:123456789012:dataset-export-job/users-denied"
LOGS = ["--log-group", "/ecs/web", "--start-time", "1d", "--bucket", "log-archive"]


@pytest.mark.parametrize(
    "command",
    [
        ["wait", PERSONALIZE],
        ["cancel", "--wait", "rds:analytics-live-export"],
        ["start", "discovery", "--wait"],
        ["rerun", PERSONALIZE, "--wait"],
        ["start", "logs", *LOGS, "--queue"],
    ],
    ids=["wait", "cancel", "start", "rerun", "queue"],
)
def test_a_max_interval_shorter_than_the_interval_is_refused_before_any_call(
    sandbox: Sandbox, command: list[str]
) -> None:
    done = in_process(sandbox, *command, "--interval", "6s", "--max-interval", "1s")
    assert done.returncode == 2, done.stderr
    assert done.stderr == (
        "exportctl: error: --max-interval 1s is shorter than --interval 6s: "
        "give a --max-interval at least as long, or leave --max-interval out\n"
    )
    assert sum(sandbox.calls.values()) == 0


def test_an_interval_longer_than_the_default_longest_is_kept(sandbox: Sandbox) -> None:
    # Left out, --max-interval is at least --interval: no refusal, the wait runs.
    done = in_process(sandbox, "wait", PERSONALIZE, "--until", "terminal", "--interval", "2m")
    assert done.returncode == 0, done.stderr
