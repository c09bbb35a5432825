"""The four create/start operations over real HTTP: checked, answered, and run on the clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from botocore.exceptions import ClientError
from sandbox_helpers import ClientFactory

from exportctl.sandbox import Sandbox
from exportctl.sandbox.jobs import ACCOUNT

DATASET = f"arn:aws:personalize:us-east-1:{ACCOUNT}:dataset/exportctl-retail/USERS"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/PersonalizeS3Role"


def _personalize(client: ClientFactory, name: str, path: str = "s3://b/out/") -> Any:
    return client("personalize").create_dataset_export_job(
        jobName=name,
        datasetArn=DATASET,
        roleArn=ROLE,
        jobOutput={"s3DataDestination": {"path": path}},
    )


def _search_job(sandbox: Sandbox) -> str:
    return next(
        j["id"]
        for j in sandbox.jobs("backupsearch", "us-east-1")
        if j["kind"] == "search-job" and j["status"] == "COMPLETED"
    )


def _app(sandbox: Sandbox) -> str:
    return next(
        j["id"] for j in sandbox.jobs("pinpoint", "us-east-1") if j["kind"] == "application"
    )


def test_personalize_job_is_created_and_runs_to_active(
    sandbox: Sandbox, client: ClientFactory, validate: Callable[..., None]
) -> None:
    answer = _personalize(client, "users-now")
    validate(client("personalize"), "CreateDatasetExportJob", answer)
    arn = answer["datasetExportJobArn"]
    assert arn.endswith(":dataset-export-job/users-now")
    job = client("personalize").describe_dataset_export_job(datasetExportJobArn=arn)
    assert job["datasetExportJob"]["status"] == "CREATE PENDING"
    # The model's default when none is asked for.
    assert job["datasetExportJob"]["ingestionMode"] == "PUT"
    sandbox.advance(15)
    job = client("personalize").describe_dataset_export_job(datasetExportJobArn=arn)
    assert job["datasetExportJob"]["status"] == "CREATE IN_PROGRESS"
    sandbox.advance(60)
    job = client("personalize").describe_dataset_export_job(datasetExportJobArn=arn)
    assert job["datasetExportJob"]["status"] == "ACTIVE"
    listed = client("personalize").list_dataset_export_jobs(datasetArn=DATASET)
    assert arn in [j["datasetExportJobArn"] for j in listed["datasetExportJobs"]]


def test_personalize_name_taken_and_pattern_broken(client: ClientFactory) -> None:
    _personalize(client, "twice")
    with pytest.raises(ClientError) as taken:
        _personalize(client, "twice")
    assert taken.value.response["Error"]["Code"] == "ResourceAlreadyExistsException"
    with pytest.raises(ClientError) as bad:
        _personalize(client, "-leading-dash")
    error = bad.value.response["Error"]
    assert error["Code"] == "InvalidInputException"
    assert "at 'jobName' failed to satisfy constraint" in error["Message"]
    with pytest.raises(ClientError) as missing:
        client("personalize").create_dataset_export_job(
            jobName="x",
            datasetArn=DATASET + "-gone",
            roleArn=ROLE,
            jobOutput={"s3DataDestination": {"path": "s3://b/"}},
        )
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_personalize_denied_destination_fails(sandbox: Sandbox, client: ClientFactory) -> None:
    arn = _personalize(client, "to-denied", "s3://b/denied/")["datasetExportJobArn"]
    sandbox.advance(40)
    job = client("personalize").describe_dataset_export_job(datasetExportJobArn=arn)
    assert job["datasetExportJob"]["status"] == "CREATE FAILED"
    assert "s3://b/denied/" in job["datasetExportJob"]["failureReason"]


def test_backupsearch_client_token_is_idempotent(sandbox: Sandbox, client: ClientFactory) -> None:
    bs = client("backupsearch")
    request = {
        "SearchJobIdentifier": _search_job(sandbox),
        "ExportSpecification": {
            "s3ExportSpecification": {"DestinationBucket": "b", "DestinationPrefix": "p/"}
        },
        "ClientToken": "token-1",
    }
    first = bs.start_search_result_export_job(**request)
    again = bs.start_search_result_export_job(**request)
    assert first["ExportJobIdentifier"] == again["ExportJobIdentifier"]
    with pytest.raises(ClientError) as conflict:
        bs.start_search_result_export_job(
            **{
                **request,
                "ExportSpecification": {"s3ExportSpecification": {"DestinationBucket": "c"}},
            }
        )
    assert conflict.value.response["Error"]["Code"] == "ConflictException"
    job = bs.get_search_result_export_job(ExportJobIdentifier=first["ExportJobIdentifier"])
    assert job["Status"] == "RUNNING"
    sandbox.advance(50)
    job = bs.get_search_result_export_job(ExportJobIdentifier=first["ExportJobArn"])
    assert job["Status"] == "COMPLETED"
    assert job["CompletionTime"] > job["CreationTime"]


def test_a_backupsearch_export_without_a_prefix_completes_into_its_bucket(
    sandbox: Sandbox, client: ClientFactory
) -> None:
    bs = client("backupsearch")
    made = bs.start_search_result_export_job(
        SearchJobIdentifier=_search_job(sandbox),
        ExportSpecification={"s3ExportSpecification": {"DestinationBucket": "bare"}},
    )
    sandbox.advance(50)
    job = bs.get_search_result_export_job(ExportJobIdentifier=made["ExportJobArn"])
    assert job["Status"] == "COMPLETED"
    # Its output is the bucket's top, and the sandbox goes on answering every service.
    outputs = {o.job_id: o.uri for o in sandbox.output_locations()}
    assert outputs[made["ExportJobIdentifier"]] == "s3://bare/"
    assert client("rds").describe_export_tasks()["ExportTasks"]


def test_backupsearch_needs_an_existing_search_job(client: ClientFactory) -> None:
    with pytest.raises(ClientError) as missing:
        client("backupsearch").start_search_result_export_job(
            SearchJobIdentifier="nope",
            ExportSpecification={"s3ExportSpecification": {"DestinationBucket": "b"}},
        )
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_pinpoint_job_reports_pieces_and_completes(
    sandbox: Sandbox, client: ClientFactory, validate: Callable[..., None]
) -> None:
    pp = client("pinpoint")
    app = _app(sandbox)
    answer = pp.create_export_job(
        ApplicationId=app,
        ExportJobRequest={"RoleArn": ROLE, "S3UrlPrefix": "s3://b/pp/", "SegmentVersion": 2},
    )
    validate(pp, "CreateExportJob", answer)
    created = answer["ExportJobResponse"]
    assert created["JobStatus"] == "CREATED"
    sandbox.advance(30)
    job = pp.get_export_job(ApplicationId=app, JobId=created["Id"])["ExportJobResponse"]
    assert job["JobStatus"] == "PROCESSING"
    assert 0 < job["CompletedPieces"] < job["TotalPieces"]
    sandbox.advance(60)
    job = pp.get_export_job(ApplicationId=app, JobId=created["Id"])["ExportJobResponse"]
    assert job["JobStatus"] == "COMPLETED"
    assert job["Definition"]["SegmentVersion"] == 2
    with pytest.raises(ClientError) as missing:
        pp.create_export_job(
            ApplicationId="0" * 32, ExportJobRequest={"RoleArn": ROLE, "S3UrlPrefix": "s3://b/"}
        )
    assert missing.value.response["Error"]["Code"] == "NotFoundException"


def test_discovery_task_runs_in_the_home_region_only(
    sandbox: Sandbox, client: ClientFactory
) -> None:
    start = datetime.now(timezone.utc) - timedelta(days=2)
    answer = client("discovery").start_export_task(
        startTime=start, endTime=start + timedelta(hours=5)
    )
    export_id = answer["exportId"]
    info = client("discovery").describe_export_tasks(exportIds=[export_id])["exportsInfo"][0]
    assert info["exportStatus"] == "IN_PROGRESS"
    assert abs((info["requestedStartTime"] - start).total_seconds()) < 1
    sandbox.advance(31)
    info = client("discovery").describe_export_tasks(exportIds=[export_id])["exportsInfo"][0]
    assert info["exportStatus"] == "SUCCEEDED"
    assert export_id in info["configurationsDownloadUrl"]
    with pytest.raises(ClientError) as elsewhere:
        client("discovery", region="eu-west-1").start_export_task()
    assert elsewhere.value.response["Error"]["Code"] == "HomeRegionNotSetException"
    failing = client("discovery").start_export_task(
        filters=[{"name": "agentIds", "values": ["o-unknown"], "condition": "EQUALS"}]
    )["exportId"]
    sandbox.advance(20)
    info = client("discovery").describe_export_tasks(exportIds=[failing])["exportsInfo"][0]
    assert info["exportStatus"] == "FAILED"
    assert "o-unknown" in info["statusMessage"]


def test_a_5xx_on_a_create_may_come_after_the_job_was_made(
    sandbox: Sandbox, client: ClientFactory
) -> None:
    sandbox.faults.error_rate = 1.0
    before = len(sandbox.jobs("discovery"))
    for _ in range(20):
        with pytest.raises(ClientError) as failed:
            client("discovery").start_export_task()
        assert failed.value.response["Error"]["Code"] == "ServerInternalErrorException"
    made = len(sandbox.jobs("discovery")) - before
    # Some did happen and some did not: a client cannot tell which from the answer.
    assert 0 < made < 20
