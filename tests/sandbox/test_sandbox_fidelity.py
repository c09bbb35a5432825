"""Every emulated operation, through real boto3 clients, checked against its output shape."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest
from sandbox_helpers import OPERATION_SERVICES, ClientFactory

from exportctl.sandbox import Sandbox
from exportctl.sandbox.scenario import ACCOUNT

Validate = Callable[..., None]
REGIONS = ("us-east-1", "eu-west-1")


@pytest.mark.parametrize("region", REGIONS)
def test_backup_search_operations(client: ClientFactory, validate: Validate, region: str) -> None:
    bs = client("backupsearch", region)
    listing = bs.list_search_result_export_jobs()
    validate(bs, "ListSearchResultExportJobs", listing)
    jobs = listing["ExportJobs"]
    assert {j["Status"] for j in jobs} >= ({"RUNNING", "COMPLETED", "FAILED"})
    for summary in jobs:
        assert summary["ExportJobArn"] == (
            f"arn:aws:backup-search:{region}:{ACCOUNT}:search-export-job/"
            f"{summary['ExportJobIdentifier']}"
        )
        job = bs.get_search_result_export_job(ExportJobIdentifier=summary["ExportJobIdentifier"])
        validate(bs, "GetSearchResultExportJob", job)
        assert job["Status"] == summary["Status"]
        spec = job["ExportSpecification"]["s3ExportSpecification"]
        assert spec["DestinationBucket"].startswith("exportctl-sandbox-")
        if job["Status"] == "FAILED":
            assert "Access Denied" in job["StatusMessage"]
        search_id = job["SearchJobArn"].rsplit("/", 1)[1]
        search = bs.get_search_job(SearchJobIdentifier=search_id)
        validate(bs, "GetSearchJob", search)
        backups = bs.list_search_job_backups(SearchJobIdentifier=search_id)
        validate(bs, "ListSearchJobBackups", backups)
        assert backups["Results"]


def test_search_job_backups_include_failed_and_stopped(client: ClientFactory) -> None:
    bs = client("backupsearch")
    job = bs.list_search_result_export_jobs(Status="COMPLETED")["ExportJobs"][0]
    search_id = job["SearchJobArn"].rsplit("/", 1)[1]
    rows = bs.list_search_job_backups(SearchJobIdentifier=search_id)["Results"]
    by_status = {r["Status"]: r for r in rows}
    assert {"COMPLETED", "FAILED", "STOPPED"} <= set(by_status)
    assert "kms:Decrypt" in by_status["FAILED"]["StatusMessage"]
    assert by_status["STOPPED"]["StatusMessage"]


@pytest.mark.parametrize("region", REGIONS)
def test_pinpoint_operations(client: ClientFactory, validate: Validate, region: str) -> None:
    pp = client("pinpoint", region)
    apps = pp.get_apps()
    validate(pp, "GetApps", apps)
    items = apps["ApplicationsResponse"]["Item"]
    assert len(items) >= 2
    seen_status: set[str] = set()
    for app in items:
        assert len(app["Id"]) == 32 and int(app["Id"], 16) >= 0
        jobs = pp.get_export_jobs(ApplicationId=app["Id"])
        validate(pp, "GetExportJobs", jobs)
        for summary in jobs["ExportJobsResponse"]["Item"]:
            seen_status.add(summary["JobStatus"])
            job = pp.get_export_job(ApplicationId=app["Id"], JobId=summary["Id"])
            validate(pp, "GetExportJob", job)
            assert job["ExportJobResponse"] == summary
            assert summary["CreationDate"].endswith("Z")
    if region == "us-east-1":
        enum = pp.meta.service_model.shape_for("JobStatus").enum
        assert seen_status == set(enum)


def test_pinpoint_failed_job_reports_failures(client: ClientFactory) -> None:
    pp = client("pinpoint")
    app = pp.get_apps()["ApplicationsResponse"]["Item"][0]
    jobs = pp.get_export_jobs(ApplicationId=app["Id"])["ExportJobsResponse"]["Item"]
    failed = [j for j in jobs if j["JobStatus"] == "FAILED"]
    assert failed and failed[0]["Failures"] and failed[0]["FailedPieces"] > 0


@pytest.mark.parametrize("region", REGIONS)
def test_personalize_operations(client: ClientFactory, validate: Validate, region: str) -> None:
    pz = client("personalize", region)
    listing = pz.list_dataset_export_jobs()
    validate(pz, "ListDatasetExportJobs", listing)
    jobs = listing["datasetExportJobs"]
    statuses = {j["status"] for j in jobs}
    if region == "us-east-1":
        assert statuses == {"CREATE PENDING", "CREATE IN_PROGRESS", "ACTIVE", "CREATE FAILED"}
    for summary in jobs:
        arn = summary["datasetExportJobArn"]
        assert (
            arn == f"arn:aws:personalize:{region}:{ACCOUNT}:dataset-export-job/{summary['jobName']}"
        )
        job = pz.describe_dataset_export_job(datasetExportJobArn=arn)
        validate(pz, "DescribeDatasetExportJob", job)
        detail = job["datasetExportJob"]
        assert detail["status"] == summary["status"]
        assert detail["jobOutput"]["s3DataDestination"]["path"].startswith("s3://exportctl-")
        if detail["status"] == "CREATE FAILED":
            assert "S3" in detail["failureReason"]


def test_personalize_dataset_filter(client: ClientFactory) -> None:
    pz = client("personalize")
    every = pz.list_dataset_export_jobs()["datasetExportJobs"]
    arn = pz.describe_dataset_export_job(datasetExportJobArn=every[0]["datasetExportJobArn"])[
        "datasetExportJob"
    ]["datasetArn"]
    some = pz.list_dataset_export_jobs(datasetArn=arn)["datasetExportJobs"]
    assert 0 < len(some) < len(every)
    unknown = arn.rsplit("/", 1)[0] + "/NOPE"
    assert pz.list_dataset_export_jobs(datasetArn=unknown)["datasetExportJobs"] == []


def test_discovery_operation(client: ClientFactory, validate: Validate) -> None:
    ds = client("discovery")
    result = ds.describe_export_tasks()
    validate(ds, "DescribeExportTasks", result)
    tasks = result["exportsInfo"]
    assert {t["exportStatus"] for t in tasks} == {"IN_PROGRESS", "SUCCEEDED", "FAILED"}
    truncated = [t for t in tasks if t.get("isTruncated")]
    assert truncated and truncated[0]["requestedStartTime"] < truncated[0]["requestedEndTime"]
    for task in tasks:
        assert task["exportId"].startswith("export-")
        if task["exportStatus"] == "SUCCEEDED":
            assert "X-Amz-Signature=" in task["configurationsDownloadUrl"]
        else:
            assert "configurationsDownloadUrl" not in task


def test_discovery_several_ids_and_filters(client: ClientFactory, validate: Validate) -> None:
    ds = client("discovery")
    tasks = ds.describe_export_tasks()["exportsInfo"]
    wanted = [tasks[0]["exportId"], tasks[3]["exportId"]]
    picked = ds.describe_export_tasks(
        exportIds=[*wanted, "export-00000000-0000-4000-a000-000000000000"]
    )
    validate(ds, "DescribeExportTasks", picked)
    # An id the service does not know is left out, not an error.
    assert [t["exportId"] for t in picked["exportsInfo"]] == wanted


def test_discovery_agent_filter(sandbox: Sandbox, client: ClientFactory) -> None:
    ds = client("discovery")
    agent = sandbox.scenario.listing("discovery", "export-task", "us-east-1")[0].attrs["_agents"][0]
    some = ds.describe_export_tasks(
        filters=[{"name": "agentIds", "values": [agent], "condition": "EQUALS"}]
    )["exportsInfo"]
    every = ds.describe_export_tasks()["exportsInfo"]
    assert 0 < len(some) < len(every)


def test_every_operation_is_exercised() -> None:
    # Guards the list above against an operation being added without a fidelity test.
    assert sum(len(ops) for ops in OPERATION_SERVICES.values()) == 10


def _raw(sandbox: Sandbox, path: str, target: str | None = None, body: bytes | None = None) -> Any:
    headers = {"Content-Type": "application/x-amz-json-1.1"}
    if target:
        headers["X-Amz-Target"] = target
    request = urllib.request.Request(sandbox.url + path, data=body, headers=headers)
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.headers["x-amzn-RequestId"]
        return json.loads(response.read())


def test_wire_timestamps_are_epoch_numbers_and_pinpoint_dates_are_text(sandbox: Sandbox) -> None:
    personalize = _raw(sandbox, "/", "AmazonPersonalize.ListDatasetExportJobs", b"{}")
    assert isinstance(personalize["datasetExportJobs"][0]["creationDateTime"], float)
    backup = _raw(sandbox, "/export-search-jobs")
    assert isinstance(backup["ExportJobs"][0]["CreationTime"], float)
    apps = _raw(sandbox, "/v1/apps")
    assert isinstance(apps["Item"][0]["CreationDate"], str)


def test_region_selects_data(client: ClientFactory) -> None:
    east = client("personalize", "us-east-1").list_dataset_export_jobs()["datasetExportJobs"]
    west = client("personalize", "eu-west-1").list_dataset_export_jobs()["datasetExportJobs"]
    assert all(":us-east-1:" in j["datasetExportJobArn"] for j in east)
    assert all(":eu-west-1:" in j["datasetExportJobArn"] for j in west)
    other = client("personalize", "ap-southeast-2").list_dataset_export_jobs()
    assert other["datasetExportJobs"] == []


def test_scenario_is_large_and_deterministic() -> None:
    first = Sandbox(seed=7).scenario
    again = Sandbox(seed=7).scenario
    other = Sandbox(seed=8).scenario
    assert [j.id for j in first.jobs] == [j.id for j in again.jobs]
    assert [j.id for j in first.jobs] != [j.id for j in other.jobs]
    exports = [j for j in first.jobs if j.kind in ("export", "dataset-export-job", "export-task")]
    assert len(exports) >= 40


def test_what_routing_knows_of_a_model_it_reads_late_is_the_models() -> None:
    import botocore.session

    from exportctl.sandbox.routing import DEFERRED, SERVICES

    session = botocore.session.get_session()
    for service, (signing_name, protocol) in DEFERRED.items():
        assert service in SERVICES
        model = session.get_service_model(service)
        assert (model.signing_name, model.protocol) == (signing_name, protocol), service
