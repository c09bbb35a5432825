"""A call deep in retries holds back neither the other jobs' results nor the next round.

One service answers (the sandbox), the other never does (a black hole): the
answering job's lines must come while the other call is still waiting.
"""

from __future__ import annotations

import json
import signal

import pytest
from deadline_support import (
    DISCOVERY_DONE,
    PERSONALIZE_PENDING,
    BlackHole,
    ended,
    environ,
    read_line,
    start,
    wait_for,
)

from exportctl.sandbox import Sandbox

pytestmark = pytest.mark.e2e

DISCOVERY_RUNNING = "discovery:export-1ecb19dd-8b7c-46b2-aa22-eccdf03eeddf"


def test_a_job_that_ended_is_reported_while_another_call_hangs(
    sandbox: Sandbox, black_hole: BlackHole
) -> None:
    env = environ(sandbox.url, AWS_ENDPOINT_URL_PERSONALIZE=black_hole.url)
    proc = start("wait", DISCOVERY_DONE, PERSONALIZE_PENDING, env=env)

    line = read_line(proc, proc.stdout)

    assert "COMPLETED (SUCCEEDED)" in line
    # The Personalize call had not ended: its connection was still waiting.
    assert black_hole.closed == 0
    proc.send_signal(signal.SIGINT)
    _, err = ended(proc)
    assert proc.returncode == 130, err
    assert f"{PERSONALIZE_PENDING} (not read yet)" in err


def test_later_rounds_go_on_while_a_call_hangs(sandbox: Sandbox, black_hole: BlackHole) -> None:
    env = environ(sandbox.url, AWS_ENDPOINT_URL_PERSONALIZE=black_hole.url)
    proc = start(
        "wait",
        DISCOVERY_RUNNING,
        PERSONALIZE_PENDING,
        "--interval",
        "1s",
        "--max-interval",
        "1s",
        env=env,
    )
    assert "RUNNING (IN_PROGRESS)" in read_line(proc, proc.stdout)
    sandbox.set_status("discovery", DISCOVERY_RUNNING.split(":")[1], "SUCCEEDED")

    line = read_line(proc, proc.stdout)

    assert "-> COMPLETED (SUCCEEDED)" in line
    # Still the first Personalize call, unanswered: it was neither retried nor given up.
    assert (black_hole.accepted, black_hole.closed) == (1, 0)
    proc.send_signal(signal.SIGINT)
    ended(proc)
    assert proc.returncode == 130


def test_sigterm_prints_the_jobs_read_while_another_call_hangs(
    sandbox: Sandbox, black_hole: BlackHole
) -> None:
    env = environ(sandbox.url, AWS_ENDPOINT_URL_PERSONALIZE=black_hole.url)
    proc = start("wait", DISCOVERY_DONE, PERSONALIZE_PENDING, "--json", env=env)
    assert "COMPLETED (SUCCEEDED)" in read_line(proc, proc.stderr)
    wait_for(lambda: black_hole.accepted >= 1, "the Personalize call", proc)

    proc.send_signal(signal.SIGTERM)
    out, err = ended(proc)

    assert proc.returncode == 143
    assert [r["status"] for r in json.loads(out)] == ["SUCCEEDED"]
    assert f"terminated; still pending: {PERSONALIZE_PENDING} (not read yet)" in err
