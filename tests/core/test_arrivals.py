"""A listing of one account and region, page by page: progress while it lasts, gone
before the output; the service with a chain of calls started first."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from exportctl.aws.clients import AwsSettings, Clients
from exportctl.ops.jobs import Jobs, ListQuery
from exportctl.ops.listing import fanout
from exportctl.ops.listing.fanout import Fanout
from exportctl.sandbox import Faults, Sandbox
from exportctl.services import all_specs


def test_a_long_listing_shows_progress_then_clears_it() -> None:
    # 450 tasks are 5 pages; at 0.3 s a call the listing outlasts the first second.
    with Sandbox(port=0, faults=Faults(latency=0.3), clock=lambda: 0.0, discovery_tasks=450) as sb:
        settings = AwsSettings(
            region=sb.region, endpoint_url=sb.url, access_key="AKIDEXAMPLE", secret_key="secret"
        )
        reports: list[str | None] = []
        stream = Jobs(Clients(settings)).fanout(
            ListQuery(services=("discovery",)),
            idle=lambda: None,
            on_progress=reports.append,
        )
        jobs = list(stream)
        assert len(jobs) >= 450
        shown = [r for r in reports if r is not None]
        assert shown and all(r.startswith("jobs ") for r in shown)
        # The line is cleared once, last, before the caller writes anything.
        assert reports[-1] is None and reports.count(None) == 1
        assert stream.progress() == f"jobs {len(jobs):,}"


def test_the_service_with_a_chain_of_calls_is_started_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Pinpoint lists its applications, then each one's jobs: a listing of every service
    # lasts as long as that chain, so it is the first to make its client and call.
    started: list[str] = []

    real = threading.Thread

    def thread(*args: Any, target: Any = None, **kwargs: Any) -> threading.Thread:
        if getattr(target, "__func__", None) is Fanout._run:
            started.append(kwargs["args"][0].spec.name)
        return real(*args, target=target, **kwargs)

    monkeypatch.setattr(fanout.threading, "Thread", thread)
    with Sandbox(port=0, clock=lambda: 0.0) as sb:
        settings = AwsSettings(
            region=sb.region, endpoint_url=sb.url, access_key="AKIDEXAMPLE", secret_key="secret"
        )
        jobs = list(Jobs(Clients(settings)).fanout(ListQuery(), idle=lambda: None))
    assert {job.service for job in jobs} == {spec.name for spec in all_specs()}
    chains = [spec.name for spec in all_specs() if spec.fan_out]
    assert chains == ["pinpoint"]
    assert started == [*chains, *(spec.name for spec in all_specs() if not spec.fan_out)]
