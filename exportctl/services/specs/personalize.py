"""Amazon Personalize dataset export jobs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from exportctl.domain.model import State
from exportctl.services.spec import (
    ArnForm,
    Create,
    Fields,
    Get,
    Output,
    Page,
    Scope,
    ServiceSpec,
    StartOption,
    s3_scheme,
    s3_uri,
)


def _job_arn(request: Mapping[str, Any]) -> str:
    # arn:aws:personalize:REGION:ACCOUNT:dataset/... -> ...:dataset-export-job/NAME
    where = str(request.get("datasetArn") or "").partition(":dataset/")[0]
    return f"{where}:dataset-export-job/{request.get('jobName')}"


def _dataset_name(request: Mapping[str, Any]) -> str:
    # arn:aws:personalize:REGION:ACCOUNT:dataset/GROUP/TYPE -> GROUP-TYPE
    resource = str(request.get("datasetArn") or "").partition(":dataset/")[2]
    return resource.replace("/", "-").lower() or "export"


CREATE = Create(
    operation="CreateDatasetExportJob",
    options=(
        StartOption("dataset-arn", "The dataset to export.", "datasetArn",
                    record="details.dataset_arn", required=True, metavar="ARN", places=True),
        StartOption("to", "Where the files go: s3://bucket/prefix/.",
                    "jobOutput.s3DataDestination.path", record="destination", required=True,
                    metavar="S3_URI", check=s3_uri,
                    normal=s3_scheme),
        StartOption("role-arn", "The IAM role Personalize assumes to write there.", "roleArn",
                    record="details.role_arn", required=True, metavar="ARN"),
        StartOption("name", "The job's name (default: DATASET-YYYYMMDD-HHMMSS-XXXX).", "jobName",
                    metavar="NAME"),
        StartOption("ingestion-mode", "BULK, PUT or ALL: which data to export (the "
                    "service's default: PUT, only the data put one by one).",
                    "ingestionMode", record="details.ingestion_mode", kind="word", metavar="MODE",
                    choices=("BULK", "PUT", "ALL")),
        StartOption("kms-key-arn", "The KMS key that encrypts the output.",
                    "jobOutput.s3DataDestination.kmsKeyArn", record="details.kms_key_arn",
                    metavar="ARN"),
    ),
    id="datasetExportJobArn",
    permissions="`iam:PassRole` on the role",
    arn="datasetExportJobArn",
    idempotency="name",
    reused="Personalize dataset, output path, role, ingestion mode, KMS key",
    not_reused="A Personalize rerun writes into the output path of the job it reruns, and "
    "a download of either takes that folder whole, the other's files too.",
    name="jobName",
    name_hint=_dataset_name,
    listing_scope=lambda request: {"dataset_arn": request.get("datasetArn")},
    arn_of=_job_arn,
    examples=(
        "exportctl --sandbox start personalize --dry-run \\\n"
        "    --dataset-arn $(exportctl --sandbox status \\\n"
        "    -s personalize users-nightly -o text \\\n"
        "    --fields details.dataset_arn) \\\n"
        "    --to s3://exportctl-exports/users/ --role-arn \\\n"
        "    arn:aws:iam::123456789012:role/PersonalizeS3Role",
        "exportctl start personalize --ingestion-mode put \\\n"
        "    --wait --download users --dataset-arn $(exportctl \\\n"
        "    status -s personalize users-nightly -o text \\\n"
        "    --fields details.dataset_arn) \\\n"
        "    --to s3://exportctl-exports/users/ --role-arn \\\n"
        "    arn:aws:iam::123456789012:role/PersonalizeS3Role",
    ),
)  # fmt: skip

SPEC = ServiceSpec(
    name="personalize",
    title="Amazon Personalize",
    client="personalize",
    arn=ArnForm(service="personalize", resource="dataset-export-job"),
    statuses={
        "CREATE PENDING": State.PENDING,
        "CREATE IN_PROGRESS": State.RUNNING,
        "ACTIVE": State.COMPLETED,
        "CREATE FAILED": State.FAILED,
    },
    fields=Fields(
        id="jobName",
        name="jobName",
        arn="datasetExportJobArn",
        status="status",
        created="creationDateTime",
        updated="lastUpdatedDateTime",
        completed_is_last_update=True,
        destination="jobOutput.s3DataDestination.path",
        message="failureReason",
        details={
            "dataset_arn": "datasetArn",
            "ingestion_mode": "ingestionMode",
            "kms_key_arn": "jobOutput.s3DataDestination.kmsKeyArn",
            "role_arn": "roleArn",
        },
        notes={"id": "the job name"},
    ),
    get=Get(
        operation="DescribeDatasetExportJob",
        item="datasetExportJob",
        params=lambda key: {"datasetExportJobArn": key.arn},
        by_arn=True,
    ),
    list=Page(
        operation="ListDatasetExportJobs",
        items="datasetExportJobs",
        input_token="nextToken",
        output_token="nextToken",
        limit_key="maxResults",
        limit=100,
    ),
    scopes=(
        Scope(
            name="dataset-arn",
            param="datasetArn",
            help="Personalize: only the export jobs of this dataset.",
            metavar="ARN",
        ),
    ),
    create=CREATE,
    eta_group="details.dataset_arn",
    short_title="Personalize",
    rank=3,
    output=Output(
        kind="s3",
        folder=True,
        note=" (another job's too, a rerun's for one: it writes into the same folder)",
    ),
)
