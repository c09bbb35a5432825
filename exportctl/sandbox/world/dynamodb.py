"""DynamoDB: point-in-time exports of tables to S3, and the three calls about them.

A table whose name holds ``missing`` does not exist (TableNotFoundException); one
whose name holds ``nopitr`` has no point-in-time recovery
(PointInTimeRecoveryUnavailableException); every other table ARN of the caller's
account and region names a table. An export to a bucket whose name holds
``denied`` fails (S3AccessDenied), one holding ``missing`` fails too (S3NoSuchBucket).
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from exportctl.sandbox.jobs import DAY, HOUR, MINUTE, At, Job, Phase
from exportctl.sandbox.registry import Registry
from exportctl.sandbox.world import dynamodb_files

SERVICE = "dynamodb"
KIND = "export"
# (seconds after the request, status) of an export that succeeds, and of one that fails.
EXPORT_OK = ((0.0, "IN_PROGRESS"), (90.0, "COMPLETED"))
EXPORT_FAIL = ((0.0, "IN_PROGRESS"), (30.0, "FAILED"))
PITR_WINDOW = 35 * DAY
# ListExports shows the exports of the last 90 days (DescribeExport finds older ones).
LISTED_FOR = 90 * DAY
TOKEN_LIFETIME = 8 * HOUR
INCREMENTAL_MIN, INCREMENTAL_MAX = 15 * MINUTE, DAY
LIST_PAGE = 25
TABLE_ARN = re.compile(r"arn:aws:dynamodb:([a-z0-9-]+):(\d{12}):table/([A-Za-z0-9_.-]{3,255})")


def _table_id(table_arn: str) -> str:
    h = hashlib.sha256(table_arn.encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"


def failure(bucket: str) -> tuple[str, str] | None:
    if "denied" in bucket.lower():
        return "S3AccessDenied", f"Access Denied (Service: Amazon S3; Status Code: 403) on {bucket}"
    if "missing" in bucket.lower():
        return "S3NoSuchBucket", "The specified bucket does not exist"
    return None


def add_export(
    sc: Registry,
    region: str,
    table_arn: str,
    created: float,
    ends: float,
    request: dict[str, Any],
    millis: int,
) -> Job:
    """An export requested at ``created`` that ends ``ends`` seconds later, as
    ``request`` (the call's members, times as ``At``) asks."""
    export_id = f"{millis:014d}-{sc.hex(8)}"
    arn = f"{table_arn}/export/{export_id}"
    bucket, prefix = request["S3Bucket"], request.get("S3Prefix")
    table = table_arn.rpartition("/")[2]
    attrs: dict[str, Any] = {
        "ExportArn": arn,
        "StartTime": At(created),
        "TableArn": table_arn,
        "TableId": _table_id(table_arn),
        "S3Bucket": bucket,
        "S3SseAlgorithm": "AES256",
        "ExportFormat": "DYNAMODB_JSON",
        "ExportType": "FULL_EXPORT",
        **{k: v for k, v in request.items() if v is not None},
    }
    if attrs["ExportType"] == "FULL_EXPORT":
        attrs.setdefault("ExportTime", At(created))
    failed = failure(bucket)
    phases = [Phase(created, "IN_PROGRESS")]
    if failed is not None:
        code, message = failed
        fields = {"EndTime": At(created + ends), "FailureCode": code, "FailureMessage": message}
        phases.append(Phase(created + ends, "FAILED", fields))
    else:
        count, size = dynamodb_files.totals(arn, table)
        fields = {
            "EndTime": At(created + ends),
            "ExportManifest": dynamodb_files.manifest_key(prefix, export_id),
            "ItemCount": count,
            "BilledSizeBytes": size,
        }
        phases.append(Phase(created + ends, "COMPLETED", fields))
        attrs["_output_uri"] = f"s3://{bucket}/{dynamodb_files.export_dir(prefix, export_id)}"
    return sc.add(Job(SERVICE, KIND, region, arn, created, phases, attrs, parent=table_arn))


def populate(sc: Registry, region: str) -> None:
    def table(name: str) -> str:
        return f"arn:aws:dynamodb:{region}:{sc.account}:table/{name}"

    bucket = f"exportctl-sandbox-ddb-{region}"
    millis = 1_790_000_000_000 + sc.rng.randrange(10**9)

    def export(name: str, created: float, ends: float, **request: Any) -> None:
        request.setdefault("S3Bucket", bucket)
        add_export(sc, region, table(name), created, ends, request, millis + int(created * 1000))

    primary = region == sc.primary
    orders = "orders" if primary else "orders-eu"
    export(orders, -2 * DAY, 6 * MINUTE, S3Prefix="exports/orders")
    export(orders, -30.0, 90.0, S3Prefix="exports/orders")
    export(
        "sessions",
        -30 * HOUR,
        4 * MINUTE,
        S3Bucket=f"exportctl-sandbox-ddb-denied-{region}",
        S3Prefix="sessions",
    )
    if not primary:
        return
    export(
        orders,
        -5 * HOUR,
        7 * MINUTE,
        S3Prefix="exports/orders-incremental",
        ExportType="INCREMENTAL_EXPORT",
        IncrementalExportSpecification={
            "ExportFromTime": At(-6 * HOUR),
            "ExportToTime": At(-5 * HOUR),
            "ExportViewType": "NEW_AND_OLD_IMAGES",
        },
    )
    export(
        "customers",
        -9 * DAY,
        12 * MINUTE,
        ExportFormat="ION",
        S3SseAlgorithm="KMS",
        S3SseKmsKeyId=f"arn:aws:kms:{region}:{sc.account}:key/{sc.uuid()}",
        ExportTime=At(-9 * DAY - HOUR),
    )
    export("audit-events", -4 * MINUTE, 25 * MINUTE, S3Prefix="audit")
    export("orders-archive", -120 * DAY, 25 * MINUTE, S3Prefix="archive")


# -- the calls ---------------------------------------------------------------------------
