"""Ctrl-C during `start`: its last words name the job an attempt may have made.

Real signals to the installed console script against the sandbox, whose scripted
fates decide each create's outcome.
"""

from __future__ import annotations

import json
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


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_while_the_new_job_is_read_names_it(signum: int, code: int) -> None:
    # The job is made; the read -o json asks for next is retried (botocore's backoff)
    # until the signal comes.
    fates = {"DescribeDatasetExportJob": ["error"] * 20}
    with Sandbox(port=0, clock=lambda: 0.0, faults=Faults(fates=fates)) as sandbox:
        proc = start(*_start(), "--json", env=environ(sandbox.url))
        read = ("personalize", "DescribeDatasetExportJob")
        wait_for(lambda: sandbox.calls[read] >= 1, "the new job read", proc)
        proc.send_signal(signum)
        out, err = ended(proc)
    assert proc.returncode == code, err
    job = "arn:aws:personalize:us-east-1:123456789012:dataset-export-job/signalled"
    assert json.loads(out)["ref"] == job
    last = err.strip().splitlines()[-1]
    assert job in last and "Traceback" not in err
