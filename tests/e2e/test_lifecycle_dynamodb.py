"""DynamoDB table exports as a user runs them: start, wait, download from the manifest,
rerun, status and the listing, the CLI against the sandbox's DynamoDB and S3 over
HTTP, the sandbox clock moved by the commands' own sleeps."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from lifecycle_support import World, run

from exportctl.domain.errors import ExitCode
from exportctl.sandbox import Sandbox
from exportctl.sandbox.jobs import ACCOUNT

REGION = "us-east-1"


def table(name: str) -> str:
    return f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{name}"


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def calls(sb: Sandbox, operation: str) -> int:
    return sum(
        n for (service, op), n in sb.calls.items() if (service, op) == ("dynamodb", operation)
    )


def test_start_wait_download_fetches_the_files_the_manifest_lists(
    world: World, tmp_path: Path
) -> None:
    _, s3 = world
    out = tmp_path / "out"
    done = run(
        world, "start", "dynamodb", "--table", table("e2e-orders"), "--to",
        "s3://exportctl-out/ddb/", "--wait", "--download", str(out), "--interval", "5s",
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    assert "RUNNING (IN_PROGRESS) -> COMPLETED" in done.output
    assert "1 job COMPLETED" in done.output
    got = files(out)
    manifest = json.loads(got["manifest-summary.json"])
    export_id = manifest["exportArn"].rpartition("/")[2]
    folder = f"s3://exportctl-out/ddb/AWSDynamoDB/{export_id}/"
    listed = [json.loads(line) for line in got["manifest-files.json"].decode().splitlines()]
    # The manifests and the data files they list; no marker, no checksum file.
    assert sorted(got) == sorted(
        ["manifest-summary.json", "manifest-files.json"]
        + [entry["dataFileS3Key"].split(f"/{export_id}/")[1] for entry in listed]
    )
    assert sum(1 for uri in s3.objects if uri.startswith(folder)) == len(got) + 3
    items = 0
    for entry in listed:
        body = got[entry["dataFileS3Key"].split(f"/{export_id}/")[1]]
        assert base64.b64encode(hashlib.md5(body).digest()).decode() == entry["md5Checksum"]
        items += len(gzip.decompress(body).splitlines())
    ref = f"{table('e2e-orders')}/export/{export_id}"
    record = json.loads(run(world, "status", ref, "-o", "json").output)
    assert record["state"] == "COMPLETED" and record["details"]["item_count"] == items
    assert record["details"]["billed_size_bytes"] == manifest["billedSizeBytes"]
    assert record["destination"] == "s3://exportctl-out/ddb/"
    again = run(world, "download", ref, str(out), "-o", "json")
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["skipped"] == len(got)


def test_the_listing_describes_each_export_at_once_and_counts_its_calls(world: World) -> None:
    sb, _ = world
    listed = run(world, "list", "-s", "dynamodb", "--json", "--debug")
    assert listed.exit_code == 0, listed.output
    jobs = json.loads(listed.stdout)
    assert jobs and all(j["created"] for j in jobs)
    assert {j["state"] for j in jobs} >= {"RUNNING", "COMPLETED", "FAILED"}
    pages = calls(sb, "ListExports")
    assert calls(sb, "DescribeExport") == len(jobs) and pages >= 1
    assert f"dynamodb.DescribeExport={len(jobs)}" in listed.stderr
    failed = [j for j in jobs if j["state"] == "FAILED"]
    assert failed[0]["message"].startswith("S3AccessDenied: ")
    assert failed[0]["details"]["failure_code"] == "S3AccessDenied"
    sb.reset_calls()
    only = run(world, "list", "-s", "dynamodb", "--status", "failed", "--json")
    assert [j["ref"] for j in json.loads(only.stdout)] == [j["ref"] for j in failed]
    # A summary whose state is filtered out is not described.
    assert calls(sb, "DescribeExport") == len(failed)


def test_a_page_s_summaries_are_described_on_a_pool_of_threads(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from exportctl.ops import summaries

    pools: list[tuple[int, int, bool]] = []
    real = summaries.each

    def each(tasks: Any, size: int, name: str, room: Any = None) -> Any:
        for index, value in real(tasks, size, name, room):
            pools.append((len(tasks), size, room is not None))
            yield index, value

    monkeypatch.setattr(summaries, "each", each)
    listed = run(world, "list", "-s", "dynamodb", "--json")
    assert listed.exit_code == 0, listed.output
    # One page of the seeded exports, all described on one pool of up to 8 threads,
    # as many at once as the listing's cap per account and region leaves room for.
    assert pools and {size for _, size, _ in pools} == {8}
    assert all(in_room for _, _, in_room in pools)
    assert max(count for count, _, _ in pools) == len(json.loads(listed.stdout))


def test_a_table_scopes_the_listing(world: World) -> None:
    orders = run(
        world, "list", "-s", "dynamodb", "--table", table("orders"), "-o", "text", "--fields", "ref"
    )
    assert orders.exit_code == 0, orders.output
    refs = orders.output.split()
    assert refs and all(r.startswith(table("orders") + "/export/") for r in refs)
    nothing = run(world, "list", "-s", "dynamodb", "--table", table("no-exports-here"))
    assert nothing.exit_code == 0 and "No export jobs found." in nothing.output


def test_a_failed_export_is_rerun_with_its_table_and_destination(world: World) -> None:
    sb, _ = world
    failed = run(world, "list", "-s", "dynamodb", "--status", "failed", "-o", "text",
                 "--fields", "ref")  # fmt: skip
    ref = failed.output.split()[0]
    shown = run(world, "rerun", ref, "--dry-run")
    assert shown.exit_code == 0, shown.output
    request = json.loads(shown.output)["request"]
    assert request["TableArn"] == table("sessions")
    assert request["S3Bucket"] == f"exportctl-sandbox-ddb-denied-{REGION}"
    assert request["S3Prefix"] == "sessions" and request["ExportFormat"] == "DYNAMODB_JSON"
    # A rerun exports the table as it is, not at the failed export's time.
    assert "ExportTime" not in request and request["ClientToken"]
    assert calls(sb, "ExportTableToPointInTime") == 0


def test_an_answer_lost_after_the_export_was_made_makes_one_export(world: World) -> None:
    sb, _ = world
    sb.faults.fates = {"dynamodb:ExportTableToPointInTime": ["drop-after-commit", "ok"]}
    # Retried as a user's start is, with no AWS_MAX_ATTEMPTS: the same ClientToken again.
    done = run(world, "start", "dynamodb", "--table", table("e2e-once"), "--to",
               "s3://exportctl-out/once/", attempts=None)  # fmt: skip
    assert done.exit_code == 0, done.output
    assert calls(sb, "ExportTableToPointInTime") == 2
    mine = run(
        world,
        "list",
        "-s",
        "dynamodb",
        "--table",
        table("e2e-once"),
        "-o",
        "text",
        "--fields",
        "ref",
    )
    assert mine.output.split() == [done.output.strip().splitlines()[-1]]


def test_a_lost_answer_at_the_users_one_attempt_is_found_by_its_token(world: World) -> None:
    # AWS_MAX_ATTEMPTS=1: no second create; the last look finds the export it made.
    sb, _ = world
    sb.faults.fates = {"dynamodb:ExportTableToPointInTime": ["drop-after-commit", "ok"]}
    done = run(world, "start", "dynamodb", "--table", table("e2e-one"), "--to",
               "s3://exportctl-out/one/", attempts="1")  # fmt: skip
    assert done.exit_code == 0, done.output
    assert calls(sb, "ExportTableToPointInTime") == 1
    assert "the first attempt's answer was lost; this is the job it made" in done.output
    assert "retrying after" not in done.output


def test_the_concurrent_export_limit_is_said_in_one_line(world: World) -> None:
    sb, _ = world
    sb.faults.fates = {
        "dynamodb:ExportTableToPointInTime": ["raise:LimitExceededException:400:Too many"]
    }
    done = run(world, "start", "dynamodb", "--table", table("e2e-limit"), "--to",
               "s3://exportctl-out/limit/")  # fmt: skip
    assert done.exit_code == ExitCode.AWS
    lines = done.output.strip().splitlines()
    assert len(lines) == 1
    assert "at most 300 table exports at once" in lines[0] and "LimitExceededException" in lines[0]
    assert calls(sb, "ExportTableToPointInTime") == 1


def test_an_export_time_outside_the_recovery_window_is_said(world: World) -> None:
    done = run(world, "start", "dynamodb", "--table", table("e2e-old"), "--to",
               "s3://exportctl-out/old/", "--export-time", "40d")  # fmt: skip
    # A time the user chose, rejected as invalid: bad input, as the exit codes say.
    assert done.exit_code == ExitCode.USAGE
    assert "InvalidExportTimeException" in done.output and "last 35 days" in done.output


@pytest.mark.parametrize(
    ("name", "code", "said"),
    [
        ("cache-nopitr", ExitCode.AWS, "PointInTimeRecoveryUnavailableException"),
        ("missing-table", ExitCode.NOT_FOUND, "Table not found"),
    ],
)
def test_a_table_that_cannot_be_exported_is_one_line(
    world: World, name: str, code: ExitCode, said: str
) -> None:
    done = run(world, "start", "dynamodb", "--table", table(name), "--to", "s3://exportctl-out/")
    assert done.exit_code == code, done.output
    assert len(done.output.strip().splitlines()) == 1 and said in done.output


def test_cancel_says_exports_cannot_be_cancelled(world: World) -> None:
    sb, _ = world
    ref = run(world, "list", "-s", "dynamodb", "--status", "running", "-o", "text",
              "--fields", "ref").output.split()[0]  # fmt: skip
    sb.reset_calls()
    refused = run(world, "cancel", ref)
    assert refused.exit_code == ExitCode.USAGE
    assert "Amazon DynamoDB has no cancel call" in refused.output
    assert not sb.calls


def test_a_table_arn_given_for_an_export_says_what_to_run(world: World) -> None:
    done = run(world, "status", table("orders"))
    assert done.exit_code == ExitCode.USAGE
    assert f"list -s dynamodb --table {table('orders')}" in done.output
