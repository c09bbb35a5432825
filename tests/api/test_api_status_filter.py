"""``Client.list(states=...)`` sends the states to a listing that filters by status,
as ``list --status`` does: fewer pages, the same jobs."""

from __future__ import annotations

import pytest

from exportctl import Client, State
from exportctl.testing import SandboxHandle

LISTING = ("rds", "DescribeExportTasks")


def test_a_listing_of_states_reads_fewer_pages_for_the_same_jobs(
    exportctl_sandbox: SandboxHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = exportctl_sandbox.sandbox
    # A page a job: every job left out is a call saved.
    monkeypatch.setattr(sandbox.faults, "page_size", 1)
    client = Client()

    before = sandbox.calls[LISTING]
    whole = [job for job in client.list(services="rds") if job.state is State.FAILED]
    all_calls = sandbox.calls[LISTING] - before
    before = sandbox.calls[LISTING]
    failed = list(client.list(services="rds", states="failed"))

    assert failed == whole and failed
    assert sandbox.calls[LISTING] - before < all_calls
