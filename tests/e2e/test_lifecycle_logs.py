"""CloudWatch Logs export tasks as a user runs them: the one-active-task limit said before
the service refuses and waited out with --queue, then wait, download, cancel and rerun,
the CLI against the sandbox's CloudWatch Logs and S3 over HTTP, the sandbox clock moved
by the commands' own sleeps."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lifecycle_support import World, run
from sleepless import FakeTime, fake_time_for

from exportctl.domain.errors import ExitCode
from exportctl.sandbox import Sandbox

REGION = "us-east-1"
GROUP = "/ecs/checkout"


@pytest.fixture
def moving(servers: World, monkeypatch: pytest.MonkeyPatch) -> FakeTime:
    sb, _ = servers
    sb.reset_calls()
    clock = fake_time_for(sb, monkeypatch)
    return clock


def start_args(prefix: str) -> list[str]:
    return [
        "start", "logs", "--log-group", GROUP, "--start-time", "1d", "--bucket",
        "exportctl-logs-out", "--prefix", prefix,
    ]  # fmt: skip


def creates(sb: Sandbox) -> int:
    return sum(n for (service, op), n in sb.calls.items() if op == "CreateExportTask")


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_the_one_active_task_is_named_then_waited_for(
    servers: World, moving: FakeTime, tmp_path: Path
) -> None:
    sb, s3 = servers
    # Queued behind whatever task the region runs: then this one is the active one.
    first = run(servers, *start_args("first"), "--queue", "--interval", "5s")
    assert first.exit_code == 0, first.output
    ref = first.stdout.strip()
    assert ref.startswith(f"logs:{REGION}:")

    busy = run(servers, *start_args("second"))
    assert busy.exit_code == ExitCode.AWS
    [line] = busy.output.strip().splitlines()
    assert f"{ref} (PENDING) is active" in line
    assert "one active export task at a time per account and region" in line
    # Run as printed, the cancel goes where this start went (its --endpoint-url).
    assert f"exportctl --endpoint-url {sb.url} cancel {ref}" in line and "--queue" in line
    # Said before the service could refuse: no create was sent.
    assert creates(sb) == 1

    out = tmp_path / "out"
    before = sum(moving.sleeps)
    queued = run(
        servers, *start_args("second"), "--queue", "--wait", "--download", str(out),
        "--interval", "5s",
    )  # fmt: skip
    assert queued.exit_code == 0, queued.output
    assert f"waiting for a free slot (--queue): {ref} (PENDING) still active" in queued.output
    assert "1 job COMPLETED" in queued.output
    assert sum(moving.sleeps) - before >= 35
    assert creates(sb) == 2
    second = json.loads(run(servers, "list", "-s", "logs", "-o", "json").output)[0]
    assert second["details"]["prefix"] == "second"
    folder = second["destination"]
    assert folder == f"s3://exportctl-logs-out/second/{second['id']}/"
    written = {
        uri[len(folder) :]: body for uri, body in s3.objects.items() if uri.startswith(folder)
    }
    assert written and files(out) == written
    assert all(path.endswith("/000000.gz") for path in written)


def test_a_task_is_cancelled_and_waited_for(servers: World, moving: FakeTime) -> None:
    made = run(servers, *start_args("cancelled"), "--queue", "--interval", "5s")
    assert made.exit_code == 0, made.output
    ref = made.stdout.strip()
    cancelled = run(servers, "cancel", ref, "-o", "json")
    assert cancelled.exit_code == 0, cancelled.output
    assert '"PENDING_CANCEL"' in cancelled.output
    waited = run(servers, "wait", ref, "--until", "cancelled", "--interval", "5s", "--json")
    assert waited.exit_code == 0, waited.output
    job = json.loads(waited.stdout)
    assert (job["state"], job["status"]) == ("CANCELLED", "CANCELLED")
    assert job["message"] == "Cancelled by user"


def test_rerun_of_a_failed_task_takes_its_parameters(servers: World, moving: FakeTime) -> None:
    listed = json.loads(run(servers, "list", "-s", "logs", "--status", "failed", "--json").output)
    failed = next(job for job in listed if job["region"] == REGION)
    dry = run(servers, "rerun", failed["ref"], "--dry-run")
    assert dry.exit_code == 0, dry.output
    request = json.loads(dry.output)["request"]
    details = failed["details"]
    assert request["logGroupName"] == details["log_group_name"]
    assert request["destination"] == details["bucket"]
    assert request["destinationPrefix"] == details["prefix"] == "denied/rds"
    assert request["from"] < request["to"]
    assert "taskName" not in request


def test_the_listing_and_a_panel(servers: World, moving: FakeTime) -> None:
    table = run(servers, "list", "-s", "logs", "--region", "eu-west-1")
    assert table.exit_code == 0, table.output
    assert "CANCELLED" in table.output or "PENDING_CANCEL" in table.output
    rows = run(servers, "list", "-s", "logs", "-o", "csv", "--fields", "ref,status")
    assert rows.exit_code == 0, rows.output
    assert all(line.startswith("logs:") for line in rows.output.splitlines()[1:])
    failed = json.loads(run(servers, "list", "-s", "logs", "--status", "failed", "--json").output)
    panel = run(servers, "status", failed[0]["ref"])
    assert "Access Denied" in panel.output and "log group name" in panel.output
