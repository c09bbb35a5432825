"""Ctrl-C during `cancel`: once its cancel call is on the wire, its last words say the
cancel may have been sent and name the command that tells where the job is; of
several jobs, every cancel sent before it too, and --json holds those jobs.

Real signals to the installed console script against the sandbox.
"""

from __future__ import annotations

import json
import signal

import pytest
from deadline_support import ended, environ, start, wait_for

from exportctl.sandbox import Faults, Sandbox

pytestmark = pytest.mark.e2e

REF = "rds:us-east-1:analytics-live-export"
LOGS = "logs:us-east-1:65c00537-e8b3-448d-aae8-9b9c1ffb013c"
CANCEL = ("rds", "CancelExportTask")
READ = ("rds", "DescribeExportTasks")


def test_ctrl_c_while_the_cancel_is_on_the_wire_says_it_may_have_been_sent() -> None:
    # Every call takes long enough for the signal to arrive while the cancel is sent.
    with Sandbox(port=0, clock=lambda: 0.0, faults=Faults(latency=3)) as sandbox:
        proc = start("cancel", REF, "--json", env=environ(sandbox.url))
        wait_for(lambda: sandbox.calls[CANCEL] >= 1, "the cancel sent", proc)
        proc.send_signal(signal.SIGINT)
        out, err = ended(proc)
    assert proc.returncode == 130
    # As read before it: `null` would say no cancel was sent.
    job = json.loads(out)
    assert job["ref"] == REF and job["status"] != "CANCELING"
    last = err.strip().splitlines()[-1]
    assert last == (
        f"exportctl: interrupted: {REF}: the cancel may have been sent before the end; "
        f"`exportctl status {REF}` tells where it is"
    ), err


def test_ctrl_c_while_the_job_is_read_after_its_cancel_says_it_was_sent() -> None:
    # The cancel is taken; the read after it is retried (botocore's backoff) until
    # the signal comes.
    fates = {"rds:DescribeExportTasks": ["ok", *["error"] * 20]}
    with Sandbox(port=0, clock=lambda: 0.0, faults=Faults(fates=fates)) as sandbox:
        proc = start("cancel", REF, env=environ(sandbox.url))
        wait_for(lambda: sandbox.calls[READ] >= 2, "the job read after its cancel", proc)
        proc.send_signal(signal.SIGINT)
        _, err = ended(proc)
    assert proc.returncode == 130
    last = err.strip().splitlines()[-1]
    assert last == (
        f"exportctl: interrupted: {REF}: the cancel was sent; "
        f"`exportctl status {REF}` tells where it is"
    ), err


@pytest.mark.parametrize(
    ("fates", "held", "said", "statuses"),
    [
        # The second job's cancel is on the wire: retried after connections closed
        # without an answer (botocore's backoff) until the signal comes.
        (
            {"logs:CancelExportTask": ["drop"] * 20},
            ("logs", "CancelExportTask"),
            f"{REF}: the cancel was sent; {LOGS}: the cancel may have been sent before "
            f"the end; `exportctl status {REF} {LOGS}` tells where they are",
            ["CANCELING", "RUNNING"],
        ),
        # The second job is still read before its cancel: none was sent for it.
        (
            {"logs:DescribeExportTasks": ["error"] * 20},
            ("logs", "DescribeExportTasks"),
            f"{REF}: the cancel was sent; `exportctl status {REF}` tells where it is",
            ["CANCELING"],
        ),
    ],
)
def test_ctrl_c_during_a_later_job_names_the_cancels_sent_before_it(
    fates: dict[str, list[str]], held: tuple[str, str], said: str, statuses: list[str]
) -> None:
    with Sandbox(port=0, clock=lambda: 0.0, faults=Faults(fates=fates)) as sandbox:
        proc = start("cancel", REF, LOGS, "--json", env=environ(sandbox.url))
        wait_for(lambda: sandbox.calls[held] >= 1, "the second job's call", proc)
        proc.send_signal(signal.SIGINT)
        out, err = ended(proc)
    assert proc.returncode == 130, err
    assert err.strip().splitlines()[-1] == f"exportctl: interrupted: {said}", err
    # The jobs sent a cancel, or that may have been: the first as read after its
    # cancel, the second as read before its own.
    printed = json.loads(out)
    assert [job["status"] for job in printed] == statuses
    assert [job["ref"] for job in printed] == [REF, LOGS][: len(statuses)]
