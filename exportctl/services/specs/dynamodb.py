"""Amazon DynamoDB table exports to S3 (point-in-time and incremental)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from exportctl.domain.model import State
from exportctl.services.spec import (
    ArnForm,
    Create,
    Derived,
    Fields,
    Get,
    Manifest,
    Output,
    Page,
    Raw,
    Scope,
    ServiceSpec,
    StartOption,
    Summaries,
    s3_parts,
    s3_scheme,
    s3_uri,
)

_SPEC = "IncrementalExportSpecification"
_INCREMENTAL = "details.incremental_export_specification"
_FILTER = "FilterSpecification"

# Service Quotas, "Table export": at most 300 export tasks in flight in an account, or
# 100 TB of tables being exported at once.
CONCURRENT_EXPORTS = 300
# Point-in-time recovery keeps the last 35 days: what an export can be taken of.
PITR_DAYS = 35


def _export_id(raw: Raw) -> str | None:
    # arn:aws:dynamodb:REGION:ACCOUNT:table/NAME/export/ID
    arn = raw.get("ExportArn")
    if not isinstance(arn, str):
        return None
    return arn.rpartition("/")[2] or None


def _destination(raw: Raw) -> str | None:
    bucket = raw.get("S3Bucket")
    return f"s3://{bucket}/{raw.get('S3Prefix') or ''}" if bucket else None


def _failure(raw: Raw) -> str | None:
    code, message = raw.get("FailureCode"), raw.get("FailureMessage")
    return ": ".join(str(part) for part in (code, message) if part) or None


def _to(uri: str) -> Mapping[str, Any]:
    bucket, prefix = s3_parts(uri)
    return {"S3Bucket": bucket, **({"S3Prefix": prefix} if prefix else {})}


def _word(member: str) -> Callable[[Any], Mapping[str, Any]]:
    # The model spells its words with underscores: new-image is NEW_IMAGE.
    return lambda value: {member: str(value).replace("-", "_")}


def _incremental(member: str) -> Callable[[Any], Mapping[str, Any]]:
    return lambda value: {"ExportType": "INCREMENTAL_EXPORT", _SPEC: {member: value}}


def _view(value: str) -> Mapping[str, Any]:
    return {_SPEC: {"ExportViewType": str(value).replace("-", "_")}}


TABLE_EXAMPLE = "arn:aws:dynamodb:us-east-1:123456789012:table/orders"
# The incremental export's period, as ExportTableToPointInTime documents it.
INCREMENTAL_SPAN = (timedelta(minutes=15), timedelta(hours=24))


# A table's ARN; its name is 3 to 255 of these characters.
_TABLE_ARN = re.compile(r"arn:[a-z-]+:dynamodb:[a-z0-9-]+:\d{12}:table/[A-Za-z0-9_.-]{3,255}")


def _table_arn(value: Any) -> str | None:
    # DynamoDB takes no table name here ("Invalid TableArn"), and the account that
    # would make one an ARN is not known without a call of its own.
    if _TABLE_ARN.fullmatch(str(value)):
        return None
    return f"takes the table's ARN, such as {TABLE_EXAMPLE}"


CREATE = Create(
    operation="ExportTableToPointInTime",
    options=(
        StartOption("table", "The table to export (its ARN).", "TableArn",
                    record="details.table_arn", required=True, metavar="ARN", places=True,
                    check=_table_arn),
        StartOption("to", "Where the export goes: s3://bucket/prefix/.", _to,
                    record="destination", required=True, metavar="S3_URI", check=s3_uri,
                    normal=s3_scheme),
        StartOption("format", "DYNAMODB_JSON (default) or ION.", _word("ExportFormat"),
                    record="details.export_format", kind="word", metavar="FORMAT",
                    choices=("DYNAMODB_JSON", "ION")),
        StartOption("export-time", "Export the table as it was then: a date, a time, or 2h "
                    "(that long ago), within the last 35 days. Default: now. Not with "
                    "--incremental-from.", "ExportTime", kind="time", metavar="TIME",
                    excludes="incremental-from"),
        StartOption("incremental-from", "An incremental export of the changes made since "
                    "then (15 minutes to 24 hours before --incremental-to).",
                    _incremental("ExportFromTime"), record=f"{_INCREMENTAL}.export_from_time",
                    kind="time", metavar="TIME"),
        StartOption("incremental-to", "The end of the incremental export's period "
                    "(default: now).", _incremental("ExportToTime"),
                    record=f"{_INCREMENTAL}.export_to_time", kind="time", metavar="TIME",
                    requires="incremental-from"),
        StartOption("view", "What an incremental export writes of each change: NEW_IMAGE "
                    "or NEW_AND_OLD_IMAGES (default).", _view,
                    record=f"{_INCREMENTAL}.export_view_type", kind="word", metavar="VIEW",
                    requires="incremental-from", choices=("NEW_IMAGE", "NEW_AND_OLD_IMAGES")),
        StartOption("sse", "How S3 encrypts the files: AES256 (default) or KMS.",
                    _word("S3SseAlgorithm"), record="details.s3_sse_algorithm", kind="word",
                    metavar="ALGORITHM", choices=("AES256", "KMS")),
        StartOption("kms-key-id", "The KMS key of --sse KMS.", "S3SseKmsKeyId",
                    record="details.s3_sse_kms_key_id", metavar="KEY", requires="sse",
                    requires_value="KMS"),
        StartOption("bucket-owner", "The account that owns the bucket, when it is another.",
                    "S3BucketOwner", record="details.s3_bucket_owner", metavar="ACCOUNT"),
    ),
    id="ExportDescription.ExportArn",
    note="`--kms-key-id` only with `--sse KMS`: without it, or with `--sse AES256`, exit 2",
    permissions="and on the bucket `s3:PutObject`, `s3:PutObjectAcl`, "
    "`s3:AbortMultipartUpload` (the export writes as you)",
    arn="ExportDescription.ExportArn",
    item="ExportDescription",
    idempotency="token",
    token="ClientToken",
    reused="DynamoDB table, destination, format, encryption and incremental period",
    not_reused="A rerun of a DynamoDB full export exports the table as it is then, not as "
    "it was at the export time of the job it reruns; one of an export with a filter "
    "is refused, as start cannot send the filter.",
    unrepeatable={
        "details.filter_specification": "it exported only the items its FilterSpecification "
        "matched, and start cannot send a filter: a rerun would export the whole table"
    },
    listing_scope=lambda request: {"table": request.get("TableArn")},
    periods=(("incremental-from", "incremental-to"),),
    spans={("incremental-from", "incremental-to"): INCREMENTAL_SPAN},
    examples=(
        "exportctl --sandbox start dynamodb --to \\\n"
        "    s3://exportctl-exports/orders/ --table \\\n"
        f"    {TABLE_EXAMPLE}",
        "exportctl --sandbox start dynamodb --dry-run \\\n"
        "    --incremental-from 3h --incremental-to 1h \\\n"
        "    --to s3://exportctl-exports/orders/ --table \\\n"
        f"    {TABLE_EXAMPLE}",
        "exportctl start dynamodb --format ion --wait \\\n"
        "    --download orders --to s3://my-exports/ --table \\\n"
        f"    {TABLE_EXAMPLE}",
    ),
    quotas={
        "LimitExceededException": f"DynamoDB runs at most {CONCURRENT_EXPORTS} table exports "
        "at once in an account (and exports of at most 100 TB of tables): wait for some to "
        "end (exportctl list -s dynamodb --status running), or ask for a higher quota in "
        "Service Quotas",
    },
    # The model's "ExportTime is outside of the point in time recovery window": a
    # time the user chose (--export-time, --incremental-from/-to).
    invalid={
        "InvalidExportTimeException": "an export is of a time within the table's "
        f"point-in-time recovery window: the last {PITR_DAYS} days at most, and none "
        "before recovery was enabled (an incremental export's period too: 15 minutes to "
        "24 hours within it)",
    },
)  # fmt: skip

SPEC = ServiceSpec(
    name="dynamodb",
    title="Amazon DynamoDB",
    long_title="Amazon DynamoDB (table exports to S3)",
    client="dynamodb",
    arn=ArnForm(service="dynamodb", resource="table", nested="export"),
    related_arns={
        "table": "a table's: its exports are `exportctl list -s dynamodb --table ARN`, "
        "a new one `exportctl start dynamodb --table ARN --to S3_URI`",
    },
    statuses={
        "IN_PROGRESS": State.RUNNING,
        "COMPLETED": State.COMPLETED,
        "FAILED": State.FAILED,
    },
    fields=Fields(
        id=Derived(paths=("ExportArn",), fn=_export_id),
        arn="ExportArn",
        status="ExportStatus",
        created="StartTime",
        completed="EndTime",
        destination=Derived(paths=("S3Bucket", "S3Prefix"), fn=_destination),
        message=Derived(paths=("FailureCode", "FailureMessage"), fn=_failure),
        details={
            "table_arn": "TableArn",
            "export_type": "ExportType",
            "export_time": "ExportTime",
            "item_count": "ItemCount",
            "billed_size_bytes": "BilledSizeBytes",
            "failure_code": "FailureCode",
            "export_format": "ExportFormat",
            "incremental_export_specification": _SPEC,
            "export_manifest": "ExportManifest",
        },
        # A filter's placeholders (#name, :value) are the user's words, and the values
        # they stand for DynamoDB JSON ({"S": "cust#42"}), kept whole.
        maps=(f"{_FILTER}.ExpressionAttributeNames", f"{_FILTER}.ExpressionAttributeValues"),
        as_given=(f"{_FILTER}.ExpressionAttributeValues.*",),
        notes={
            "id": "the export's id, the end of its ARN",
            "message": "its failure code and message",
        },
    ),
    get=Get(
        operation="DescribeExport",
        item="ExportDescription",
        params=lambda key: {"ExportArn": key.arn},
        by_arn=True,
    ),
    list=Page(
        operation="ListExports",
        items="ExportSummaries",
        input_token="NextToken",
        output_token="NextToken",
        limit_key="MaxResults",
        limit=25,
    ),
    # ListExports tells an export's ARN, status and type, nothing more: its times,
    # table, counts and failure come from DescribeExport.
    summaries=Summaries(concurrency=8),
    scopes=(
        Scope(
            name="table",
            param="TableArn",
            help="DynamoDB: only the exports of this table (its ARN).",
            metavar="ARN",
        ),
    ),
    create=CREATE,
    eta_group="details.table_arn",
    short_title="DynamoDB",
    rank=5,
    output=Output(
        kind="manifest",
        note=" (`manifest-summary.json`, then the `manifest-files.json` it names)",
        manifest=Manifest(
            record="details.export_manifest",
            files="manifestFilesS3Key",
            key="dataFileS3Key",
            md5="md5Checksum",
        ),
    ),
)
