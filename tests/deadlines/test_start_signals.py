"""Ctrl-C during `start`: its last words name the job an attempt may have made.

Real signals to the installed console script against the sandbox, whose scripted
fates decide each create's outcome.
"""

from __future__ import annotations

import signal

import pytest
from deadline_support import ended, environ, start, wait_for

from exportctl.sandbox import Faults, Sandbox

pytestmark = pytest.mark.e2e

DATASET = "arn:aws:personalize:us-east-1:123456789012:dataset/exportctl-retail/USERS"
ROLE = "arn:aws:iam::123456789012:role/exporter"
CREATE = ("personalize", "CreateDatasetExportJob")


def _start() -> list[str]:
    return ["start", "personalize", "--dataset-arn", DATASET, "--to", "s3://out/p/",
            "--role-arn", ROLE, "--name", "signalled"]  # fmt: skip


def test_ctrl_c_while_a_create_is_on_the_wire_names_the_job() -> None:
    # Every call takes long enough for the signal to arrive while the create is sent.
    with Sandbox(port=0, clock=lambda: 0.0, faults=Faults(latency=30)) as sandbox:
        proc = start(*_start(), env=environ(sandbox.url))
        wait_for(lambda: sandbox.calls[CREATE] >= 1, "the create sent", proc)
        proc.send_signal(signal.SIGINT)
        _, err = ended(proc)
    assert proc.returncode == 130
    last = err.strip().splitlines()[-1]
    assert last.startswith("exportctl: interrupted: an attempt may have made the job")
    assert "arn:aws:personalize:us-east-1:123456789012:dataset-export-job/signalled" in last
    assert "Traceback" not in err


def test_ctrl_c_in_a_retry_storm_after_a_lost_answer_names_the_job() -> None:
    fates = {"CreateDatasetExportJob": ["error-after-commit", *["throttle"] * 9]}
    with Sandbox(port=0, clock=lambda: 0.0, faults=Faults(fates=fates)) as sandbox:
        proc = start(*_start(), env=environ(sandbox.url))
        wait_for(lambda: sandbox.calls[CREATE] >= 3, "the create retried", proc)
        proc.send_signal(signal.SIGINT)
        _, err = ended(proc)
    assert proc.returncode == 130
    assert "dataset-export-job/signalled" in err.strip().splitlines()[-1]
