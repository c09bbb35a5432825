"""The read side of RDS snapshot exports and CloudWatch Logs export tasks against moto's
own implementations, over HTTP (moto's server on 127.0.0.1).

moto deviates from the services' models and documentation; each test says where, and
shows that exportctl reports what it gets clearly (a state, a one-line error with its
exit code), never a crash:

- RDS: moto spells the status in lower case (``complete``, ``canceled``; the API says
  COMPLETE, CANCELED), so the state is UNKNOWN with the word shown as it came; its
  tasks have no start or end time, percentage or size.
- Logs: moto's tasks have no ``executionInfo`` (no creation time); it writes a task's
  files under a random folder, not under its task id, so there is nothing where the
  service would have written them; a task id it does not know is
  ResourceNotFoundException about a log group (the service answers an empty list); and
  it ignores ``statusCode``, so exportctl checks each task's status itself.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from moto_server import moto_client

from exportctl.cli.root import cli
from exportctl.domain.errors import ExitCode

REGION = "us-east-1"
ROLE = "arn:aws:iam::123456789012:role/RdsExport"


def run(url: str, *args: str) -> Result:
    env = {
        "AWS_ACCESS_KEY_ID": "x",
        "AWS_SECRET_ACCESS_KEY": "x",
        "AWS_ENDPOINT_URL_S3": url,
        "AWS_MAX_ATTEMPTS": "1",
    }
    return CliRunner().invoke(cli, ["--endpoint-url", url, "--region", REGION, *args], env=env)


def _name(kind: str) -> str:
    # moto's backends live as long as the process: names of this test's own.
    return f"{kind}-{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="module")
def snapshot(moto_url: str) -> str:
    rds = moto_client(moto_url, "rds")
    db = _name("db")
    rds.create_db_instance(
        DBInstanceIdentifier=db,
        DBInstanceClass="db.t3.micro",
        Engine="postgres",
        MasterUsername="admin",
        MasterUserPassword="password123",
        AllocatedStorage=20,
    )
    made = rds.create_db_snapshot(DBInstanceIdentifier=db, DBSnapshotIdentifier=_name("snap"))
    return str(made["DBSnapshot"]["DBSnapshotArn"])


def test_rds_tasks_are_listed_and_read_with_moto_s_status_words(
    moto_url: str, snapshot: str
) -> None:
    ident = _name("exp")
    moto_client(moto_url, "rds").start_export_task(
        ExportTaskIdentifier=ident, SourceArn=snapshot, S3BucketName="moto-rds-out",
        IamRoleArn=ROLE, KmsKeyId="alias/exports", S3Prefix="pre",
    )  # fmt: skip
    listed = run(moto_url, "list", "-s", "rds", "-o", "json")
    assert listed.exit_code == 0, listed.output
    job = next(j for j in json.loads(listed.output) if j["id"] == ident)
    # moto's "complete" is not the API's COMPLETE: exportctl does not guess.
    assert (job["state"], job["status"]) == ("UNKNOWN", "complete")
    assert job["destination"] == f"s3://moto-rds-out/pre/{ident}/"
    assert job["details"]["source_arn"] == snapshot and job["created"] is None
    panel = run(moto_url, "status", f"rds:{ident}")
    assert panel.exit_code == 0 and "complete" in panel.output
    fetched = run(moto_url, "download", f"rds:{ident}", "/nonexistent-dest")
    assert fetched.exit_code == ExitCode.JOB_FAILED
    [line] = fetched.output.strip().splitlines()
    assert "is UNKNOWN (complete), not COMPLETED: nothing to download" in line


def test_an_unknown_rds_task_is_not_found(moto_url: str) -> None:
    missing = run(moto_url, "status", "rds:no-such-export")
    assert missing.exit_code == ExitCode.NOT_FOUND
    assert len(missing.output.strip().splitlines()) == 1


def test_rds_start_against_moto_names_the_task(moto_url: str, snapshot: str) -> None:
    started = run(
        moto_url, "start", "rds", "--source-arn", snapshot, "--bucket", "moto-rds-out",
        "--role-arn", ROLE, "--kms-key", "alias/exports", "--name", "moto-start-1",
    )  # fmt: skip
    assert started.exit_code == 0, started.output
    assert started.stdout.strip() == f"rds:{REGION}:moto-start-1"
    again = run(
        moto_url, "start", "rds", "--source-arn", snapshot, "--bucket", "moto-rds-out",
        "--role-arn", ROLE, "--kms-key", "alias/exports", "--name", "moto-start-1",
    )  # fmt: skip
    assert again.exit_code == ExitCode.USAGE and "choose another --name" in again.output


@pytest.fixture(scope="module")
def log_task(moto_url: str) -> tuple[str, str, str]:
    """A log group with one stream's events, exported by moto (at once: it has no
    PENDING or RUNNING), and the task's id."""
    group, bucket = f"/moto/{_name('group')}", _name("moto-logs")
    moto_client(moto_url, "s3").create_bucket(Bucket=bucket)
    logs = moto_client(moto_url, "logs")
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="web/1")
    logs.put_log_events(
        logGroupName=group,
        logStreamName="web/1",
        logEvents=[{"timestamp": 1_795_000_000_000, "message": "GET /health 200"}],
    )
    task = logs.create_export_task(
        logGroupName=group, fromTime=0, to=1_796_000_000_000, destination=bucket,
        destinationPrefix="pfx",
    )["taskId"]  # fmt: skip
    return group, bucket, str(task)


def test_logs_tasks_are_listed_and_read(moto_url: str, log_task: tuple[str, str, str]) -> None:
    group, bucket, task = log_task
    listed = run(moto_url, "list", "-s", "logs", "-o", "json")
    assert listed.exit_code == 0, listed.output
    job = next(j for j in json.loads(listed.output) if j["id"] == task)
    assert (job["state"], job["status"]) == ("COMPLETED", "COMPLETED")
    assert job["details"]["log_group_name"] == group
    assert job["destination"] == f"s3://{bucket}/pfx/{task}/"
    # No executionInfo in moto's answer: no creation or completion time.
    assert job["created"] is None and job["completed"] is None
    one = run(moto_url, "status", f"logs:{task}", "--json")
    assert one.exit_code == 0 and json.loads(one.output)["id"] == task


def test_a_logs_download_finds_nothing_where_moto_did_not_write(
    moto_url: str, log_task: tuple[str, str, str], tmp_path: Path
) -> None:
    _, bucket, task = log_task
    keys = [
        o["Key"] for o in moto_client(moto_url, "s3").list_objects_v2(Bucket=bucket)["Contents"]
    ]
    # moto writes under a random folder of its own, not PREFIX/TASK_ID/ as the service does.
    assert not any(key.startswith(f"pfx/{task}/") for key in keys)
    fetched = run(moto_url, "download", f"logs:{task}", str(tmp_path))
    assert fetched.exit_code == ExitCode.NOT_FOUND
    [line] = fetched.output.strip().splitlines()
    assert f"no objects of logs:{REGION}:{task} under s3://{bucket}/pfx/{task}/" in line


def test_an_unknown_logs_task_is_not_found(moto_url: str) -> None:
    # moto answers ResourceNotFoundException (about a log group) where the service
    # answers an empty list: not found either way.
    missing = run(moto_url, "status", "logs:00000000-0000-4000-a000-000000000000")
    assert missing.exit_code == ExitCode.NOT_FOUND
    assert len(missing.output.strip().splitlines()) == 1


def test_logs_start_counts_active_tasks_by_their_status(
    moto_url: str, log_task: tuple[str, str, str]
) -> None:
    # moto answers every task whatever statusCode asks for: a COMPLETED one holds no slot.
    group, bucket, _ = log_task
    started = run(
        moto_url, "start", "logs", "--log-group", group, "--start-time", "2026-11-01",
        "--bucket", bucket, "--prefix", "again",
    )  # fmt: skip
    assert started.exit_code == 0, started.output
    assert started.stdout.startswith(f"logs:{REGION}:")
