"""Amazon RDS and Aurora exports of DB snapshots, DB cluster snapshots and DB clusters
to S3 (StartExportTask).

An export task has no ARN in the API: it is known by the identifier its creator
chose, unique per account and region (``rds:REGION:IDENTIFIER``). The API has no
creation time either: a task's time is when it started, which the service stamps
once it leaves STARTING.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from exportctl.domain.model import State
from exportctl.services.spec import (
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

# What the RDS and Aurora guides document, for snapshots and clusters alike.
LIMIT = (
    "RDS runs at most five export tasks at once per account, and one at a time per "
    "snapshot or cluster"
)


def destination(raw: Raw) -> str | None:
    """Where a task writes: ``s3://S3Bucket/S3Prefix/ExportTaskIdentifier/``."""
    bucket, ident = raw.get("S3Bucket"), raw.get("ExportTaskIdentifier")
    if not bucket or not ident:
        return None
    prefix = str(raw.get("S3Prefix") or "").strip("/")
    return f"s3://{bucket}/{prefix + '/' if prefix else ''}{ident}/"


def _message(raw: Raw) -> Any:
    # A COMPLETE task may still have skipped tables: its warning is what to read.
    return raw.get("FailureCause") or raw.get("WarningMessage")


def _identifier(value: Any) -> str | None:
    """What RDS refuses in an export task's identifier (StartExportTask's
    ExportTaskIdentifier, as the RDS API reference documents it)."""
    text = str(value)
    if re.fullmatch(r"[A-Za-z](?:-?[A-Za-z0-9])*", text) and len(text) <= IDENTIFIER_MAX:
        return None
    return (
        f"an identifier is 1 to {IDENTIFIER_MAX} letters, digits and hyphens, begins "
        "with a letter, and has no two hyphens in a row nor one at its end"
    )


def _export_only(value: Any) -> str | None:
    """What RDS refuses in ExportOnly (InvalidExportOnly): its documented forms only."""
    parts = str(value).split(".")
    if len(parts) > 3 or not all(part.strip() for part in parts):
        return "takes DB, DB.TABLE, DB.SCHEMA or DB.SCHEMA.TABLE"
    return None


def _source_name(request: Mapping[str, Any]) -> str:
    """The readable start of a generated identifier: the source's name, which must
    begin with a letter and hold letters, digits and single hyphens only."""
    # arn:aws:rds:REGION:ACCOUNT:snapshot:NAME (an automated one: snapshot:rds:NAME)
    name = str(request.get("SourceArn") or "").split(":", 6)[-1]
    name = re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-")
    return name if name[:1].isalpha() else f"export-{name}".rstrip("-")


ROLE = "arn:aws:iam::123456789012:role/RdsSnapshotExportRole"
# The longest export task identifier RDS takes (its model gives no maximum).
IDENTIFIER_MAX = 60

CREATE = Create(
    operation="StartExportTask",
    options=(
        StartOption("source-arn", "The DB snapshot, DB cluster snapshot or DB cluster to "
                    "export (its ARN).", "SourceArn", record="details.source_arn",
                    required=True, metavar="ARN", places=True),
        StartOption("bucket", "The S3 bucket the Parquet files go to (in the source's "
                    "region).", "S3BucketName", record="details.s3_bucket", required=True,
                    metavar="BUCKET", check=bucket_name),
        StartOption("prefix", "The folder in the bucket (default: its top); the files go "
                    "under PREFIX/IDENTIFIER/.", "S3Prefix", record="details.s3_prefix",
                    metavar="PREFIX", empty=True),
        StartOption("role-arn", "The IAM role RDS assumes to write there.", "IamRoleArn",
                    record="details.iam_role_arn", required=True, metavar="ARN"),
        StartOption("kms-key", "The KMS key that encrypts the export: its ARN, id, alias "
                    "or alias ARN.", "KmsKeyId", record="details.kms_key_id", required=True,
                    metavar="KEY"),
        StartOption("only", "Export only this database, schema or table: DB, DB.TABLE, "
                    "DB.SCHEMA or DB.SCHEMA.TABLE (repeatable; default: everything).",
                    "ExportOnly", record="details.export_only", multiple=True,
                    metavar="DB[.SCHEMA][.TABLE]", check=_export_only),
        StartOption("name", "The task's identifier, unique in the account and region "
                    "(default: SOURCE-YYYYMMDD-HHMMSS-XXXX).", "ExportTaskIdentifier",
                    metavar="NAME", check=_identifier),
    ),
    id="ExportTaskIdentifier",
    permissions="`iam:PassRole` on the role, and the KMS key's grant operations "
    "(`kms:CreateGrant`, `kms:DescribeKey`)",
    idempotency="name",
    name="ExportTaskIdentifier",
    name_hint=_source_name,
    name_max=IDENTIFIER_MAX,
    reused="RDS source, bucket, prefix, role, KMS key and tables",
    not_found={
        "DBSnapshotNotFound": ("source-arn",),
        "DBClusterSnapshotNotFoundFault": ("source-arn",),
        "DBClusterNotFoundFault": ("source-arn",),
        "IamRoleNotFound": ("role-arn",),
    },
    quotas={
        # Not in the API model, but what the service answers at the limit.
        "ExportTaskLimitReachedFault": LIMIT,
        "ExportTaskLimitReached": LIMIT,
    },
    # An --only in a form RDS does not take (the model's InvalidExportOnlyFault).
    invalid={
        "InvalidExportOnly": "what to export is named as a database, a schema or a table: "
        "DB, DB.TABLE, DB.SCHEMA or DB.SCHEMA.TABLE",
    },
    examples=(
        "exportctl --sandbox start rds --source-arn $(exportctl \\\n"
        "    --sandbox status rds:orders-weekly-2026-46 -o text \\\n"
        "    --fields details.source_arn) --only orders.public \\\n"
        "    --bucket exportctl-exports --kms-key alias/exports \\\n"
        f"    --role-arn \\\n    {ROLE}",
        "exportctl --sandbox start rds --dry-run --source-arn \\\n"
        "    $(exportctl --sandbox status -o text --fields \\\n"
        "    details.source_arn rds:analytics-live-export) \\\n"
        "    --bucket exportctl-exports --kms-key alias/exports \\\n"
        f"    --role-arn \\\n    {ROLE}",
        "exportctl start rds --source-arn \"$SNAPSHOT_ARN\" \\\n"
        "    --bucket my-exports --role-arn \"$ROLE_ARN\" \\\n"
        "    --kms-key alias/exports --wait --download ./orders",
    ),
)  # fmt: skip

SPEC = ServiceSpec(
    name="rds",
    title="Amazon RDS",
    long_title="Amazon RDS and Aurora (snapshot and cluster exports to S3)",
    client="rds",
    aliases=("aurora",),
    prefix="rds",
    # The model leaves Status a free string: these are the words the API documents.
    statuses={
        "STARTING": State.PENDING,
        "IN_PROGRESS": State.RUNNING,
        "COMPLETE": State.COMPLETED,
        "FAILED": State.FAILED,
        # Being cancelled: it will be CANCELED, never COMPLETE.
        "CANCELING": State.RUNNING,
        "CANCELED": State.CANCELLED,
    },
    doomed={"CANCELING": frozenset({State.COMPLETED})},
    fields=Fields(
        id="ExportTaskIdentifier",
        status="Status",
        created="TaskStartTime",
        completed="TaskEndTime",
        destination=Derived(("S3Bucket", "S3Prefix", "ExportTaskIdentifier"), destination),
        message=Derived(("FailureCause",), _message),
        details={
            "source_arn": "SourceArn",
            "source_type": "SourceType",
            "s3_bucket": "S3Bucket",
            "s3_prefix": "S3Prefix",
        },
        notes={
            "id": "the task's identifier",
            "created": "when the task started, `null` while it is STARTING",
            "message": "its failure cause, or the warning of a task that completed with "
            "tables skipped",
        },
    ),
    get=Get(
        operation="DescribeExportTasks",
        item="ExportTasks.0",
        params=lambda key: {"ExportTaskIdentifier": key.id},
    ),
    list=Page(
        operation="DescribeExportTasks",
        items="ExportTasks",
        input_token="Marker",
        output_token="Marker",
        limit_key="MaxRecords",
        limit=100,
        # The filter "status", whose values the API documents in lower case only.
        status_filter=StatusFilter(
            "status",
            frozenset({"STARTING", "IN_PROGRESS", "COMPLETE", "FAILED", "CANCELING", "CANCELED"}),
            named=True,
            value=str.lower,
        ),
    ),
    create=CREATE,
    cancel=Cancel("CancelExportTask", lambda key: {"ExportTaskIdentifier": key.id}),
    eta_group="details.source_arn",
    short_title="RDS",
    rank=6,
    # Parquet files per table, and the task's two JSON summaries.
    output=Output(
        kind="s3",
        folder=True,
        note=": the Parquet files of each table, and the task's JSON summaries",
    ),
)
