"""DynamoDB table exports: the operations' handlers, over the world of
:mod:`exportctl.sandbox.world.dynamodb`."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from exportctl.aws.modelcheck import problems, summary
from exportctl.sandbox.context import Context
from exportctl.sandbox.creates import done_after
from exportctl.sandbox.errors import ApiError, ServiceErrors
from exportctl.sandbox.jobs import DAY, At, Job
from exportctl.sandbox.service import ServiceWorld
from exportctl.sandbox.world import dynamodb as world
from exportctl.sandbox.world import dynamodb_files


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
    if not ctx.elapsed - world.PITR_WINDOW <= at <= ctx.elapsed + 1.0:
        raise ApiError(
            "InvalidExportTimeException",
            f"The specified ExportTime is outside of the point in time recovery window of "
            f"table {table}: it must be within the last {int(world.PITR_WINDOW // DAY)} days.",
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
    if end <= start:
        raise ctx.errors.invalid_input("ExportFromTime must be before ExportToTime.")
    if not world.INCREMENTAL_MIN <= end - start <= world.INCREMENTAL_MAX:
        raise ctx.errors.invalid_input(
            "The incremental export period must be at least 15 minutes and at most 24 hours."
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
    match = world.TABLE_ARN.fullmatch(table_arn)
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
        for job in ctx.scenario.listing(world.SERVICE, world.KIND, ctx.region):
            if (
                job.attrs.get("ClientToken") != token
                or job.created < ctx.elapsed - world.TOKEN_LIFETIME
            ):
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
    ends = (
        world.EXPORT_FAIL[-1][0] if world.failure(request["S3Bucket"]) else world.EXPORT_OK[-1][0]
    )
    request["_request"] = fingerprint
    job = world.add_export(ctx.scenario, ctx.region, table_arn, ctx.elapsed, ends, request, millis)
    return {"ExportDescription": _describe(ctx, job)}


def describe_export(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    _check(ctx, "DescribeExport", params)
    arn = params["ExportArn"]
    job = ctx.scenario.find(world.SERVICE, arn, world.KIND)
    if job is None or job.region != ctx.region:
        raise ApiError("ExportNotFoundException", f"Export not found: {arn}", 400)
    return {"ExportDescription": _describe(ctx, job)}


def list_exports(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    _check(ctx, "ListExports", params)
    table = params.get("TableArn")
    horizon = ctx.elapsed - world.LISTED_FOR
    jobs = [
        j
        for j in ctx.listed(
            ctx.scenario.listing(world.SERVICE, world.KIND, ctx.region, parent=table)
        )
        if j.created >= horizon
    ]
    # In reverse order of ExportArn, as the service documents.
    jobs = sorted(jobs, key=lambda j: j.id, reverse=True)
    size = params.get("MaxResults") or world.LIST_PAGE
    chunk, token = ctx.page(jobs, params.get("NextToken"), size, f"ddb/{ctx.region}/{table}")
    summaries = [ctx.pick("ExportSummary", ctx.view(j, "ExportStatus")) for j in chunk]
    return {"ExportSummaries": summaries, "NextToken": token}


WORLD = ServiceWorld(
    name=world.SERVICE,
    errors=ServiceErrors(
        throttling=("ThrottlingException", 400),
        internal=("InternalServerError", 500),
        denied=("AccessDeniedException", 400),
        not_found=("ResourceNotFoundException", 400),
        invalid=("ValidationException", 400),
        bad_token=("ValidationException", 400),
    ),
    handlers={
        "ExportTableToPointInTime": export_table_to_point_in_time,
        "DescribeExport": describe_export,
        "ListExports": list_exports,
    },
    mutating=frozenset({"ExportTableToPointInTime"}),
    completed="COMPLETED",
    output_kinds=(world.KIND,),
    populate=world.populate,
    job_objects=dynamodb_files.objects,
    course=done_after(world.EXPORT_OK),
)
