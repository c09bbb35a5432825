"""RDS snapshot exports as a user runs them: start, wait, download, cancel, rerun and the
listing in every format, the CLI against the sandbox's RDS and S3 over HTTP, the sandbox
clock moved by the commands' own sleeps."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from lifecycle_support import World, run

from exportctl.domain.errors import ExitCode
from exportctl.sandbox.jobs import ACCOUNT

REGION = "us-east-1"
CLUSTER = f"arn:aws:rds:{REGION}:{ACCOUNT}:cluster:analytics-aurora"
SNAPSHOT = f"arn:aws:rds:{REGION}:{ACCOUNT}:snapshot:orders-pg-2026-11-16"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/RdsSnapshotExportRole"


def start_args(name: str, source: str = CLUSTER) -> list[str]:
    return [
        "start", "rds", "--source-arn", source, "--bucket", "exportctl-out", "--prefix",
        "rds-e2e", "--role-arn", ROLE, "--kms-key", "alias/exports", "--name", name,
    ]  # fmt: skip


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_start_wait_download_fetches_what_the_task_wrote(world: World, tmp_path: Path) -> None:
    _, s3 = world
    out = tmp_path / "out"
    done = run(
        world, *start_args("e2e-analytics"), "--only", "analytics.public.events",
        "--wait", "--download", str(out), "--interval", "5s",
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "PENDING (STARTING) -> RUNNING (IN_PROGRESS)" in done.output
    assert "1 job COMPLETED" in done.output
    folder = "s3://exportctl-out/rds-e2e/e2e-analytics/"
    written = {
        uri[len(folder) :]: body for uri, body in s3.objects.items() if uri.startswith(folder)
    }
    assert files(out) == written
    # The one table asked for, its Parquet part and Spark's marker, and the summaries.
    assert {p.split("/")[0] for p in written} == {
        "analytics",
        "export_info_e2e-analytics.json",
        "export_tables_info_e2e-analytics_from_1_to_1.json",
    }
    record = json.loads(run(world, "status", "rds:e2e-analytics", "-o", "json").output)
    assert record["state"] == "COMPLETED" and record["details"]["percent_progress"] == 100
    assert record["details"]["export_only"] == ["analytics.public.events"]
    assert record["destination"] == folder


def test_a_task_is_cancelled_and_waited_for(world: World) -> None:
    made = run(world, *start_args("e2e-cancel", SNAPSHOT))
    assert made.exit_code == 0, made.output
    ref = made.output.strip()
    assert ref == f"rds:{REGION}:e2e-cancel"
    cancelled = run(world, "cancel", ref, "-o", "json")
    assert cancelled.exit_code == 0, cancelled.output
    assert '"CANCELING"' in cancelled.output
    waited = run(world, "wait", ref, "--until", "cancelled", "--interval", "5s", "--json")
    assert waited.exit_code == 0, waited.output
    job = json.loads(waited.stdout)
    assert (job["state"], job["status"]) == ("CANCELLED", "CANCELED")
    # Already where a cancel leads: said, not an error (a retried cancel exits 0).
    again = run(world, "cancel", ref)
    assert again.exit_code == 0 and "already CANCELLED" in again.stderr


def test_the_export_limit_is_said_in_one_line(world: World) -> None:
    sb, _ = world
    sb.faults.fates = {
        "rds:StartExportTask": [
            "raise:ExportTaskLimitReachedFault:400:You have reached the limit of export tasks."
        ]
    }
    done = run(world, *start_args("e2e-limit"))
    assert done.exit_code == ExitCode.AWS
    lines = done.output.strip().splitlines()
    assert len(lines) == 1
    assert "five export tasks at once per account" in lines[0]
    assert "ExportTaskLimitReachedFault" in lines[0]
    assert sum(n for (_, op), n in sb.calls.items() if op == "StartExportTask") == 1


def test_a_taken_identifier_asks_for_another(world: World) -> None:
    done = run(world, *start_args("orders-weekly-2026-46", SNAPSHOT))
    assert done.exit_code == ExitCode.USAGE
    assert "already exists (rds:us-east-1:orders-weekly-2026-46)" in done.output


def test_a_seeded_completed_task_downloads(world: World, tmp_path: Path) -> None:
    done = run(world, "download", "rds:orders-weekly-2026-46", str(tmp_path))
    assert done.exit_code == 0, done.output
    got = files(tmp_path)
    assert "export_info_orders-weekly-2026-46.json" in got
    assert sum(p.endswith(".gz.parquet") for p in got) == 3
    failed = run(world, "download", "rds:orders-denied-2026-11-22", str(tmp_path / "no"))
    assert failed.exit_code == ExitCode.JOB_FAILED and "not COMPLETED" in failed.output


def test_rerun_of_a_failed_task_takes_its_parameters(world: World) -> None:
    before = json.loads(run(world, "status", "rds:orders-denied-2026-11-22", "--json").output)
    dry = run(world, "rerun", "rds:orders-denied-2026-11-22", "--dry-run")
    assert dry.exit_code == 0, dry.output
    request = json.loads(dry.output)["request"]
    details = before["details"]
    assert request["SourceArn"] == details["source_arn"]
    assert request["S3BucketName"] == details["s3_bucket"]
    assert request["IamRoleArn"] == details["iam_role_arn"]
    assert request["KmsKeyId"] == details["kms_key_id"]
    assert request["ExportTaskIdentifier"] != before["id"]


def test_the_listing_in_every_format(world: World) -> None:
    as_json = json.loads(run(world, "list", "-s", "rds", "-o", "json").output)
    states = {job["id"]: job["state"] for job in as_json}
    assert states["orders-denied-2026-11-22"] == "FAILED"
    assert states["orders-nightly-2026-11-22"] == "CANCELLED"
    assert states["billing-invoices-nov"] == "COMPLETED"
    lines = run(world, "list", "-s", "rds", "-o", "ndjson").output.splitlines()
    assert sorted(json.loads(line)["id"] for line in lines) == sorted(states)
    rows = list(csv.DictReader(io.StringIO(run(world, "list", "-s", "rds", "-o", "csv").output)))
    assert {row["ref"] for row in rows} == {f"rds:{REGION}:{ident}" for ident in states}
    text = run(world, "list", "-s", "rds", "--status", "failed", "-o", "text", "--fields", "id")
    assert text.output.split() == ["orders-denied-2026-11-22"]
    table = run(world, "list", "-s", "rds", "--status", "cancelled")
    assert table.exit_code == 0, table.output
    assert "orders-nightly-2026-11-22" in table.output and "billing-invoices" not in table.output
    panel = run(world, "status", "rds:billing-invoices-nov")
    assert "skipped because their column names" in panel.output
    assert "total extracted data in gb" in panel.output
