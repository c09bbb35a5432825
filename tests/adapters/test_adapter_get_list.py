"""Get and list of every service through Jobs, with Stubber checking each request."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from adapter_stubs import (
    APP,
    REGION,
    SERVICES,
    WHEN,
    Stubs,
    arn,
    get_response,
    job_id,
    raw_job,
    summary,
)
from botocore import xform_name

from exportctl.domain.jobkey import JobKey
from exportctl.domain.model import State
from exportctl.ops.jobs import Jobs, ListQuery
from exportctl.services import service_names, spec_for
from exportctl.services.projection import resolve
from exportctl.services.refs import parse
from exportctl.services.spec import Page

HERE = Path(__file__).parent

# The request each service's get sends for job 1, and what it is normalised to.
GETS: dict[str, tuple[str, str, dict[str, Any], dict[str, Any]]] = {
    "backupsearch": (
        arn("backupsearch", job_id("backupsearch", 1)),
        "get_search_result_export_job",
        {"ExportJobIdentifier": job_id("backupsearch", 1)},
        {
            "destination": "s3://results/exports/1/",
            "message": "message 1",
            "arn": arn("backupsearch", job_id("backupsearch", 1)),
            "ref": arn("backupsearch", job_id("backupsearch", 1)),
            "completed": WHEN + timedelta(minutes=6),
        },
    ),
    "pinpoint": (
        f"pinpoint:{APP}/{job_id('pinpoint', 1)}",
        "get_export_job",
        {"ApplicationId": APP, "JobId": job_id("pinpoint", 1)},
        {
            "destination": "s3://pinpoint-out/1/",
            "message": "piece 1 failed (+1 more)",
            "arn": None,
            "ref": f"pinpoint:{REGION}:{APP}/{job_id('pinpoint', 1)}",
            "completed": WHEN + timedelta(minutes=6),
        },
    ),
    "personalize": (
        arn("personalize", "export-1"),
        "describe_dataset_export_job",
        {"datasetExportJobArn": arn("personalize", "export-1")},
        {
            "destination": "s3://personalize-out/1/",
            "message": "reason 1",
            "arn": arn("personalize", "export-1"),
            "ref": arn("personalize", "export-1"),
            "name": "export-1",
            # No completion time in this API: the last update of a finished job.
            "completed": WHEN + timedelta(minutes=6),
        },
    ),
    "discovery": (
        f"discovery:{job_id('discovery', 1)}",
        "describe_export_tasks",
        {"exportIds": [job_id("discovery", 1)]},
        {
            "destination": f"https://discovery-exports.example/{job_id('discovery', 1)}.zip",
            "message": "message 1",
            "arn": None,
            "ref": f"discovery:{REGION}:{job_id('discovery', 1)}",
            "completed": None,
        },
    ),
    "dynamodb": (
        arn("dynamodb", job_id("dynamodb", 1)),
        "describe_export",
        {"ExportArn": arn("dynamodb", job_id("dynamodb", 1))},
        {
            "destination": "s3://dynamodb-out/exports/1/",
            "message": None,
            "arn": arn("dynamodb", job_id("dynamodb", 1)),
            "ref": arn("dynamodb", job_id("dynamodb", 1)),
            "completed": WHEN + timedelta(minutes=6),
        },
    ),
    "rds": (
        f"rds:{job_id('rds', 1)}",
        "describe_export_tasks",
        {"ExportTaskIdentifier": job_id("rds", 1)},
        {
            "destination": f"s3://rds-out/exports/1/{job_id('rds', 1)}/",
            "message": "message 1",
            "arn": None,
            "ref": f"rds:{REGION}:{job_id('rds', 1)}",
            "completed": WHEN + timedelta(minutes=6),
        },
    ),
    "logs": (
        f"logs:{job_id('logs', 1)}",
        "describe_export_tasks",
        {"taskId": job_id("logs", 1)},
        {
            "destination": f"s3://logs-out/exports/1/{job_id('logs', 1)}/",
            "message": "message 1",
            "name": "task 1",
            "arn": None,
            "ref": f"logs:{REGION}:{job_id('logs', 1)}",
            "completed": WHEN + timedelta(minutes=6),
        },
    ),
    "ec2": (
        f"ec2:{job_id('ec2', 1)}",
        "describe_export_image_tasks",
        {"ExportImageTaskIds": [job_id("ec2", 1)]},
        {
            "destination": f"s3://ec2-out/amis/1/{job_id('ec2', 1)}",
            "message": "message 1",
            "arn": None,
            "ref": f"ec2:{REGION}:{job_id('ec2', 1)}",
            # Neither kind of EC2 export has a creation time in its API.
            "created": None,
            "completed": None,
        },
    ),
}

TERMINAL = {
    "backupsearch": "COMPLETED",
    "pinpoint": "COMPLETED",
    "personalize": "ACTIVE",
    "discovery": "SUCCEEDED",
    "dynamodb": "COMPLETED",
    "rds": "COMPLETE",
    "logs": "COMPLETED",
    "ec2": "completed",
}


def test_these_tests_know_every_service() -> None:
    # A new adapter is not done until it has its rows in these tables, and either goes
    # through the shared tables (SERVICES) or has a test file of its own.
    assert sorted(service_names()) == sorted(GETS) == sorted(TERMINAL)
    assert set(SERVICES) <= set(service_names())
    own = {name for name in service_names() if (HERE / f"test_adapter_{name}.py").is_file()}
    assert set(SERVICES) | own == set(service_names())


@pytest.mark.parametrize("service", sorted(GETS))
def test_get_sends_the_request_and_normalises_the_answer(
    jobs: Jobs, stubs: Stubs, service: str
) -> None:
    ref, method, params, expected = GETS[service]
    raw = raw_job(service, 1, TERMINAL[service])
    stubs(service).add_response(method, get_response(service, raw), params)

    job = jobs.get(parse(ref))

    assert job.service == service
    assert job.id == job_id(service, 1)
    assert job.region == REGION
    assert job.status == TERMINAL[service]
    assert job.state is State.COMPLETED
    assert job.created == expected.get("created", WHEN + timedelta(minutes=1))
    for name, value in expected.items():
        assert getattr(job, name) == value, name
    assert jobs.calls.total() == 1


def test_pinpoint_progress_comes_from_the_counters(jobs: Jobs, stubs: Stubs) -> None:
    ref, method, params, _ = GETS["pinpoint"]
    raw = raw_job("pinpoint", 1, "PROCESSING")
    stubs("pinpoint").add_response(method, get_response("pinpoint", raw), params)

    job = jobs.get(parse(ref))

    assert job.progress is not None
    assert (job.progress.completed_pieces, job.progress.total_pieces) == (2, 4)
    assert job.progress.fraction == 0.5
    assert job.progress.failures == ("piece 1 failed", "another")
    assert job.details["segment_id"] == "seg-1"
    assert job.details["application_id"] == APP


# operation, items member, token member in, token member out, fixed request members
LISTS: dict[str, tuple[str, str, str, str, dict[str, Any]]] = {
    "backupsearch": (
        "list_search_result_export_jobs", "ExportJobs", "NextToken", "NextToken",
        {"MaxResults": 1000},
    ),
    "personalize": (
        "list_dataset_export_jobs", "datasetExportJobs", "nextToken", "nextToken",
        {"maxResults": 100},
    ),
    "discovery": (
        "describe_export_tasks", "exportsInfo", "nextToken", "nextToken", {"maxResults": 100},
    ),
    "rds": ("describe_export_tasks", "ExportTasks", "Marker", "Marker", {"MaxRecords": 100}),
    "logs": ("describe_export_tasks", "exportTasks", "nextToken", "nextToken", {"limit": 50}),
}  # fmt: skip


def add_list_pages(
    stubs: Stubs,
    service: str,
    pages: list[list[int]],
    extra: dict[str, Any] | None = None,
    more: bool = False,
) -> None:
    """Planned list answers; ``more``: the last one still has a token (more pages exist)."""
    method, items, token_in, token_out, fixed = LISTS[service]
    for n, numbers in enumerate(pages):
        request = {**fixed, **(extra or {})}
        if n:
            request[token_in] = f"page-{n}"
        response: dict[str, Any] = {
            items: [summary(service, i, TERMINAL[service]) for i in numbers]
        }
        if more or n < len(pages) - 1:
            response[token_out] = f"page-{n + 1}"
        stubs(service).add_response(method, response, request)


@pytest.mark.parametrize("service", sorted(LISTS))
def test_list_follows_the_tokens_over_three_pages(jobs: Jobs, stubs: Stubs, service: str) -> None:
    add_list_pages(stubs, service, [[1, 2], [3], [4, 5]])

    result = jobs.list(ListQuery(services=(service,)))

    assert result.failures == [] and result.notices == []
    assert [j.id for j in result.jobs] == [job_id(service, i) for i in (5, 4, 3, 2, 1)]
    assert all(j.state is State.COMPLETED for j in result.jobs)
    assert jobs.calls.snapshot() == {(service, spec_for(service).list.operation): 3}


@pytest.mark.parametrize(
    ("service", "scope", "param"),
    [
        ("backupsearch", {"search_job": "s-9"}, {"SearchJobIdentifier": "s-9"}),
        ("personalize", {"dataset_arn": "arn:ds"}, {"datasetArn": "arn:ds"}),
    ],
)
def test_list_scope_becomes_a_request_parameter(
    jobs: Jobs, stubs: Stubs, service: str, scope: dict[str, str], param: dict[str, str]
) -> None:
    add_list_pages(stubs, service, [[1], [2]], extra=param)

    result = jobs.list(ListQuery(services=(service,), scope=scope))

    assert len(result.jobs) == 2


def test_list_filters_by_state_and_age_and_limits(jobs: Jobs, stubs: Stubs) -> None:
    method, items, *_ = LISTS["discovery"]
    rows = [summary("discovery", i, s) for i, s in enumerate(["IN_PROGRESS", "SUCCEEDED"] * 3)]
    stubs("discovery").add_response(method, {items: rows}, {"maxResults": 100})

    result = jobs.list(
        ListQuery(
            services=("discovery",),
            states=frozenset({State.COMPLETED}),
            since=WHEN + timedelta(minutes=2),
            limit=1,
        )
    )

    assert [j.id for j in result.jobs] == [job_id("discovery", 5)]


# -- Pinpoint: applications first, then each application's jobs -----------------------


def apps_page(ids: list[str], token: str | None) -> dict[str, Any]:
    page: dict[str, Any] = {
        "Item": [
            {"Arn": f"arn:aws:mobiletargeting:{REGION}:1:apps/{a}", "Id": a, "Name": f"{a} name"}
            for a in ids
        ]
    }
    if token:
        page["NextToken"] = token
    return {"ApplicationsResponse": page}


def jobs_page(app: str, numbers: list[int], token: str | None) -> dict[str, Any]:
    page: dict[str, Any] = {"Item": [raw_job("pinpoint", i, "COMPLETED", app=app) for i in numbers]}
    if token:
        page["NextToken"] = token
    return {"ExportJobsResponse": page}


def test_pinpoint_pages_applications_and_jobs_with_string_page_size(
    jobs: Jobs, stubs: Stubs
) -> None:
    stub = stubs("pinpoint")
    # Requests go out in this order: the listing is lazy, application by application.
    stub.add_response("get_apps", apps_page(["app1"], "a-1"), {"PageSize": "100"})
    for n, (numbers, token) in enumerate([([1, 2], "j-1"), ([3], "j-2"), ([4], None)]):
        request = {"ApplicationId": "app1", "PageSize": "100"}
        if n:
            request["Token"] = f"j-{n}"
        stub.add_response("get_export_jobs", jobs_page("app1", numbers, token), request)
    stub.add_response("get_apps", apps_page(["app2"], "a-2"), {"PageSize": "100", "Token": "a-1"})
    stub.add_response(
        "get_export_jobs",
        jobs_page("app2", [5], None),
        {"ApplicationId": "app2", "PageSize": "100"},
    )
    stub.add_response("get_apps", apps_page(["app3"], None), {"PageSize": "100", "Token": "a-2"})
    stub.add_response(
        "get_export_jobs", jobs_page("app3", [], None), {"ApplicationId": "app3", "PageSize": "100"}
    )

    result = jobs.list(ListQuery(services=("pinpoint",)))

    assert [(j.details["application_id"], j.id) for j in result.jobs] == [
        ("app2", job_id("pinpoint", 5)),
        *[("app1", job_id("pinpoint", i)) for i in (4, 3, 2, 1)],
    ]
    # GetApps named each application: its jobs carry the name.
    assert [j.details["application_name"] for j in result.jobs] == ["app2 name"] + ["app1 name"] * 4
    assert jobs.calls.snapshot() == {("pinpoint", "GetApps"): 3, ("pinpoint", "GetExportJobs"): 5}


def test_pinpoint_application_scope_skips_get_apps(jobs: Jobs, stubs: Stubs) -> None:
    stub = stubs("pinpoint")
    for app in ("app7", "app8"):
        stub.add_response(
            "get_export_jobs", jobs_page(app, [1], None), {"ApplicationId": app, "PageSize": "100"}
        )

    result = jobs.list(
        ListQuery(services=("pinpoint",), scope={"application_id": ("app7", "app8")})
    )

    assert sorted(j.ref for j in result.jobs) == [
        f"pinpoint:{REGION}:app7/{job_id('pinpoint', 1)}",
        f"pinpoint:{REGION}:app8/{job_id('pinpoint', 1)}",
    ]
    assert ("pinpoint", "GetApps") not in jobs.calls.snapshot()
    # No GetApps, no name: nothing is made up.
    assert all("application_name" not in j.details for j in result.jobs)


# The parents' page of a service whose jobs are listed per parent (``FanOut``):
# the one parent's id, and the page that lists it.
PARENT_PAGES = {"pinpoint": ("app1", apps_page(["app1"], None))}


def _nested(path: str, value: Any) -> dict[str, Any]:
    """An answer holding ``value`` at the dotted ``path`` (``ExportJobsResponse.Item``)."""
    for part in reversed(path.split(".")):
        value = {part: value}
    return dict(value)


def _limit(page: Page) -> dict[str, Any]:
    return {page.limit_key: page.limit} if page.limit_key and page.limit is not None else {}


def add_listing(stubs: Stubs, service: str, numbers: list[int]) -> None:
    """One page of these jobs of any service, with the calls its listing makes around
    it, as its spec declares them: the parents before (``fan_out``), each summary
    described after (``summaries``), then the listings of its other kinds (none)."""
    spec, stub = spec_for(service), stubs(service)
    params = _limit(spec.list)
    if spec.fan_out is not None:
        parent, page = PARENT_PAGES[service]
        stub.add_response(
            xform_name(spec.fan_out.parents.operation), page, _limit(spec.fan_out.parents)
        )
        params[spec.fan_out.param] = parent
        jobs = [raw_job(service, i, TERMINAL[service], app=parent) for i in numbers]
        listed = jobs
    else:
        jobs = [raw_job(service, i, TERMINAL[service]) for i in numbers]
        listed = [summary(service, i, TERMINAL[service]) for i in numbers]
    stub.add_response(xform_name(spec.list.operation), _nested(spec.list.items, listed), params)
    for raw in jobs if spec.summaries else ():
        # Each described, one at a time (make_jobs).
        key = JobKey(
            service, str(resolve(raw, spec.fields.id)), arn=str(resolve(raw, spec.fields.arn))
        )
        stub.add_response(
            xform_name(spec.get.operation), get_response(service, raw), spec.get.params(key)
        )
    for kind in spec.kinds:
        stub.add_response(
            xform_name(kind.list.operation), _nested(kind.list.items, []), _limit(kind.list)
        )


def test_list_of_every_service_merges_newest_first(jobs: Jobs, stubs: Stubs) -> None:
    stubs.every_service()
    names = sorted(service_names())
    for n, service in enumerate(names, start=1):
        add_listing(stubs, service, [n])

    result = jobs.list(ListQuery())

    assert result.failures == [] and result.notices == []
    # Newest first; the jobs of services with no creation time (EC2's) after every
    # dated one.
    dated = [s for s in names if spec_for(s).fields.created is not None]
    undated = [s for s in names if s not in dated]
    assert [j.service for j in result.jobs] == [*reversed(dated), *undated]
    assert [j.id for j in result.jobs] == [
        job_id(s, names.index(s) + 1) for s in [*reversed(dated), *undated]
    ]


def test_a_page_token_seen_twice_stops_the_listing(jobs: Jobs, stubs: Stubs) -> None:
    method, items, token_in, token_out, fixed = LISTS["personalize"]
    row = summary("personalize", 1, "ACTIVE")
    stub = stubs("personalize")
    stub.add_response(method, {items: [row], token_out: "same"}, fixed)
    # The same page again, as a listing going round sends it.
    stub.add_response(method, {items: [row], token_out: "same"}, {**fixed, token_in: "same"})

    result = jobs.list(ListQuery(services=("personalize",)))

    assert len(result.jobs) == 1
    [failure] = result.failures
    assert "returned the same page token twice" in failure.message
    # Which service's listing: DescribeExportTasks is four services' call.
    assert failure.message.startswith("Amazon Personalize: ")
    assert failure.exit_code == 5
