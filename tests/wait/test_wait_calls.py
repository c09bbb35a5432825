"""Count, don't time: the API calls each round of a wait makes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.stub import Stubber
from wait_support import APP, FakeTime

from exportctl.aws.clients import AwsSettings, Clients
from exportctl.ops.conditions import parse_until
from exportctl.ops.jobs import Jobs
from exportctl.ops.polling.events import Event
from exportctl.ops.polling.waiter import Waiter
from exportctl.sandbox import Faults, Sandbox
from exportctl.services.refs import JobKey, parse


def sandbox_jobs(sb: Sandbox) -> Jobs:
    settings = AwsSettings(
        endpoint_url=sb.url, region=sb.region, access_key="x", secret_key="x", max_attempts=1
    )
    return Jobs(Clients(settings))


class Rounds:
    """The calls of each round, from the waiter's own events."""

    def __init__(self) -> None:
        self.calls: list[dict[tuple[str, str], int]] = []

    def __call__(self, event: Event) -> None:
        if event.kind == "round":
            self.calls.append(event.calls)


@pytest.fixture
def bulk() -> Iterator[Sandbox]:
    with Sandbox(port=0, clock=lambda: 0.0, discovery_tasks=100) as sb:
        yield sb


def test_100_discovery_tasks_take_one_call_a_round(bulk: Sandbox) -> None:
    ids = [j["id"] for j in bulk.jobs("discovery", "us-east-1")][-100:]
    assert len(ids) == 100
    for task in ids:
        bulk.set_status("discovery", task, "IN_PROGRESS")
    fake = FakeTime(bulk)

    def finish(sleeps: int) -> None:
        # Half end after the first round, the rest after the second.
        for task in ids[:50] if sleeps == 1 else ids[50:] if sleeps == 2 else ():
            bulk.set_status("discovery", task, "SUCCEEDED")

    fake.hooks.append(finish)
    rounds = Rounds()
    bulk.reset_calls()
    waiter = Waiter(
        sandbox_jobs(bulk),
        [(t, JobKey("discovery", t)) for t in ids],
        parse_until("COMPLETED"),
        clock=fake.clock,
        sleep=fake.sleep,
        on_event=rounds,
    )

    result = waiter.run()

    assert result.exit_code == 0 and result.rounds == 3
    assert rounds.calls == [{("discovery", "DescribeExportTasks"): 1}] * 3
    assert bulk.calls == {("discovery", "DescribeExportTasks"): 3}


def _export_job(job_id: str, status: str) -> dict[str, Any]:
    return {
        "ApplicationId": APP,
        "Id": job_id,
        "JobStatus": status,
        "CreationDate": "2026-11-23T08:00:00.000Z",
        "Type": "EXPORT",
        "Definition": {"RoleArn": "arn:aws:iam::123456789012:role/x", "S3UrlPrefix": "s3://b/p/"},
    }


def _page(jobs: list[dict[str, Any]], token: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"Item": jobs}
    if token:
        body["NextToken"] = token
    return {"ExportJobsResponse": body}


def _stubbed(jobs: Jobs) -> Stubber:
    stubber = Stubber(jobs.clients.client("pinpoint"))
    stubber.activate()
    return stubber


def _closed_jobs() -> Jobs:
    # Every call is answered by the Stubber; a port nobody listens on catches any other.
    return Jobs(
        Clients(
            AwsSettings(
                endpoint_url="http://127.0.0.1:9",
                region="us-east-1",
                access_key="x",
                secret_key="x",
                max_attempts=1,
            )
        )
    )


@pytest.mark.parametrize("pages", [1, 2])
def test_20_pinpoint_jobs_of_one_app_take_no_more_calls_than_pages(pages: int) -> None:
    ids = [f"{i:032x}" for i in range(20)]
    jobs = _closed_jobs()
    stubber = _stubbed(jobs)
    per_page = 20 // pages

    def listing(status_of: dict[str, str]) -> None:
        rows = [_export_job(i, status_of[i]) for i in ids]
        for n in range(pages):
            token = f"t{n + 1}" if n + 1 < pages else None
            params: dict[str, Any] = {"ApplicationId": APP, "PageSize": "100"}
            if n:
                params["Token"] = f"t{n}"
            stubber.add_response(
                "get_export_jobs", _page(rows[n * per_page : (n + 1) * per_page], token), params
            )

    # Round 1: all running; round 2: all but one done; round 3: the last one, alone.
    listing(dict.fromkeys(ids, "PROCESSING"))
    listing({i: "COMPLETED" if i != ids[-1] else "PROCESSING" for i in ids})
    stubber.add_response(
        "get_export_job",
        {"ExportJobResponse": _export_job(ids[-1], "COMPLETED")},
        {"ApplicationId": APP, "JobId": ids[-1]},
    )
    rounds = Rounds()
    clock = [0.0]
    waiter = Waiter(
        jobs,
        [(f"pinpoint:{APP}/{i}", parse(f"pinpoint:{APP}/{i}")) for i in ids],
        parse_until("COMPLETED"),
        clock=lambda: clock[0],
        sleep=lambda s: clock.__setitem__(0, clock[0] + s),
        on_event=rounds,
    )

    result = waiter.run()

    assert result.exit_code == 0
    assert rounds.calls == [
        {("pinpoint", "GetExportJobs"): pages},
        {("pinpoint", "GetExportJobs"): pages},
        {("pinpoint", "GetExportJob"): 1},
    ]
    stubber.assert_no_pending_responses()


def test_a_long_listing_is_cut_short_and_the_rest_fetched_one_by_one() -> None:
    """Three jobs and a listing longer than that: never more calls than three gets."""
    ids = [f"{i:032x}" for i in range(3)]
    jobs = _closed_jobs()
    stubber = _stubbed(jobs)
    others = [_export_job(f"{i + 100:032x}", "COMPLETED") for i in range(3)]
    base = {"ApplicationId": APP, "PageSize": "100"}
    # Budget of two pages: neither holds the third job.
    first = _page([others[0], _export_job(ids[0], "COMPLETED")], "a")
    second = _page([others[1], _export_job(ids[1], "COMPLETED")], "b")
    stubber.add_response("get_export_jobs", first, base)
    stubber.add_response("get_export_jobs", second, {**base, "Token": "a"})
    stubber.add_response(
        "get_export_job",
        {"ExportJobResponse": _export_job(ids[2], "COMPLETED")},
        {"ApplicationId": APP, "JobId": ids[2]},
    )
    waiter = Waiter(
        jobs,
        [(i, JobKey("pinpoint", i, parent=APP)) for i in ids],
        parse_until("COMPLETED"),
        clock=lambda: 0.0,
        sleep=lambda s: None,
    )

    assert waiter.run().exit_code == 0
    assert jobs.calls.snapshot() == {
        ("pinpoint", "GetExportJobs"): 2,
        ("pinpoint", "GetExportJob"): 1,
    }
    stubber.assert_no_pending_responses()


def test_pinpoint_jobs_in_the_sandbox_read_from_short_pages() -> None:
    with Sandbox(port=0, clock=lambda: 0.0, faults=Faults(page_size=3)) as sb:
        listed = [j for j in sb.jobs("pinpoint", "us-east-1") if j["parent"] == APP]
        pending = [j for j in listed if j["status"] not in ("COMPLETED", "FAILED", "FAILING")]
        pages = -(-len(listed) // 3)
        assert len(pending) > pages
        fake = FakeTime(sb)
        starts: list[int] = []
        rounds = Rounds()
        waiter = Waiter(
            sandbox_jobs(sb),
            [(j["id"], JobKey("pinpoint", j["id"], parent=APP)) for j in pending],
            parse_until("terminal"),
            timeout=120,
            clock=fake.clock,
            sleep=fake.sleep,
        )

        def on_event(event: Event) -> None:
            if event.kind == "round":
                rounds(event)
                starts.append(len(waiter.pending))

        waiter.on_event = on_event
        sb.reset_calls()

        waiter.run()

        assert len(rounds.calls) > 2
        # Jobs waited on at the start of each round, and the calls the round made.
        for still, calls in zip([len(pending), *starts], rounds.calls, strict=False):
            assert sum(calls.values()) <= pages
            assert sum(calls.values()) <= still
            if still > pages:
                assert set(calls) == {("pinpoint", "GetExportJobs")}
        assert sum(sb.calls.values()) == sum(sum(c.values()) for c in rounds.calls)


def test_ec2_jobs_take_one_call_a_kind_a_round() -> None:
    image_call = ("ec2", "DescribeExportImageTasks")
    instance_call = ("ec2", "DescribeExportTasks")
    with Sandbox(port=0, clock=lambda: 0.0, ec2_tasks=10) as sb:
        tasks = sb.jobs("ec2", "us-east-1")
        images = [j["id"] for j in tasks if j["kind"] == "export-image-task"][-8:]
        instances = [j["id"] for j in tasks if j["kind"] == "export-instance-task"][:4]
        assert (len(images), len(instances)) == (8, 4)
        for task in images + instances:
            sb.set_status("ec2", task, "active")
        fake = FakeTime(sb)

        def change(sleeps: int) -> None:
            # After the first round half of each kind ends and an image export is
            # gone (EC2 forgets a task); after the second, the rest end.
            done = images[:4] + instances[:2] if sleeps == 1 else images[5:] + instances[2:]
            for task in done if sleeps in (1, 2) else ():
                sb.set_status("ec2", task, "completed")
            if sleeps == 1:
                sb.delete_job("ec2", images[4])

        fake.hooks.append(change)
        rounds = Rounds()
        gone: list[str] = []

        def on_event(event: Event) -> None:
            rounds(event)
            if event.kind == "gone" and event.tracked is not None:
                gone.append(event.tracked.key.id)

        sb.reset_calls()
        waiter = Waiter(
            sandbox_jobs(sb),
            [(t, JobKey("ec2", t)) for t in images + instances],
            parse_until("COMPLETED"),
            clock=fake.clock,
            sleep=fake.sleep,
            on_event=on_event,
        )

        result = waiter.run()

        assert result.rounds == 3 and gone == [images[4]]
        assert rounds.calls == [
            {image_call: 1, instance_call: 1},
            # EC2 fails the whole call for the task it no longer knows: the eight image
            # exports the round asked about are read again, one call each.
            {image_call: 1 + 8, instance_call: 1},
            {image_call: 1, instance_call: 1},
        ]
        assert sb.calls == {image_call: 11, instance_call: 3}
