"""AWS Backup Search result export jobs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from exportctl.domain.model import State
from exportctl.services.searches import BackupMembers, Count, SearchMembers, SearchStates
from exportctl.services.spec import (
    ArnForm,
    Create,
    Derived,
    Fields,
    Get,
    Output,
    Page,
    Raw,
    Scope,
    SearchJobs,
    ServiceSpec,
    StartOption,
    StatusFilter,
    s3_parts,
    s3_scheme,
    s3_uri,
)

_S3 = "ExportSpecification.s3ExportSpecification"
SEARCH_JOB_ARN = ArnForm(service="backup-search", resource="search-job")


def _destination(raw: Raw) -> str | None:
    s3 = (raw.get("ExportSpecification") or {}).get("s3ExportSpecification") or {}
    bucket = s3.get("DestinationBucket")
    if not bucket:
        return None
    return f"s3://{bucket}/{s3.get('DestinationPrefix') or ''}"


def search_job_id(ref: str) -> str:
    """The id of a search job given by id, ARN or ``search-job:[REGION:]ID``, as
    `backups` takes it: every call takes the id."""
    # Here, not at the top: every command's --help loads the specs, and none needs it.
    from exportctl.services import searchrefs

    return searchrefs.search_job_id(ref, SEARCH_JOB_ARN)


def search_job_region(ref: str) -> str | None:
    """The region a search job given by ARN or ``search-job:REGION:ID`` is in: where
    its export jobs are listed and made."""
    from exportctl.services import searchrefs

    return searchrefs.search_job_region(ref, SEARCH_JOB_ARN)


def _s3_destination(uri: str) -> Mapping[str, Any]:
    bucket, prefix = s3_parts(uri)
    s3: dict[str, Any] = {"DestinationBucket": bucket}
    if prefix:
        s3["DestinationPrefix"] = prefix
    return {"ExportSpecification": {"s3ExportSpecification": s3}}


CREATE = Create(
    operation="StartSearchResultExportJob",
    options=(
        StartOption("search-job", "The search job whose results to export: its id, its ARN "
                    "or search-job:[REGION:]ID (the job is made in the region those name).",
                    lambda ref: {"SearchJobIdentifier": search_job_id(ref)},
                    record="details.search_job_arn", required=True, metavar="ID|ARN",
                    places=search_job_region),
        StartOption("to", "Where the results go: s3://bucket/prefix/.", _s3_destination,
                    record="destination", required=True, metavar="S3_URI", check=s3_uri,
                    normal=s3_scheme),
        StartOption("role-arn", "The IAM role AWS Backup assumes to write there.", "RoleArn",
                    metavar="ARN"),
    ),
    id="ExportJobIdentifier",
    permissions="(and `iam:PassRole` on `--role-arn`'s role)",
    reused="Backup Search search job and destination",
    arn="ExportJobArn",
    idempotency="token",
    token="ClientToken",
    examples=(
        "exportctl --sandbox start backupsearch \\\n"
        "    --search-job 3e130f7e-b197-4166-ab5e-803b61ba4168 \\\n"
        "    --to s3://exportctl-exports/contracts/",
        "exportctl --sandbox start backupsearch --dry-run \\\n"
        "    --search-job 3e130f7e-b197-4166-ab5e-803b61ba4168 \\\n"
        "    --to s3://exportctl-exports/contracts/ --role-arn \\\n"
        "    arn:aws:iam::123456789012:role/BackupSearchExport",
        "exportctl start backupsearch --wait --download . \\\n"
        "    --search-job 3e130f7e-b197-4166-ab5e-803b61ba4168 \\\n"
        "    --to s3://exportctl-exports/contracts/",
    ),
)  # fmt: skip

# The search jobs whose results the export jobs export, and the backups each one
# searched (`exportctl backups`). A search job's backups are a final list only once
# it is COMPLETED; before, more are still being searched.
SEARCH_JOB_BACKUPS = Page(
    operation="ListSearchJobBackups",
    items="Results",
    input_token="NextToken",
    output_token="NextToken",
    limit_key="MaxResults",
    limit=1000,
)

# SearchJobState, of a search job and of each backup ListSearchJobBackups lists. A
# stopped backup was not searched, as a cancelled job did not finish; one still
# stopping will not be searched.
SEARCH_STATES = SearchStates(
    statuses={
        "RUNNING": State.RUNNING,
        "COMPLETED": State.COMPLETED,
        "STOPPING": State.RUNNING,
        "STOPPED": State.CANCELLED,
        "FAILED": State.FAILED,
    },
    doomed={"STOPPING": frozenset({State.COMPLETED})},
)
BACKUP_STATUSES = tuple(SEARCH_STATES.statuses)
# A backup in one of these was not searched: why a search missed an expected backup.
BACKUP_PROBLEM_STATUSES = ("FAILED", "STOPPED")

SEARCH_JOBS = SearchJobs(
    arn=SEARCH_JOB_ARN,
    get="GetSearchJob",
    param="SearchJobIdentifier",
    backups=SEARCH_JOB_BACKUPS,
    final="COMPLETED",
    backup_statuses=BACKUP_STATUSES,
    problem_statuses=BACKUP_PROBLEM_STATUSES,
    detail="search_job_arn",
    members=SearchMembers(
        id="SearchJobIdentifier",
        status="Status",
        arn="SearchJobArn",
        name="Name",
        message="StatusMessage",
        created="CreationTime",
        completed="CompletionTime",
        progress="CurrentSearchProgress",
        scope_summary="SearchScopeSummary",
        backup=BackupMembers(
            status="Status",
            resource_type="ResourceType",
            backup_resource_arn="BackupResourceArn",
            source_resource_arn="SourceResourceArn",
            backup_creation_time="BackupCreationTime",
            index_creation_time="IndexCreationTime",
            message="StatusMessage",
        ),
        counts=(
            Count(
                "backups scanned", "RecoveryPointsScannedCount", "TotalRecoveryPointsToScanCount"
            ),
            Count("items scanned", "ItemsScannedCount", "TotalItemsToScanCount"),
            Count("items matched", "ItemsMatchedCount"),
        ),
    ),
    states=SEARCH_STATES,
    # The tags a search looked for: their names are the user's.
    maps=("SearchScope.BackupResourceTags",),
)

SPEC = ServiceSpec(
    name="backupsearch",
    title="AWS Backup Search",
    client="backupsearch",
    aliases=("backup-search", "backup"),
    arn=ArnForm(service="backup-search", resource="search-export-job"),
    related_arns={
        SEARCH_JOB_ARN.resource: "a search job's: its backups are `exportctl backups ARN`, "
        "its export jobs `exportctl list -s backupsearch --search-job ARN`",
    },
    prefix="backupsearch",
    statuses={
        "RUNNING": State.RUNNING,
        "COMPLETED": State.COMPLETED,
        "FAILED": State.FAILED,
    },
    # The API guide mentions CREATED, which the current model does not list.
    documented_statuses={"CREATED": State.PENDING},
    fields=Fields(
        id="ExportJobIdentifier",
        arn="ExportJobArn",
        status="Status",
        created="CreationTime",
        completed="CompletionTime",
        destination=Derived(
            paths=(f"{_S3}.DestinationBucket", f"{_S3}.DestinationPrefix"), fn=_destination
        ),
        message="StatusMessage",
        details={
            "search_job_arn": "SearchJobArn",
            "export_specification": "ExportSpecification",
        },
    ),
    get=Get(
        operation="GetSearchResultExportJob",
        item="",
        params=lambda key: {"ExportJobIdentifier": key.id},
    ),
    list=Page(
        operation="ListSearchResultExportJobs",
        items="ExportJobs",
        input_token="NextToken",
        output_token="NextToken",
        limit_key="MaxResults",
        limit=1000,
        # One ExportJobStatus a call; the enum lacks CREATED, so PENDING is read whole.
        status_filter=StatusFilter("Status", frozenset({"RUNNING", "COMPLETED", "FAILED"})),
    ),
    scopes=(
        # An id or an ARN: the request takes the id.
        Scope(
            name="search-job",
            param="SearchJobIdentifier",
            help="Backup Search: only the export jobs of this search job, in the region "
            "its ARN or search-job:REGION:ID names.",
            metavar="ID|ARN",
            notes="An ARN or `search-job:[REGION:]ID` is sent as its id, as `backups` takes them.",
            convert=search_job_id,
            region=search_job_region,
        ),
    ),
    create=CREATE,
    short_title="Backup Search",
    rank=1,
    # Backup Search names no export object after anything but the job: the API guide
    # says only that results land under DestinationBucket/DestinationPrefix as .csv,
    # and export jobs may share that prefix.
    output=Output(kind="s3", keys_name_job=True),
    searches=SEARCH_JOBS,
)
