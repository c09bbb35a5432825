"""Ctrl-C during `cancel`: once its cancel call is on the wire, its last words say the
cancel may have been sent and name the command that tells where the job is.

Real signals to the installed console script against the sandbox.
"""

from __future__ import annotations

import signal

import pytest
from deadline_support import ended, environ, start, wait_for

from exportctl.sandbox import Faults, Sandbox

pytestmark = pytest.mark.e2e

REF = "rds:us-east-1:analytics-live-export"
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
    assert out.strip() == "null"
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
