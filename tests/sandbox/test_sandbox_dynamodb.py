"""DynamoDB table exports over real HTTP: listed, described, started, run on the clock, and
written to S3 as the service lays them out."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from botocore.exceptions import ClientError
from sandbox_helpers import ClientFactory

from exportctl.sandbox import Sandbox
from exportctl.sandbox.jobs import ACCOUNT

Validate = Callable[..., None]
TABLE = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/widgets"


def _code(exc: pytest.ExceptionInfo[ClientError]) -> str:
    return str(exc.value.response["Error"]["Code"])


def _export(client: ClientFactory, **params: Any) -> dict[str, Any]:
    params.setdefault("TableArn", TABLE)
    params.setdefault("S3Bucket", "ddb-exports")
    answer = client("dynamodb").export_table_to_point_in_time(**params)
    return dict(answer["ExportDescription"])


def _close(a: datetime, b: datetime) -> bool:
    # Timestamps travel as epoch seconds to the millisecond.
    return abs((a - b).total_seconds()) < 0.002


def _describe(client: ClientFactory, arn: str) -> dict[str, Any]:
    return dict(client("dynamodb").describe_export(ExportArn=arn)["ExportDescription"])


def test_seeded_exports_are_listed_newest_arn_first_and_described(
    client: ClientFactory, validate: Validate
) -> None:
    ddb = client("dynamodb")
    listed = ddb.list_exports()
    validate(ddb, "ListExports", listed)
    summaries = listed["ExportSummaries"]
    arns = [s["ExportArn"] for s in summaries]
    assert arns == sorted(arns, reverse=True)
    assert all(arn.startswith(f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/") for arn in arns)
    assert {s["ExportStatus"] for s in summaries} == {"COMPLETED", "FAILED", "IN_PROGRESS"}
    assert {s["ExportType"] for s in summaries} == {"FULL_EXPORT", "INCREMENTAL_EXPORT"}
    for arn in arns:
        answer = ddb.describe_export(ExportArn=arn)
        validate(ddb, "DescribeExport", answer)
        export = answer["ExportDescription"]
        if export["ExportStatus"] == "COMPLETED":
            export_id = arn.rpartition("/")[2]
            assert export["ExportManifest"].endswith(
                f"AWSDynamoDB/{export_id}/manifest-summary.json"
            )
            assert export["ItemCount"] > 0 and export["EndTime"] > export["StartTime"]
        elif export["ExportStatus"] == "FAILED":
            assert export["FailureCode"] == "S3AccessDenied" and export["FailureMessage"]
        else:
            assert "EndTime" not in export and "ExportManifest" not in export


def test_listing_keeps_to_90_days_but_an_older_export_is_described(
    sandbox: Sandbox, client: ClientFactory
) -> None:
    old = next(
        j for j in sandbox.scenario.listing("dynamodb", "export", "us-east-1") if "archive" in j.id
    )
    listed = client("dynamodb").list_exports()["ExportSummaries"]
    assert old.id not in [s["ExportArn"] for s in listed]
    assert _describe(client, old.id)["ExportStatus"] == "COMPLETED"


def test_list_pages_filters_by_table_and_checks_its_input(client: ClientFactory) -> None:
    ddb = client("dynamodb")
    every = [s["ExportArn"] for s in ddb.list_exports()["ExportSummaries"]]
    paged, token, pages = [], None, 0
    while True:
        page = ddb.list_exports(MaxResults=2, **({"NextToken": token} if token else {}))
        assert len(page["ExportSummaries"]) <= 2
        paged += [s["ExportArn"] for s in page["ExportSummaries"]]
        pages += 1
        token = page.get("NextToken")
        if not token:
            break
    assert paged == every and pages == (len(every) + 1) // 2
    orders = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders"
    mine = ddb.list_exports(TableArn=orders)["ExportSummaries"]
    assert mine and all(s["ExportArn"].startswith(orders + "/export/") for s in mine)
    assert ddb.list_exports(TableArn=TABLE)["ExportSummaries"] == []
    with pytest.raises(ClientError) as big:
        ddb.list_exports(MaxResults=26)
    assert _code(big) == "ValidationException"
    assert "less than or equal to 25" in big.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as bad:
        ddb.list_exports(NextToken="not-a-token")
    assert _code(bad) == "ValidationException"


def test_regions_hold_their_own_exports(client: ClientFactory) -> None:
    eu = client("dynamodb", "eu-west-1").list_exports()["ExportSummaries"]
    assert eu and all(":eu-west-1:" in s["ExportArn"] for s in eu)
    assert client("dynamodb", "ap-southeast-2").list_exports()["ExportSummaries"] == []
    east = client("dynamodb").list_exports()["ExportSummaries"][0]["ExportArn"]
    with pytest.raises(ClientError) as other:
        client("dynamodb", "eu-west-1").describe_export(ExportArn=east)
    assert _code(other) == "ExportNotFoundException"


def test_json_1_0_on_the_wire(client: ClientFactory) -> None:
    answer = client("dynamodb").list_exports()
    assert answer["ResponseMetadata"]["HTTPHeaders"]["content-type"] == "application/x-amz-json-1.0"
    with pytest.raises(ClientError) as missing:
        client("dynamodb").describe_export(ExportArn=TABLE + "/export/01790000000000-deadbeef")
    assert _code(missing) == "ExportNotFoundException"
    headers = missing.value.response["ResponseMetadata"]["HTTPHeaders"]
    assert headers["content-type"] == "application/x-amz-json-1.0"
    logs = client("logs").describe_export_tasks()
    assert logs["ResponseMetadata"]["HTTPHeaders"]["content-type"] == "application/x-amz-json-1.1"


def test_an_export_runs_on_the_clock(
    sandbox: Sandbox, client: ClientFactory, validate: Validate
) -> None:
    answer = client("dynamodb").export_table_to_point_in_time(
        TableArn=TABLE, S3Bucket="ddb-exports", S3Prefix="nightly"
    )
    validate(client("dynamodb"), "ExportTableToPointInTime", answer)
    started = answer["ExportDescription"]
    arn = started["ExportArn"]
    assert arn.startswith(TABLE + "/export/")
    export_id = arn.rpartition("/")[2]
    assert len(export_id) == 23 and export_id[14] == "-" and export_id[:14].isdigit()
    assert started["ExportStatus"] == "IN_PROGRESS"
    assert started["ExportType"] == "FULL_EXPORT" and started["ExportFormat"] == "DYNAMODB_JSON"
    assert started["S3SseAlgorithm"] == "AES256"
    assert started["ExportTime"] == started["StartTime"]
    assert arn in [s["ExportArn"] for s in client("dynamodb").list_exports()["ExportSummaries"]]
    sandbox.advance(60)
    assert _describe(client, arn)["ExportStatus"] == "IN_PROGRESS"
    sandbox.advance(31)
    done = _describe(client, arn)
    assert done["ExportStatus"] == "COMPLETED"
    assert done["ExportManifest"] == f"nightly/AWSDynamoDB/{export_id}/manifest-summary.json"
    assert done["EndTime"] - done["StartTime"] == timedelta(seconds=90)


def test_a_denied_bucket_fails_the_export(sandbox: Sandbox, client: ClientFactory) -> None:
    arn = _export(client, S3Bucket="ddb-denied-exports")["ExportArn"]
    sandbox.advance(31)
    failed = _describe(client, arn)
    assert failed["ExportStatus"] == "FAILED"
    assert failed["FailureCode"] == "S3AccessDenied"
    assert "ItemCount" not in failed and "ExportManifest" not in failed
    arn = _export(client, S3Bucket="ddb-missing-bucket")["ExportArn"]
    sandbox.advance(31)
    assert _describe(client, arn)["FailureCode"] == "S3NoSuchBucket"


def test_the_client_token_makes_the_call_idempotent(client: ClientFactory) -> None:
    first = _export(client, ClientToken="nightly-2026-11-23", S3Prefix="a")
    again = _export(client, ClientToken="nightly-2026-11-23", S3Prefix="a")
    assert again["ExportArn"] == first["ExportArn"]
    assert again["ClientToken"] == "nightly-2026-11-23"
    listed = client("dynamodb").list_exports(TableArn=TABLE)["ExportSummaries"]
    assert len(listed) == 1
    with pytest.raises(ClientError) as conflict:
        _export(client, ClientToken="nightly-2026-11-23", S3Prefix="b")
    assert _code(conflict) == "ExportConflictException"
    other = _export(client, ClientToken="nightly-2026-11-24", S3Prefix="a")
    assert other["ExportArn"] != first["ExportArn"]


def test_tables_that_cannot_be_exported(client: ClientFactory) -> None:
    cases = {
        f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/missing-table": "TableNotFoundException",
        f"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/widgets": "TableNotFoundException",
        f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/cache-nopitr": (
            "PointInTimeRecoveryUnavailableException"
        ),
        "not-an-arn": "ValidationException",
    }
    for table, code in cases.items():
        with pytest.raises(ClientError) as refused:
            _export(client, TableArn=table)
        assert _code(refused) == code, table
    with pytest.raises(ClientError) as bucket:
        _export(client, S3Bucket="-bad-")
    assert _code(bucket) == "ValidationException"
    assert "'S3Bucket'" in bucket.value.response["Error"]["Message"]


def test_export_times_outside_the_recovery_window(sandbox: Sandbox, client: ClientFactory) -> None:
    now = datetime.fromtimestamp(sandbox.clock.now_epoch(), timezone.utc)
    for when in (now - timedelta(days=36), now + timedelta(hours=1)):
        with pytest.raises(ClientError) as refused:
            _export(client, ExportTime=when)
        assert _code(refused) == "InvalidExportTimeException"
    earlier = _export(client, ExportTime=now - timedelta(days=2))
    assert _close(earlier["ExportTime"], now - timedelta(days=2))


def test_incremental_exports(sandbox: Sandbox, client: ClientFactory) -> None:
    now = datetime.fromtimestamp(sandbox.clock.now_epoch(), timezone.utc)
    with pytest.raises(ClientError) as no_spec:
        _export(client, ExportType="INCREMENTAL_EXPORT")
    assert _code(no_spec) == "ValidationException"
    # Each refusal says its own reason: a period in order, too short or too long, is
    # not said to be out of order.
    windows = {
        (timedelta(minutes=10), timedelta(minutes=5)): "at least 15 minutes and at most 24",
        (timedelta(hours=30), timedelta(hours=1)): "at least 15 minutes and at most 24",
        (timedelta(hours=1), timedelta(hours=2)): "ExportFromTime must be before ExportToTime",
    }
    for (since, until), reason in windows.items():
        with pytest.raises(ClientError) as refused:
            _export(
                client,
                ExportType="INCREMENTAL_EXPORT",
                IncrementalExportSpecification={
                    "ExportFromTime": now - since,
                    "ExportToTime": now - until,
                },
            )
        assert _code(refused) == "ValidationException"
        message = refused.value.response["Error"]["Message"]
        assert reason in message
        assert since < until or "before" not in message
    export = _export(
        client,
        ExportType="INCREMENTAL_EXPORT",
        IncrementalExportSpecification={"ExportFromTime": now - timedelta(hours=2)},
    )
    spec = export["IncrementalExportSpecification"]
    assert _close(spec["ExportFromTime"], now - timedelta(hours=2))
    assert _close(spec["ExportToTime"], now) and spec["ExportViewType"] == "NEW_AND_OLD_IMAGES"
    assert "ExportTime" not in export and export["ExportType"] == "INCREMENTAL_EXPORT"


def test_completed_exports_land_in_s3_as_the_service_writes_them(
    sandbox: Sandbox, client: ClientFactory
) -> None:
    pytest.importorskip("moto")
    from exportctl.sandbox.s3 import start_s3

    with start_s3(sandbox) as s3:
        seeded = [uri for uri in s3.objects if uri.startswith("s3://exportctl-sandbox-ddb-")]
        assert any(uri.endswith(".ion.gz") for uri in seeded)
        assert not any("denied" in uri for uri in seeded)
        arn = _export(client, S3Prefix="nightly/", ExportFormat="DYNAMODB_JSON")["ExportArn"]
        export_id = arn.rpartition("/")[2]
        base = f"nightly/AWSDynamoDB/{export_id}/"
        assert not any(uri.startswith(f"s3://ddb-exports/{base}") for uri in s3.objects)
        sandbox.advance(91)
        export = _describe(client, arn)
        bucket = s3.client("us-east-1")

        def read(key: str) -> bytes:
            return bytes(bucket.get_object(Bucket="ddb-exports", Key=key)["Body"].read())

        assert export["ExportManifest"] == base + "manifest-summary.json"
        summary = json.loads(read(export["ExportManifest"]))
        assert summary["exportArn"] == arn and summary["tableArn"] == TABLE
        assert summary["itemCount"] == export["ItemCount"]
        assert summary["billedSizeBytes"] == export["BilledSizeBytes"]
        assert summary["s3Prefix"] == "nightly/" and summary["outputFormat"] == "DYNAMODB_JSON"
        assert summary["exportType"] == "FULL_EXPORT"
        assert summary["manifestFilesS3Key"] == base + "manifest-files.json"
        assert read(base + "_started") == b""
        files_body = read(summary["manifestFilesS3Key"])
        assert (
            read(base + "manifest-files.checksum").decode() == hashlib.md5(files_body).hexdigest()
        )
        entries = [json.loads(line) for line in files_body.decode().splitlines()]
        assert entries and all(e["dataFileS3Key"].startswith(base + "data/") for e in entries)
        items = 0
        for entry in entries:
            body = read(entry["dataFileS3Key"])
            md5 = base64.b64encode(hashlib.md5(body).digest()).decode()
            assert entry["md5Checksum"] == md5 and entry["etag"].endswith("-1")
            lines = gzip.decompress(body).decode().splitlines()
            assert len(lines) == entry["itemCount"]
            assert all(set(json.loads(line)) == {"Item"} for line in lines)
            items += len(lines)
        assert items == export["ItemCount"]


def test_an_ion_incremental_export_writes_its_own_kinds_of_file(
    sandbox: Sandbox, client: ClientFactory
) -> None:
    pytest.importorskip("moto")
    from exportctl.sandbox.s3 import start_s3

    now = datetime.fromtimestamp(sandbox.clock.now_epoch(), timezone.utc)
    with start_s3(sandbox) as s3:
        ion = _export(client, ExportFormat="ION")["ExportArn"].rpartition("/")[2]
        changes = _export(
            client,
            ExportType="INCREMENTAL_EXPORT",
            IncrementalExportSpecification={
                "ExportFromTime": now - timedelta(hours=1),
                "ExportViewType": "NEW_IMAGE",
            },
        )["ExportArn"].rpartition("/")[2]
        sandbox.advance(91)
        # A call after the clock moved is what publishes completed exports.
        assert _describe(client, TABLE + f"/export/{ion}")["ExportStatus"] == "COMPLETED"
        ion_files = [u for u in s3.objects if f"/{ion}/data/" in u]
        assert ion_files and all(u.endswith(".ion.gz") for u in ion_files)
        first = gzip.decompress(s3.objects[ion_files[0]]).decode()
        assert first.startswith("$ion_1_0 {Item:{pk:")
        change_files = [u for u in s3.objects if f"/{changes}/data/" in u]
        record = json.loads(gzip.decompress(s3.objects[change_files[0]]).decode().splitlines()[0])
        assert set(record) == {"Metadata", "Keys", "NewImage"}
        summary = json.loads(
            s3.objects[f"s3://ddb-exports/AWSDynamoDB/{changes}/manifest-summary.json"]
        )
        assert (
            summary["exportType"] == "INCREMENTAL_EXPORT" and summary["outputView"] == "NEW_IMAGE"
        )
        assert "exportFromTime" in summary and "exportTime" not in summary
