"""Creating jobs: every create request as sent (Stubber), and never two jobs for one start."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from adapter_stubs import ACCOUNT, APP, REGION, SERVICES, Stubs
from botocore.stub import ANY, Stubber

from exportctl.domain.errors import ServiceUnavailableError, UsageError
from exportctl.ops.jobs import Jobs
from exportctl.ops.start.recovery import LOOKS
from exportctl.ops.start.request import plan
from exportctl.ops.start.starter import Starter
from exportctl.services import all_specs, service_names, spec_for

DATASET = f"arn:aws:personalize:{REGION}:{ACCOUNT}:dataset/retail/USERS"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/exporter"
SEARCH = f"arn:aws:backup-search:{REGION}:{ACCOUNT}:search-job/5e4d3c2b-0000-4000-8000-000000000001"
BS_ID = "9e8d7c6b-0000-4000-8000-000000000042"
PP_JOB = "f" * 32
WHEN = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)

# Option values of `exportctl start SERVICE` and the request each must send.
CASES: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "personalize": (
        {"dataset_arn": DATASET, "to": "s3://out/users/", "role_arn": ROLE, "name": "users-1",
         "ingestion_mode": "PUT", "kms_key_arn": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/k1"},
        {"jobName": "users-1", "datasetArn": DATASET, "roleArn": ROLE, "ingestionMode": "PUT",
         "jobOutput": {"s3DataDestination": {
             "path": "s3://out/users/", "kmsKeyArn": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/k1"}}},
    ),
    "backupsearch": (
        {"search_job": SEARCH, "to": "s3://out/search/", "role_arn": ROLE},
        {"SearchJobIdentifier": SEARCH.rpartition("/")[2], "RoleArn": ROLE, "ClientToken": ANY,
         "ExportSpecification": {"s3ExportSpecification": {
             "DestinationBucket": "out", "DestinationPrefix": "search/"}}},
    ),
    "pinpoint": (
        {"application_id": APP, "to": "s3://out/endpoints/", "role_arn": ROLE,
         "segment_id": "seg1", "segment_version": 3},
        {"ApplicationId": APP, "ExportJobRequest": {
            "S3UrlPrefix": "s3://out/endpoints/", "RoleArn": ROLE, "SegmentId": "seg1",
            "SegmentVersion": 3}},
    ),
    "discovery": (
        {"start_time": WHEN, "end_time": WHEN.replace(hour=12), "agent_id": "o-01"},
        {"startTime": WHEN, "endTime": WHEN.replace(hour=12),
         "filters": [{"name": "agentIds", "values": ["o-01"], "condition": "EQUALS"}]},
    ),
}  # fmt: skip


def _pp_job(status: str = "CREATED", created: datetime = WHEN, job: str = PP_JOB) -> dict[str, Any]:
    return {
        "ApplicationId": APP,
        "Id": job,
        "JobStatus": status,
        "Type": "EXPORT",
        "CreationDate": created.isoformat().replace("+00:00", "Z"),
        "Definition": {"S3UrlPrefix": "s3://out/endpoints/", "RoleArn": ROLE,
                       "SegmentId": "seg1", "SegmentVersion": 3},
    }  # fmt: skip


ANSWERS: dict[str, dict[str, Any]] = {
    "personalize": {
        "datasetExportJobArn": f"arn:aws:personalize:{REGION}:{ACCOUNT}:dataset-export-job/users-1"
    },
    "backupsearch": {
        "ExportJobIdentifier": BS_ID,
        "ExportJobArn": f"arn:aws:backup-search:{REGION}:{ACCOUNT}:search-export-job/{BS_ID}",
    },
    "pinpoint": {"ExportJobResponse": _pp_job()},
    "discovery": {"exportId": "export-0042"},
}

REFS = {
    "personalize": f"arn:aws:personalize:{REGION}:{ACCOUNT}:dataset-export-job/users-1",
    "backupsearch": f"arn:aws:backup-search:{REGION}:{ACCOUNT}:search-export-job/{BS_ID}",
    "pinpoint": f"pinpoint:{REGION}:{APP}/{PP_JOB}",
    "discovery": f"discovery:{REGION}:export-0042",
}


def create_stub(jobs: Jobs, service: str) -> Stubber:
    """A Stubber on the one-attempt client creates go through."""
    stubber = Stubber(jobs.clients.client(spec_for(service).client, REGION, attempts=1))
    stubber.activate()
    return stubber


def starter(jobs: Jobs) -> Starter:
    return Starter(jobs, sleep=lambda seconds: None)


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")


def test_every_service_can_start_jobs() -> None:
    assert sorted(s.name for s in all_specs() if s.create) == sorted(service_names())
    # The first four's requests are here; each later service's is in its own file
    # (test_adapter_NAME.py: its request as sent, its idempotency, its limits).
    assert sorted(CASES) == sorted(SERVICES)
    here = Path(__file__).parent
    assert all((here / f"test_adapter_{s}.py").is_file() for s in service_names() if s not in CASES)


@pytest.mark.parametrize("service", SERVICES)
def test_each_create_request_as_sent(jobs: Jobs, stubs: Stubs, service: str) -> None:
    values, expected = CASES[service]
    stubs.every_service()
    spec = spec_for(service)
    if spec.create and spec.create.idempotency == "listing":
        # The jobs with these parameters before the create: none.
        if service == "pinpoint":
            stubs(service).add_response(
                "get_export_jobs", {"ExportJobsResponse": {"Item": []}},
                {"ApplicationId": APP, "PageSize": "100"},
            )  # fmt: skip
        else:
            stubs(service).add_response(
                "describe_export_tasks", {"exportsInfo": []}, {"maxResults": 100}
            )
    creator = create_stub(jobs, service)
    operation = spec.create.operation if spec.create else ""
    from botocore import xform_name

    creator.add_response(xform_name(operation), ANSWERS[service], expected)
    started = starter(jobs).start(plan(spec, values, REGION))
    creator.assert_no_pending_responses()
    assert started.ref == REFS[service]
    assert started.attempts == 1 and not started.recovered


def test_a_personalize_name_is_generated_within_the_model(jobs: Jobs) -> None:
    spec = spec_for("personalize")
    values = {"dataset_arn": DATASET, "to": "s3://out/", "role_arn": ROLE}
    first = plan(spec, values, REGION).request["jobName"]
    second = plan(spec, values, REGION).request["jobName"]
    assert first != second
    assert re.fullmatch(r"retail-users-\d{8}-\d{6}-[0-9a-f]{4}", first)
    long_dataset = f"arn:aws:personalize:{REGION}:{ACCOUNT}:dataset/{'g' * 80}/USERS"
    name = plan(spec, {**values, "dataset_arn": long_dataset}, REGION).request["jobName"]
    assert len(name) <= 63 and re.fullmatch(r"[a-zA-Z0-9][a-zA-Z0-9\-_]*", name)


@pytest.mark.parametrize(
    ("service", "values", "says"),
    [
        ("personalize", {"dataset_arn": DATASET, "to": "s3://o/", "role_arn": ROLE,
                         "ingestion_mode": "SOME"}, "'--ingestion-mode': 'SOME' is not one of"),
        ("personalize", {"dataset_arn": DATASET, "to": "ftp://o/", "role_arn": ROLE}, "--to"),
        ("personalize", {"dataset_arn": DATASET, "to": "s3://o/", "role_arn": "me"},
         "'--role-arn': 'me' must"),
        ("personalize", {"dataset_arn": DATASET, "to": "s3://o/", "role_arn": ROLE,
                         "name": "-bad"}, "'--name': '-bad' must"),
        ("backupsearch", {"search_job": SEARCH, "to": "s3://o/", "role_arn": "short"},
         "'--role-arn': 'short' must"),
        ("pinpoint", {"application_id": APP, "to": "s3://o/", "role_arn": ROLE,
                      "segment_version": 2}, "--segment-id"),
        ("personalize", {"to": "s3://o/", "role_arn": ROLE}, "--dataset-arn"),
    ],
)  # fmt: skip
def test_bad_values_are_refused_before_anything_is_sent(
    stubs: Stubs, service: str, values: dict[str, Any], says: str
) -> None:
    stubs.every_service()
    with pytest.raises(UsageError) as refused:
        plan(spec_for(service), values, REGION)
    assert says in refused.value.message


def _recorded(jobs: Jobs, service: str) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    client = jobs.clients.client(spec_for(service).client, REGION, attempts=1)
    client.meta.events.register(
        "provide-client-params.*", lambda params, **kwargs: seen.append(dict(params))
    )
    return seen


def test_backupsearch_keeps_its_client_token_across_retries(jobs: Jobs, stubs: Stubs) -> None:
    stubs.every_service()
    values, expected = CASES["backupsearch"]
    sent = _recorded(jobs, "backupsearch")
    creator = create_stub(jobs, "backupsearch")
    creator.add_client_error(
        "start_search_result_export_job", "InternalServerException", "boom", 500
    )
    creator.add_client_error("start_search_result_export_job", "ThrottlingException", "slow", 429)
    creator.add_response("start_search_result_export_job", ANSWERS["backupsearch"], expected)
    first = plan(spec_for("backupsearch"), values, REGION)
    started = starter(jobs).start(first)
    assert started.attempts == 3
    tokens = {request["ClientToken"] for request in sent}
    assert tokens == {first.request["ClientToken"]} and len(sent) == 3
    # Another command is another token.
    assert plan(spec_for("backupsearch"), values, REGION).request["ClientToken"] not in tokens


def _personalize_job(stubs: Stubs, path: str, created: datetime | None = None) -> None:
    """The job holding the name, read by the ARN the request implies (no listing)."""
    arn = REFS["personalize"]
    stubs("personalize").add_response(
        "describe_dataset_export_job",
        {"datasetExportJob": {"jobName": "users-1", "datasetExportJobArn": arn,
                              "datasetArn": DATASET, "roleArn": ROLE, "ingestionMode": "PUT",
                              "status": "CREATE PENDING",
                              "creationDateTime": created or datetime.now(timezone.utc),
                              "jobOutput": {"s3DataDestination": {
                                  "path": path,
                                  "kmsKeyArn": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/k1"}}}},
        {"datasetExportJobArn": arn},
    )  # fmt: skip


def test_personalize_already_exists_after_a_lost_answer_is_our_job(
    jobs: Jobs, stubs: Stubs
) -> None:
    stubs.every_service()
    values, _expected = CASES["personalize"]
    creator = create_stub(jobs, "personalize")
    creator.add_client_error("create_dataset_export_job", "InternalFailure", "boom", 500)
    creator.add_client_error(
        "create_dataset_export_job", "ResourceAlreadyExistsException", "exists", 400
    )
    _personalize_job(stubs, "s3://out/users/")
    started = starter(jobs).start(plan(spec_for("personalize"), values, REGION))
    assert started.recovered and started.ref == REFS["personalize"]


def test_personalize_already_exists_with_other_parameters_is_an_error(
    jobs: Jobs, stubs: Stubs
) -> None:
    stubs.every_service()
    values, _ = CASES["personalize"]
    creator = create_stub(jobs, "personalize")
    creator.add_client_error("create_dataset_export_job", "InternalFailure", "boom", 500)
    creator.add_client_error(
        "create_dataset_export_job", "ResourceAlreadyExistsException", "exists", 400
    )
    _personalize_job(stubs, "s3://elsewhere/")
    with pytest.raises(UsageError) as clash:
        starter(jobs).start(plan(spec_for("personalize"), values, REGION))
    assert "with other parameters" in clash.value.message


def test_personalize_name_taken_at_the_first_attempt_is_an_error(jobs: Jobs, stubs: Stubs) -> None:
    stubs.every_service()
    values, _ = CASES["personalize"]
    creator = create_stub(jobs, "personalize")
    creator.add_client_error(
        "create_dataset_export_job", "ResourceAlreadyExistsException", "exists", 400
    )
    _personalize_job(stubs, "s3://out/users/")
    with pytest.raises(UsageError) as taken:
        starter(jobs).start(plan(spec_for("personalize"), values, REGION))
    assert "already exists" in taken.value.message and "--name" in taken.value.message


def test_pinpoint_finds_the_job_a_lost_answer_made(jobs: Jobs, stubs: Stubs) -> None:
    stubs.every_service()
    values, _expected = CASES["pinpoint"]
    old = _pp_job("COMPLETED", job="e" * 32)
    old["CreationDate"] = now_iso()
    listing = {"ApplicationId": APP, "PageSize": "100"}
    stubs("pinpoint").add_response(
        "get_export_jobs", {"ExportJobsResponse": {"Item": [old]}}, listing
    )
    creator = create_stub(jobs, "pinpoint")
    creator.add_client_error("create_export_job", "InternalServerErrorException", "boom", 500)
    made = _pp_job()
    made["CreationDate"] = now_iso()
    # The same parameters, created just now: the old one was there before, this one was not.
    stubs("pinpoint").add_response(
        "get_export_jobs", {"ExportJobsResponse": {"Item": [made, old]}}, listing
    )
    started = starter(jobs).start(plan(spec_for("pinpoint"), values, REGION))
    assert started.recovered and started.ref == REFS["pinpoint"]
    creator.assert_no_pending_responses()


def test_discovery_throttled_is_retried_without_a_look(jobs: Jobs, stubs: Stubs) -> None:
    stubs.every_service()
    values, expected = CASES["discovery"]
    stubs("discovery").add_response(
        "describe_export_tasks", {"exportsInfo": []}, {"maxResults": 100}
    )
    creator = create_stub(jobs, "discovery")
    creator.add_client_error("start_export_task", "ThrottlingException", "slow", 400)
    creator.add_response("start_export_task", ANSWERS["discovery"], expected)
    started = starter(jobs).start(plan(spec_for("discovery"), values, REGION))
    assert started.attempts == 2 and not started.recovered


def test_pinpoint_refused_explains_its_end_of_support(jobs: Jobs, stubs: Stubs) -> None:
    stubs.every_service()
    values, _ = CASES["pinpoint"]
    stubs("pinpoint").add_response(
        "get_export_jobs",
        {"ExportJobsResponse": {"Item": []}},
        {"ApplicationId": APP, "PageSize": "100"},
    )
    creator = create_stub(jobs, "pinpoint")
    creator.add_client_error(
        "create_export_job", "ForbiddenException", "This service is no longer available", 403
    )
    with pytest.raises(ServiceUnavailableError) as refused:
        starter(jobs).start(plan(spec_for("pinpoint"), values, REGION))
    assert "end of support" in refused.value.message


def _task(export_id: str, start: datetime) -> dict[str, Any]:
    return {
        "exportId": export_id,
        "exportStatus": "IN_PROGRESS",
        "statusMessage": "Data export is in progress.",
        "exportRequestTime": datetime.now(timezone.utc),
        "requestedStartTime": start,
        "requestedEndTime": WHEN.replace(hour=12),
    }


@pytest.mark.parametrize(("start", "ours"), [(WHEN, True), (WHEN.replace(hour=1), False)])
def test_discovery_takes_a_new_task_for_its_own_only_with_the_same_times(
    jobs: Jobs, stubs: Stubs, start: datetime, ours: bool
) -> None:
    stubs.every_service()
    values, expected = CASES["discovery"]
    listing = {"maxResults": 100}
    stubs("discovery").add_response("describe_export_tasks", {"exportsInfo": []}, listing)
    creator = create_stub(jobs, "discovery")
    creator.add_client_error("start_export_task", "ServerInternalErrorException", "boom", 500)
    # The listing is read until the task is found, at most once per delay of LOOKS.
    for _look in LOOKS if not ours else LOOKS[:1]:
        stubs("discovery").add_response(
            "describe_export_tasks", {"exportsInfo": [_task("export-0041", start)]}, listing
        )
    if not ours:
        creator.add_response("start_export_task", ANSWERS["discovery"], expected)
    started = starter(jobs).start(plan(spec_for("discovery"), values, REGION))
    assert started.recovered is ours
    assert started.ref == (f"discovery:{REGION}:export-0041" if ours else REFS["discovery"])
    creator.assert_no_pending_responses()
