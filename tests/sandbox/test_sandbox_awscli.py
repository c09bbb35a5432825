"""The AWS CLI runs every export operation of DynamoDB, RDS, CloudWatch Logs and EC2
against the sandbox, as its users type them, and reads each answer as boto3 does.

Its argument parsing, its pagination and its JSON output, over the sandbox's wire
protocols (query for RDS, EC2's own, JSON 1.0 and 1.1). It runs in this process (its
driver, as the ``aws`` script calls it), one command after another.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path
from typing import Any

import pytest
from sandbox_helpers import ClientFactory

from exportctl.sandbox import Sandbox
from exportctl.sandbox.jobs import ACCOUNT

Aws = Callable[..., dict[str, Any]]

TABLE = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/widgets"
SNAPSHOT = f"arn:aws:rds:us-east-1:{ACCOUNT}:snapshot:orders-pg-2026-11-16"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/ExportRole"
KMS = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/0b6f4a8e-1111-4f3c-9d2e-6a1c2b3d4e5f"
# Past the seeded active Logs task of us-east-1 (one active task per account and region).
LOGS_SEEDED_ACTIVE_ENDS = 40.0


@pytest.fixture
def aws(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Aws:
    clidriver = pytest.importorskip("awscli.clidriver")
    # What importing awscli puts in the environment, where its driver finds its own
    # data (each test starts from an environment of its own: see tests/conftest.py).
    data = Path(clidriver.__file__).parent / "data"
    monkeypatch.setenv("AWS_DATA_PATH", str(data))
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")

    # One driver for the test's commands, as one session of the AWS CLI's own.
    driver = clidriver.create_clidriver()

    def run(*args: str) -> dict[str, Any]:
        out, err = io.StringIO(), io.StringIO()
        with redirect_stdout(out), redirect_stderr(err):
            code = driver.main(["--endpoint-url", sandbox.url, "--output", "json", *args])
        assert code == 0, (args, err.getvalue())
        assert not err.getvalue(), err.getvalue()
        answer: dict[str, Any] = json.loads(out.getvalue() or "{}")
        return answer

    return run


def _same_fields(by_cli: Any, by_boto3: Any) -> None:
    """Every member boto3 parsed, the AWS CLI parsed too (timestamps print differently)."""
    if isinstance(by_boto3, dict):
        assert isinstance(by_cli, dict) and set(by_cli) == set(by_boto3) - {"ResponseMetadata"}
        for name in by_cli:
            _same_fields(by_cli[name], by_boto3[name])
    elif isinstance(by_boto3, list):
        assert isinstance(by_cli, list) and len(by_cli) == len(by_boto3)
        for a, b in zip(by_cli, by_boto3, strict=True):
            _same_fields(a, b)


def test_dynamodb(aws: Aws, client: ClientFactory) -> None:
    ddb = client("dynamodb")
    started = aws(
        "dynamodb", "export-table-to-point-in-time",
        "--table-arn", TABLE, "--s3-bucket", "ddb-exports", "--client-token", "aws-cli-1",
    )  # fmt: skip
    arn = started["ExportDescription"]["ExportArn"]
    assert started["ExportDescription"]["ExportStatus"] == "IN_PROGRESS"
    described = aws("dynamodb", "describe-export", "--export-arn", arn)
    _same_fields(described, ddb.describe_export(ExportArn=arn))
    listed = aws("dynamodb", "list-exports", "--table-arn", TABLE)
    assert arn in {e["ExportArn"] for e in listed["ExportSummaries"]}
    _same_fields(listed["ExportSummaries"], ddb.list_exports(TableArn=TABLE)["ExportSummaries"])


def test_rds(aws: Aws, client: ClientFactory) -> None:
    rds = client("rds")
    started = aws(
        "rds", "start-export-task", "--export-task-identifier", "by-the-aws-cli",
        "--source-arn", SNAPSHOT, "--s3-bucket-name", "exports-bucket",
        "--iam-role-arn", ROLE, "--kms-key-id", KMS,
    )  # fmt: skip
    assert started["Status"] == "STARTING"
    described = aws("rds", "describe-export-tasks", "--export-task-identifier", "by-the-aws-cli")
    _same_fields(described, rds.describe_export_tasks(ExportTaskIdentifier="by-the-aws-cli"))
    every = aws("rds", "describe-export-tasks")
    assert "by-the-aws-cli" in {t["ExportTaskIdentifier"] for t in every["ExportTasks"]}
    _same_fields(every, rds.describe_export_tasks())
    cancelled = aws("rds", "cancel-export-task", "--export-task-identifier", "by-the-aws-cli")
    assert cancelled["Status"] == "CANCELING"


def test_logs(aws: Aws, client: ClientFactory, sandbox: Sandbox) -> None:
    sandbox.advance(LOGS_SEEDED_ACTIVE_ENDS + 1)
    logs = client("logs")
    started = aws(
        "logs", "create-export-task", "--task-name", "by-the-aws-cli",
        "--log-group-name", "/ecs/checkout", "--from", "1795000000000",
        "--to", "1795003600000", "--destination", "log-archive",
    )  # fmt: skip
    task_id = started["taskId"]
    described = aws("logs", "describe-export-tasks", "--task-id", task_id)
    assert described["exportTasks"][0]["status"]["code"] == "PENDING"
    _same_fields(described, logs.describe_export_tasks(taskId=task_id))
    every = aws("logs", "describe-export-tasks")["exportTasks"]
    assert task_id in {t["taskId"] for t in every}
    assert aws("logs", "cancel-export-task", "--task-id", task_id) == {}
    cancelled = aws("logs", "describe-export-tasks", "--task-id", task_id)["exportTasks"][0]
    assert cancelled["status"]["code"] in ("PENDING_CANCEL", "CANCELLED")


def test_ec2(aws: Aws, client: ClientFactory, sandbox: Sandbox) -> None:
    ec2 = client("ec2")
    image = next(j["id"] for j in sandbox.jobs("ec2", "us-east-1") if j["kind"] == "image")
    instance = next(j["id"] for j in sandbox.jobs("ec2", "us-east-1") if j["kind"] == "instance")
    by_image = aws(
        "ec2", "export-image", "--image-id", image, "--disk-image-format", "VMDK",
        "--s3-export-location", "S3Bucket=my-exports,S3Prefix=amis/",
    )  # fmt: skip
    image_task = by_image["ExportImageTaskId"]
    assert by_image["Status"] == "active"
    by_instance = aws(
        "ec2", "create-instance-export-task", "--instance-id", instance,
        "--target-environment", "vmware", "--export-to-s3-task",
        "DiskImageFormat=VMDK,ContainerFormat=ova,S3Bucket=my-exports,S3Prefix=vms/",
    )  # fmt: skip
    instance_task = by_instance["ExportTask"]["ExportTaskId"]
    images = aws("ec2", "describe-export-image-tasks", "--export-image-task-ids", image_task)
    _same_fields(images, ec2.describe_export_image_tasks(ExportImageTaskIds=[image_task]))
    every_image = aws("ec2", "describe-export-image-tasks")["ExportImageTasks"]
    assert image_task in {t["ExportImageTaskId"] for t in every_image}
    instances = aws("ec2", "describe-export-tasks", "--export-task-ids", instance_task)
    _same_fields(instances, ec2.describe_export_tasks(ExportTaskIds=[instance_task]))
    for task in (image_task, instance_task):
        assert aws("ec2", "cancel-export-task", "--export-task-id", task) == {}
    gone = aws("ec2", "describe-export-tasks", "--export-task-ids", instance_task)
    assert gone["ExportTasks"][0]["State"] in ("cancelling", "cancelled")
