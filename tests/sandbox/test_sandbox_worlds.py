"""Each account's world is made when a request of that account first comes: the same
jobs as when every world was made up front, and kept across commands alike."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config
from sandbox_helpers import SandboxFactory

from exportctl.sandbox import Sandbox
from exportctl.sandbox.accounts import MANAGEMENT

ANALYTICS = "210987654321"  # home region us-west-2
RETAIL = "345678901234"


def client(sb: Sandbox, service: str, account: str, region: str) -> Any:
    return boto3.session.Session().client(
        service,
        region_name=region,
        endpoint_url=sb.url,
        aws_access_key_id=sb.access_key(account),
        aws_secret_access_key="any",
        config=Config(retries={"total_max_attempts": 1}),
    )


def tasks(sb: Sandbox, account: str) -> list[dict[str, Any]]:
    answer = client(sb, "discovery", account, "us-west-2").describe_export_tasks()
    # Times are the sandbox's start plus the scenario's: two sandboxes differ in them.
    kept = ("exportId", "exportStatus", "statusMessage")
    return [{k: t.get(k) for k in kept} for t in answer["exportsInfo"]]


def test_an_accounts_world_is_made_by_its_first_request_as_it_was_seeded(
    sandboxes: SandboxFactory,
) -> None:
    lazy = sandboxes(None)
    assert list(lazy.worlds.made()) == [MANAGEMENT]
    assert len(lazy.worlds) == 6 and ANALYTICS in lazy.worlds
    first = tasks(lazy, ANALYTICS)
    assert list(lazy.worlds.made()) == [MANAGEMENT, ANALYTICS]
    assert first
    # Every world made before any request: the same answer.
    eager = sandboxes(None)
    assert len(list(eager.worlds.values())) == 6
    assert tasks(eager, ANALYTICS) == first
    assert list(lazy.worlds.made()) == [MANAGEMENT, ANALYTICS]


def test_a_world_made_late_keeps_its_changes_for_the_next_command(
    tmp_path: Path, sandboxes: SandboxFactory
) -> None:
    first = sandboxes(tmp_path)
    seeded = tasks(first, ANALYTICS)
    new = client(first, "discovery", ANALYTICS, "us-west-2").start_export_task()["exportId"]
    first.stop()
    # The next command's sandbox makes the analytics world to take in its change,
    # and only that one.
    second = sandboxes(tmp_path)
    assert list(second.worlds.made()) == [MANAGEMENT, ANALYTICS]
    again = tasks(second, ANALYTICS)
    assert {t["exportId"] for t in again} == {t["exportId"] for t in seeded} | {new}
    # Its ids go on from where the first left them: never the same id twice.
    other = client(second, "discovery", ANALYTICS, "us-west-2").start_export_task()["exportId"]
    assert other not in {t["exportId"] for t in again}
    assert RETAIL not in second.worlds.made()


def test_no_control_endpoint_makes_every_members_world() -> None:
    """A count or a listing of every account's jobs made each member's world: at 1000
    accounts the first /_sandbox/state took seconds and 300 MB, at 100000 all memory."""
    import json
    import urllib.error
    import urllib.request

    from exportctl.sandbox.accounts import ACCOUNTS

    with Sandbox(port=0, clock=lambda: 0.0, accounts=2000) as sb:
        member = sb.accounts[-1].id

        def ask(method: str, path: str, body: dict[str, Any] | None = None) -> None:
            data = json.dumps(body).encode() if body is not None else None
            request = urllib.request.Request(sb.url + "/_sandbox" + path, data, method=method)
            try:
                urllib.request.urlopen(request, timeout=30).close()
            except urllib.error.HTTPError as refused:
                assert refused.code == 404, path

        for method, path, body in [
            ("GET", "/state", None),
            ("GET", "/", None),
            ("GET", "/accounts", None),
            ("GET", "/jobs", None),
            ("GET", "/jobs?service=*&region=*&account=*", None),
            ("GET", "/outputs", None),
            ("POST", "/jobs/status", {"service": "rds", "job_id": "nope", "status": "x"}),
            ("POST", "/jobs/delete", {"service": "rds", "job_id": "nope"}),
        ]:
            ask(method, path, body)
        made = sb.worlds.made()
        assert len(made) == len(ACCOUNTS)
        # Named, a member's world is made (and only that one).
        ask("GET", f"/jobs?account={member}")
        assert list(sb.worlds.made()) == [*made, member]
        assert sb.state()["jobs"] == sum(
            1 for w in sb.worlds.made().values() for j in w.jobs if not j.deleted
        )
