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
from typing import Any

from exportctl.sandbox.jobs import DAY, HOUR, At, Job, Phase
from exportctl.sandbox.registry import Registry

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


def add_task(
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


def denied(bucket: str, prefix: str) -> str:
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
        add_task(sc, region, created, timeline, req)

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
        done(failed, 90, "FAILED", denied(bucket, "denied/rds")),
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


# The log groups generated tasks export, each with the name its tasks are given.
BULK_GROUPS = (
    ("/aws/lambda/orders-api", "orders-api"),
    ("/aws/lambda/billing-worker", "billing-worker"),
    ("/ecs/checkout", "checkout"),
    ("/ecs/search", "search"),
    ("/aws/rds/instance/orders-db/postgresql", "orders-db"),
    ("/aws/apigateway/public-api", "public-api"),
    ("/aws/eks/platform/cluster", "platform"),
    ("/var/log/nginx/access", "nginx-access"),
)


def populate_bulk(sc: Registry, region: str, count: int) -> None:
    """``count`` finished tasks in ``region``, for scale tests: one every 97 s before
    the seeded ones (newest first, as listed), most ``COMPLETED``, one in 17
    ``FAILED``, one in 23 ``CANCELLED``; three in four named. None is active, so
    creates behave as in the seeded world. They leave nothing in the sandbox's S3
    (10,000 tasks would be 40,000 objects): their output location is empty.
    """
    # Cheap ids and no per-task RNG calls: 10,000 tasks build in milliseconds.
    base = sc.rng.getrandbits(128)
    bucket = f"exportctl-sandbox-logs-{region}"
    for i in range(count):
        h = f"{(base + i * 0x9E3779B97F4A7C15F39CC0605CEDC835) & (2**128 - 1):032x}"
        ident = f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"
        created = -(i + 1) * 97.0 - 3 * DAY
        group, short = BULK_GROUPS[i % len(BULK_GROUPS)]
        if i % 17 == 0:
            prefix = f"denied/{short}"
            status, message = "FAILED", denied(bucket, prefix)
        elif i % 23 == 0:
            prefix, status, message = short, "CANCELLED", MESSAGES["CANCELLED"]
        else:
            prefix, status, message = short, "COMPLETED", MESSAGES["COMPLETED"]
        took = 60.0 + (i % 11) * 30.0
        attrs: dict[str, Any] = {
            "taskId": ident,
            "logGroupName": group,
            "destination": bucket,
            "destinationPrefix": prefix,
            "from": At(created - DAY),
            "to": At(created - HOUR),
            "_output_uri": "",
        }
        if i % 4:
            attrs["taskName"] = f"{short}-{i:05d}"
        fields = {"message": message, "completionTime": At(created + took)}
        phases = [Phase(created, status, fields)]
        sc.add(Job(SERVICE, KIND, region, ident, created, phases, attrs))


# -- the calls ---------------------------------------------------------------------------


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
