"""RDS snapshot exports over real HTTP: the query protocol, the tasks' course, their S3 output."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from botocore.exceptions import ClientError, ParamValidationError
from sandbox_helpers import ClientFactory

from exportctl.sandbox import Sandbox
from exportctl.sandbox.jobs import ACCOUNT
from exportctl.sandbox.world.rds import CANCEL_SECONDS
from exportctl.sandbox.worldfile import WorldFile

SNAPSHOT = f"arn:aws:rds:us-east-1:{ACCOUNT}:snapshot:orders-pg-2026-11-16"
CLUSTER_SNAPSHOT = f"arn:aws:rds:us-east-1:{ACCOUNT}:cluster-snapshot:billing-aurora-2026-11-21"
CLUSTER = f"arn:aws:rds:us-east-1:{ACCOUNT}:cluster:analytics-aurora"
CREATING = f"arn:aws:rds:us-east-1:{ACCOUNT}:snapshot:orders-pg-pre-migration"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/ExportRole"
KMS = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/0b6f4a8e-1111-4f3c-9d2e-6a1c2b3d4e5f"
NAMESPACE = "{http://rds.amazonaws.com/doc/2014-10-31/}"


def _start(rds: Any, ident: str, **changes: Any) -> dict[str, Any]:
    params: dict[str, Any] = {
        "ExportTaskIdentifier": ident,
        "SourceArn": SNAPSHOT,
        "S3BucketName": "exports-bucket",
        "IamRoleArn": ROLE,
        "KmsKeyId": KMS,
        **changes,
    }
    answer: dict[str, Any] = rds.start_export_task(**params)
    return answer


def _task(rds: Any, ident: str) -> dict[str, Any]:
    tasks = rds.describe_export_tasks(ExportTaskIdentifier=ident)["ExportTasks"]
    assert len(tasks) == 1
    task: dict[str, Any] = tasks[0]
    return task


def _code(caught: pytest.ExceptionInfo[ClientError]) -> str:
    return str(caught.value.response["Error"]["Code"])


def test_seeded_tasks_cover_every_outcome_in_each_region(
    client: ClientFactory, validate: Callable[..., None]
) -> None:
    east = client("rds").describe_export_tasks()
    validate(client("rds"), "DescribeExportTasks", east)
    by_id = {t["ExportTaskIdentifier"]: t for t in east["ExportTasks"]}
    assert {t["Status"] for t in by_id.values()} == {
        "STARTING",
        "IN_PROGRESS",
        "COMPLETE",
        "FAILED",
        "CANCELED",
    }
    done = by_id["orders-weekly-2026-46"]
    assert done["PercentProgress"] == 100 and done["TotalExtractedDataInGB"] == 14
    assert done["TaskStartTime"] < done["TaskEndTime"]
    assert done["SnapshotTime"] < done["TaskStartTime"]
    assert by_id["analytics-live-export"]["SourceType"] == "CLUSTER"
    assert by_id["billing-invoices-nov"]["ExportOnly"] == ["billing.invoices", "billing.payments"]
    assert "skipped" in by_id["billing-invoices-nov"]["WarningMessage"]
    assert "does not have permission" in by_id["orders-denied-2026-11-22"]["FailureCause"]
    assert "TaskStartTime" not in by_id["orders-automated-1123"]
    west = client("rds", region="eu-west-1").describe_export_tasks()["ExportTasks"]
    assert {t["Status"] for t in west} == {"COMPLETE", "FAILED", "IN_PROGRESS"}
    # The same identifier names one task in each region.
    weekly = [t for t in west if t["ExportTaskIdentifier"] == "orders-weekly-2026-46"]
    assert weekly and weekly[0]["SourceArn"].startswith("arn:aws:rds:eu-west-1:")


def test_the_answer_is_the_query_protocols_xml(sandbox: Sandbox) -> None:
    request = urllib.request.Request(
        sandbox.url,
        data=b"Action=DescribeExportTasks&Version=2014-10-31&SourceType=CLUSTER",
        headers={
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
            "Authorization": "AWS4-HMAC-SHA256 Credential=x/20261123/us-east-1/rds/aws4_request",
        },
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        root = ElementTree.fromstring(answer.read())
    assert root.tag == f"{NAMESPACE}DescribeExportTasksResponse"
    tasks = root.find(f"{NAMESPACE}DescribeExportTasksResult/{NAMESPACE}ExportTasks")
    assert tasks is not None and len(tasks) == 1
    # List items are named by the model's locationName, not <member>.
    assert tasks[0].tag == f"{NAMESPACE}ExportTask"
    assert tasks[0].findtext(f"{NAMESPACE}SourceType") == "CLUSTER"
    assert root.findtext(f"{NAMESPACE}ResponseMetadata/{NAMESPACE}RequestId")


def test_a_started_task_runs_to_complete(
    sandbox: Sandbox, client: ClientFactory, validate: Callable[..., None]
) -> None:
    rds = client("rds")
    answer = _start(rds, "orders-now", S3Prefix="nightly", ExportOnly=["orders.public.orders"])
    validate(rds, "StartExportTask", answer)
    assert answer["Status"] == "STARTING" and answer["PercentProgress"] == 0
    assert answer["SourceType"] == "SNAPSHOT" and answer["S3Prefix"] == "nightly"
    assert answer["ExportOnly"] == ["orders.public.orders"]
    sandbox.advance(31)
    running = _task(rds, "orders-now")
    assert running["Status"] == "IN_PROGRESS" and "TaskStartTime" in running
    sandbox.advance(30)
    assert _task(rds, "orders-now")["PercentProgress"] == 50
    sandbox.advance(30)
    done = _task(rds, "orders-now")
    validate(rds, "DescribeExportTasks", {"ExportTasks": [done]})
    assert done["Status"] == "COMPLETE" and done["PercentProgress"] == 100
    assert done["TaskEndTime"] > done["TaskStartTime"]
    assert done["TotalExtractedDataInGB"] >= 1


def test_a_bucket_or_role_named_denied_fails(sandbox: Sandbox, client: ClientFactory) -> None:
    rds = client("rds")
    _start(rds, "to-denied-bucket", S3BucketName="denied-bucket")
    _start(rds, "with-denied-role", IamRoleArn=f"arn:aws:iam::{ACCOUNT}:role/DeniedRole")
    sandbox.advance(60)
    for ident in ("to-denied-bucket", "with-denied-role"):
        task = _task(rds, ident)
        assert task["Status"] == "FAILED" and "TaskEndTime" in task
        assert task["FailureCause"].startswith(f"The IAM role {task['IamRoleArn']} does not")
        assert task["S3Bucket"] in task["FailureCause"]


def test_identifiers_are_unique_per_region(client: ClientFactory) -> None:
    _start(client("rds"), "twice")
    with pytest.raises(ClientError) as taken:
        _start(client("rds"), "twice")
    assert _code(taken) == "ExportTaskAlreadyExists"
    assert isinstance(taken.value, client("rds").exceptions.ExportTaskAlreadyExistsFault)
    west = client("rds", region="eu-west-1")
    source = SNAPSHOT.replace("us-east-1", "eu-west-1")
    assert _start(west, "twice", SourceArn=source)["Status"] == "STARTING"
    with pytest.raises(ClientError) as seeded:
        _start(client("rds"), "orders-weekly-2026-46")
    assert _code(seeded) == "ExportTaskAlreadyExists"


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"ExportTaskIdentifier": "9-starts-with-a-digit"}, "InvalidParameterValue"),
        ({"ExportTaskIdentifier": "two--hyphens"}, "InvalidParameterValue"),
        ({"SourceArn": f"arn:aws:rds:us-east-1:{ACCOUNT}:db:orders-pg"}, "InvalidParameterValue"),
        ({"SourceArn": SNAPSHOT + "-gone"}, "DBSnapshotNotFound"),
        ({"SourceArn": CLUSTER_SNAPSHOT + "-gone"}, "DBClusterSnapshotNotFoundFault"),
        ({"SourceArn": CLUSTER + "-gone"}, "DBClusterNotFoundFault"),
        ({"SourceArn": SNAPSHOT.replace("us-east-1", "eu-west-1")}, "DBSnapshotNotFound"),
        ({"SourceArn": CREATING}, "InvalidExportSourceState"),
        ({"S3BucketName": "Not_A_Bucket"}, "InvalidS3BucketFault"),
        ({"S3Prefix": "a:b"}, "InvalidParameterValue"),
        ({"IamRoleArn": "ExportRole"}, "IamRoleNotFound"),
        ({"KmsKeyId": "alias/denied-key"}, "KMSKeyNotAccessibleFault"),
        ({"ExportOnly": ["orders.public.orders.extra"]}, "InvalidExportOnly"),
        ({"ExportOnly": ["orders;drop"]}, "InvalidExportOnly"),
    ],
)
def test_bad_starts_answer_the_services_faults(
    client: ClientFactory, changes: dict[str, Any], code: str
) -> None:
    rds = client("rds")
    with pytest.raises(ClientError) as caught:
        _start(rds, "refused", **changes)
    assert _code(caught) == code
    assert caught.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as missing:
        _task(rds, "refused")
    assert isinstance(missing.value, rds.exceptions.ExportTaskNotFoundFault)


def test_a_snapshot_being_made_can_be_exported_once_available(
    sandbox: Sandbox, client: ClientFactory
) -> None:
    rds = client("rds")
    with pytest.raises(ClientError):
        _start(rds, "too-soon", SourceArn=CREATING)
    sandbox.advance(121)
    assert _start(rds, "in-time", SourceArn=CREATING)["Status"] == "STARTING"


def test_describe_filters_and_errors(client: ClientFactory) -> None:
    rds = client("rds")

    def ids(**params: Any) -> set[str]:
        tasks = rds.describe_export_tasks(**params)["ExportTasks"]
        return {t["ExportTaskIdentifier"] for t in tasks}

    assert ids(Filters=[{"Name": "status", "Values": ["failed", "canceled"]}]) == {
        "orders-denied-2026-11-22",
        "orders-nightly-2026-11-22",
    }
    # Status values are lower case only, as the service documents.
    assert ids(Filters=[{"Name": "status", "Values": ["FAILED"]}]) == set()
    assert ids(SourceType="CLUSTER") == {"analytics-live-export"}
    assert ids(SourceArn=CLUSTER_SNAPSHOT) == {"billing-invoices-nov"}
    denied = "exportctl-sandbox-rds-denied-us-east-1"
    assert ids(Filters=[{"Name": "s3-bucket", "Values": [denied]}]) == {"orders-denied-2026-11-22"}
    assert ids(
        Filters=[
            {"Name": "source-arn", "Values": [SNAPSHOT]},
            {"Name": "export-task-identifier", "Values": ["orders-weekly-2026-46", "x"]},
        ]
    ) == {"orders-weekly-2026-46"}
    for params, code in (
        ({"Filters": [{"Name": "engine", "Values": ["postgres"]}]}, "InvalidParameterValue"),
        ({"MaxRecords": 101}, "InvalidParameterValue"),
        ({"Marker": "not-a-marker"}, "InvalidParameterValue"),
        ({"SourceType": "INSTANCE"}, "InvalidParameterValue"),
        ({"ExportTaskIdentifier": "no-such-task"}, "ExportTaskNotFound"),
    ):
        with pytest.raises(ClientError) as caught:
            rds.describe_export_tasks(**params)
        assert _code(caught) == code, params
    # botocore itself refuses a page under the model's minimum of 20.
    with pytest.raises(ParamValidationError):
        rds.describe_export_tasks(MaxRecords=5)


def test_pages_of_twenty_follow_the_marker(client: ClientFactory) -> None:
    rds = client("rds")
    for n in range(30):
        _start(rds, f"bulk-{n:02d}")
    first = rds.describe_export_tasks(MaxRecords=20)
    assert len(first["ExportTasks"]) == 20 and first["Marker"]
    second = rds.describe_export_tasks(MaxRecords=20, Marker=first["Marker"])
    assert "Marker" not in second
    seen = [t["ExportTaskIdentifier"] for t in first["ExportTasks"] + second["ExportTasks"]]
    assert len(seen) == len(set(seen)) == 36
    paged = rds.get_paginator("describe_export_tasks").paginate(PaginationConfig={"PageSize": 20})
    assert [t["ExportTaskIdentifier"] for t in paged.build_full_result()["ExportTasks"]] == seen
    # A marker belongs to its listing: another filter's is refused.
    with pytest.raises(ClientError) as caught:
        rds.describe_export_tasks(MaxRecords=20, Marker=first["Marker"], SourceType="SNAPSHOT")
    assert _code(caught) == "InvalidParameterValue"


def test_cancel_goes_canceling_then_canceled(
    sandbox: Sandbox, client: ClientFactory, validate: Callable[..., None]
) -> None:
    rds = client("rds")
    answer = rds.cancel_export_task(ExportTaskIdentifier="orders-automated-1123")
    validate(rds, "CancelExportTask", answer)
    assert answer["Status"] == "CANCELING"
    _start(rds, "stopped-midway")
    sandbox.advance(50)
    assert rds.cancel_export_task(ExportTaskIdentifier="stopped-midway")["Status"] == "CANCELING"
    sandbox.advance(21)
    for ident, percent in (("orders-automated-1123", 0), ("stopped-midway", 25)):
        task = _task(rds, ident)
        assert task["Status"] == "CANCELED" and "TaskEndTime" in task
        assert task["PercentProgress"] == percent
    # Cancelled for good: the clock no longer completes it.
    sandbox.advance(3600)
    assert _task(rds, "orders-automated-1123")["Status"] == "CANCELED"
    for ident in ("orders-automated-1123", "orders-weekly-2026-46", "orders-denied-2026-11-22"):
        with pytest.raises(ClientError) as wrong:
            rds.cancel_export_task(ExportTaskIdentifier=ident)
        assert _code(wrong) == "InvalidExportTaskStateFault"
    with pytest.raises(ClientError) as missing:
        rds.cancel_export_task(ExportTaskIdentifier="never-started")
    assert _code(missing) == "ExportTaskNotFound"


def test_fates_tell_rds_from_other_services_of_the_same_operation(
    sandbox: Sandbox, client: ClientFactory
) -> None:
    sandbox.faults.update({"fates": {"rds:StartExportTask": ["drop-after-commit"]}})
    rds = client("rds")
    with pytest.raises(Exception):  # noqa: B017 - the connection is dropped, no answer
        _start(rds, "answer-lost")
    assert _task(rds, "answer-lost")["Status"] == "STARTING"
    sandbox.faults.update({"fates": {"rds:CancelExportTask": ["throttle"]}})
    with pytest.raises(ClientError) as throttled:
        rds.cancel_export_task(ExportTaskIdentifier="answer-lost")
    assert _code(throttled) == "Throttling"
    assert client("discovery").start_export_task()["exportId"]


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


def test_a_cancel_of_a_seeded_task_is_kept_for_the_next_sandbox(
    kept: Callable[[], Sandbox], boto_session: Any
) -> None:
    def rds(sb: Sandbox) -> Any:
        return boto_session.client(
            "rds",
            region_name="us-east-1",
            endpoint_url=sb.url,
            aws_access_key_id="x",
            aws_secret_access_key="x",
        )

    first = kept()
    rds(first).cancel_export_task(ExportTaskIdentifier="orders-automated-1123")
    first.stop()
    assert first.kept is not None
    first.kept.save()
    second = kept()
    assert _task(rds(second), "orders-automated-1123")["Status"] == "CANCELING"
    second.advance(CANCEL_SECONDS + 1)
    assert _task(rds(second), "orders-automated-1123")["Status"] == "CANCELED"


def test_completed_exports_are_in_s3_as_the_service_lays_them_out(
    sandbox: Sandbox, client: ClientFactory
) -> None:
    pytest.importorskip("moto")
    from exportctl.sandbox.s3 import start_s3

    with start_s3(sandbox) as s3:
        bucket = "s3://exportctl-sandbox-rds-us-east-1/"
        weekly = f"{bucket}exports/orders/orders-weekly-2026-46/"
        keys = sorted(k for k in s3.objects if k.startswith(weekly))
        tables = ("orders/public.orders", "orders/public.customers", "orders/public.line_items")
        for table in tables:
            parts = [k for k in keys if k.startswith(f"{weekly}{table}/1/part-00000-")]
            assert len(parts) == 1 and parts[0].endswith("-c000.gz.parquet")
            body = s3.objects[parts[0]]
            assert body[:4] == body[-4:] == b"PAR1"
            assert f"{weekly}{table}/1/_SUCCESS" in keys
        info = json.loads(s3.objects[f"{weekly}export_info_orders-weekly-2026-46.json"])
        assert info["exportTaskIdentifier"] == "orders-weekly-2026-46"
        assert info["status"] == "COMPLETE" and info["sourceArn"] == SNAPSHOT
        listing = s3.objects[f"{weekly}export_tables_info_orders-weekly-2026-46_from_1_to_3.json"]
        targets = {t["target"] for t in json.loads(listing)["perTableStatus"]}
        assert targets == {
            "orders.public.orders",
            "orders.public.customers",
            "orders.public.line_items",
        }
        # ExportOnly keeps the tables it names, nothing else.
        billing = f"{bucket}exports/billing/billing-invoices-nov/billing/"
        assert {k[len(billing) :].split("/")[0] for k in s3.objects if k.startswith(billing)} == {
            "billing.invoices",
            "billing.payments",
        }
        # Nothing for a task that is not complete yet, until it is.
        _start(client("rds"), "later", S3BucketName="exports-bucket", ExportOnly=["orders"])
        later = "s3://exports-bucket/later/"
        assert not any(k.startswith(later) for k in s3.objects)
        sandbox.advance(91)
        assert _task(client("rds"), "later")["Status"] == "COMPLETE"
        assert f"{later}export_tables_info_later_from_1_to_3.json" in s3.objects
        got = s3.client("us-east-1").list_objects_v2(Bucket="exports-bucket", Prefix="later/")
        assert len(got["Contents"]) == 3 * 2 + 2
        failed = "s3://exportctl-sandbox-rds-denied-us-east-1/"
        assert not any(k.startswith(failed) for k in s3.objects)
