"""Amazon Personalize dataset export jobs."""

from __future__ import annotations

from exportctl.adapters.spec import ArnForm, Fields, Get, Page, Scope, ServiceSpec
from exportctl.model import State

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
            option="dataset_arn",
            param="datasetArn",
            help="Personalize: only the export jobs of this dataset ARN.",
        ),
    ),
)
