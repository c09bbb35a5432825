"""RDS and Aurora: exports of DB snapshots, DB cluster snapshots and DB clusters to S3.

A task's id in the registry is its ARN (``arn:aws:rds:REGION:ACCOUNT:export-task:NAME``):
the identifier a caller chooses is unique per account and region only. The sources
(snapshots, clusters) are jobs too, so that a start can tell a missing source from
one still being created.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from exportctl.sandbox import parquet
from exportctl.sandbox.jobs import DAY, HOUR, MINUTE, At, Job, Phase
from exportctl.sandbox.registry import Registry

SERVICE = "rds"
KIND = "export-task"
# The ARN's resource type, the registry kind of that source, and its SourceType.
SOURCES = {
    "snapshot": ("db-snapshot", "SNAPSHOT"),
    "cluster-snapshot": ("db-cluster-snapshot", "SNAPSHOT"),
    "cluster": ("db-cluster", "CLUSTER"),
}
RUNNING = ("STARTING", "IN_PROGRESS")
COMPLETE = "COMPLETE"

# (seconds after the start, Status, PercentProgress) of a started task.
STARTED_OK = (
    (0.0, "STARTING", 0),
    (30.0, "IN_PROGRESS", 0),
    (45.0, "IN_PROGRESS", 25),
    (60.0, "IN_PROGRESS", 50),
    (75.0, "IN_PROGRESS", 75),
    (90.0, "COMPLETE", 100),
)
STARTED_FAIL = ((0.0, "STARTING", 0), (30.0, "IN_PROGRESS", 0), (50.0, "FAILED", 0))
# A cancelled task says CANCELING this long before CANCELED.
CANCEL_SECONDS = 20.0

# Each engine's databases and their tables, as "database/schema.table" (a MySQL
# database is its own schema), the layout of the export's folders.
TABLES = {
    "orders": ("orders/public.orders", "orders/public.customers", "orders/public.line_items"),
    "billing": ("billing/billing.invoices", "billing/billing.payments", "billing/billing.refunds"),
    "analytics": (
        "analytics/public.events",
        "analytics/public.sessions",
        "analytics/reporting.daily_rollup",
    ),
}


def task_arn(region: str, account: str, ident: str) -> str:
    return f"arn:aws:rds:{region}:{account}:export-task:{ident}"


def denied_cause(role: str, bucket: str) -> str:
    return (
        f"The IAM role {role} does not have permission to write to the S3 bucket {bucket}. "
        "Make sure its policy allows s3:PutObject*, s3:GetObject*, s3:ListBucket, "
        f"s3:DeleteObject* and s3:GetBucketLocation on arn:aws:s3:::{bucket} and "
        f"arn:aws:s3:::{bucket}/*."
    )


def timeline(
    start: float,
    steps: tuple[tuple[float, str, int], ...],
    gigabytes: int,
    *,
    scale: float = 1.0,
    failure: str | None = None,
    warning: str | None = None,
) -> list[Phase]:
    """The phases of a task started at ``start`` (``scale`` stretches seeded ones)."""
    phases = []
    started = False
    for after, status, percent in steps:
        at = start + after * scale
        fields: dict[str, Any] = {
            "PercentProgress": percent,
            "TotalExtractedDataInGB": gigabytes * percent // 100,
        }
        if status == "IN_PROGRESS" and not started:
            # The service stamps a task's start once it leaves STARTING.
            fields["TaskStartTime"] = At(at)
            started = True
        if status in ("COMPLETE", "FAILED"):
            fields["TaskEndTime"] = At(at)
        if status == "FAILED" and failure:
            fields["FailureCause"] = failure
        if status == "COMPLETE" and warning:
            fields["WarningMessage"] = warning
        phases.append(Phase(at, status, fields))
    return phases


def cancelled(phases: list[Phase], now: float) -> list[Phase]:
    """A task's phases once it is cancelled at ``now``: what had happened, then the stop."""
    past = [p for p in phases if p.at <= now] or phases[:1]
    return [
        *past,
        Phase(now, "CANCELING", {}),
        Phase(now + CANCEL_SECONDS, "CANCELED", {"TaskEndTime": At(now + CANCEL_SECONDS)}),
    ]


def exported_tables(tables: list[str], export_only: list[str]) -> list[str]:
    """The tables an ExportOnly list keeps (every table without one)."""
    if not export_only:
        return list(tables)
    kept = []
    for table in tables:
        database, _, qualified = table.partition("/")
        schema, _, name = qualified.partition(".")
        names = {database, f"{database}.{schema}", f"{database}.{name}"}
        names.add(f"{database}.{schema}.{name}")
        if names & set(export_only):
            kept.append(table)
    return kept


def add_task(
    sc: Registry,
    region: str,
    ident: str,
    source: Job,
    created: float,
    phases: list[Phase],
    *,
    bucket: str,
    prefix: str = "",
    role: str,
    kms: str,
    export_only: list[str] | None = None,
) -> Job:
    attrs: dict[str, Any] = {
        "ExportTaskIdentifier": ident,
        "SourceArn": source.id,
        # A cluster export has no snapshot: the clone it reads is made as the task starts.
        "SnapshotTime": source.attrs["_snapshot_time"] or At(created),
        "S3Bucket": bucket,
        "S3Prefix": prefix,
        "IamRoleArn": role,
        "KmsKeyId": kms,
        "SourceType": source.attrs["_source_type"],
        "_tables": exported_tables(source.attrs["_tables"], export_only or []),
    }
    if export_only:
        attrs["ExportOnly"] = list(export_only)
    job = Job(SERVICE, KIND, region, task_arn(region, sc.account, ident), created, phases, attrs)
    return sc.add(job)


def add_source(
    sc: Registry,
    region: str,
    resource: str,
    name: str,
    database: str,
    created: float,
    available_at: float | None = None,
) -> Job:
    kind, source_type = SOURCES[resource]
    arn = f"arn:aws:rds:{region}:{sc.account}:{resource}:{name}"
    phases = [Phase(created, "available")]
    if available_at is not None:
        phases = [Phase(created, "creating"), Phase(available_at, "available")]
    attrs = {
        "_name": name,
        "_source_type": source_type,
        "_snapshot_time": None if resource == "cluster" else At(created),
        "_tables": list(TABLES[database]),
    }
    return sc.add(Job(SERVICE, kind, region, arn, created, phases, attrs))


def _place(sc: Registry, region: str) -> tuple[str, str, str, str]:
    """The bucket, the bucket the role cannot write, the role and the KMS key of the
    account's tasks in ``region``."""
    account = sc.account
    # From a digest, not the world's generator: the ids later creates get stay the same.
    h = _digest(account, region, "kms")
    return (
        f"exportctl-sandbox-rds-{region}",
        f"exportctl-sandbox-rds-denied-{region}",
        f"arn:aws:iam::{account}:role/RdsSnapshotExportRole",
        f"arn:aws:kms:{region}:{account}:key/{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}",
    )


def populate(sc: Registry, region: str) -> None:
    bucket, denied, role, kms = _place(sc, region)
    orders = add_source(sc, region, "snapshot", "orders-pg-2026-11-16", "orders", -7 * DAY)
    analytics = add_source(sc, region, "cluster", "analytics-aurora", "analytics", -90 * DAY)

    def task(ident: str, source: Job, created: float, phases: list[Phase], **kw: Any) -> None:
        where: dict[str, Any] = {"bucket": bucket, "role": role, "kms": kms, **kw}
        add_task(sc, region, ident, source, created, phases, **where)

    # The same identifier in every region: it is unique per account and region only.
    week = -6 * DAY
    task(
        "orders-weekly-2026-46",
        orders,
        week,
        timeline(week, STARTED_OK, 14, scale=20),
        prefix="exports/orders",
    )
    if region != sc.primary:
        task(
            "analytics-eu-denied",
            analytics,
            -30 * HOUR,
            timeline(-30 * HOUR, STARTED_FAIL, 0, scale=4, failure=denied_cause(role, denied)),
            bucket=denied,
        )
        # Running, until 20 minutes into the session.
        slow = (
            (0.0, "STARTING", 0),
            (60.0, "IN_PROGRESS", 0),
            (180.0, "IN_PROGRESS", 10),
            (600.0, "IN_PROGRESS", 50),
            (1440.0, "COMPLETE", 100),
        )
        task("analytics-eu-nightly", analytics, -4 * MINUTE, timeline(-4 * MINUTE, slow, 6))
        return
    automated = add_source(
        sc, region, "snapshot", "rds:orders-pg-2026-11-23-05-10", "orders", -10 * HOUR
    )
    billing = add_source(
        sc, region, "cluster-snapshot", "billing-aurora-2026-11-21", "billing", -2 * DAY - 2 * HOUR
    )
    # Still being made: a start is refused until it is available.
    add_source(sc, region, "snapshot", "orders-pg-pre-migration", "orders", -MINUTE, 2 * MINUTE)
    skipped = (
        "The following tables were skipped because their column names contain unsupported "
        "characters: billing.legacy_import."
    )
    task(
        "billing-invoices-nov",
        billing,
        -2 * DAY,
        timeline(-2 * DAY, STARTED_OK, 3, scale=8, warning=skipped),
        prefix="exports/billing",
        export_only=["billing.invoices", "billing.payments"],
    )
    task(
        "orders-denied-2026-11-22",
        orders,
        -26 * HOUR,
        timeline(-26 * HOUR, STARTED_FAIL, 0, scale=3, failure=denied_cause(role, denied)),
        bucket=denied,
    )
    # Cancelled 40 minutes in, at 75%.
    nightly = -20 * HOUR
    task(
        "orders-nightly-2026-11-22",
        orders,
        nightly,
        cancelled(timeline(nightly, STARTED_OK, 14, scale=30), nightly + 40 * MINUTE),
    )
    # Completes a minute into the session.
    live = (
        (0.0, "STARTING", 0),
        (30.0, "IN_PROGRESS", 0),
        (120.0, "IN_PROGRESS", 20),
        (170.0, "IN_PROGRESS", 40),
        (240.0, "COMPLETE", 100),
    )
    task("analytics-live-export", analytics, -3 * MINUTE, timeline(-3 * MINUTE, live, 20))
    # STARTING for four more minutes, then about ten in progress: there to be cancelled.
    task(
        "orders-automated-1123",
        automated,
        -40.0,
        timeline(-40.0, STARTED_OK, 9, scale=10),
        prefix="exports/automated/",
    )


def output_uri(job: Job) -> str:
    """Where a task writes: ``s3://bucket/S3Prefix/ExportTaskIdentifier/``."""
    prefix = str(job.attrs["S3Prefix"]).strip("/")
    base = f"{prefix}/" if prefix else ""
    return f"s3://{job.attrs['S3Bucket']}/{base}{job.attrs['ExportTaskIdentifier']}/"


# Generated tasks are older than every seeded one (a week old, the oldest).
BULK_BEFORE = 7 * DAY


def populate_bulk(sc: Registry, region: str, count: int) -> None:
    """``count`` finished tasks in ``region``, for scale tests: one every 97 s before
    the seeded ones (newest first, as listed), most ``COMPLETE``, one in 17 ``FAILED``
    (a role that cannot write), one in 23 ``CANCELED``, of one snapshot. None is
    running, so starts behave as in the seeded world. They leave nothing in the
    sandbox's S3 (10,000 tasks would be 150,000 objects): their output location is
    empty.
    """
    bucket, denied, role, kms = _place(sc, region)
    oldest = -(count + 1) * 97.0 - BULK_BEFORE
    source = add_source(sc, region, "snapshot", "orders-pg-archive", "orders", oldest - HOUR)
    for i in range(count):
        created = -(i + 1) * 97.0 - BULK_BEFORE
        started = created + 30.0
        ended = started + 60.0 + (i % 11) * 30.0
        gigabytes = 1 + i % 9
        fields: dict[str, Any] = {"TaskStartTime": At(started), "TaskEndTime": At(ended)}
        if i % 17 == 0:
            status, where = "FAILED", denied
            fields.update(PercentProgress=0, TotalExtractedDataInGB=0)
            fields["FailureCause"] = denied_cause(role, denied)
        elif i % 23 == 0:
            status, where = "CANCELED", bucket
            fields.update(PercentProgress=40, TotalExtractedDataInGB=gigabytes * 40 // 100)
        else:
            status, where = "COMPLETE", bucket
            fields.update(PercentProgress=100, TotalExtractedDataInGB=gigabytes)
        job = add_task(
            sc, region, f"orders-archive-{i:05d}", source, created,
            [Phase(created, status, fields)],
            bucket=where, prefix="archive", role=role, kms=kms,
        )  # fmt: skip
        job.attrs["_output_uri"] = ""


def _digest(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def objects(job: Job, to_epoch: Callable[[float], float]) -> dict[str, bytes]:
    """What a completed task leaves in its folder (see :func:`output_uri`): one folder per
    database and table holding a ``1/`` batch of GZIP Parquet parts and Spark's
    ``_SUCCESS`` marker, and the task's two JSON summaries beside them."""
    ident = str(job.attrs["ExportTaskIdentifier"])
    prefix = output_uri(job).removeprefix("s3://").partition("/")[2]
    tables: list[str] = list(job.attrs["_tables"])
    status, fields = job.state(float("inf"))
    objects: dict[str, bytes] = {}
    statuses = []
    for table in tables:
        database, _, qualified = table.partition("/")
        h = _digest(job.id, table)
        uuid = f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"
        rows = 10 + int(h[32:34], 16) % 40
        short = qualified.rpartition(".")[2]
        body = parquet.write(
            [
                ("id", list(range(1, rows + 1))),
                ("name", [f"{short}-{h[i % 48 : i % 48 + 8]}" for i in range(rows)]),
                ("updated_at", [1763900000 + 3600 * i for i in range(rows)]),
            ]
        )
        folder = f"{prefix}{database}/{qualified}/1/"
        objects[f"{folder}part-00000-{uuid}-c000.gz.parquet"] = body
        objects[f"{folder}_SUCCESS"] = b""
        target = qualified if qualified.startswith(f"{database}.") else f"{database}.{qualified}"
        statuses.append({"target": target, "status": COMPLETE, "sizeGB": 0.0})

    def stamp(value: Any) -> str | None:
        if not isinstance(value, At):
            return None
        moment = datetime.fromtimestamp(to_epoch(value.seconds), timezone.utc)
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")

    info = {
        "exportTaskIdentifier": ident,
        "sourceArn": job.attrs["SourceArn"],
        "exportOnly": job.attrs.get("ExportOnly", []),
        "snapshotTime": stamp(job.attrs["SnapshotTime"]),
        "taskStartTime": stamp(fields.get("TaskStartTime")),
        "taskEndTime": stamp(fields.get("TaskEndTime")),
        "s3Bucket": job.attrs["S3Bucket"],
        "s3Prefix": job.attrs["S3Prefix"],
        "exportedFilesPath": prefix.rstrip("/"),
        "iamRoleArn": job.attrs["IamRoleArn"],
        "kmsKeyId": job.attrs["KmsKeyId"],
        "status": status,
        "percentProgress": fields.get("PercentProgress", 100),
        "totalExtractedDataInGB": fields.get("TotalExtractedDataInGB", 0),
        "sourceType": job.attrs["SourceType"],
    }
    objects[f"{prefix}export_info_{ident}.json"] = json.dumps(info, indent=2).encode()
    name = f"export_tables_info_{ident}_from_1_to_{len(tables)}.json"
    objects[f"{prefix}{name}"] = json.dumps({"perTableStatus": statuses}, indent=2).encode()
    return objects
