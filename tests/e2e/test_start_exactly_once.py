"""Under throttling and 5xx answers (some of them after the job was made), every start
makes exactly one job: 100 starts, 100 jobs, over HTTP against one sandbox."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from exportctl.aws.clients import AwsSettings, Clients
from exportctl.ops.jobs import Jobs
from exportctl.ops.start.request import plan
from exportctl.ops.start.starter import Starter
from exportctl.sandbox import Faults, Sandbox
from exportctl.sandbox.jobs import ACCOUNT
from exportctl.sandbox.server import DUMMY_ACCESS_KEY, DUMMY_SECRET_KEY
from exportctl.services import spec_for

STARTS = 100


@pytest.fixture
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    # botocore's own retries of the reads back off for seconds; the count is what matters.
    from botocore.retries import standard

    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, ctx: 0.0)


def _values(sandbox: Sandbox, service: str, n: int) -> dict[str, Any]:
    role = f"arn:aws:iam::{ACCOUNT}:role/exporter"
    if service == "personalize":
        dataset = f"arn:aws:personalize:us-east-1:{ACCOUNT}:dataset/exportctl-retail/USERS"
        return {"dataset_arn": dataset, "to": "s3://out/p/", "role_arn": role}
    if service == "backupsearch":
        search = next(
            j["id"] for j in sandbox.jobs("backupsearch", "us-east-1") if j["kind"] == "search-job"
        )
        return {"search_job": search, "to": "s3://out/bs/"}
    if service == "pinpoint":
        app = next(
            j["id"] for j in sandbox.jobs("pinpoint", "us-east-1") if j["kind"] == "application"
        )
        # The same parameters every time: only "not there before" tells jobs apart.
        return {"application_id": app, "to": "s3://out/pp/", "role_arn": role}
    return {}


def _exports(sandbox: Sandbox) -> Counter[str]:
    kinds = {"export", "dataset-export-job", "export-task"}
    return Counter(j["service"] for j in sandbox.jobs(region="us-east-1") if j["kind"] in kinds)


def test_a_hundred_starts_make_a_hundred_jobs(no_backoff: None) -> None:
    faults = Faults(throttle_rate=0.3, error_rate=0.1)
    # On the machine's clock, as a service's runs: a job an attempt made is told from
    # an older one by the time the service stamps it, against the time this machine
    # says the start began. A clock that stood still fell behind as the starts went
    # on, and on a loaded machine (a minute in) a lost attempt's job looked older.
    with Sandbox(port=0, faults=faults, seed=11) as sandbox:
        jobs = Jobs(
            Clients(
                AwsSettings(
                    region="us-east-1",
                    endpoint_url=sandbox.url,
                    access_key=DUMMY_ACCESS_KEY,
                    secret_key=DUMMY_SECRET_KEY,
                )
            )
        )
        starter = Starter(jobs, sleep=lambda seconds: None)
        before = _exports(sandbox)
        services = ("backupsearch", "discovery", "personalize", "pinpoint")
        refs = []
        recovered = 0
        for n in range(STARTS):
            service = services[n % 4]
            started = starter.start(plan(spec_for(service), _values(sandbox, service, n), None))
            refs.append(started.ref)
            recovered += started.recovered
        made = _exports(sandbox) - before
        calls = sandbox.calls_report()["total"]
    assert len(set(refs)) == STARTS
    assert made == {service: STARTS // 4 for service in services}
    # The faults did their part: some answers were lost after the job was made.
    assert recovered > 0
    assert calls > STARTS * 2
