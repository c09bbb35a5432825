"""Fault injection as clients experience it: retries absorb it, or it surfaces as AWS errors."""

from __future__ import annotations

import time
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError, EndpointConnectionError
from botocore.retries.standard import ExponentialBackoff
from sandbox_helpers import ClientFactory

from exportctl.sandbox import Faults, Sandbox

RETRYING = {"mode": "standard", "max_attempts": 10}


@pytest.fixture
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    # The client's jittered back-off would add seconds of real sleeping per retry.
    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0.0)


def _pinpoint_items(call: Any, wrapper: str, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    token = None
    while True:
        extra = {"Token": token} if token else {}
        page = call(PageSize="2", **params, **extra)[wrapper]
        items += page["Item"]
        token = page.get("NextToken")
        if not token:
            return items


@pytest.mark.usefixtures("no_backoff")
def test_retrying_clients_list_everything_exactly_once(
    sandbox: Sandbox, client: ClientFactory
) -> None:
    expected = {
        "backupsearch": sorted(
            j.id for j in sandbox.scenario.listing("backupsearch", "export", "us-east-1")
        ),
        "personalize": sorted(
            j.id for j in sandbox.scenario.listing("personalize", "dataset-export-job", "us-east-1")
        ),
        "discovery": sorted(
            j.id for j in sandbox.scenario.listing("discovery", "export-task", "us-east-1")
        ),
        "pinpoint": sorted(
            j.id for j in sandbox.scenario.listing("pinpoint", "export", "us-east-1")
        ),
    }
    sandbox.faults.page_size = 2
    sandbox.faults.throttle_rate = 0.3
    sandbox.faults.error_rate = 0.1
    bs = client("backupsearch", retries=RETRYING)
    pz = client("personalize", retries=RETRYING)
    ds = client("discovery", retries=RETRYING)
    pp = client("pinpoint", retries=RETRYING)
    got = {
        "backupsearch": [
            j["ExportJobIdentifier"]
            for p in bs.get_paginator("list_search_result_export_jobs").paginate()
            for j in p["ExportJobs"]
        ],
        "personalize": [
            j["datasetExportJobArn"]
            for p in pz.get_paginator("list_dataset_export_jobs").paginate()
            for j in p["datasetExportJobs"]
        ],
        "discovery": [
            t["exportId"]
            for p in ds.get_paginator("describe_export_tasks").paginate()
            for t in p["exportsInfo"]
        ],
        "pinpoint": [],
    }
    # Pinpoint has no botocore paginators; its callers page by hand.
    for app in _pinpoint_items(pp.get_apps, "ApplicationsResponse"):
        jobs = _pinpoint_items(pp.get_export_jobs, "ExportJobsResponse", ApplicationId=app["Id"])
        got["pinpoint"] += [j["Id"] for j in jobs]
    for service, ids in expected.items():
        assert sorted(got[service]) == ids, service
    pages = sum((len(ids) + 1) // 2 for ids in expected.values())
    assert sum(sandbox.calls.values()) > pages, "no fault was injected"


def test_dropped_connections_without_retries(sandbox: Sandbox, client: ClientFactory) -> None:
    sandbox.faults.drop_rate = 1.0
    pz = client("personalize")
    with pytest.raises((ConnectionClosedError, EndpointConnectionError)):
        pz.list_dataset_export_jobs()
    sandbox.faults.drop_rate = 0.0
    assert pz.list_dataset_export_jobs()["datasetExportJobs"]


@pytest.mark.usefixtures("no_backoff")
def test_dropped_connections_are_retried(sandbox: Sandbox, client: ClientFactory) -> None:
    sandbox.faults.drop_rate = 0.5
    bs = client("backupsearch", retries=RETRYING)
    for _ in range(5):
        assert bs.list_search_result_export_jobs()["ExportJobs"]
    assert sandbox.calls[("backupsearch", "ListSearchResultExportJobs")] > 5


def test_latency_is_added(sandbox: Sandbox, client: ClientFactory) -> None:
    ds = client("discovery")
    sandbox.faults.latency = 0.2
    started = time.monotonic()
    ds.describe_export_tasks()
    assert time.monotonic() - started >= 0.2


def test_faults_from_the_constructor() -> None:
    with Sandbox(faults=Faults(throttle_rate=1.0), clock=lambda: 0.0) as sb:
        pz = boto3.client(
            "personalize",
            endpoint_url=sb.url,
            region_name="eu-west-1",
            aws_access_key_id="x",
            aws_secret_access_key="x",
            config=Config(retries={"mode": "standard", "total_max_attempts": 1}),
        )
        with pytest.raises(ClientError) as info:
            pz.list_dataset_export_jobs()
        assert info.value.response["Error"]["Code"] == "ThrottlingException"


def test_same_seed_same_fault_sequence() -> None:
    def outcomes(seed: int) -> list[bool]:
        with Sandbox(faults=Faults(throttle_rate=0.5), seed=seed, clock=lambda: 0.0) as sb:
            pz = boto3.client(
                "personalize",
                endpoint_url=sb.url,
                region_name="us-east-1",
                aws_access_key_id="x",
                aws_secret_access_key="x",
                config=Config(retries={"mode": "standard", "total_max_attempts": 1}),
            )
            result = []
            for _ in range(12):
                try:
                    pz.list_dataset_export_jobs()
                    result.append(True)
                except ClientError:
                    result.append(False)
            return result

    assert outcomes(3) == outcomes(3)
    assert True in outcomes(3) and False in outcomes(3)


def test_sts_answers_are_garbled_only_when_sts_is_named(
    sandbox: Sandbox, client: ClientFactory
) -> None:
    from botocore.parsers import ResponseParserError

    sts = client("sts")
    # "*" spoils the export services: an endpoint broken for them may still have its STS.
    sandbox.faults.update({"garble": {"*": "html"}})
    assert sts.get_caller_identity()["Account"] == "123456789012"
    # Query-protocol XML is spoilt as JSON is: an element where the model has text, a
    # member gone, a body that is no text at all.
    sandbox.faults.update({"garble": {"sts": "shape"}})
    assert sts.get_caller_identity()["Account"] == ""
    sandbox.faults.update({"garble": {"sts": "drop:Account"}})
    assert "Account" not in sts.get_caller_identity()
    sandbox.faults.update({"garble": {"sts": "gzip"}})
    with pytest.raises(ResponseParserError):
        sts.get_caller_identity()


def test_garble_after_counts_the_answers_from_when_the_garble_was_set(
    sandbox: Sandbox, client: ClientFactory
) -> None:
    ds = client("discovery")

    def intact() -> bool:
        return "exportsInfo" in ds.describe_export_tasks()

    # Answers before the fault was set are none of the N it lets through.
    assert all(intact() for _ in range(3))
    sandbox.faults.garble_after = 1
    sandbox.faults.garble = {"discovery": "drop:exportsInfo"}
    assert [intact(), intact()] == [True, False]
    # Set again (garble_after alone too), it counts again; and from a reset of the calls.
    sandbox.faults.garble_after = 2
    assert [intact(), intact(), intact()] == [True, True, False]
    sandbox.reset_calls()
    assert [intact(), intact(), intact()] == [True, True, False]
    sandbox.faults.update({"garble": {"discovery": "drop:exportsInfo"}})
    assert [intact(), intact(), intact()] == [True, True, False]
