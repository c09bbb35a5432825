"""CloudWatch Logs export tasks: the operations' handlers, over the world of
:mod:`exportctl.sandbox.world.logs`."""

from __future__ import annotations

from typing import Any

from exportctl.aws.modelcheck import problems, summary
from exportctl.sandbox.context import Context
from exportctl.sandbox.creates import done_after
from exportctl.sandbox.errors import ApiError, ServiceErrors
from exportctl.sandbox.jobs import At, Job, Phase
from exportctl.sandbox.service import Bulk, ServiceWorld
from exportctl.sandbox.world import logs as world


def _check(ctx: Context, operation: str, params: dict[str, Any]) -> None:
    shape = ctx.model.operation_model(operation).input_shape
    found = problems(shape, params) if shape is not None else []
    if found:
        raise ctx.errors.invalid_input(summary(found))


def _ms(ctx: Context, value: Any) -> int:
    """Epoch milliseconds: the service's time (seeded tasks keep scenario instants)."""
    if isinstance(value, At):
        return round(ctx.clock.to_epoch(value.seconds) * 1000)
    return int(value)


def _view(ctx: Context, job: Job) -> dict[str, Any]:
    status, fields = job.state(ctx.elapsed)
    attrs = job.attrs
    out: dict[str, Any] = {
        k: attrs[k]
        for k in ("taskId", "taskName", "logGroupName", "destination", "destinationPrefix")
        if attrs.get(k) is not None
    }
    out["from"], out["to"] = _ms(ctx, attrs["from"]), _ms(ctx, attrs["to"])
    out["status"] = {"code": status, "message": fields.get("message")}
    info = {"creationTime": _ms(ctx, At(job.created))}
    if "completionTime" in fields:
        info["completionTime"] = _ms(ctx, fields["completionTime"])
    out["executionInfo"] = info
    return out


def create_export_task(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    _check(ctx, "CreateExportTask", params)
    start, end = params["from"], params["to"]
    if start > end:
        raise ctx.errors.invalid_input(
            f"Specified time range of {start} and {end} is not valid. Please make sure the "
            "values are within the retention period of the log group and from value is less "
            "than the to values"
        )
    if "missing" in params["logGroupName"]:
        raise ctx.errors.missing("The specified log group does not exist.")
    now = ctx.elapsed
    for job in ctx.scenario.listing(world.SERVICE, world.KIND, ctx.region):
        if job.state(now)[0] in world.ACTIVE:
            raise ApiError("LimitExceededException", "Resource limit exceeded.", 400)
    bucket = params["destination"]
    if "missing" in bucket:
        raise ctx.errors.invalid_input(
            "The given bucket does not exist. Please make sure the bucket is valid."
        )
    if "denied" in bucket:
        raise ctx.errors.invalid_input(
            "GetBucketAcl call on the given bucket failed. Please check if CloudWatch Logs "
            "has been granted permission to perform this operation."
        )
    prefix = params.get("destinationPrefix") or world.DEFAULT_PREFIX
    fails = "denied" in prefix
    timeline = [
        (now + after, status, world.denied(bucket, prefix) if status == "FAILED" else None)
        for after, status in (world.TASK_FAIL if fails else world.TASK_OK)
    ]
    request = {
        k: params.get(k)
        for k in ("taskName", "logGroupName", "from", "to", "destination", "logStreamNamePrefix")
    }
    request["destinationPrefix"] = prefix
    job = world.add_task(ctx.scenario, ctx.region, now, timeline, request)
    return {"taskId": job.id}


def describe_export_tasks(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    _check(ctx, "DescribeExportTasks", params)
    ident, code = params.get("taskId"), params.get("statusCode")
    if ident:
        # One task or none: an id the service does not know is an empty answer.
        found = ctx.scenario.find(world.SERVICE, ident, world.KIND)
        jobs = [found] if found is not None and found.region == ctx.region else []
    else:
        jobs = ctx.listed(ctx.scenario.listing(world.SERVICE, world.KIND, ctx.region))
    if code:
        jobs = [j for j in jobs if j.state(ctx.elapsed)[0] == code]
    size = params.get("limit") or world.DESCRIBE_PAGE
    scope = f"logs/{ctx.region}/{ident}/{code}"
    chunk, token = ctx.page(jobs, params.get("nextToken"), size, scope)
    # Only the page's tasks are made views: a listing of N tasks read a page at a
    # time would otherwise make N views a page (10,000 tasks: 2 million views).
    return {"exportTasks": [_view(ctx, j) for j in chunk], "nextToken": token}


def cancel_export_task(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    _check(ctx, "CancelExportTask", params)
    job = ctx.scenario.find(world.SERVICE, params["taskId"], world.KIND)
    if job is None or job.region != ctx.region:
        raise ctx.errors.missing("The specified export task does not exist.")
    now = ctx.elapsed
    status = job.state(now)[0]
    if status not in world.ACTIVE:
        finished = status in ("COMPLETED", "FAILED")
        raise ApiError(
            "InvalidOperationException",
            "The specified export task has already finished"
            if finished
            else "The specified export task has already been cancelled",
            400,
        )
    phases = [p for p in job.phases if p.at <= now]
    phases.append(Phase(now, "PENDING_CANCEL", {"message": world.MESSAGES["PENDING_CANCEL"]}))
    phases.append(
        Phase(
            now + world.CANCELLING,
            "CANCELLED",
            {"message": world.MESSAGES["CANCELLED"], "completionTime": At(now + world.CANCELLING)},
        )
    )
    # A new job in the old one's place, rather than the old one changed: the worlds
    # that ``--sandbox`` commands keep hold seeded jobs' deletions, not their phases.
    ctx.scenario.delete(job)
    ctx.scenario.add(
        Job(
            job.service,
            job.kind,
            job.region,
            job.id,
            job.created,
            phases,
            dict(job.attrs),
            job.parent,
            job.aliases,
            # A status pinned through the control API was what the caller saw cancelled:
            # the timeline takes over again, as for RDS and EC2.
            None,
        )
    )
    return {}


WORLD = ServiceWorld(
    name=world.SERVICE,
    errors=ServiceErrors(
        throttling=("ThrottlingException", 400),
        internal=("ServiceUnavailableException", 500),
        denied=("AccessDeniedException", 400),
        not_found=("ResourceNotFoundException", 400),
        invalid=("InvalidParameterException", 400),
        bad_token=("InvalidParameterException", 400),
    ),
    handlers={
        "CreateExportTask": create_export_task,
        "DescribeExportTasks": describe_export_tasks,
        "CancelExportTask": cancel_export_task,
    },
    mutating=frozenset({"CreateExportTask", "CancelExportTask"}),
    completed="COMPLETED",
    output_kinds=(world.KIND,),
    populate=world.populate,
    job_objects=world.objects,
    bulk=Bulk("logs_tasks", world.populate_bulk),
    course=done_after(world.TASK_OK),
    cancelling=f"PENDING_CANCEL for {world.CANCELLING:g} s",
    fails="its prefix, while a bucket naming `denied` is refused at once",
)
