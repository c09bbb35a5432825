"""Amazon CloudWatch Logs export tasks: a log group's events of a time range, to S3
(CreateExportTask).

A task has no ARN: it is known by the id the service gives it (``logs:REGION:ID``).
Its times are epoch milliseconds. An account runs one active export task per
region at a time: ``start`` says so before the service refuses.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from exportctl.domain.model import State
from exportctl.domain.timeutil import as_utc, now
from exportctl.services.spec import (
    ActiveLimit,
    Cancel,
    Create,
    Derived,
    Fields,
    Get,
    Output,
    Page,
    Raw,
    ServiceSpec,
    StartOption,
    StatusFilter,
    bucket_name,
)

# What the service uses when a create names no prefix.
DEFAULT_PREFIX = "exportedlogs"
LIMIT = "CloudWatch Logs runs one active export task at a time per account and region"


def _time(ms: Any) -> datetime | None:
    if isinstance(ms, bool) or not isinstance(ms, (int, float)):
        return None
    try:
        return datetime.fromtimestamp(ms / 1000, timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None


def _ms(when: Any) -> int:
    moment = as_utc(when)
    assert moment is not None, when
    return int(moment.timestamp() * 1000)


def _at(path: str) -> Derived:
    """A time in epoch milliseconds at ``path``, as a datetime."""
    head, _, member = path.rpartition(".")

    def read(raw: Raw) -> datetime | None:
        node = raw.get(head) if head else raw
        return _time(node.get(member)) if isinstance(node, Mapping) else None

    return Derived((path,), read)


def destination(raw: Raw) -> str | None:
    """Where a task writes: ``s3://destination/destinationPrefix/taskId/``."""
    bucket, task = raw.get("destination"), raw.get("taskId")
    if not bucket or not task:
        return None
    given = raw.get("destinationPrefix")
    prefix = str(DEFAULT_PREFIX if given is None else given).strip("/")
    return f"s3://{bucket}/{prefix + '/' if prefix else ''}{task}/"


def _range(start: Any) -> Mapping[str, Any]:
    # The end defaults to now; --end-time, read after, replaces it.
    return {"from": _ms(start), "to": _ms(now())}


CREATE = Create(
    operation="CreateExportTask",
    options=(
        StartOption("log-group", "The log group whose events to export.", "logGroupName",
                    record="details.log_group_name", required=True, metavar="NAME"),
        StartOption("start-time", "Export the events from then on: a date, a time, or 2d "
                    "(that long ago).", _range, record="details.from", required=True,
                    kind="time", metavar="TIME"),
        StartOption("end-time", "Export the events until then (default: now).",
                    lambda end: {"to": _ms(end)}, record="details.to", kind="time",
                    metavar="TIME"),
        StartOption("bucket", "The S3 bucket the files go to (in the log group's region).",
                    "destination", record="details.bucket", required=True,
                    metavar="BUCKET", check=bucket_name),
        StartOption("prefix", f"The folder in the bucket (default: {DEFAULT_PREFIX}); the "
                    "files go under PREFIX/TASK_ID/.", "destinationPrefix",
                    record="details.prefix", metavar="PREFIX", empty=True),
        # The service does not report it: rerun cannot reuse it.
        StartOption("stream-prefix", "Only the log streams whose names start with this.",
                    "logStreamNamePrefix", metavar="PREFIX"),
        StartOption("name", "A name for the task (names need not be unique).", "taskName",
                    record="name", metavar="NAME"),
    ),
    id="taskId",
    permissions="(the bucket's policy lets CloudWatch Logs write)",
    idempotency="listing",
    reused="CloudWatch Logs log group, time range, bucket, prefix and name",
    not_reused="CloudWatch Logs does not report an export task's stream prefix, so a "
    "rerun exports every stream of the log group in that time range.",
    listing_scope=lambda request: {},
    quotas={"LimitExceededException": LIMIT},
    active_limit=ActiveLimit(
        count=1, statuses=("PENDING", "RUNNING"), says=LIMIT, filter="statusCode"
    ),
    periods=(("start-time", "end-time"),),
    examples=(
        "exportctl --sandbox start logs --region eu-west-1 \\\n"
        "    --log-group /ecs/checkout-eu --start-time 1d \\\n"
        "    --bucket exportctl-sandbox-logs-eu-west-1",
        "exportctl --sandbox start logs --dry-run --log-group \\\n"
        "    /aws/lambda/orders-api --start-time 2026-11-22 \\\n"
        "    --end-time 2026-11-23 --bucket log-archive",
        "exportctl start logs --log-group /ecs/web --start-time \\\n"
        "    2h --bucket my-log-archive --queue --wait \\\n"
        "    --download ./web-logs",
    ),
)  # fmt: skip

SPEC = ServiceSpec(
    name="logs",
    title="Amazon CloudWatch Logs",
    long_title="Amazon CloudWatch Logs (log group exports to S3)",
    client="logs",
    aliases=("cloudwatch-logs", "cwl"),
    prefix="logs",
    statuses={
        "PENDING": State.PENDING,
        "RUNNING": State.RUNNING,
        "COMPLETED": State.COMPLETED,
        "FAILED": State.FAILED,
        # Being cancelled: it will be CANCELLED, never COMPLETED.
        "PENDING_CANCEL": State.RUNNING,
        "CANCELLED": State.CANCELLED,
    },
    doomed={"PENDING_CANCEL": frozenset({State.COMPLETED})},
    fields=Fields(
        id="taskId",
        name="taskName",
        status="status.code",
        created=_at("executionInfo.creationTime"),
        completed=_at("executionInfo.completionTime"),
        destination=Derived(("destination", "destinationPrefix", "taskId"), destination),
        message="status.message",
        details={
            "log_group_name": "logGroupName",
            "from": _at("from"),
            "to": _at("to"),
            "bucket": "destination",
            "prefix": "destinationPrefix",
        },
        notes={"name": "the task's name, which need not be unique"},
    ),
    get=Get(
        operation="DescribeExportTasks",
        item="exportTasks.0",
        params=lambda key: {"taskId": key.id},
    ),
    list=Page(
        operation="DescribeExportTasks",
        items="exportTasks",
        input_token="nextToken",
        output_token="nextToken",
        limit_key="limit",
        limit=50,
        # One ExportTaskStatusCode a call.
        status_filter=StatusFilter(
            "statusCode",
            frozenset({"PENDING", "RUNNING", "COMPLETED", "FAILED", "PENDING_CANCEL", "CANCELLED"}),
        ),
    ),
    create=CREATE,
    cancel=Cancel("CancelExportTask", lambda key: {"taskId": key.id}),
    eta_group="details.log_group_name",
    short_title="CloudWatch Logs",
    rank=7,
    # Each stream's events, gzipped: PREFIX/TASK_ID/STREAM/000000.gz.
    output=Output(kind="s3", folder=True, note=": each log stream's events, gzipped"),
)
