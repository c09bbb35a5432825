"""The create/start operations: new jobs that run their course on the sandbox clock.

Each request is checked against the operation's input shape (the rules the service
enforces: required members, patterns, lengths, enums) and answered with the
service's own validation error when it breaks one. A created job then follows its
service's timeline below, in scenario seconds from its creation. It fails when its
destination names ``denied`` (Discovery: when an agent id is not one the sandbox
knows), the way an export fails when the role may not write there.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from exportctl.aws.modelcheck import problems, summary
from exportctl.sandbox import dynamodbapi, ec2api, logsapi
from exportctl.sandbox import rdsapi as rds_api
from exportctl.sandbox.context import Context
from exportctl.sandbox.errors import ApiError
from exportctl.sandbox.jobs import At, DownloadUrl, Job, Phase

# (seconds after creation, status, fields) for a job that succeeds, and one that fails.
PERSONALIZE_OK = ((0.0, "CREATE PENDING"), (10.0, "CREATE IN_PROGRESS"), (60.0, "ACTIVE"))
PERSONALIZE_FAIL = ((0.0, "CREATE PENDING"), (10.0, "CREATE IN_PROGRESS"), (30.0, "CREATE FAILED"))
BACKUPSEARCH_OK = ((0.0, "RUNNING"), (45.0, "COMPLETED"))
BACKUPSEARCH_FAIL = ((0.0, "RUNNING"), (20.0, "FAILED"))
DISCOVERY_OK = ((0.0, "IN_PROGRESS"), (30.0, "SUCCEEDED"))
DISCOVERY_FAIL = ((0.0, "IN_PROGRESS"), (15.0, "FAILED"))
# Pinpoint reports its pieces: 8 of them, one every 6 s once processing.
PINPOINT_PIECES = 8
PINPOINT_OK = (
    (0.0, "CREATED"),
    (3.0, "PREPARING_FOR_INITIALIZATION"),
    (6.0, "INITIALIZING"),
    (9.0, "PENDING_JOB"),
    *((12.0 + 6.0 * n, "PROCESSING") for n in range(PINPOINT_PIECES)),
    (12.0 + 6.0 * PINPOINT_PIECES, "COMPLETING"),
    (17.0 + 6.0 * PINPOINT_PIECES, "COMPLETED"),
)
PINPOINT_FAIL = ((0.0, "CREATED"), (6.0, "INITIALIZING"), (12.0, "FAILING"), (20.0, "FAILED"))

# (service, operation): one operation name can be several services' (CancelExportTask).
MUTATING = (
    frozenset(
        {
            ("personalize", "CreateDatasetExportJob"),
            ("backupsearch", "StartSearchResultExportJob"),
            ("pinpoint", "CreateExportJob"),
            ("discovery", "StartExportTask"),
        }
    )
    | ec2api.MUTATING
    | dynamodbapi.MUTATING
    | logsapi.MUTATING
    | rds_api.MUTATING
)


def _denied(where: str) -> bool:
    return "denied" in where.lower()


def check(ctx: Context, operation: str, params: dict[str, Any]) -> None:
    shape = ctx.model.operation_model(operation).input_shape
    found = problems(shape, params) if shape is not None else []
    if found:
        raise ctx.errors.invalid_input(summary(found))


def _phases(
    ctx: Context,
    timeline: tuple[tuple[float, str], ...],
    fields: Callable[[str, float], dict[str, Any]],
) -> list[Phase]:
    now = ctx.elapsed
    return [Phase(now + after, status, fields(status, now + after)) for after, status in timeline]


# -- Personalize ---------------------------------------------------------------------


def create_dataset_export_job(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    check(ctx, "CreateDatasetExportJob", params)
    name, dataset = params["jobName"], params["datasetArn"]
    known = {
        j.parent for j in ctx.scenario.listing("personalize", "dataset-export-job", ctx.region)
    }
    if dataset not in known:
        raise ctx.errors.missing(f"Could not find resource with ARN {dataset}")
    arn = f"arn:aws:personalize:{ctx.region}:{ctx.scenario.account}:dataset-export-job/{name}"
    if ctx.scenario.find_any("personalize", arn) is not None:
        raise ApiError(
            "ResourceAlreadyExistsException", f"Dataset export job {arn} already exists.", 400
        )
    output = params["jobOutput"]["s3DataDestination"]
    fails = _denied(output["path"])
    reason = (
        "Insufficient privileges for accessing data in S3. Make sure the role "
        f"{params['roleArn']} has s3:PutObject on {output['path']}."
    )

    def fields(status: str, at: float) -> dict[str, Any]:
        extra: dict[str, Any] = {"lastUpdatedDateTime": At(at)}
        if status == "CREATE FAILED":
            extra["failureReason"] = reason
        return extra

    now = ctx.elapsed
    ctx.scenario.add(
        Job(
            "personalize",
            "dataset-export-job",
            ctx.region,
            arn,
            now,
            _phases(ctx, PERSONALIZE_FAIL if fails else PERSONALIZE_OK, fields),
            {
                "jobName": name,
                "datasetExportJobArn": arn,
                "datasetArn": dataset,
                # The service's default, as its model says.
                "ingestionMode": params.get("ingestionMode", "PUT"),
                "roleArn": params["roleArn"],
                "jobOutput": {"s3DataDestination": dict(output)},
                "creationDateTime": At(now),
            },
            parent=dataset,
        )
    )
    return {"datasetExportJobArn": arn}


# -- Backup Search -------------------------------------------------------------------


def start_search_result_export_job(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    check(ctx, "StartSearchResultExportJob", params)
    s3 = (params["ExportSpecification"] or {}).get("s3ExportSpecification")
    if not s3:
        raise ctx.errors.invalid_input("ExportSpecification must have s3ExportSpecification.")
    token = params.get("ClientToken")
    request = json.dumps({k: v for k, v in params.items() if k != "ClientToken"}, sort_keys=True)
    if token:
        for job in ctx.scenario.listing("backupsearch", "export", ctx.region):
            if job.attrs.get("_client_token") != token:
                continue
            if job.attrs.get("_request") != request:
                raise ApiError(
                    "ConflictException",
                    "The client token was already used for a different request.",
                    409,
                )
            return {"ExportJobArn": job.attrs["ExportJobArn"], "ExportJobIdentifier": job.id}
    search = ctx.scenario.find("backupsearch", params["SearchJobIdentifier"], "search-job")
    if search is None or search.region != ctx.region:
        raise ctx.errors.missing(f"Search job {params['SearchJobIdentifier']} does not exist.")
    ident = ctx.scenario.uuid()
    arn = f"arn:aws:backup-search:{ctx.region}:{ctx.scenario.account}:search-export-job/{ident}"
    where = f"s3://{s3['DestinationBucket']}/{s3.get('DestinationPrefix') or ''}"
    fails = _denied(where)

    def fields(status: str, at: float) -> dict[str, Any]:
        if status == "FAILED":
            return {
                "CompletionTime": At(at),
                "StatusMessage": f"Access Denied when writing results to {where}. Verify that "
                "the bucket policy allows s3:PutObject for the AWS Backup service role.",
            }
        return {"CompletionTime": At(at)} if status == "COMPLETED" else {}

    now = ctx.elapsed
    ctx.scenario.add(
        Job(
            "backupsearch",
            "export",
            ctx.region,
            ident,
            now,
            _phases(ctx, BACKUPSEARCH_FAIL if fails else BACKUPSEARCH_OK, fields),
            {
                "ExportJobIdentifier": ident,
                "ExportJobArn": arn,
                "CreationTime": At(now),
                "SearchJobArn": search.attrs["SearchJobArn"],
                "ExportSpecification": {"s3ExportSpecification": dict(s3)},
                "_client_token": token,
                "_request": request,
            },
            aliases=(arn,),
        )
    )
    return {"ExportJobArn": arn, "ExportJobIdentifier": ident}


# -- Pinpoint ------------------------------------------------------------------------


def create_export_job(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    check(ctx, "CreateExportJob", params)
    app = ctx.scenario.find("pinpoint", params["ApplicationId"], "application")
    if app is None or app.region != ctx.region:
        raise ctx.errors.missing("Resource not found")
    # Segments are not modelled: any SegmentId names one, at any version.
    request = params["ExportJobRequest"]
    ident = ctx.scenario.hex(32)
    fails = _denied(request["S3UrlPrefix"])
    pieces = iter(range(PINPOINT_PIECES + 1))

    def fields(status: str, at: float) -> dict[str, Any]:
        if status in ("CREATED", "PENDING_JOB"):
            return _pieces(0, PINPOINT_PIECES if status == "PENDING_JOB" else 0)
        if status == "PROCESSING":
            return _pieces(next(pieces), PINPOINT_PIECES)
        if status == "COMPLETING":
            return _pieces(PINPOINT_PIECES, PINPOINT_PIECES)
        if status == "COMPLETED":
            return {"CompletionDate": At(at)}
        if status == "FAILING":
            return {
                **_pieces(0, PINPOINT_PIECES, 1),
                "Failures": [
                    f"Unable to write to {request['S3UrlPrefix']}: Access Denied "
                    "(Service: Amazon S3; Status Code: 403; Error Code: AccessDenied)"
                ],
            }
        if status == "FAILED":
            return {**_pieces(0, PINPOINT_PIECES, PINPOINT_PIECES), "CompletionDate": At(at)}
        return {}

    now = ctx.elapsed
    definition = {
        k: request[k]
        for k in ("RoleArn", "S3UrlPrefix", "SegmentId", "SegmentVersion")
        if request.get(k) is not None
    }
    job = ctx.scenario.add(
        Job(
            "pinpoint",
            "export",
            ctx.region,
            ident,
            now,
            _phases(ctx, PINPOINT_FAIL if fails else PINPOINT_OK, fields),
            {
                "Id": ident,
                "ApplicationId": app.id,
                "Type": "EXPORT",
                "CreationDate": At(now),
                "Definition": definition,
            },
            parent=app.id,
        )
    )
    return {"ExportJobResponse": ctx.view(job, "JobStatus", iso=True)}


def _pieces(done: int, total: int, failed: int = 0) -> dict[str, Any]:
    return {
        "CompletedPieces": done,
        "TotalPieces": total,
        "FailedPieces": failed,
        "TotalProcessed": done * 2500,
        "TotalFailures": failed * 2500,
    }


# -- Application Discovery -------------------------------------------------------------


def start_export_task(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    if not ctx.scenario.home_region or ctx.region != ctx.scenario.home_region:
        raise ApiError(
            "HomeRegionNotSetException",
            "The home region is not set. Set a home region to continue.",
            400,
        )
    check(ctx, "StartExportTask", params)
    known = {a for j in ctx.scenario.listing("discovery", "export-task", ctx.region)
             for a in j.attrs.get("_agents", ())}  # fmt: skip
    agents: list[str] = []
    for flt in params.get("filters") or []:
        if flt["name"] != "agentIds" or flt["condition"] != "EQUALS":
            raise ctx.errors.invalid_input(
                f"Invalid filter: {flt['name']} {flt['condition']}. "
                "Supported filter: agentIds with condition EQUALS."
            )
        agents.extend(flt["values"])
    start, end = params.get("startTime"), params.get("endTime")
    if start is not None and end is not None and float(end) <= float(start):
        raise ctx.errors.invalid_input("The start time must be before the end time.")
    unknown = [a for a in agents if a not in known]
    ident = f"export-{ctx.scenario.uuid()}"
    signature = ctx.scenario.hex(64)

    def fields(status: str, at: float) -> dict[str, Any]:
        if status == "SUCCEEDED":
            return {
                "statusMessage": "Data export completed successfully.",
                "configurationsDownloadUrl": DownloadUrl(ident, signature),
            }
        if status == "FAILED":
            return {
                "statusMessage": f"Export failed: no data was collected by agent {unknown[0]} "
                "in the requested time range."
            }
        return {"statusMessage": "Data export is in progress."}

    now = ctx.elapsed
    attrs: dict[str, Any] = {
        "exportId": ident,
        "exportRequestTime": At(now),
        "_agents": agents or sorted(known),
    }
    if start is not None:
        attrs["requestedStartTime"] = At(float(start) - ctx.clock.start_wall)
    if end is not None:
        attrs["requestedEndTime"] = At(float(end) - ctx.clock.start_wall)
    ctx.scenario.add(
        Job(
            "discovery",
            "export-task",
            ctx.region,
            ident,
            now,
            _phases(ctx, DISCOVERY_FAIL if unknown else DISCOVERY_OK, fields),
            attrs,
        )
    )
    return {"exportId": ident}
