"""CloudWatch Logs: export tasks of log groups to S3, and the three calls about them.

An account has one active (``PENDING`` or ``RUNNING``) export task per region at a
time: CreateExportTask meanwhile answers LimitExceededException. A log group whose
name holds ``missing`` does not exist; every other name is a log group with three
streams. A destination bucket whose name holds ``missing`` does not exist, one
holding ``denied`` may not be written by the service (both refused by the call, as
the service checks the bucket first); a destination prefix holding ``denied`` lets
the task start, then fail.

In S3 a completed task leaves ``<prefix>/aws-logs-write-test`` (the service's write
check) and ``<prefix>/<taskId>/<logStreamName>/000000.gz``: gzipped lines of
``<ISO time> <message>`` for each stream the task exported.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from exportctl.aws.modelcheck import problems, summary
from exportctl.sandbox.errors import ApiError
from exportctl.sandbox.jobs import DAY, HOUR, At, Job, Phase
from exportctl.sandbox.registry import Registry

if TYPE_CHECKING:
    from exportctl.sandbox.context import Context

SERVICE = "logs"
KIND = "export-task"
# (seconds after the request, status) of a task that succeeds, and of one that fails.
TASK_OK = ((0.0, "PENDING"), (5.0, "RUNNING"), (35.0, "COMPLETED"))
TASK_FAIL = ((0.0, "PENDING"), (5.0, "RUNNING"), (20.0, "FAILED"))
# From CancelExportTask to CANCELLED.
CANCELLING = 5.0
ACTIVE = frozenset({"PENDING", "RUNNING"})
DEFAULT_PREFIX = "exportedlogs"
DESCRIBE_PAGE = 50
WRITE_TEST = b"Permission Check Successful"
# (scenario seconds, status, a message other than the usual one)
Timeline = list[tuple[float, str, str | None]]
MESSAGES = {
    "PENDING": "Pending",
    "RUNNING": "Started Successfully",
    "COMPLETED": "Completed successfully",
    "PENDING_CANCEL": "Cancel requested by user",
    "CANCELLED": "Cancelled by user",
}


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def streams(group: str) -> list[str]:
    """The log streams of a log group, named the way their sources name them."""
    if group.startswith("/aws/lambda/"):
        return [f"2026/11/2{n}/[$LATEST]{_digest(f'{group}{n}')[:32]}" for n in range(3)]
    return [f"ecs/{c}/{_digest(group + c)[:32]}" for c in ("web", "worker", "scheduler")]


def _join(prefix: str, rest: str) -> str:
    return f"{prefix.rstrip('/')}/{rest}" if prefix.strip("/") else rest


def _task(
    sc: Registry,
    region: str,
    created: float,
    timeline: Timeline,
    request: dict[str, Any],
) -> Job:
    """A task asked for at ``created`` going through ``timeline``."""
    ident = sc.uuid()
    attrs: dict[str, Any] = {
        "taskId": ident,
        "destinationPrefix": DEFAULT_PREFIX,
        **{k: v for k, v in request.items() if v is not None},
    }
    phases = []
    for at, status, message in timeline:
        fields: dict[str, Any] = {"message": message or MESSAGES[status]}
        if status in ("COMPLETED", "FAILED", "CANCELLED"):
            fields["completionTime"] = At(at)
        phases.append(Phase(at, status, fields))
    attrs["_output_uri"] = (
        f"s3://{attrs['destination']}/{_join(attrs['destinationPrefix'], ident)}/"
    )
    return sc.add(Job(SERVICE, KIND, region, ident, created, phases, attrs))


def _denied(bucket: str, prefix: str) -> str:
    return (
        f"Access Denied: CloudWatch Logs could not write to s3://{bucket}/{prefix}. Check the "
        "bucket policy and the KMS key policy of the bucket."
    )


def populate(sc: Registry, region: str) -> None:
    bucket = f"exportctl-sandbox-logs-{region}"
    primary = region == sc.primary
    lam = "/aws/lambda/orders-api" if primary else "/aws/lambda/orders-api-eu"

    def task(created: float, timeline: Timeline, **req: Any) -> None:
        req.setdefault("destination", bucket)
        req.setdefault("from", At(created - DAY))
        req.setdefault("to", At(created - HOUR))
        _task(sc, region, created, timeline, req)

    def done(
        created: float, took: float, last: str = "COMPLETED", why: str | None = None
    ) -> Timeline:
        return [
            (created, "PENDING", None),
            (created + 4, "RUNNING", None),
            (created + took, last, why),
        ]

    task(-3 * DAY, done(-3 * DAY, 6 * 60), logGroupName=lam)
    failed = -20 * HOUR if primary else -10 * HOUR
    task(
        failed,
        done(failed, 90, "FAILED", _denied(bucket, "denied/rds")),
        logGroupName="/aws/rds/instance/orders-db/postgresql",
        destinationPrefix="denied/rds",
    )
    if primary:
        task(
            -26 * HOUR,
            done(-26 * HOUR, 11 * 60),
            logGroupName="/ecs/checkout",
            taskName="checkout-web-2026-11-22",
            logStreamNamePrefix="ecs/web",
            destinationPrefix="checkout/web",
        )
        at = -6 * HOUR
        cancelled: Timeline = [
            (at, "PENDING", None),
            (at + 5, "RUNNING", None),
            (at + 60, "PENDING_CANCEL", None),
            (at + 65, "CANCELLED", None),
        ]
        task(at, cancelled, logGroupName="/ecs/checkout", taskName="checkout-all")
        # The region's one active task: creates there wait for it (about 40 s).
        task(-50.0, done(-50.0, 90.0), logGroupName=lam, taskName="orders-api-today")
    else:
        cancelling: Timeline = [
            (-40.0, "PENDING", None),
            (-35.0, "RUNNING", None),
            (-3.0, "PENDING_CANCEL", None),
            (8.0, "CANCELLED", None),
        ]
        task(-40.0, cancelling, logGroupName="/ecs/checkout-eu")


# -- the calls ---------------------------------------------------------------------------


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
    for job in ctx.scenario.listing(SERVICE, KIND, ctx.region):
        if job.state(now)[0] in ACTIVE:
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
    prefix = params.get("destinationPrefix") or DEFAULT_PREFIX
    fails = "denied" in prefix
    timeline = [
        (now + after, status, _denied(bucket, prefix) if status == "FAILED" else None)
        for after, status in (TASK_FAIL if fails else TASK_OK)
    ]
    request = {
        k: params.get(k)
        for k in ("taskName", "logGroupName", "from", "to", "destination", "logStreamNamePrefix")
    }
    request["destinationPrefix"] = prefix
    job = _task(ctx.scenario, ctx.region, now, timeline, request)
    return {"taskId": job.id}


def describe_export_tasks(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    _check(ctx, "DescribeExportTasks", params)
    ident, code = params.get("taskId"), params.get("statusCode")
    if ident:
        # One task or none: an id the service does not know is an empty answer.
        found = ctx.scenario.find(SERVICE, ident, KIND)
        jobs = [found] if found is not None and found.region == ctx.region else []
    else:
        jobs = ctx.listed(ctx.scenario.listing(SERVICE, KIND, ctx.region))
    views = [_view(ctx, j) for j in jobs]
    if code:
        views = [v for v in views if v["status"]["code"] == code]
    size = params.get("limit") or DESCRIBE_PAGE
    scope = f"logs/{ctx.region}/{ident}/{code}"
    chunk, token = ctx.page(views, params.get("nextToken"), size, scope)
    return {"exportTasks": chunk, "nextToken": token}


def cancel_export_task(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    _check(ctx, "CancelExportTask", params)
    job = ctx.scenario.find(SERVICE, params["taskId"], KIND)
    if job is None or job.region != ctx.region:
        raise ctx.errors.missing("The specified export task does not exist.")
    now = ctx.elapsed
    status = job.state(now)[0]
    if status not in ACTIVE:
        finished = status in ("COMPLETED", "FAILED")
        raise ApiError(
            "InvalidOperationException",
            "The specified export task has already finished"
            if finished
            else "The specified export task has already been cancelled",
            400,
        )
    phases = [p for p in job.phases if p.at <= now]
    phases.append(Phase(now, "PENDING_CANCEL", {"message": MESSAGES["PENDING_CANCEL"]}))
    phases.append(
        Phase(
            now + CANCELLING,
            "CANCELLED",
            {"message": MESSAGES["CANCELLED"], "completionTime": At(now + CANCELLING)},
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
            job.override,
        )
    )
    return {}


# -- what a completed task leaves in S3 --------------------------------------------------


def objects(job: Job, to_epoch: Callable[[float], float]) -> dict[str, bytes]:
    attrs = job.attrs

    def ms(value: Any) -> int:
        return round(to_epoch(value.seconds) * 1000) if isinstance(value, At) else int(value)

    start, end = ms(attrs["from"]), ms(attrs["to"])
    prefix = str(attrs["destinationPrefix"])
    wanted = str(attrs.get("logStreamNamePrefix") or "")
    out = {_join(prefix, "aws-logs-write-test"): WRITE_TEST}
    for stream in streams(str(attrs["logGroupName"])):
        if not stream.startswith(wanted):
            continue
        lines = []
        for n in range(20):
            at = start + (end - start) * n // 20
            stamp = datetime.fromtimestamp(at / 1000, timezone.utc)
            text = stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")
            h = _digest(f"{job.id}/{stream}/{n}")
            lines.append(f"{text} INFO request {h[:8]} served in {int(h[8:11], 16) % 900} ms\n")
        key = _join(prefix, f"{job.id}/{stream}/000000.gz")
        out[key] = gzip.compress("".join(lines).encode(), mtime=0)
    return out


HANDLERS: dict[tuple[str, str], Callable[[Context, dict[str, Any]], dict[str, Any]]] = {
    (SERVICE, "CreateExportTask"): create_export_task,
    (SERVICE, "DescribeExportTasks"): describe_export_tasks,
    (SERVICE, "CancelExportTask"): cancel_export_task,
}
MUTATING = frozenset({(SERVICE, "CreateExportTask"), (SERVICE, "CancelExportTask")})
