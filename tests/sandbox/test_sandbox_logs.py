"""CloudWatch Logs export tasks over real HTTP: described, created under the one-active-task
quota, cancelled, run on the clock, and written to S3."""

from __future__ import annotations

import gzip
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from sandbox_helpers import ClientFactory

from exportctl.sandbox import Sandbox
from exportctl.sandbox.worldfile import WorldFile

Validate = Callable[..., None]
GROUP = "/ecs/checkout"
# The seeded task that keeps us-east-1 busy ends 40 s in.
SEEDED_ACTIVE_ENDS = 40.0


def _code(exc: pytest.ExceptionInfo[ClientError]) -> str:
    return str(exc.value.response["Error"]["Code"])


def _create(client: ClientFactory, region: str = "us-east-1", **params: Any) -> str:
    params.setdefault("logGroupName", GROUP)
    params.setdefault("fromTime", 1_795_000_000_000)
    params.setdefault("to", 1_795_003_600_000)
    params.setdefault("destination", "log-archive")
    return str(client("logs", region).create_export_task(**params)["taskId"])


def _task(client: ClientFactory, task_id: str, region: str = "us-east-1") -> dict[str, Any]:
    [task] = client("logs", region).describe_export_tasks(taskId=task_id)["exportTasks"]
    return dict(task)


def _idle(sandbox: Sandbox) -> None:
    """Past the seeded active task of us-east-1."""
    sandbox.advance(SEEDED_ACTIVE_ENDS + 1)


def test_seeded_tasks_are_described_and_filtered(client: ClientFactory, validate: Validate) -> None:
    logs = client("logs")
    answer = logs.describe_export_tasks()
    validate(logs, "DescribeExportTasks", answer)
    tasks = answer["exportTasks"]
    codes = {t["status"]["code"] for t in tasks}
    assert codes == {"COMPLETED", "FAILED", "CANCELLED", "RUNNING"}
    created = [t["executionInfo"]["creationTime"] for t in tasks]
    assert created == sorted(created, reverse=True)
    for task in tasks:
        assert task["status"]["message"]
        assert task["from"] < task["to"]
        finished = task["status"]["code"] in ("COMPLETED", "FAILED", "CANCELLED")
        assert ("completionTime" in task["executionInfo"]) == finished
    failed = logs.describe_export_tasks(statusCode="FAILED")["exportTasks"]
    assert [t["status"]["code"] for t in failed] == ["FAILED"]
    assert "Access Denied" in failed[0]["status"]["message"]
    one = tasks[2]["taskId"]
    assert [t["taskId"] for t in logs.describe_export_tasks(taskId=one)["exportTasks"]] == [one]
    unknown = logs.describe_export_tasks(taskId="00000000-0000-4000-a000-000000000000")
    assert unknown["exportTasks"] == []
    eu = client("logs", "eu-west-1").describe_export_tasks()["exportTasks"]
    assert eu and not {t["taskId"] for t in eu} & {t["taskId"] for t in tasks}


def test_describe_pages_and_checks_its_input(client: ClientFactory) -> None:
    logs = client("logs")
    every = [t["taskId"] for t in logs.describe_export_tasks()["exportTasks"]]
    paginator = logs.get_paginator("describe_export_tasks")
    pages = list(paginator.paginate(PaginationConfig={"PageSize": 2}))
    assert [t["taskId"] for p in pages for t in p["exportTasks"]] == every
    assert len(pages) == (len(every) + 1) // 2
    for params in ({"limit": 51}, {"statusCode": "STOPPED"}, {"nextToken": "garbage"}):
        with pytest.raises(ClientError) as refused:
            logs.describe_export_tasks(**params)
        assert _code(refused) == "InvalidParameterException", params


def test_one_active_task_per_account_and_region(sandbox: Sandbox, client: ClientFactory) -> None:
    with pytest.raises(ClientError) as busy:
        _create(client)
    assert _code(busy) == "LimitExceededException"
    assert busy.value.response["Error"]["Message"] == "Resource limit exceeded."
    # Another region has its own quota.
    elsewhere = _create(client, "eu-west-1")
    assert _task(client, elsewhere, "eu-west-1")["status"]["code"] == "PENDING"
    _idle(sandbox)
    first = _create(client)
    with pytest.raises(ClientError) as again:
        _create(client, logGroupName="/aws/lambda/orders-api")
    assert _code(again) == "LimitExceededException"
    sandbox.advance(36)
    assert _task(client, first)["status"]["code"] == "COMPLETED"
    assert _create(client) != first


def test_a_task_runs_on_the_clock(
    sandbox: Sandbox, client: ClientFactory, validate: Validate
) -> None:
    _idle(sandbox)
    logs = client("logs")
    answer = logs.create_export_task(
        taskName="checkout-today",
        logGroupName=GROUP,
        fromTime=1_795_000_000_000,
        to=1_795_003_600_000,
        destination="log-archive",
    )
    validate(logs, "CreateExportTask", answer)
    task_id = answer["taskId"]
    task = _task(client, task_id)
    assert task["status"] == {"code": "PENDING", "message": "Pending"}
    assert task["destinationPrefix"] == "exportedlogs" and task["taskName"] == "checkout-today"
    assert (task["from"], task["to"]) == (1_795_000_000_000, 1_795_003_600_000)
    assert task["executionInfo"]["creationTime"] == pytest.approx(
        sandbox.clock.now_epoch() * 1000, abs=2
    )
    sandbox.advance(5)
    assert _task(client, task_id)["status"]["code"] == "RUNNING"
    sandbox.advance(30)
    done = _task(client, task_id)
    assert done["status"] == {"code": "COMPLETED", "message": "Completed successfully"}
    took = done["executionInfo"]["completionTime"] - done["executionInfo"]["creationTime"]
    assert took == 35_000


def test_cancel(sandbox: Sandbox, client: ClientFactory) -> None:
    logs = client("logs")
    running = logs.describe_export_tasks(statusCode="RUNNING")["exportTasks"][0]["taskId"]
    answer = logs.cancel_export_task(taskId=running)
    assert set(answer) == {"ResponseMetadata"}
    assert _task(client, running)["status"]["code"] == "PENDING_CANCEL"
    # A task being cancelled is no longer active: another may start.
    created = _create(client)
    with pytest.raises(ClientError) as twice:
        logs.cancel_export_task(taskId=running)
    assert _code(twice) == "InvalidOperationException"
    sandbox.advance(5)
    cancelled = _task(client, running)
    assert cancelled["status"] == {"code": "CANCELLED", "message": "Cancelled by user"}
    assert "completionTime" in cancelled["executionInfo"]
    assert [t["taskId"] for t in logs.describe_export_tasks()["exportTasks"]].count(running) == 1
    logs.cancel_export_task(taskId=created)
    sandbox.advance(60)
    assert _task(client, created)["status"]["code"] == "CANCELLED"
    completed = logs.describe_export_tasks(statusCode="COMPLETED")["exportTasks"][0]["taskId"]
    with pytest.raises(ClientError) as finished:
        logs.cancel_export_task(taskId=completed)
    assert _code(finished) == "InvalidOperationException"
    assert "already finished" in finished.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as unknown:
        logs.cancel_export_task(taskId="00000000-0000-4000-a000-000000000000")
    assert _code(unknown) == "ResourceNotFoundException"


def test_refused_tasks(sandbox: Sandbox, client: ClientFactory) -> None:
    _idle(sandbox)
    cases = [
        ({"logGroupName": "/aws/lambda/missing-fn"}, "ResourceNotFoundException"),
        ({"fromTime": 2_000, "to": 1_000}, "InvalidParameterException"),
        ({"destination": "missing-bucket"}, "InvalidParameterException"),
        ({"destination": "denied-bucket"}, "InvalidParameterException"),
        ({"logGroupName": "no spaces allowed"}, "InvalidParameterException"),
    ]
    for params, code in cases:
        with pytest.raises(ClientError) as refused:
            _create(client, **params)
        assert _code(refused) == code, params
    with pytest.raises(ClientError) as acl:
        _create(client, destination="denied-bucket")
    assert acl.value.response["Error"]["Message"].startswith(
        "GetBucketAcl call on the given bucket"
    )
    # Nothing was made: the region is still free.
    assert _create(client)


def test_a_denied_prefix_fails_the_task(sandbox: Sandbox, client: ClientFactory) -> None:
    _idle(sandbox)
    task_id = _create(client, destinationPrefix="denied/exports")
    sandbox.advance(20)
    task = _task(client, task_id)
    assert task["status"]["code"] == "FAILED"
    assert "s3://log-archive/denied/exports" in task["status"]["message"]


def test_scripted_fates_tell_services_apart(sandbox: Sandbox, client: ClientFactory) -> None:
    sandbox.faults.fates = {"logs:DescribeExportTasks": ["raise:ThrottlingException:400:slow"]}
    assert client("discovery").describe_export_tasks()["exportsInfo"]
    with pytest.raises(ClientError) as fated:
        client("logs").describe_export_tasks()
    assert _code(fated) == "ThrottlingException"
    assert client("logs").describe_export_tasks()["exportTasks"]


def test_completed_tasks_land_in_s3(sandbox: Sandbox, client: ClientFactory) -> None:
    pytest.importorskip("moto")
    from exportctl.sandbox.s3 import start_s3

    with start_s3(sandbox) as s3:
        seeded = [u for u in s3.objects if u.startswith("s3://exportctl-sandbox-logs-us-east-1/")]
        assert "s3://exportctl-sandbox-logs-us-east-1/exportedlogs/aws-logs-write-test" in seeded
        assert not any("/denied/" in u for u in seeded)
        _idle(sandbox)
        start, end = 1_795_000_000_000, 1_795_003_600_000
        task_id = _create(
            client, destinationPrefix="checkout/", logStreamNamePrefix="ecs/web", fromTime=start
        )
        sandbox.advance(35)
        assert _task(client, task_id)["status"]["code"] == "COMPLETED"
        written = {u for u in s3.objects if u.startswith("s3://log-archive/")}
        check = "s3://log-archive/checkout/aws-logs-write-test"
        assert s3.objects[check] == b"Permission Check Successful"
        [stream_file] = written - {check}
        assert stream_file.startswith(f"s3://log-archive/checkout/{task_id}/ecs/web/")
        assert stream_file.endswith("/000000.gz")
        key = stream_file.removeprefix("s3://log-archive/")
        body = s3.client("us-east-1").get_object(Bucket="log-archive", Key=key)["Body"].read()
        lines = gzip.decompress(body).decode().splitlines()
        assert len(lines) == 20
        for line in lines:
            stamp = datetime.strptime(line.split(" ", 1)[0], "%Y-%m-%dT%H:%M:%S.%fZ")
            millis = stamp.replace(tzinfo=timezone.utc).timestamp() * 1000
            assert start <= millis <= end


@pytest.fixture
def kept(tmp_path: Path) -> Iterator[Callable[[], Sandbox]]:
    started: list[Sandbox] = []

    def make() -> Sandbox:
        sb = Sandbox(port=0, clock=lambda: 0.0)
        sb.kept = WorldFile.open(sb.worlds, sb.clock, sb.lock, seed=sb.seed, where=tmp_path)
        started.append(sb.start())
        return sb

    yield make
    for sb in started:
        sb.stop()


def _direct(sb: Sandbox, service: str) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.session.Session().client(
        service,
        region_name="us-east-1",
        endpoint_url=sb.url,
        aws_access_key_id="x",
        aws_secret_access_key="x",
        config=Config(retries={"total_max_attempts": 1}),
    )


def test_a_cancel_of_a_seeded_task_is_kept_for_the_next_command(
    kept: Callable[[], Sandbox],
) -> None:
    first = kept()
    logs = _direct(first, "logs")
    running = logs.describe_export_tasks(statusCode="RUNNING")["exportTasks"][0]["taskId"]
    logs.cancel_export_task(taskId=running)
    later = _direct(kept(), "logs")
    [task] = later.describe_export_tasks(taskId=running)["exportTasks"]
    assert task["status"]["code"] in ("PENDING_CANCEL", "CANCELLED")
    assert later.describe_export_tasks(statusCode="RUNNING")["exportTasks"] == []


def test_a_pinned_logs_task_gives_way_to_its_cancel(
    client: ClientFactory, sandbox: Sandbox
) -> None:
    logs = client("logs")
    sandbox.advance(60)  # the seeded active task ends: the one slot is free
    ident = logs.create_export_task(
        logGroupName="/ecs/checkout", fromTime=0, to=1000, destination="my-exports"
    )["taskId"]
    sandbox.set_status("logs", ident, "RUNNING")
    logs.cancel_export_task(taskId=ident)
    sandbox.advance(60)
    [task] = logs.describe_export_tasks(taskId=ident)["exportTasks"]
    assert task["status"]["code"] == "CANCELLED"
