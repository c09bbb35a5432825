"""Many jobs at once: order kept, Discovery batched, Personalize names found by listing."""

from __future__ import annotations

import pytest
from adapter_stubs import APP, REGION, Stubs, arn, get_response, job_id, raw_job
from test_adapter_get_list import GETS, TERMINAL, add_list_pages

from exportctl.domain.errors import ExitCode, NotFoundError
from exportctl.domain.model import ExportJob
from exportctl.ops.jobs import Jobs
from exportctl.services.refs import JobKey, parse


def expect_get(stubs: Stubs, service: str) -> None:
    _, method, params, _ = GETS[service]
    raw = raw_job(service, 1, TERMINAL[service])
    stubs(service).add_response(method, get_response(service, raw), params)


def discovery_batch(stubs: Stubs, asked: list[str], answered: list[str]) -> None:
    rows = [{**raw_job("discovery", 0, "SUCCEEDED"), "exportId": i} for i in answered]
    stubs("discovery").add_response(
        "describe_export_tasks", {"exportsInfo": rows}, {"exportIds": asked, "maxResults": 100}
    )


def test_results_come_back_in_the_order_asked(jobs: Jobs, stubs: Stubs) -> None:
    d1, d2 = job_id("discovery", 1), job_id("discovery", 2)
    for service in ("pinpoint", "personalize", "backupsearch"):
        expect_get(stubs, service)
    # Answered in another order than asked, and without the missing one.
    discovery_batch(stubs, [d1, d2, "export-gone"], [d2, d1])
    refs = [
        f"discovery:{d1}",
        GETS["pinpoint"][0],
        f"discovery:{d2}",
        GETS["personalize"][0],
        GETS["backupsearch"][0],
        "discovery:export-gone",
    ]

    results = jobs.get_many([parse(r) for r in refs])

    assert [r.id if isinstance(r, ExportJob) else type(r) for r in results] == [
        d1,
        job_id("pinpoint", 1),
        d2,
        "export-1",
        job_id("backupsearch", 1),
        NotFoundError,
    ]
    assert jobs.calls.snapshot()[("discovery", "DescribeExportTasks")] == 1


def test_150_discovery_ids_take_two_calls_and_missing_ones_are_not_found(
    jobs: Jobs, stubs: Stubs
) -> None:
    ids = [f"export-{i:04d}" for i in range(150)]
    missing = {ids[7], ids[120]}
    discovery_batch(stubs, ids[:100], [i for i in ids[:100] if i not in missing])
    discovery_batch(stubs, ids[100:], [i for i in ids[100:] if i not in missing])

    results = jobs.get_many([JobKey("discovery", i) for i in ids])

    assert jobs.calls.snapshot() == {("discovery", "DescribeExportTasks"): 2}
    for wanted, result in zip(ids, results, strict=True):
        if wanted in missing:
            assert isinstance(result, NotFoundError)
            assert wanted in result.message
        else:
            assert isinstance(result, ExportJob) and result.id == wanted


def test_a_batch_answers_an_id_in_its_own_case_only(jobs: Jobs, stubs: Stubs) -> None:
    # Discovery knows an id as it made it: the one in capitals is not that job.
    known = job_id("discovery", 1)
    discovery_batch(stubs, [known, known.upper()], [known])

    results = jobs.get_many([JobKey("discovery", known), JobKey("discovery", known.upper())])

    assert isinstance(results[0], ExportJob) and results[0].id == known
    assert isinstance(results[1], NotFoundError) and known.upper() in results[1].message


def test_a_failing_batch_is_the_answer_for_each_of_its_ids(jobs: Jobs, stubs: Stubs) -> None:
    stubs("discovery").add_client_error(
        "describe_export_tasks", "AuthorizationErrorException", "no", 400,
        expected_params={"exportIds": ["e1", "e2"], "maxResults": 100},
    )  # fmt: skip

    results = jobs.get_many([JobKey("discovery", "e1"), JobKey("discovery", "e2")])

    assert [getattr(r, "exit_code", None) for r in results] == [ExitCode.CREDENTIALS] * 2


def test_a_batch_that_fails_leaves_the_batch_before_it_read(jobs: Jobs, stubs: Stubs) -> None:
    ids = [f"export-{i:04d}" for i in range(150)]
    discovery_batch(stubs, ids[:100], ids[:100])
    stubs("discovery").add_client_error(
        "describe_export_tasks", "ThrottlingException", "slow down", 400,
        expected_params={"exportIds": ids[100:], "maxResults": 100},
    )  # fmt: skip

    results = jobs.get_many([JobKey("discovery", i) for i in ids])

    assert all(isinstance(r, ExportJob) for r in results[:100])
    assert all(getattr(r, "exit_code", None) == ExitCode.AWS for r in results[100:])


def test_an_error_of_one_job_leaves_the_others(jobs: Jobs, stubs: Stubs) -> None:
    expect_get(stubs, "personalize")
    stubs("pinpoint").add_client_error(
        "get_export_job", "NotFoundException", "Resource not found", 404,
        expected_params={"ApplicationId": APP, "JobId": "nope"},
    )  # fmt: skip

    results = jobs.get_many([parse(GETS["personalize"][0]), parse(f"pinpoint:{APP}/nope")])

    assert isinstance(results[0], ExportJob)
    assert isinstance(results[1], NotFoundError) and results[1].exit_code == ExitCode.NOT_FOUND


def test_personalize_bare_name_is_found_through_the_listing(jobs: Jobs, stubs: Stubs) -> None:
    # More pages exist, but the job is on the second one.
    add_list_pages(stubs, "personalize", [[1, 2], [3]], more=True)
    wanted = arn("personalize", "export-3")
    raw = raw_job("personalize", 3, "CREATE IN_PROGRESS")
    stubs("personalize").add_response(
        "describe_dataset_export_job",
        get_response("personalize", raw),
        {"datasetExportJobArn": wanted},
    )

    [job] = jobs.get_many([parse("export-3", service="personalize")])

    assert isinstance(job, ExportJob)
    assert (job.arn, job.region) == (wanted, REGION)
    # The listing stops at the page that names the job.
    assert jobs.calls.snapshot() == {
        ("personalize", "ListDatasetExportJobs"): 2,
        ("personalize", "DescribeDatasetExportJob"): 1,
    }


def test_personalize_name_nobody_lists_is_not_found(jobs: Jobs, stubs: Stubs) -> None:
    add_list_pages(stubs, "personalize", [[1], [2]])

    with pytest.raises(NotFoundError, match="no export job named 'export-9'"):
        jobs.get(parse("export-9", service="personalize"))
