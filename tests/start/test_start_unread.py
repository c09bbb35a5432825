"""A job made whose record cannot be read after the create (-o json, --fields, -o
wide read it): still named, on stderr and in the document stdout holds, never
`null` that invites a second start."""

from __future__ import annotations

import json
import re

import pytest
from sleepless import FakeTime
from start_support import DATASET, ROLE, Run

from exportctl.domain.errors import ExitCode
from exportctl.sandbox import Sandbox

IMAGE = ["start", "ec2", "--image-id", "ami-05b0afc72e48f9d3f", "--to", "s3://out/amis/"]
PERSONALIZE = ["start", "personalize", "--dataset-arn", DATASET, "--to", "s3://out/p/"]
SNAPSHOT = "arn:aws:rds:us-east-1:123456789012:snapshot:orders-pg-2026-11-16"
RDS = [
    "start", "rds", "--source-arn", SNAPSHOT, "--bucket", "out", "--kms-key", "alias/k",
    "--role-arn", ROLE, "--name", "orders-unread",
]  # fmt: skip
# Each start, the operation that reads its new job, and what it made.
CASES = {
    "ec2": (IMAGE, "ec2:DescribeExportImageTasks", "export-image-task"),
    "personalize": (
        [*PERSONALIZE, "--role-arn", ROLE],
        "DescribeDatasetExportJob",
        "dataset-export-job",
    ),
    "rds": (RDS, "rds:DescribeExportTasks", "export-task"),
}


def _last(ident: str) -> str:
    return re.split("[/:]", ident)[-1]


def _made(sandbox: Sandbox, service: str, kind: str) -> set[str]:
    return {j["id"] for j in sandbox.jobs(service, "us-east-1") if j["kind"] == kind}


@pytest.mark.parametrize("service", sorted(CASES))
@pytest.mark.parametrize("fate", ["error", "throttle", "raise:InternalError:500:garbled"])
def test_json_names_the_job_made_when_its_read_fails(
    run: Run, sandbox: Sandbox, service: str, fate: str
) -> None:
    args, read, kind = CASES[service]
    before = _made(sandbox, service, kind)
    sandbox.faults.fates = {read: [fate] * 12}
    done = run(*args, "--json")
    made = _made(sandbox, service, kind) - before
    assert len(made) == 1
    assert done.exit_code == ExitCode.AWS, done.output
    record = json.loads(done.stdout)
    assert isinstance(record, dict)
    assert record["service"] == service
    assert _last(record["id"]) in {_last(m) for m in made}
    assert record["state"] == "UNKNOWN"
    ref = record["ref"]
    assert f"exportctl: notice: the job was started: {ref}" in done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("exportctl: error: ") and ref in last


@pytest.mark.parametrize("shape", [["--fields", "ref,state"], ["-o", "wide"]])
def test_a_table_names_the_job_made_when_its_read_fails(
    run: Run, sandbox: Sandbox, shape: list[str]
) -> None:
    args, read, _ = CASES["personalize"]
    sandbox.faults.fates = {read: ["error"] * 12}
    done = run(*args, *shape)
    assert done.exit_code == ExitCode.AWS, done.output
    assert "dataset-export-job/" in done.stdout
    assert "exportctl: notice: the job was started: arn:aws:personalize:" in done.stderr


def test_a_query_is_applied_to_what_is_known(run: Run, sandbox: Sandbox) -> None:
    args, read, _ = CASES["ec2"]
    sandbox.faults.fates = {read: ["error"] * 12}
    done = run(*args, "--json", "--query", "ref")
    assert done.exit_code == ExitCode.AWS, done.output
    assert json.loads(done.stdout).startswith("ec2:us-east-1:export-ami-")


def test_ctrl_c_while_the_new_job_is_read_names_it(
    run: Run, sandbox: Sandbox, fake_time: FakeTime, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The signal itself is sent for real in tests/deadlines/test_start_signals.py.
    from exportctl.api.changes import Changes

    def interrupted(self: object, started: object) -> object:
        raise KeyboardInterrupt

    monkeypatch.setattr(Changes, "job_of", interrupted)
    args, _, _ = CASES["personalize"]
    done = run(*args, "--json")
    assert done.exit_code == ExitCode.INTERRUPTED, done.output
    record = json.loads(done.stdout)
    assert record["ref"].startswith("arn:aws:personalize:us-east-1:123456789012:")
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("exportctl: interrupted: ") and record["ref"] in last


def test_rerun_json_names_the_job_made_when_its_read_fails(run: Run, sandbox: Sandbox) -> None:
    done = run(*IMAGE)
    assert done.exit_code == 0, done.output
    first = done.stdout.strip()
    # The first read is the rerun's of the job it repeats; the next, of the new job.
    sandbox.faults.fates = {"ec2:DescribeExportImageTasks": ["ok", *["error"] * 12]}
    sandbox.advance(3600)
    again = run("rerun", first, "--json")
    assert again.exit_code == ExitCode.AWS, again.output
    record = json.loads(again.stdout)
    assert record["ref"] != first and record["ref"].startswith("ec2:us-east-1:export-ami-")
    assert f"the job was started: {record['ref']}" in again.stderr


def test_a_wait_whose_reads_all_fail_names_the_job_in_its_json(run: Run, sandbox: Sandbox) -> None:
    args, read, _ = CASES["ec2"]
    sandbox.faults.fates = {read: ["error"] * 40}
    done = run(*args, "--json", "--wait", "--timeout", "30s")
    assert done.exit_code == ExitCode.TIMEOUT, done.output
    record = json.loads(done.stdout)
    assert record["ref"].startswith("ec2:us-east-1:export-ami-")
    assert record["state"] == "UNKNOWN"
    assert f"still pending: {record['ref']} (not read yet)" in done.stderr


def test_a_garbled_read_names_the_job_made(run: Run, sandbox: Sandbox) -> None:
    args, _, _ = CASES["ec2"]
    # The create's answer goes through; every later answer of EC2 is a proxy's page.
    sandbox.faults.garble = {"ec2": "html"}
    sandbox.faults.garble_after = 1
    done = run(*args, "--json")
    assert done.exit_code == ExitCode.AWS, done.output
    ref = json.loads(done.stdout)["ref"]
    assert ref in done.stderr.strip().splitlines()[-1]
