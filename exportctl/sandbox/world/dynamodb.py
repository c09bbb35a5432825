"""DynamoDB: point-in-time exports of tables to S3, and the three calls about them.

A table whose name holds ``missing`` does not exist (TableNotFoundException); one
whose name holds ``nopitr`` has no point-in-time recovery
(PointInTimeRecoveryUnavailableException); every other table ARN of the caller's
account and region names a table. An export to a bucket whose name holds
``denied`` fails (S3AccessDenied), one holding ``missing`` fails too (S3NoSuchBucket).
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from exportctl.aws.modelcheck import problems, summary
from exportctl.sandbox.errors import ApiError
from exportctl.sandbox.jobs import DAY, HOUR, MINUTE, At, Job, Phase
from exportctl.sandbox.registry import Registry
from exportctl.sandbox.world import dynamodb_files

if TYPE_CHECKING:
    from collections.abc import Callable

    from exportctl.sandbox.context import Context

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
_TABLE_ARN = re.compile(r"arn:aws:dynamodb:([a-z0-9-]+):(\d{12}):table/([A-Za-z0-9_.-]{3,255})")


def _table_id(table_arn: str) -> str:
    h = hashlib.sha256(table_arn.encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"


def _failure(bucket: str) -> tuple[str, str] | None:
    if "denied" in bucket.lower():
        return "S3AccessDenied", f"Access Denied (Service: Amazon S3; Status Code: 403) on {bucket}"
    if "missing" in bucket.lower():
        return "S3NoSuchBucket", "The specified bucket does not exist"
    return None


def _export(
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
    failure = _failure(bucket)
    phases = [Phase(created, "IN_PROGRESS")]
    if failure is not None:
        code, message = failure
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
        _export(sc, region, table(name), created, ends, request, millis + int(created * 1000))

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


def _check(ctx: Context, operation: str, params: dict[str, Any]) -> None:
    shape = ctx.model.operation_model(operation).input_shape
    found = problems(shape, params) if shape is not None else []
    if found:
        raise ctx.errors.invalid_input(summary(found))


def _when(ctx: Context, value: Any, member: str) -> float:
    """A request's timestamp as scenario seconds."""
    if isinstance(value, str):
        try:
            epoch = float(value)
        except ValueError:
            try:
                epoch = datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
            except ValueError:
                raise ctx.errors.invalid_input(f"Invalid timestamp for {member}: {value}") from None
    else:
        epoch = float(value)
    return epoch - ctx.clock.start_wall


def _in_window(ctx: Context, at: float, table: str) -> None:
    # A second of slack: the client's clock reads the request time before the server does.
    if not ctx.elapsed - PITR_WINDOW <= at <= ctx.elapsed + 1.0:
        raise ApiError(
            "InvalidExportTimeException",
            f"The specified ExportTime is outside of the point in time recovery window of "
            f"table {table}: it must be within the last {int(PITR_WINDOW // DAY)} days.",
            400,
        )


def _describe(ctx: Context, job: Job) -> dict[str, Any]:
    return ctx.pick("ExportDescription", ctx.view(job, "ExportStatus"))


def _request(ctx: Context, params: dict[str, Any], table: str) -> dict[str, Any]:
    """The members the export keeps, checked as the service checks them."""
    kind = params.get("ExportType", "FULL_EXPORT")
    spec = params.get("IncrementalExportSpecification")
    request = {
        k: params.get(k)
        for k in (
            "ClientToken",
            "S3Bucket",
            "S3BucketOwner",
            "S3Prefix",
            "S3SseAlgorithm",
            "S3SseKmsKeyId",
            "ExportFormat",
            "ExportType",
            "FilterSpecification",
        )
    }
    if kind == "FULL_EXPORT":
        if spec is not None:
            raise ctx.errors.invalid_input(
                "IncrementalExportSpecification is only valid when ExportType is INCREMENTAL_EXPORT"
            )
        if params.get("ExportTime") is not None:
            at = _when(ctx, params["ExportTime"], "ExportTime")
            _in_window(ctx, at, table)
            request["ExportTime"] = At(at)
        return request
    if params.get("ExportTime") is not None:
        raise ctx.errors.invalid_input(
            "ExportTime is not valid when ExportType is INCREMENTAL_EXPORT"
        )
    if not spec or spec.get("ExportFromTime") is None:
        raise ctx.errors.invalid_input(
            "IncrementalExportSpecification.ExportFromTime is required when ExportType is "
            "INCREMENTAL_EXPORT"
        )
    start = _when(ctx, spec["ExportFromTime"], "ExportFromTime")
    end = ctx.elapsed
    if spec.get("ExportToTime") is not None:
        end = _when(ctx, spec["ExportToTime"], "ExportToTime")
    _in_window(ctx, start, table)
    _in_window(ctx, end, table)
    if not INCREMENTAL_MIN <= end - start <= INCREMENTAL_MAX:
        raise ctx.errors.invalid_input(
            "The incremental export period must be at least 15 minutes and at most 24 hours: "
            "ExportFromTime must be before ExportToTime."
        )
    request["IncrementalExportSpecification"] = {
        "ExportFromTime": At(start),
        "ExportToTime": At(end),
        "ExportViewType": spec.get("ExportViewType") or "NEW_AND_OLD_IMAGES",
    }
    return request


def export_table_to_point_in_time(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    _check(ctx, "ExportTableToPointInTime", params)
    table_arn = params["TableArn"]
    match = _TABLE_ARN.fullmatch(table_arn)
    if match is None:
        raise ctx.errors.invalid_input(f"Invalid TableArn: {table_arn}")
    region, account, table = match.groups()
    if region != ctx.region or account != ctx.scenario.account or "missing" in table:
        raise ApiError("TableNotFoundException", f"Table not found: {table_arn}", 400)
    if "nopitr" in table:
        raise ApiError(
            "PointInTimeRecoveryUnavailableException",
            f"Point in time recovery is not enabled for table '{table}'",
            400,
        )
    request = _request(ctx, params, table)
    token = params.get("ClientToken")
    fingerprint = json.dumps(
        {k: v for k, v in params.items() if k != "ClientToken"}, sort_keys=True, default=str
    )
    if token:
        for job in ctx.scenario.listing(SERVICE, KIND, ctx.region):
            if job.attrs.get("ClientToken") != token or job.created < ctx.elapsed - TOKEN_LIFETIME:
                continue
            if job.attrs.get("_request") != fingerprint:
                raise ApiError(
                    "ExportConflictException",
                    f"There was a conflict when exporting table {table}: the client token "
                    f"{token} was already used with different parameters.",
                    400,
                )
            return {"ExportDescription": _describe(ctx, job)}
    millis = int(ctx.clock.to_epoch(ctx.elapsed) * 1000)
    ends = EXPORT_FAIL[-1][0] if _failure(request["S3Bucket"]) else EXPORT_OK[-1][0]
    request["_request"] = fingerprint
    job = _export(ctx.scenario, ctx.region, table_arn, ctx.elapsed, ends, request, millis)
    return {"ExportDescription": _describe(ctx, job)}


def describe_export(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    _check(ctx, "DescribeExport", params)
    arn = params["ExportArn"]
    job = ctx.scenario.find(SERVICE, arn, KIND)
    if job is None or job.region != ctx.region:
        raise ApiError("ExportNotFoundException", f"Export not found: {arn}", 400)
    return {"ExportDescription": _describe(ctx, job)}


def list_exports(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    _check(ctx, "ListExports", params)
    table = params.get("TableArn")
    horizon = ctx.elapsed - LISTED_FOR
    jobs = [
        j
        for j in ctx.listed(ctx.scenario.listing(SERVICE, KIND, ctx.region, parent=table))
        if j.created >= horizon
    ]
    # In reverse order of ExportArn, as the service documents.
    jobs = sorted(jobs, key=lambda j: j.id, reverse=True)
    size = params.get("MaxResults") or LIST_PAGE
    chunk, token = ctx.page(jobs, params.get("NextToken"), size, f"ddb/{ctx.region}/{table}")
    summaries = [ctx.pick("ExportSummary", ctx.view(j, "ExportStatus")) for j in chunk]
    return {"ExportSummaries": summaries, "NextToken": token}


HANDLERS: dict[tuple[str, str], Callable[[Context, dict[str, Any]], dict[str, Any]]] = {
    (SERVICE, "ExportTableToPointInTime"): export_table_to_point_in_time,
    (SERVICE, "DescribeExport"): describe_export,
    (SERVICE, "ListExports"): list_exports,
}
MUTATING = frozenset({(SERVICE, "ExportTableToPointInTime")})
