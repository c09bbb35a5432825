"""Search-job backups with botocore's Stubber: requests and responses checked by the model."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from datetime import datetime, timezone
from typing import Any

import botocore.session
import pytest
from botocore.stub import Stubber

from exportctl.aws.clients import AwsSettings, Clients
from exportctl.domain.errors import ExitCode, ExportctlError
from exportctl.ops import backups as core
from exportctl.ops.core import Board
from exportctl.ops.credentials import Regions
from exportctl.ops.jobs import Jobs, ListQuery
from exportctl.services.specs import backupsearch as bs

ACCOUNT = "123456789012"
SEARCH_ID = "4f7a9c1e-0000-4000-8000-00000000abcd"
EXPORT_ID = "9e8d7c6b-0000-4000-8000-00000000ef01"
SEARCH_ARN = f"arn:aws:backup-search:eu-west-1:{ACCOUNT}:search-job/{SEARCH_ID}"
EXPORT_ARN = f"arn:aws:backup-search:eu-west-1:{ACCOUNT}:search-export-job/{EXPORT_ID}"
WHEN = datetime(2026, 11, 1, 8, 30, tzinfo=timezone.utc)

MESSAGES = {
    "FAILED": "Backup index could not be read: kms:Decrypt denied.",
    "STOPPED": "The recovery point expired during the search.",
}


def backup(i: int, status: str) -> dict[str, Any]:
    row: dict[str, Any] = {
        "Status": status,
        "ResourceType": "EBS" if i % 2 else "S3",
        "BackupResourceArn": f"arn:aws:backup:eu-west-1:{ACCOUNT}:recovery-point:rp-{i}",
        "SourceResourceArn": f"arn:aws:s3:::bucket-{i}",
        "BackupCreationTime": WHEN,
        "IndexCreationTime": WHEN,
    }
    if status in MESSAGES:
        row["StatusMessage"] = MESSAGES[status]
        del row["IndexCreationTime"]
    return row


PAGES = [
    [backup(0, "COMPLETED"), backup(1, "RUNNING")],
    [backup(2, "FAILED"), backup(3, "STOPPING")],
    [backup(4, "STOPPED"), backup(5, "COMPLETED")],
]


@pytest.fixture
def jobs() -> Jobs:
    return Jobs(Clients(AwsSettings(region="us-east-1", access_key="x", secret_key="x")))


@pytest.fixture
def stub(jobs: Jobs) -> Iterator[Stubber]:
    client = jobs.clients.client("backupsearch", "eu-west-1")
    with Stubber(client) as stubber:
        yield stubber
        stubber.assert_no_pending_responses()


def add_pages(stub: Stubber, search_id: str = SEARCH_ID) -> None:
    for n, page in enumerate(PAGES):
        request: dict[str, Any] = {"SearchJobIdentifier": search_id, "MaxResults": 1000}
        if n:
            request["NextToken"] = f"t{n}"
        response: dict[str, Any] = {"Results": page}
        if n < len(PAGES) - 1:
            response["NextToken"] = f"t{n + 1}"
        stub.add_response("list_search_job_backups", response, request)


def read(jobs: Jobs, ref: str) -> list[core.Backup]:
    reader = core.SearchBackups(jobs)
    return list(reader.iter_backups(reader.resolve(core.parse_search_ref(ref))))


def test_an_export_job_leads_to_its_search_jobs_backups_over_every_page(
    jobs: Jobs, stub: Stubber
) -> None:
    stub.add_response(
        "get_search_result_export_job",
        {
            "ExportJobIdentifier": EXPORT_ID,
            "ExportJobArn": EXPORT_ARN,
            "Status": "COMPLETED",
            "SearchJobArn": SEARCH_ARN,
        },
        {"ExportJobIdentifier": EXPORT_ID},
    )
    add_pages(stub)

    found = read(jobs, EXPORT_ARN)

    assert [b.status for b in found] == [r["Status"] for page in PAGES for r in page]
    assert core.summary(found) == {
        "COMPLETED": 2,
        "RUNNING": 1,
        "FAILED": 1,
        "STOPPING": 1,
        "STOPPED": 1,
    }
    failed = next(b for b in found if b.status == "FAILED")
    assert failed.problem and failed.status_message == MESSAGES["FAILED"]
    assert failed.index_creation_time is None
    assert [b.status for b in found if b.problem] == ["FAILED", "STOPPED"]
    assert found[0].backup_creation_time == WHEN and found[0].search_job_arn == SEARCH_ARN
    assert found[0].to_dict()["backup_creation_time"] == "2026-11-01T08:30:00Z"
    assert jobs.calls.snapshot() == {
        ("backupsearch", "GetSearchResultExportJob"): 1,
        ("backupsearch", "ListSearchJobBackups"): 3,
    }


def test_a_search_job_arn_is_read_directly_in_its_region(jobs: Jobs, stub: Stubber) -> None:
    add_pages(stub)
    assert len(read(jobs, SEARCH_ARN)) == 6
    assert ("backupsearch", "GetSearchResultExportJob") not in jobs.calls.snapshot()


@pytest.mark.parametrize(
    "given",
    [
        SEARCH_ARN,
        SEARCH_ID,
        f" {SEARCH_ARN} ",
        f"search-job:{SEARCH_ID}",
        f"search-job:eu-west-1:{SEARCH_ID}",
    ],
)
def test_list_and_backups_send_a_search_jobs_id_whether_given_its_arn_or_id(given: str) -> None:
    jobs = Jobs(Clients(AwsSettings(region="eu-west-1", access_key="x", secret_key="x")))
    with Stubber(jobs.clients.client("backupsearch", "eu-west-1")) as stub:
        export = {"ExportJobIdentifier": EXPORT_ID, "ExportJobArn": EXPORT_ARN, "Status": "RUNNING"}
        stub.add_response(
            "list_search_result_export_jobs",
            {"ExportJobs": [{**export, "SearchJobArn": SEARCH_ARN}]},
            {"SearchJobIdentifier": SEARCH_ID, "MaxResults": 1000},
        )
        add_pages(stub)

        listed = jobs.list(ListQuery(services=("backupsearch",), scope={"search_job": given}))
        ref = given if given.strip().startswith(("arn:", "search-job:")) else f"search-job:{given}"
        backups = read(jobs, ref)

        stub.assert_no_pending_responses()
    assert [j.id for j in listed.jobs] == [EXPORT_ID] and not listed.failures
    assert len(backups) == 6


def test_the_search_job_prefix_form(jobs: Jobs, stub: Stubber) -> None:
    add_pages(stub)
    assert len(read(jobs, f"search-job:eu-west-1:{SEARCH_ID}")) == 6


def test_a_bare_id_that_is_no_export_job_is_taken_for_a_search_job(jobs: Jobs) -> None:
    client = jobs.clients.client("backupsearch", "us-east-1")
    with Stubber(client) as stub:
        stub.add_client_error(
            "get_search_result_export_job",
            service_error_code="ResourceNotFoundException",
            http_status_code=404,
            expected_params={"ExportJobIdentifier": SEARCH_ID},
        )
        add_pages(stub)
        assert len(read(jobs, SEARCH_ID)) == 6
        stub.assert_no_pending_responses()


def test_a_missing_search_job_is_not_found(jobs: Jobs, stub: Stubber) -> None:
    stub.add_client_error(
        "list_search_job_backups",
        service_error_code="ResourceNotFoundException",
        service_message=f"Search job {SEARCH_ID} does not exist.",
        http_status_code=404,
    )
    with pytest.raises(ExportctlError) as caught:
        read(jobs, SEARCH_ARN)
    assert caught.value.exit_code == ExitCode.NOT_FOUND


@pytest.mark.parametrize(
    "ref",
    [
        "pinpoint:app/job",
        "search-job:not a region:x",
        "search-job:",
        f"arn:aws:personalize:us-east-1:{ACCOUNT}:dataset-export-job/x",
    ],
)
def test_references_that_are_not_backup_search_are_usage_errors(ref: str) -> None:
    with pytest.raises(ExportctlError) as caught:
        core.parse_search_ref(ref)
    assert caught.value.exit_code == ExitCode.USAGE


@pytest.mark.parametrize(
    ("ref", "why"),
    [
        (f"arn:aws:backup-search:us-east-1:123:search-job/{SEARCH_ID}", "'123' is not an account"),
        (f"arn:aws:backup-search:us-east-1:{ACCOUNT}:search-job/", "it names no search job"),
        ("", "it is empty"),
        ("search-job:", "search job ids look like ID"),
        ("backupsearch:not a region:x", "'not a region' is not a region"),
    ],
)
def test_a_malformed_reference_says_the_forms_backups_takes(ref: str, why: str) -> None:
    with pytest.raises(ExportctlError) as caught:
        core.parse_search_ref(ref)
    said = caught.value.message
    assert caught.value.exit_code == ExitCode.USAGE
    assert f"bad reference '{ref}': {why}" in said
    assert said.endswith(
        "; accepted forms: arn:aws:backup-search:REGION:ACCOUNT:search-job/ID; "
        "search-job:[REGION:]ID; arn:aws:backup-search:REGION:ACCOUNT:search-export-job/ID; "
        "backupsearch:[[ACCOUNT:]REGION:]ID; ID (an export job's, else a search job's)"
    )


def test_the_declared_statuses_are_the_models() -> None:
    model = botocore.session.get_session().get_service_model("backupsearch")
    enum = model.shape_for("SearchJobBackupsResult").members["Status"].enum
    assert set(bs.BACKUP_STATUSES) == set(enum)
    assert set(bs.BACKUP_PROBLEM_STATUSES) <= set(enum)
    # What `backups --status` offers and its help lists.
    assert bs.SPEC.searches is not None
    assert bs.SPEC.searches.backup_statuses == bs.BACKUP_STATUSES


def search_job_answer(status: str, **extra: Any) -> dict[str, Any]:
    return {
        "SearchJobIdentifier": SEARCH_ID,
        "SearchJobArn": SEARCH_ARN,
        "Name": "contracts",
        "Status": status,
        "CreationTime": WHEN,
        "SearchScope": {"BackupResourceTypes": ["S3"]},
        "ItemFilters": {},
        "CurrentSearchProgress": {"RecoveryPointsScannedCount": 2, "ItemsScannedCount": 10},
        "SearchScopeSummary": {"TotalRecoveryPointsToScanCount": 6},
        **extra,
    }


@pytest.mark.parametrize(("status", "final"), [("RUNNING", False), ("COMPLETED", True),
                                               ("STOPPED", False)])  # fmt: skip
def test_the_search_job_is_read_by_id_and_says_whether_the_list_is_final(
    jobs: Jobs, stub: Stubber, status: str, final: bool
) -> None:
    stub.add_response(
        "get_search_job",
        search_job_answer(status, StatusMessage="2 recovery points could not be scanned"),
        {"SearchJobIdentifier": SEARCH_ID},
    )
    reader = core.SearchBackups(jobs)

    report = reader.describe(
        reader.resolve(core.parse_search_ref(f"search-job:eu-west-1:{SEARCH_ID}"))
    )

    assert report.final is final and report.job is not None
    assert report.search.arn == SEARCH_ARN
    record = report.to_dict([])
    assert record["final"] is final and record["backups"] == []
    job = record["search_job"]
    assert (job["status"], job["name"], job["region"]) == (status, "contracts", "eu-west-1")
    assert job["status_message"] == "2 recovery points could not be scanned"
    assert job["created"] == "2026-11-01T08:30:00Z" and job["completed"] is None
    assert job["progress"] == {"recovery_points_scanned_count": 2, "items_scanned_count": 10}
    assert job["scope_summary"] == {"total_recovery_points_to_scan_count": 6}
    assert job["details"] == {"search_scope": {"backup_resource_types": ["S3"]}, "item_filters": {}}


def test_a_search_jobs_tag_names_are_kept_as_the_user_wrote_them(jobs: Jobs, stub: Stubber) -> None:
    # BackupResourceTags is a map: its keys are the user's tag names, not member names.
    tags = {"CostCenter": "finance", "myKey": "v", "team-name": "Data"}
    scope = {"BackupResourceTypes": ["S3"], "BackupResourceTags": tags}
    stub.add_response(
        "get_search_job",
        search_job_answer("COMPLETED", SearchScope=scope),
        {"SearchJobIdentifier": SEARCH_ID},
    )
    reader = core.SearchBackups(jobs)

    report = reader.describe(
        reader.resolve(core.parse_search_ref(f"search-job:eu-west-1:{SEARCH_ID}"))
    )

    scope = report.to_dict([])["search_job"]["details"]["search_scope"]
    assert scope == {"backup_resource_types": ["S3"], "backup_resource_tags": tags}


def test_refused_get_search_job_leaves_the_backups_readable(jobs: Jobs, stub: Stubber) -> None:
    stub.add_client_error(
        "get_search_job",
        service_error_code="AccessDeniedException",
        service_message="not authorized to perform backup-search:GetSearchJob",
        http_status_code=403,
        expected_params={"SearchJobIdentifier": SEARCH_ID},
    )
    add_pages(stub)
    reader = core.SearchBackups(jobs)

    report = reader.describe(reader.resolve(core.parse_search_ref(SEARCH_ARN)))
    found = list(reader.iter_backups(report.search))

    assert report.job is None and report.final is None
    assert report.unread and "GetSearchJob" in report.unread
    assert len(found) == 6


def test_a_search_job_arn_of_another_account_is_not_that_accounts_job_of_the_same_id(
    jobs: Jobs, stub: Stubber
) -> None:
    elsewhere = SEARCH_ARN.replace(f":{ACCOUNT}:", ":210987654321:")
    # These credentials reach ACCOUNT, which holds a search job of the same id.
    stub.add_response(
        "get_search_job",
        {
            "Status": "COMPLETED",
            "SearchScope": {"BackupResourceTypes": ["S3"]},
            "ItemFilters": {},
            "CreationTime": WHEN,
            "SearchJobIdentifier": SEARCH_ID,
            "SearchJobArn": SEARCH_ARN,
        },
        {"SearchJobIdentifier": SEARCH_ID},
    )
    reader = core.SearchBackups(jobs)
    with pytest.raises(ExportctlError) as caught:
        reader.describe(reader.resolve(core.parse_search_ref(elsewhere)))
    assert caught.value.exit_code == ExitCode.NOT_FOUND
    assert "is in account 210987654321" in caught.value.message


@pytest.mark.parametrize(
    ("answer", "said"),
    [
        # A proxy's page, as botocore's parser reads one: no member of the model.
        ({"ResponseMetadata": {"HTTPStatusCode": 200}}, "without the SearchJobIdentifier"),
        (search_job_answer("COMPLETED", Status=None), "without the Status"),
        (
            search_job_answer("COMPLETED", SearchJobIdentifier="other", SearchJobArn="x"),
            "without the search job asked for",
        ),
    ],
)
def test_a_search_job_answer_that_is_none_is_a_broken_answer(
    jobs: Jobs, monkeypatch: pytest.MonkeyPatch, answer: dict[str, Any], said: str
) -> None:
    from exportctl.domain.errors import BrokenAnswerError

    monkeypatch.setattr(jobs, "caller", lambda spec, region: lambda op, params: answer)
    reader = core.SearchBackups(jobs)
    search = reader.resolve(core.parse_search_ref(f"search-job:eu-west-1:{SEARCH_ID}"))
    with pytest.raises(BrokenAnswerError) as caught:
        reader.describe(search)
    assert caught.value.exit_code == 5 and said in caught.value.message


def _two_regions() -> Board:
    settings = AwsSettings(region="us-east-1", access_key="x", secret_key="x")
    return Board(Clients(settings), regions=Regions(("us-east-1", "eu-west-1")))


def _search_job_in(stub: Stubber, region: str | None) -> None:
    """GetSearchJob's answer in one region: the search job, or that it does not exist."""
    if region is None:
        stub.add_client_error(
            "get_search_job",
            service_error_code="ResourceNotFoundException",
            service_message=f"Search job {SEARCH_ID} does not exist.",
            http_status_code=404,
            expected_params={"SearchJobIdentifier": SEARCH_ID},
        )
        return
    answer = search_job_answer("COMPLETED")
    answer["SearchJobArn"] = SEARCH_ARN.replace(":eu-west-1:", f":{region}:")
    stub.add_response("get_search_job", answer, {"SearchJobIdentifier": SEARCH_ID})


@pytest.mark.parametrize("form", [SEARCH_ID, f"search-job:{SEARCH_ID}"])
@pytest.mark.parametrize(
    ("found_in", "exit_code", "said"),
    [
        ((), ExitCode.NOT_FOUND, f"no search job {SEARCH_ID} in us-east-1, eu-west-1"),
        (("us-east-1", "eu-west-1"), ExitCode.USAGE, f"{SEARCH_ID} names 2 search jobs"),
    ],
)
def test_a_search_job_without_its_region_is_one_of_the_command_regions(
    form: str, found_in: tuple[str, ...], exit_code: ExitCode, said: str
) -> None:
    board = _two_regions()
    with ExitStack() as stack:
        for region in ("us-east-1", "eu-west-1"):
            stub = stack.enter_context(Stubber(board.clients.client("backupsearch", region)))
            if form == SEARCH_ID:
                # A bare id is an export job's first, in each region too.
                stub.add_client_error(
                    "get_search_result_export_job",
                    service_error_code="ResourceNotFoundException",
                    http_status_code=404,
                    expected_params={"ExportJobIdentifier": SEARCH_ID},
                )
            _search_job_in(stub, region if region in found_in else None)
        reader = core.SearchBackups(board)
        with pytest.raises(ExportctlError) as caught:
            reader.describe(reader.resolve(core.parse_search_ref(form)))
    assert caught.value.exit_code == exit_code
    assert said in caught.value.message
    if found_in:
        for region in found_in:
            assert SEARCH_ARN.replace(":eu-west-1:", f":{region}:") in caught.value.message


def test_a_search_job_found_in_one_region_of_the_command_lists_its_backups_there() -> None:
    board = _two_regions()
    with ExitStack() as stack:
        home = stack.enter_context(Stubber(board.clients.client("backupsearch", "us-east-1")))
        there = stack.enter_context(Stubber(board.clients.client("backupsearch", "eu-west-1")))
        _search_job_in(home, None)
        _search_job_in(there, "eu-west-1")
        add_pages(there)
        reader = core.SearchBackups(board)
        report = reader.describe(reader.resolve(core.parse_search_ref(f"search-job:{SEARCH_ID}")))
        assert (report.search.region, report.search.arn) == ("eu-west-1", SEARCH_ARN)
        assert len(list(reader.iter_backups(report.search))) == 6
        home.assert_no_pending_responses()
        there.assert_no_pending_responses()
