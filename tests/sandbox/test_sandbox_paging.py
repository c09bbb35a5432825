"""Paging: every job exactly once, whatever the page size the client asks or the server caps."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sandbox_helpers import ClientFactory, sandbox_client

from exportctl.sandbox import Faults, Sandbox


def _drain(
    call: Callable[..., dict[str, Any]],
    items: str,
    token_in: str,
    token_out: str,
    wrapper: str | None = None,
    **params: Any,
) -> list[Any]:
    """Page through ``call`` by hand, following tokens until there are none."""
    found: list[Any] = []
    token: str | None = None
    for _ in range(10_000):
        response = call(**params, **({token_in: token} if token else {}))
        body = response[wrapper] if wrapper else response
        found.extend(body[items])
        token = body.get(token_out)
        if not token:
            return found
    raise AssertionError("paging never ended")


def _ids(client: ClientFactory, size: int) -> dict[str, list[str]]:
    """Every id of every listing, paged by hand with ``size`` per page."""
    bs, pp = client("backupsearch"), client("pinpoint")
    pz, ds = client("personalize"), client("discovery")
    apps = _drain(
        pp.get_apps, "Item", "Token", "NextToken", "ApplicationsResponse", PageSize=str(size)
    )
    return {
        "backupsearch": [
            j["ExportJobIdentifier"]
            for j in _drain(
                bs.list_search_result_export_jobs,
                "ExportJobs",
                "NextToken",
                "NextToken",
                MaxResults=size,
            )
        ],
        "pinpoint-apps": [a["Id"] for a in apps],
        "pinpoint": [
            j["Id"]
            for app in apps
            for j in _drain(
                pp.get_export_jobs,
                "Item",
                "Token",
                "NextToken",
                "ExportJobsResponse",
                ApplicationId=app["Id"],
                PageSize=str(size),
            )
        ],
        "personalize": [
            j["datasetExportJobArn"]
            for j in _drain(
                pz.list_dataset_export_jobs,
                "datasetExportJobs",
                "nextToken",
                "nextToken",
                maxResults=size,
            )
        ],
        "discovery": [
            t["exportId"]
            for t in _drain(
                ds.describe_export_tasks, "exportsInfo", "nextToken", "nextToken", maxResults=size
            )
        ],
    }


def _expected(sandbox: Sandbox) -> dict[str, list[str]]:
    def live(service: str, kind: str) -> list[str]:
        return sorted(j.id for j in sandbox.scenario.listing(service, kind, "us-east-1"))

    return {
        "backupsearch": live("backupsearch", "export"),
        "pinpoint-apps": live("pinpoint", "application"),
        "pinpoint": live("pinpoint", "export"),
        "personalize": live("personalize", "dataset-export-job"),
        "discovery": live("discovery", "export-task"),
    }


@pytest.mark.parametrize("size", [1, 2, 3, 100])
def test_client_page_size_returns_everything_once(
    sandbox: Sandbox, client: ClientFactory, size: int
) -> None:
    got = _ids(client, size)
    for name, ids in _expected(sandbox).items():
        assert len(got[name]) == len(set(got[name])), f"{name}: duplicates"
        assert sorted(got[name]) == ids, name


def test_server_page_cap_overrides_the_client(sandbox: Sandbox, client: ClientFactory) -> None:
    sandbox.faults.page_size = 2
    pz = client("personalize")
    first = pz.list_dataset_export_jobs(maxResults=100)
    assert len(first["datasetExportJobs"]) == 2 and first["nextToken"]
    got = _ids(client, 100)
    for name, ids in _expected(sandbox).items():
        assert sorted(got[name]) == ids, name


def test_get_apps_pages_with_a_small_page_size(client: ClientFactory) -> None:
    pp = client("pinpoint")
    first = pp.get_apps(PageSize="2")["ApplicationsResponse"]
    assert len(first["Item"]) == 2 and first["NextToken"]


def test_botocore_paginators(sandbox: Sandbox, client: ClientFactory) -> None:
    sandbox.faults.page_size = 3
    bs = client("backupsearch")
    search_id = bs.list_search_result_export_jobs(Status="COMPLETED")["ExportJobs"][0][
        "SearchJobArn"
    ].rsplit("/", 1)[1]
    backups = [
        r["BackupResourceArn"]
        for page in bs.get_paginator("list_search_job_backups").paginate(
            SearchJobIdentifier=search_id
        )
        for r in page["Results"]
    ]
    assert len(backups) == len(set(backups)) == 12
    pz = client("personalize")
    arns = [
        j["datasetExportJobArn"]
        for page in pz.get_paginator("list_dataset_export_jobs").paginate()
        for j in page["datasetExportJobs"]
    ]
    assert sorted(arns) == _expected(sandbox)["personalize"]


def test_backup_search_filters_page_too(sandbox: Sandbox, client: ClientFactory) -> None:
    sandbox.faults.page_size = 1
    bs = client("backupsearch")
    done = [
        j
        for page in bs.get_paginator("list_search_result_export_jobs").paginate(Status="COMPLETED")
        for j in page["ExportJobs"]
    ]
    assert done and all(j["Status"] == "COMPLETED" for j in done)
    assert len({j["ExportJobIdentifier"] for j in done}) == len(done)


def test_discovery_ids_page_too(sandbox: Sandbox, client: ClientFactory) -> None:
    ds = client("discovery")
    every = [t["exportId"] for t in ds.describe_export_tasks()["exportsInfo"]]
    sandbox.faults.page_size = 2
    pages = ds.get_paginator("describe_export_tasks").paginate(exportIds=every)
    got = [t["exportId"] for page in pages for t in page["exportsInfo"]]
    assert got == every


def test_ten_thousand_discovery_tasks(boto_session: Any) -> None:
    with Sandbox(faults=Faults(), clock=lambda: 0.0, discovery_tasks=10_000) as sb:
        ds = sandbox_client(boto_session, sb, "discovery")
        ids = [
            t["exportId"]
            for page in ds.get_paginator("describe_export_tasks").paginate()
            for t in page["exportsInfo"]
        ]
    assert len(ids) == len(set(ids)) == 10_006
