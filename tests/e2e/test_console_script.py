"""Every command as a user runs it: the console script, over HTTP, against the sandbox."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from e2e_support import exportctl
from sandbox_jobs import listed_export_jobs, record_id

from exportctl.sandbox import Sandbox
from exportctl.services import service_names

pytestmark = pytest.mark.e2e


def _expected(sandbox: Sandbox, service: str | None = None) -> set[tuple[str, str]]:
    return {
        (j["service"], record_id(j))
        for j in listed_export_jobs(sandbox, region="us-east-1")
        if service is None or j["service"] == service
    }


def _ids(stdout: str) -> list[tuple[str, str]]:
    return [(r["service"], r["id"]) for r in json.loads(stdout)]


def test_list_every_service(sandbox: Sandbox) -> None:
    table = exportctl(sandbox, "list")
    assert table.returncode == 0, table.stderr
    assert table.stdout.startswith("SERVICE")
    done = exportctl(sandbox, "list", "--json")
    ids = _ids(done.stdout)
    assert len(ids) == len(set(ids)) and set(ids) == _expected(sandbox)


@pytest.mark.parametrize("service", ["backupsearch", "pinpoint", "personalize", "discovery"])
def test_list_one_service(sandbox: Sandbox, service: str) -> None:
    done = exportctl(sandbox, "list", "--service", service, "--json")
    assert done.returncode == 0, done.stderr
    assert set(_ids(done.stdout)) == _expected(sandbox, service)


def test_status_of_each_service_by_arn_and_compact_ref(sandbox: Sandbox) -> None:
    records = json.loads(exportctl(sandbox, "list", "--json").stdout)
    by_service = {r["service"]: r for r in records}
    refs = [by_service[s]["ref"] for s in ("backupsearch", "pinpoint", "personalize", "discovery")]
    compact = [
        "backupsearch:" + by_service["backupsearch"]["id"],
        "pinpoint:" + by_service["pinpoint"]["ref"].split(":", 2)[2],
        "discovery:" + by_service["discovery"]["id"],
    ]
    done = exportctl(sandbox, "status", *refs, *compact, "--json")
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout)
    # Compact references in the default region name the jobs already read: each is
    # read once. An ARN and its compact reference are read apart (no account in it).
    assert [r["ref"] for r in got] == [*refs, by_service["backupsearch"]["ref"]]
    done = exportctl(sandbox, "status", *compact, "--json")
    assert done.returncode == 0, done.stderr
    same_jobs = [by_service[s]["ref"] for s in ("backupsearch", "pinpoint", "discovery")]
    assert [r["ref"] for r in json.loads(done.stdout)] == same_jobs
    panel = exportctl(sandbox, "status", refs[2])
    assert panel.returncode == 0 and "personalize" in panel.stdout


def test_error_exits(sandbox: Sandbox) -> None:
    missing = exportctl(sandbox, "status", "discovery:export-00000000-0000-0000-0000-000000000000")
    assert missing.returncode == 3
    denied = exportctl(sandbox, "list", "--service", "personalize", AWS_ACCESS_KEY_ID="DENIED")
    assert denied.returncode == 4
    bad = exportctl(sandbox, "status", "not-a-ref")
    assert bad.returncode == 2
    for done in (missing, denied, bad):
        assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
        assert done.stderr.startswith("exportctl: error: ")


def test_throttling_and_server_errors_are_retried_through(sandbox: Sandbox) -> None:
    assert exportctl(sandbox, "list", "--json").returncode == 0
    clean_calls = sum(sandbox.calls.values())
    sandbox.reset_calls()
    # Every listing's first call is throttled and its second fails with a 5xx: each
    # service is retried through both, and the backoff stays seconds, not minutes
    # (random rates over some hundred calls leave a long tail of real-time waits).
    from exportctl.services import all_specs
    from exportctl.services.kinds import kinds_of

    listings = {kind.list.operation for spec in all_specs() for kind in kinds_of(spec)}
    sandbox.faults.fates = {operation: ["throttle", "error"] for operation in listings}
    done = exportctl(sandbox, "list", "--json")
    assert done.returncode == 0, done.stderr
    ids = _ids(done.stdout)
    assert len(ids) == len(set(ids)) and set(ids) == _expected(sandbox)
    # The faults were there, and were retried through.
    assert sum(sandbox.calls.values()) > clean_calls


def test_every_request_failing(sandbox: Sandbox) -> None:
    sandbox.faults.error_rate = 1.0
    done = exportctl(sandbox, "list", "--json", AWS_MAX_ATTEMPTS="2")
    assert done.returncode == 5
    assert json.loads(done.stdout) == []
    lines = done.stderr.splitlines()
    # One line per service.
    assert len(lines) == len(service_names())
    assert all(line.startswith("exportctl: error: ") for line in lines)


def test_embedded_sandbox_needs_no_aws_configuration() -> None:
    done = exportctl(None, "--sandbox", "list", "--json")
    assert done.returncode == 0, done.stderr
    assert {r["service"] for r in json.loads(done.stdout)} == set(service_names())
    from_env = exportctl(None, "list", "-s", "discovery", EXPORTCTL_SANDBOX="1")
    assert from_env.returncode == 0 and "discovery:" in from_env.stdout


def test_embedded_sandbox_serves_s3_for_downloads(tmp_path: Path) -> None:
    ref = "arn:aws:personalize:us-east-1:123456789012:dataset-export-job/items-catalog"
    done = exportctl(None, "--sandbox", "download", ref, str(tmp_path / "out"), "--json")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["files"] > 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir())
