"""Amazon Pinpoint endpoint export jobs (per application)."""

from __future__ import annotations

import re

from exportctl.domain.model import State
from exportctl.domain.naming import Named
from exportctl.services.spec import (
    Create,
    Derived,
    FanOut,
    Fields,
    Get,
    Output,
    Page,
    Raw,
    Scope,
    ServiceSpec,
    StartOption,
    s3_scheme,
    s3_uri,
)

END_OF_SUPPORT = "Amazon Pinpoint reached its end of support on 30 October 2026"
_RETIRED = re.compile(r"end of support|no longer (available|supported)|deprecat|retired", re.I)
_REFUSALS = frozenset({"ForbiddenException", "AccessDeniedException", "MethodNotAllowedException"})


def _explain(code: str, message: str, named: Named) -> str | None:
    if _RETIRED.search(message):
        return f"{END_OF_SUPPORT}; AWS refused the call ({code}: {message})"
    if code in _REFUSALS:
        return (
            f"access denied ({code}: {message}); check the IAM permissions, and note that "
            f"{END_OF_SUPPORT}, so accounts that did not use it may be refused"
        )
    return None


def _first_failure(raw: Raw) -> str | None:
    failures = raw.get("Failures") or []
    if not failures:
        return None
    more = f" (+{len(failures) - 1} more)" if len(failures) > 1 else ""
    return f"{failures[0]}{more}"


_JOB = "ExportJobRequest"

CREATE = Create(
    operation="CreateExportJob",
    options=(
        StartOption("application-id", "The application whose endpoints to export.",
                    "ApplicationId", record="details.application_id", required=True,
                    metavar="ID"),
        StartOption("to", "Where the files go: s3://bucket/prefix/.", f"{_JOB}.S3UrlPrefix",
                    record="destination", required=True, metavar="S3_URI", check=s3_uri,
                    normal=s3_scheme),
        StartOption("role-arn", "The IAM role Pinpoint assumes to write there.",
                    f"{_JOB}.RoleArn", record="details.role_arn", required=True, metavar="ARN"),
        StartOption("segment-id", "Only the endpoints of this segment (default: all).",
                    f"{_JOB}.SegmentId", record="details.segment_id", metavar="ID"),
        StartOption("segment-version", "That segment's version (default: its latest).",
                    f"{_JOB}.SegmentVersion", record="details.segment_version", kind="int",
                    metavar="N", requires="segment-id"),
    ),
    id="ExportJobResponse.Id",
    permissions="`iam:PassRole` on the role",
    parent="ExportJobResponse.ApplicationId",
    item="ExportJobResponse",
    idempotency="listing",
    reused="Pinpoint application, segment and version, destination, role",
    listing_scope=lambda request: {"application_id": (request.get("ApplicationId"),)},
    examples=(
        "exportctl --sandbox start pinpoint --dry-run \\\n"
        "    --application-id ae7689447ab57a683536c4499d863386 \\\n"
        "    --to s3://exportctl-exports/endpoints/ --role-arn \\\n"
        "    arn:aws:iam::123456789012:role/PinpointExport",
        "exportctl --sandbox start pinpoint -o json \\\n"
        "    --application-id ae7689447ab57a683536c4499d863386 \\\n"
        "    --segment-id 3475eb46c5296f62e338d74ff1fe4f7f \\\n"
        "    --segment-version 3 --role-arn \\\n"
        "    arn:aws:iam::123456789012:role/PinpointExport \\\n"
        "    --to s3://exportctl-exports/vip/",
        "exportctl start pinpoint --wait --download ./endpoints \\\n"
        "    --application-id ae7689447ab57a683536c4499d863386 \\\n"
        "    --to s3://exportctl-exports/endpoints/ --role-arn \\\n"
        "    arn:aws:iam::123456789012:role/PinpointExport",
    ),
)  # fmt: skip

_PAGE_SIZE = "100"  # PageSize is a string in this API.

SPEC = ServiceSpec(
    name="pinpoint",
    title="Amazon Pinpoint",
    client="pinpoint",
    prefix="pinpoint",
    id_parts=2,
    statuses={
        "CREATED": State.PENDING,
        "PREPARING_FOR_INITIALIZATION": State.PENDING,
        "INITIALIZING": State.PENDING,
        "PENDING_JOB": State.PENDING,
        "PROCESSING": State.RUNNING,
        "COMPLETING": State.RUNNING,
        "COMPLETED": State.COMPLETED,
        # Still running: its counters and completion time are not final yet.
        "FAILING": State.RUNNING,
        "FAILED": State.FAILED,
    },
    # A FAILING job can no longer succeed.
    doomed={"FAILING": frozenset({State.COMPLETED})},
    fields=Fields(
        id="Id",
        parent="ApplicationId",
        status="JobStatus",
        created="CreationDate",
        completed="CompletionDate",
        destination="Definition.S3UrlPrefix",
        message=Derived(paths=(), fn=_first_failure),
        progress={
            "completed_pieces": "CompletedPieces",
            "total_pieces": "TotalPieces",
            "failed_pieces": "FailedPieces",
            "total_processed": "TotalProcessed",
            "total_failures": "TotalFailures",
            "failures": "Failures",
        },
        details={
            "application_id": "ApplicationId",
            "segment_id": "Definition.SegmentId",
            "segment_version": "Definition.SegmentVersion",
            "role_arn": "Definition.RoleArn",
            "type": "Type",
        },
        notes={"message": "its first failure, and how many more"},
    ),
    get=Get(
        operation="GetExportJob",
        item="ExportJobResponse",
        params=lambda key: {"ApplicationId": key.parent, "JobId": key.id},
    ),
    list=Page(
        operation="GetExportJobs",
        items="ExportJobsResponse.Item",
        input_token="Token",
        output_token="ExportJobsResponse.NextToken",
        limit_key="PageSize",
        limit=_PAGE_SIZE,
    ),
    fan_out=FanOut(
        parents=Page(
            operation="GetApps",
            items="ApplicationsResponse.Item",
            input_token="Token",
            output_token="ApplicationsResponse.NextToken",
            limit_key="PageSize",
            limit=_PAGE_SIZE,
        ),
        parent_id="Id",
        param="ApplicationId",
        # GetApps, already called to find the applications, names them.
        details={"application_name": "Name"},
        noun="application",
    ),
    scopes=(
        Scope(
            name="application-id",
            param="ApplicationId",
            help="Pinpoint: only this application (repeatable; default: every application).",
            metavar="ID",
            notes="Without it, the applications are found with GetApps. One that does not "
            "exist is one error naming it (`Amazon Pinpoint: application ID not found in "
            "REGION`, exit 3, as `start pinpoint` says it), the others' jobs listed whole.",
            multiple=True,
            selects_parents=True,
        ),
    ),
    explain=_explain,
    refresh_by_parent=True,
    create=CREATE,
    short_title="Pinpoint",
    rank=2,
    output=Output(kind="s3", folder=True),
)
