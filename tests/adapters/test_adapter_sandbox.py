"""The adapters end to end over HTTP, against the local emulator of every service."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from adapter_stubs import OTHER_REGION, REGION

from exportctl.aws.clients import AwsSettings, Clients
from exportctl.domain.errors import ExitCode, ServiceUnavailableError
from exportctl.domain.model import ExportJob, State
from exportctl.ops.jobs import Jobs, ListQuery
from exportctl.sandbox import Faults, Sandbox
from exportctl.services import service_names, spec_for
from exportctl.services.kinds import kind_for
from exportctl.services.refs import parse


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    # Frozen clock: jobs move only when a test says so.
    with Sandbox(port=0, faults=Faults(), seed=7, clock=lambda: 0.0) as sb:
        yield sb


def jobs_of(sb: Sandbox, region: str = REGION) -> Jobs:
    settings = AwsSettings(
        endpoint_url=sb.url, region=region, access_key="x", secret_key="x", max_attempts=1
    )
    return Jobs(Clients(settings))


def test_every_listed_job_is_got_back_by_its_ref(sandbox: Sandbox) -> None:
    jobs = jobs_of(sandbox)
    listed = jobs.list(ListQuery())
    assert listed.failures == [] and listed.notices == []
    assert {j.service for j in listed.jobs} == set(service_names())
    before = jobs.calls.snapshot()

    got = jobs.get_many([parse(j.ref) for j in listed.jobs])

    for old, new in zip(listed.jobs, got, strict=True):
        assert isinstance(new, ExportJob), new
        assert (new.ref, new.id, new.status, new.state, new.created) == (
            old.ref, old.id, old.status, old.state, old.created,
        )  # fmt: skip
    calls = jobs.calls.snapshot()
    discovery = ("discovery", "DescribeExportTasks")
    # Every Discovery job of the listing in one batched call.
    assert calls[discovery] - before[discovery] == 1


def test_statuses_of_the_emulator_are_all_known(sandbox: Sandbox) -> None:
    result = jobs_of(sandbox).list(ListQuery())

    unknown = [(j.service, j.status) for j in result.jobs if j.state is State.UNKNOWN]
    assert unknown == []
    for job in result.jobs:
        spec = spec_for(job.service)
        if spec.state_of(job.status) is not job.state:
            # A state rule read more than the word (EC2: a stopped task that failed).
            assert kind_for(spec, job.id).fields.state is not None, job.ref


def test_small_pages_give_the_same_jobs(sandbox: Sandbox) -> None:
    whole = {j.ref for j in jobs_of(sandbox).list(ListQuery()).jobs}
    sandbox.faults.page_size = 2
    paged_jobs = jobs_of(sandbox)

    paged = {j.ref for j in paged_jobs.list(ListQuery()).jobs}

    assert paged == whole
    calls = paged_jobs.calls.snapshot()
    assert calls[("backupsearch", "ListSearchResultExportJobs")] >= 3
    assert calls[("pinpoint", "GetExportJobs")] > calls[("pinpoint", "GetApps")]


@pytest.mark.parametrize("service", ["discovery", "pinpoint"])
def test_a_status_word_no_model_lists_is_unknown_and_kept(sandbox: Sandbox, service: str) -> None:
    jobs = jobs_of(sandbox)
    target = next(j for j in jobs.list(ListQuery(services=(service,))).jobs)
    sandbox.set_status(service, target.id, "PAUSED_BY_OPERATOR")

    job = jobs.get(parse(target.ref))

    assert (job.state, job.status) == (State.UNKNOWN, "PAUSED_BY_OPERATOR")


def test_jobs_of_another_region_by_their_refs(sandbox: Sandbox) -> None:
    there = jobs_of(sandbox, OTHER_REGION)
    listed = [
        job
        for service in ("backupsearch", "personalize", "pinpoint")
        for page in there.iter_pages(spec_for(service), ListQuery())
        for job in page
    ]
    assert listed and all(j.region == OTHER_REGION for j in listed)
    here = jobs_of(sandbox, REGION)

    got = here.get_many([parse(j.ref) for j in listed])

    assert [g.ref if isinstance(g, ExportJob) else g for g in got] == [j.ref for j in listed]


def test_denied_service_is_a_notice_unless_named(sandbox: Sandbox) -> None:
    sandbox.faults.deny = {"pinpoint"}
    jobs = jobs_of(sandbox)

    everything = jobs.list(ListQuery())
    named = jobs.list(ListQuery(services=("pinpoint",)))

    assert {j.service for j in everything.jobs} == set(service_names()) - {"pinpoint"}
    assert [n.service for n in everything.notices] == ["pinpoint"]
    assert everything.failures == []
    [failure] = named.failures
    assert isinstance(failure, ServiceUnavailableError)
    assert failure.exit_code == ExitCode.CREDENTIALS


def test_discovery_outside_its_home_region_is_a_notice(sandbox: Sandbox) -> None:
    result = jobs_of(sandbox, OTHER_REGION).list(ListQuery())

    assert [n.service for n in result.notices] == ["discovery"]
    assert "home region" in result.notices[0].message
    assert result.failures == []


def test_pinpoint_applications_are_listed_at_once(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from exportctl.ops.jobs import PARENT_CONCURRENCY

    in_turn = jobs_of(sandbox)
    in_turn.parent_concurrency = 1
    expected = {j.ref for j in in_turn.list(ListQuery(services=("pinpoint",))).jobs}

    lock = threading.Lock()
    flying = peak = 0
    dispatch = Sandbox._dispatch_api

    def counted(self: Sandbox, method, path, headers, body, request_id):  # type: ignore[no-untyped-def]
        nonlocal flying, peak
        listing = "/jobs/export" in path
        if listing:
            with lock:
                flying += 1
                peak = max(peak, flying)
        try:
            return dispatch(self, method, path, headers, body, request_id)
        finally:
            if listing:
                with lock:
                    flying -= 1

    monkeypatch.setattr(Sandbox, "_dispatch_api", counted)
    sandbox.faults.latency = 0.1
    at_once = jobs_of(sandbox)
    got = {j.ref for j in at_once.list(ListQuery(services=("pinpoint",))).jobs}

    assert got == expected
    # Each application's jobs are a chain of calls of their own: they overlap.
    assert 1 < peak <= PARENT_CONCURRENCY
    assert at_once.calls.snapshot() == in_turn.calls.snapshot()


def test_a_filters_placeholders_come_back_as_the_user_wrote_them(sandbox: Sandbox) -> None:
    # The keys of a map are data: over HTTP, through botocore's parser and the record.
    jobs = jobs_of(sandbox)
    ddb = jobs.clients.client("dynamodb", REGION)
    spec = {
        "FilterExpression": "#shipTo.#myKey = :v AND #n > :least",
        "ExpressionAttributeNames": {"#shipTo": "shipTo", "#myKey": "myKey", "#n": "itemCount"},
        "ExpressionAttributeValues": {
            ":v": {"M": {"countryCode": {"S": "EU"}}},
            ":least": {"N": "250"},
        },
    }
    made = ddb.export_table_to_point_in_time(
        TableArn=f"arn:aws:dynamodb:{REGION}:123456789012:table/orders",
        S3Bucket="exportctl-exports",
        FilterSpecification=spec,
    )

    job = jobs.get(parse(made["ExportDescription"]["ExportArn"]))

    assert job.details["filter_specification"] == {
        "filter_expression": spec["FilterExpression"],
        "expression_attribute_names": spec["ExpressionAttributeNames"],
        "expression_attribute_values": spec["ExpressionAttributeValues"],
    }
