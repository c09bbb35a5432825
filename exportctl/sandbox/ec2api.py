"""EC2's export operations: image and instance export tasks, described, started, cancelled.

Requests are checked the way EC2 checks them: a missing required parameter is
``MissingParameter``, any other broken rule of the model ``InvalidParameterValue``.
A started task follows :mod:`exportctl.sandbox.world.ec2`'s timelines; it ends
deleted (image) or cancelled (instance) when its bucket names ``denied``, the way an
export ends when VM Import/Export may not write there.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from botocore.model import Shape

from exportctl.aws.modelcheck import problems, summary
from exportctl.sandbox.context import Context
from exportctl.sandbox.creates import done_after
from exportctl.sandbox.errors import ApiError, ServiceErrors
from exportctl.sandbox.jobs import Job, Phase
from exportctl.sandbox.service import Bulk, ServiceWorld
from exportctl.sandbox.world import ec2 as world
from exportctl.sandbox.world.ec2 import IMAGE_TASK, INSTANCE_TASK

Handler = Callable[[Context, dict[str, Any]], dict[str, Any]]

_TASK_ID = re.compile(r"export-(?:ami|i)-[0-9a-f]{8,17}")
_AMI_ID = re.compile(r"ami-[0-9a-f]{8,17}")
_INSTANCE_ID = re.compile(r"i-[0-9a-f]{8,17}")
# DescribeExportImageTasks' page limits (the model's DescribeExportImageTasksMaxResults).
MAX_RESULTS = 500
STATES = {IMAGE_TASK: "Status", INSTANCE_TASK: "State"}


def _invalid(message: str) -> ApiError:
    return ApiError("InvalidParameterValue", message, 400)


def _check(ctx: Context, operation: str, params: dict[str, Any]) -> None:
    shape = ctx.model.operation_model(operation).input_shape
    if shape is None:
        return
    missing = _missing(shape, params, "")
    if missing:
        raise ApiError("MissingParameter", f"The request must contain the parameter {missing}")
    found = problems(shape, params)
    if found:
        raise _invalid(summary(found))
    if params.get("DryRun"):
        raise ApiError(
            "DryRunOperation", "Request would have succeeded, but DryRun flag is set.", 412
        )


def _missing(shape: Shape, value: Any, path: str) -> str | None:
    """The wire name of the first required parameter ``value`` lacks (``ExportToS3.S3Bucket``)."""
    if shape.type_name == "list" and isinstance(value, list):
        for n, item in enumerate(value, 1):
            found = _missing(shape.member, item, f"{path}.{n}")
            if found:
                return found
    if shape.type_name != "structure" or not isinstance(value, dict):
        return None
    for name, member in shape.members.items():
        wire = member.serialization.get("name", name)
        wire = f"{wire[0].upper()}{wire[1:]}"
        where = f"{path}.{wire}" if path else wire
        if value.get(name) is None:
            if name in shape.required_members:
                return where
            continue
        found = _missing(member, value[name], where)
        if found:
            return found
    return None


def _tags(params: dict[str, Any], resource: str) -> list[dict[str, str]] | None:
    tags: list[dict[str, str]] = []
    for spec in params.get("TagSpecifications") or []:
        kind = spec.get("ResourceType")
        if kind != resource:
            raise _invalid(f"'{kind}' is not a valid taggable resource type for this operation.")
        tags.extend({"Key": t["Key"], "Value": t.get("Value", "")} for t in spec.get("Tags", []))
    return tags or None


def _task(ctx: Context, ident: str, kind: str) -> Job:
    if not _TASK_ID.fullmatch(ident):
        raise ApiError(
            "InvalidExportTaskID.Malformed",
            f'Invalid id: "{ident}" (expecting "export-ami-..." or "export-i-...")',
        )
    job = ctx.scenario.find("ec2", ident, kind)
    if job is None or job.region != ctx.region:
        raise ctx.errors.missing(f"The export task ID '{ident}' does not exist")
    return job


def _filtered(
    views: list[dict[str, Any]], filters: list[dict[str, Any]], state: str
) -> list[dict[str, Any]]:
    for flt in filters:
        name, wanted = flt.get("Name", ""), set(flt.get("Values") or [])
        if name == "task-state":
            views = [v for v in views if v.get(state) in wanted]
        elif name.startswith("tag:"):
            key = name[4:]
            views = [v for v in views if _tag_values(v, key) & wanted]
        elif name == "tag-key":
            views = [v for v in views if {t["Key"] for t in v.get("Tags") or []} & wanted]
        else:
            raise _invalid(f"The filter '{name}' is invalid")
    return views


def _tag_values(view: dict[str, Any], key: str) -> set[str]:
    return {t["Value"] for t in view.get("Tags") or [] if t["Key"] == key}


def _tasks(ctx: Context, ids: list[str], kind: str) -> list[Job]:
    """The tasks of ``ids``, or every listed one of ``kind`` without."""
    if ids:
        return [_task(ctx, ident, kind) for ident in dict.fromkeys(ids)]
    return ctx.listed(ctx.scenario.listing("ec2", kind, ctx.region))


def _described(ctx: Context, kind: str, jobs: list[Job], shape: str) -> list[dict[str, Any]]:
    return [ctx.pick(shape, ctx.view(job, STATES[kind])) for job in jobs]


# -- reads ---------------------------------------------------------------------------


def describe_export_image_tasks(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    _check(ctx, "DescribeExportImageTasks", params)
    ids = params.get("ExportImageTaskIds") or []
    filters = params.get("Filters") or []
    query = json.dumps([ids, filters], sort_keys=True).encode()
    scope = f"ec2-images/{ctx.region}/{hashlib.sha256(query).hexdigest()[:16]}"
    token, size = params.get("NextToken"), params.get("MaxResults")
    if ids or filters:
        views = _described(ctx, IMAGE_TASK, _tasks(ctx, ids, IMAGE_TASK), "ExportImageTask")
        chunk, token = ctx.page(_filtered(views, filters, STATES[IMAGE_TASK]), token, size, scope)
        return {"ExportImageTasks": chunk, "NextToken": token}
    # Only the page's tasks are made views: a listing of N tasks read a page at a time
    # would otherwise make N views a page.
    jobs, token = ctx.page(_tasks(ctx, [], IMAGE_TASK), token, size, scope)
    views = _described(ctx, IMAGE_TASK, jobs, "ExportImageTask")
    return {"ExportImageTasks": views, "NextToken": token}


def describe_export_tasks(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    _check(ctx, "DescribeExportTasks", params)
    ids = params.get("ExportTaskIds") or []
    views = _filtered(
        _described(ctx, INSTANCE_TASK, _tasks(ctx, ids, INSTANCE_TASK), "ExportTask"),
        params.get("Filters") or [],
        STATES[INSTANCE_TASK],
    )
    # The model pages nothing here: every task comes in one answer.
    return {"ExportTasks": views}


# -- starts --------------------------------------------------------------------------


def export_image(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    _check(ctx, "ExportImage", params)
    token = params.get("ClientToken")
    request = json.dumps({k: v for k, v in params.items() if k != "ClientToken"}, sort_keys=True)
    if token:
        for job in ctx.scenario.listing("ec2", IMAGE_TASK, ctx.region):
            if job.attrs.get("_client_token") != token:
                continue
            if job.attrs.get("_request") != request:
                raise ApiError(
                    "IdempotentParameterMismatch",
                    f"Client token {token} was already used with different parameters.",
                )
            return ctx.pick("ExportImageResult", ctx.view(job, "Status"))
    image = params["ImageId"]
    if not _AMI_ID.fullmatch(image):
        raise ApiError("InvalidAMIID.Malformed", f'Invalid id: "{image}" (expecting "ami-...")')
    found = ctx.scenario.find("ec2", image, "image")
    if found is None or found.region != ctx.region:
        raise ApiError("InvalidAMIID.NotFound", f"The image id '[{image}]' does not exist")
    if found.attrs.get("_marketplace"):
        raise ApiError(
            "NotExportable",
            f"The image ID provided ({image}) is a marketplace AMI and is not exportable.",
        )
    where = params["S3ExportLocation"]
    bucket, prefix = where["S3Bucket"], where.get("S3Prefix")
    tags = _tags(params, IMAGE_TASK)
    role = params.get("RoleName")
    fmt = params["DiskImageFormat"]
    steps = world.IMAGE_FAIL if world.denied(bucket) else world.IMAGE_OK
    failure = world.image_denied_message(bucket, role or "vmimport")
    now = ctx.elapsed
    job = world.image_task(
        ctx.scenario,
        ctx.region,
        f"export-ami-{ctx.scenario.hex(17)}",
        now,
        world.phases(now, steps, failure),
        {
            "Description": params.get("Description"),
            "ImageId": image,
            "DiskImageFormat": fmt,
            "RoleName": role,
            "S3ExportLocation": {"S3Bucket": bucket, "S3Prefix": prefix},
            "Tags": tags,
            "_extension": world.extension(fmt),
            "_client_token": token,
            "_request": request,
        },
    )
    return ctx.pick("ExportImageResult", ctx.view(job, "Status"))


def create_instance_export_task(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    _check(ctx, "CreateInstanceExportTask", params)
    spec = params["ExportToS3Task"]
    if not spec.get("S3Bucket"):
        raise ApiError(
            "MissingParameter", "The request must contain the parameter ExportToS3.S3Bucket"
        )
    instance = params["InstanceId"]
    if not _INSTANCE_ID.fullmatch(instance):
        raise ApiError(
            "InvalidInstanceID.Malformed", f'Invalid id: "{instance}" (expecting "i-...")'
        )
    found = ctx.scenario.find("ec2", instance, "instance")
    if found is None or found.region != ctx.region:
        raise ApiError("InvalidInstanceID.NotFound", f"The instance ID '{instance}' does not exist")
    if not found.attrs.get("_exportable", True):
        raise ApiError(
            "NotExportable",
            f"The instance {instance} is not exportable: it was launched from an AMI that "
            "includes software provided by AWS.",
        )
    environment = params["TargetEnvironment"]
    fmt = spec.get("DiskImageFormat") or ("VMDK" if environment == "vmware" else "VHD")
    container = spec.get("ContainerFormat")
    bucket = spec["S3Bucket"]
    tags = _tags(params, INSTANCE_TASK)
    ident = f"export-i-{ctx.scenario.hex(17)}"
    steps = world.INSTANCE_FAIL if world.denied(bucket) else world.INSTANCE_OK
    now = ctx.elapsed
    job = world.instance_task(
        ctx.scenario,
        ctx.region,
        ident,
        now,
        world.phases(now, steps, world.instance_denied_message(bucket)),
        {
            "Description": params.get("Description"),
            "InstanceExportDetails": {"InstanceId": instance, "TargetEnvironment": environment},
            # The service answers the disk format in lower case ("vmdk"), whatever was asked.
            "ExportToS3Task": {
                "ContainerFormat": container,
                "DiskImageFormat": fmt.lower(),
                "S3Bucket": bucket,
                "S3Key": f"{spec.get('S3Prefix') or ''}{ident}.{world.extension(fmt, container)}",
            },
            "Tags": tags,
        },
    )
    return {"ExportTask": ctx.pick("ExportTask", ctx.view(job, "State"))}


# -- cancel --------------------------------------------------------------------------


def cancel_export_task(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    _check(ctx, "CancelExportTask", params)
    ident = params["ExportTaskId"]
    kind = IMAGE_TASK if ident.startswith("export-ami-") else INSTANCE_TASK
    job = _task(ctx, ident, kind)
    status, fields = job.state(ctx.elapsed)
    # Once the final image is being written to S3, the service no longer cancels.
    if status != "active" or fields.get("StatusMessage") == "uploading":
        where = f"{status} ({fields['StatusMessage']})" if status == "active" else status
        raise ApiError(
            "IncorrectState",
            f"Export task {ident} cannot be cancelled in its current state: {where}.",
        )
    now = ctx.elapsed
    going, gone = ("deleting", "deleted") if kind == IMAGE_TASK else ("cancelling", "cancelled")
    cleared: dict[str, Any] = {"StatusMessage": world.CANCELLED_MESSAGE}
    if kind == IMAGE_TASK:
        cleared["Progress"] = None
    job.phases = [p for p in job.phases if p.at <= now] + [
        Phase(now, going, cleared),
        Phase(now + world.CANCEL_SECONDS, gone, {}),
    ]
    # A status pinned through the control API was what the caller saw cancelled: the
    # timeline takes over again, as for RDS and CloudWatch Logs.
    job.override = None
    return {}


def _output_uri(job: Job, fields: dict[str, Any], base_url: str) -> str:
    return world.output_uri(job)


WORLD = ServiceWorld(
    name="ec2",
    errors=ServiceErrors(
        throttling=("RequestLimitExceeded", 503),
        internal=("InternalError", 500),
        denied=("UnauthorizedOperation", 403),
        not_found=("InvalidExportTaskID.NotFound", 400),
        invalid=("InvalidParameterValue", 400),
        bad_token=("InvalidPaginationToken", 400),
    ),
    handlers={
        "DescribeExportImageTasks": describe_export_image_tasks,
        "DescribeExportTasks": describe_export_tasks,
        "ExportImage": export_image,
        "CreateInstanceExportTask": create_instance_export_task,
        "CancelExportTask": cancel_export_task,
    },
    mutating=frozenset({"ExportImage", "CreateInstanceExportTask", "CancelExportTask"}),
    completed=world.COMPLETED,
    output_kinds=world.OUTPUT_KINDS,
    populate=world.populate,
    output_uri=_output_uri,
    objects=world.objects,
    bulk=Bulk("ec2_tasks", world.populate_bulk),
    course=(
        f"image exports {done_after(world.IMAGE_OK)}, "
        f"instance exports {done_after(world.INSTANCE_OK)}"
    ),
    cancelling=f"deleting or cancelling for {world.CANCEL_SECONDS:g} s",
    # Its model is large (~95 ms to read): read at its first request, not at every start.
    deferred=("ec2", "ec2"),
)
