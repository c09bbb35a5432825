"""RDS snapshot exports: StartExportTask, DescribeExportTasks and CancelExportTask.

Errors carry the wire code of the model's fault shape (``ExportTaskNotFoundFault`` is
``ExportTaskNotFound`` on the wire, 404), so that botocore raises the modelled
exception. A started task follows :data:`world.rds.STARTED_OK`, or
:data:`world.rds.STARTED_FAIL` when its bucket or role names ``denied``; a cancelled
one goes CANCELING, then CANCELED :data:`world.rds.CANCEL_SECONDS` later.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from typing import Any

from exportctl.aws.modelcheck import problems, summary
from exportctl.sandbox.context import Context
from exportctl.sandbox.creates import done_after
from exportctl.sandbox.errors import ApiError, ServiceErrors
from exportctl.sandbox.jobs import Job
from exportctl.sandbox.service import Bulk, ServiceWorld
from exportctl.sandbox.world import rds as world

SERVICE = world.SERVICE

_SOURCE_ARN = re.compile(
    r"arn:aws[a-z-]*:rds:(?P<region>[a-z0-9-]+):(?P<account>\d{12}):"
    r"(?P<resource>snapshot|cluster-snapshot|cluster):(?P<name>.+)"
)
_ROLE_ARN = re.compile(r"arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+")
_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_NAME_PART = re.compile(r"[A-Za-z0-9_$]+")
_NOT_FOUND = {
    "snapshot": ("DBSnapshotNotFoundFault", "Could not find snapshot with name {}"),
    "cluster-snapshot": ("DBClusterSnapshotNotFoundFault", "DBClusterSnapshot {} not found."),
    "cluster": ("DBClusterNotFoundFault", "DBCluster {} not found."),
}
# DescribeExportTasks' filters and the member each one matches (status: in lower case).
FILTERS = {
    "export-task-identifier": "ExportTaskIdentifier",
    "s3-bucket": "S3Bucket",
    "source-arn": "SourceArn",
    "status": "Status",
}


def fault(ctx: Context, shape: str, message: str) -> ApiError:
    """The modelled fault ``shape`` with its wire code and HTTP status."""
    error = ctx.model.shape_for(shape).metadata["error"]
    return ApiError(str(error["code"]), message, int(error["httpStatusCode"]))


def check(ctx: Context, operation: str, params: dict[str, Any]) -> None:
    """The model's rules (required members, MaxRecords' range, enums), as creates.check;
    not imported from there, which imports this module's MUTATING."""
    shape = ctx.model.operation_model(operation).input_shape
    found = problems(shape, params) if shape is not None else []
    if found:
        raise ctx.errors.invalid_input(summary(found))


def _task(ctx: Context, ident: str) -> Job:
    arn = world.task_arn(ctx.region, ctx.scenario.account, ident)
    job = ctx.scenario.find(SERVICE, arn, world.KIND)
    if job is None:
        raise fault(ctx, "ExportTaskNotFoundFault", f"Cannot find export task with ID {ident}.")
    return job


def _view(ctx: Context, job: Job) -> dict[str, Any]:
    return ctx.pick("ExportTask", ctx.view(job, "Status"))


def start_export_task(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    check(ctx, "StartExportTask", params)
    ident = str(params["ExportTaskIdentifier"])
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9-]*", ident) or "--" in ident or ident[-1] == "-":
        raise ctx.errors.invalid_input(
            "The parameter ExportTaskIdentifier is not a valid identifier. Identifiers must "
            "begin with a letter; must contain only ASCII letters, digits, and hyphens; and "
            "must not end with a hyphen or contain two consecutive hyphens."
        )
    arn = world.task_arn(ctx.region, ctx.scenario.account, ident)
    if ctx.scenario.find(SERVICE, arn) is not None:
        raise fault(
            ctx,
            "ExportTaskAlreadyExistsFault",
            f"Cannot start export task because a task with the identifier {ident} already exists.",
        )
    source = _source(ctx, str(params["SourceArn"]))
    bucket, role, kms = str(params["S3BucketName"]), str(params["IamRoleArn"]), params["KmsKeyId"]
    prefix = str(params.get("S3Prefix") or "")
    if not _BUCKET.fullmatch(bucket) or ".." in bucket:
        raise fault(ctx, "InvalidS3BucketFault", f"The S3 bucket name {bucket} is not valid.")
    if ":" in prefix:
        raise ctx.errors.invalid_input("The S3Prefix can't contain a colon (:).")
    if not _ROLE_ARN.fullmatch(role):
        raise fault(ctx, "IamRoleNotFoundFault", f"The IAM role {role} was not found.")
    if "denied" in str(kms).lower():
        raise fault(
            ctx,
            "KMSKeyNotAccessibleFault",
            f"The KMS key {kms} is not accessible. Make sure that the caller is allowed "
            "kms:CreateGrant and kms:DescribeKey on it.",
        )
    export_only = [str(item) for item in params.get("ExportOnly") or []]
    for item in export_only:
        parts = item.split(".")
        if len(parts) > 3 or not all(_NAME_PART.fullmatch(p) for p in parts):
            raise fault(
                ctx,
                "InvalidExportOnlyFault",
                f"The ExportOnly value {item} is not valid. Use database, database.table, "
                "database.schema or database.schema.table.",
            )
    denied = "denied" in bucket.lower() or "denied" in role.lower()
    size = 1 + int(hashlib.sha256(arn.encode()).hexdigest()[:4], 16) % 20
    steps = world.STARTED_FAIL if denied else world.STARTED_OK
    failure = world.denied_cause(role, bucket) if denied else None
    job = world.add_task(
        ctx.scenario,
        ctx.region,
        ident,
        source,
        ctx.elapsed,
        world.timeline(ctx.elapsed, steps, size, failure=failure),
        bucket=bucket,
        prefix=prefix,
        role=role,
        kms=str(kms),
        export_only=export_only,
    )
    return _view(ctx, job)


def _source(ctx: Context, arn: str) -> Job:
    match = _SOURCE_ARN.fullmatch(arn)
    if match is None:
        raise ctx.errors.invalid_input(
            f"The parameter SourceArn is not valid: {arn} is not the ARN of a DB snapshot, "
            "a DB cluster snapshot or a DB cluster."
        )
    kind, _ = world.SOURCES[match["resource"]]
    source = ctx.scenario.find(SERVICE, arn, kind)
    if source is None or source.region != ctx.region:
        shape, message = _NOT_FOUND[match["resource"]]
        raise fault(ctx, shape, message.format(match["name"]))
    status, _ = source.state(ctx.elapsed)
    if status != "available":
        raise fault(
            ctx,
            "InvalidExportSourceStateFault",
            f"The source {arn} is {status}; only an available source can be exported.",
        )
    return source


def describe_export_tasks(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    check(ctx, "DescribeExportTasks", params)
    ident = params.get("ExportTaskIdentifier")
    if ident:
        # A lookup by identifier finds a task at once, as a get does; listings may lag.
        jobs = [_task(ctx, str(ident))]
    else:
        jobs = ctx.listed(ctx.scenario.listing(SERVICE, world.KIND, ctx.region))
    source_arn, source_type = params.get("SourceArn"), params.get("SourceType")
    jobs = [
        j
        for j in jobs
        if (not source_arn or j.attrs["SourceArn"] == source_arn)
        and (not source_type or j.attrs["SourceType"] == source_type)
    ]
    for flt in params.get("Filters") or []:
        member = FILTERS.get(flt["Name"])
        if member is None:
            raise ctx.errors.invalid_input(f"Unrecognized filter name: {flt['Name']}.")
        wanted = set(flt["Values"])
        # The service documents the status filter's values in lower case only.
        jobs = [j for j in jobs if _filtered(_view(ctx, j), member) in wanted]
    query = json.dumps([ctx.region, ident, source_arn, source_type, params.get("Filters")])
    scope = f"rds/{hashlib.sha256(query.encode()).hexdigest()[:16]}"
    chunk, marker = ctx.page(jobs, params.get("Marker"), params.get("MaxRecords"), scope)
    # Only the page's tasks are made views: a listing of N tasks read a page at a time
    # would otherwise make N views a page (10,000 tasks: a million views).
    return {"ExportTasks": [_view(ctx, j) for j in chunk], "Marker": marker}


def _filtered(view: dict[str, Any], member: str) -> str:
    value = str(view.get(member, ""))
    return value.lower() if member == "Status" else value


def cancel_export_task(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    check(ctx, "CancelExportTask", params)
    ident = str(params["ExportTaskIdentifier"])
    job = _task(ctx, ident)
    status, _ = job.state(ctx.elapsed)
    if status not in world.RUNNING:
        raise fault(
            ctx,
            "InvalidExportTaskStateFault",
            f"Cannot cancel export task {ident} because it is {status}. Only a task that is "
            "STARTING or IN_PROGRESS can be canceled.",
        )
    # A new job in its place, the old one deleted: a kept world (worldfile) saves the
    # changes to seeded jobs as deletions and additions only. A status pinned through
    # the control API was what the caller saw cancelled: the timeline takes over again.
    phases = world.cancelled(job.phases, ctx.elapsed)
    replacement = dataclasses.replace(job, phases=phases, attrs=dict(job.attrs), override=None)
    ctx.scenario.delete(job)
    ctx.scenario.add(replacement)
    return _view(ctx, replacement)


def _output_uri(job: Job, fields: dict[str, Any], base_url: str) -> str:
    return world.output_uri(job)


WORLD = ServiceWorld(
    name=SERVICE,
    errors=ServiceErrors(
        throttling=("Throttling", 400),
        internal=("InternalFailure", 500),
        denied=("AccessDenied", 403),
        not_found=("ExportTaskNotFound", 404),
        invalid=("InvalidParameterValue", 400),
        bad_token=("InvalidParameterValue", 400),
    ),
    handlers={
        "StartExportTask": start_export_task,
        "DescribeExportTasks": describe_export_tasks,
        "CancelExportTask": cancel_export_task,
    },
    mutating=frozenset({"StartExportTask", "CancelExportTask"}),
    completed=world.COMPLETE,
    output_kinds=(world.KIND,),
    populate=world.populate,
    output_uri=_output_uri,
    job_objects=world.objects,
    bulk=Bulk("rds_tasks", world.populate_bulk),
    course=done_after(world.STARTED_OK),
    cancelling=f"CANCELING for {world.CANCEL_SECONDS:g} s",
    fails="its bucket or role",
    # Its model is large: read at its first request, not at every start.
    deferred=("rds", "query"),
)
