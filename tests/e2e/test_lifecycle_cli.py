"""start, rerun and wait --download as a user runs them: the CLI, the sandbox's APIs and S3
over HTTP, the sandbox clock moved by the wait's own sleeps."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result
from sleepless import fake_time_for
from sleepless import run as run_sandbox

from exportctl.sandbox import Sandbox
from exportctl.sandbox.jobs import ACCOUNT
from exportctl.sandbox.s3 import S3Sandbox, start_s3

DATASET = f"arn:aws:personalize:us-east-1:{ACCOUNT}:dataset/exportctl-retail/USERS"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/PersonalizeS3Role"
DENIED = f"arn:aws:personalize:us-east-1:{ACCOUNT}:dataset-export-job/users-denied"


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[Sandbox, S3Sandbox]]:
    # One sandbox and S3 for the module (moto is slow to start); each test uses its own names.
    with Sandbox(port=0, clock=lambda: 0.0) as sb, start_s3(sb) as s3:
        yield sb, s3


@pytest.fixture
def world(
    servers: tuple[Sandbox, S3Sandbox], monkeypatch: pytest.MonkeyPatch
) -> tuple[Sandbox, S3Sandbox]:
    sb, _ = servers
    sb.reset_calls()
    fake_time_for(sb, monkeypatch)
    return servers


def run(world: tuple[Sandbox, S3Sandbox], *args: str) -> Result:
    sb, s3 = world
    return run_sandbox(sb, *args, s3=s3)


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_start_wait_download_leaves_the_files(
    world: tuple[Sandbox, S3Sandbox], tmp_path: Path
) -> None:
    _sb, s3 = world
    out = tmp_path / "out"
    result = run(
        world, "start", "personalize", "--dataset-arn", DATASET, "--to",
        "s3://exportctl-out/users/", "--role-arn", ROLE, "--name", "users-now",
        "--wait", "--download", str(out), "--interval", "5s",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "1 job COMPLETED" in result.output
    got = files(out)
    exported = {
        uri.rpartition("/")[2]: body
        for uri, body in s3.objects.items()
        if uri.startswith("s3://exportctl-out/users/")
    }
    assert got and got == exported


def test_start_prints_the_ref_or_the_record(world: tuple[Sandbox, S3Sandbox]) -> None:
    sb, _ = world
    search = next(
        j["id"] for j in sb.jobs("backupsearch", "us-east-1") if j["kind"] == "search-job"
    )
    text = run(
        world, "start", "backupsearch", "--search-job", search, "--to", "s3://exportctl-out/bs/"
    )
    assert text.exit_code == 0, text.output
    assert text.output.startswith("arn:aws:backup-search:us-east-1:")
    record = run(
        world, "start", "discovery", "--agent-id", "o-1", "--start-time", "2d", "-o", "json"
    )
    assert record.exit_code == 0, record.output
    job = json.loads(record.output)
    assert job["service"] == "discovery" and job["state"] == "RUNNING"


def test_dry_run_sends_nothing(world: tuple[Sandbox, S3Sandbox]) -> None:
    sb, _ = world
    app = next(j["id"] for j in sb.jobs("pinpoint", "us-east-1") if j["kind"] == "application")
    result = run(
        world, "start", "pinpoint", "--application-id", app, "--to", "s3://exportctl-out/pp/",
        "--role-arn", ROLE, "--segment-id", "s1", "--segment-version", "4", "--dry-run",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    shown = json.loads(result.output)
    assert shown["operation"] == "CreateExportJob"
    assert shown["request"]["ExportJobRequest"]["SegmentVersion"] == 4
    assert not any(op.startswith("Create") for _, op in sb.calls)


def test_bad_values_are_one_line_and_exit_2(world: tuple[Sandbox, S3Sandbox]) -> None:
    sb, _ = world
    result = run(
        world, "start", "personalize", "--dataset-arn", DATASET, "--to", "s3://exportctl-out/",
        "--role-arn", ROLE, "--ingestion-mode", "SOMETIMES",
    )  # fmt: skip
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "'--ingestion-mode'" in lines[0] and "BULK, PUT, ALL" in lines[0]
    assert not sb.calls


def test_rerun_of_a_failed_job_reproduces_its_parameters(
    world: tuple[Sandbox, S3Sandbox],
) -> None:
    before = json.loads(run(world, "status", DENIED, "--json").output)
    assert before["state"] == "FAILED"
    dry = json.loads(run(world, "rerun", DENIED, "--dry-run").output)
    request = dry["request"]
    assert request["datasetArn"] == before["details"]["dataset_arn"]
    assert request["roleArn"] == before["details"]["role_arn"]
    assert request["ingestionMode"] == before["details"]["ingestion_mode"]
    assert request["jobOutput"]["s3DataDestination"]["path"] == before["destination"]
    assert request["jobName"] != before["name"]
    made = run(world, "rerun", DENIED, "--json")
    assert made.exit_code == 0, made.output
    after = json.loads(made.output)
    assert after["ref"] != before["ref"]
    for field in ("dataset_arn", "role_arn", "ingestion_mode"):
        assert after["details"][field] == before["details"][field]
    assert after["destination"] == before["destination"]


def test_rerun_waits_for_a_finished_job_only(world: tuple[Sandbox, S3Sandbox]) -> None:
    running = f"arn:aws:personalize:us-east-1:{ACCOUNT}:dataset-export-job/users-nightly"
    result = run(world, "rerun", running)
    assert result.exit_code == 2
    assert "once it has finished" in result.output


def test_wait_download_fetches_each_job_as_it_completes(
    world: tuple[Sandbox, S3Sandbox], tmp_path: Path
) -> None:
    _sb, _ = world
    refs = []
    for name in ("first", "second"):
        made = run(
            world, "start", "personalize", "--dataset-arn", DATASET, "--to",
            f"s3://exportctl-out/{name}/", "--role-arn", ROLE, "--name", name,
        )  # fmt: skip
        refs.append(made.output.strip())
    result = run(world, "wait", *refs, "--download", str(tmp_path / "all"), "--interval", "5s")
    assert result.exit_code == 0, result.output
    got = files(tmp_path / "all")
    assert {path.split("/")[0] for path in got} == {"personalize-first", "personalize-second"}
    assert result.output.count("fetched 3 files") == 2


def test_status_and_wait_estimate_from_what_was_listed(world: tuple[Sandbox, S3Sandbox]) -> None:
    sb, _ = world
    nightly = f"arn:aws:personalize:us-east-1:{ACCOUNT}:dataset-export-job/users-nightly"
    first = json.loads(run(world, "status", nightly, "--json").output)
    assert first["eta"] is None and first["eta_basis"] is None
    assert run(world, "list", "-s", "personalize").exit_code == 0
    sb.reset_calls()
    record = json.loads(run(world, "status", nightly, "--json").output)
    assert record["eta"] is not None
    assert record["eta_basis"].startswith("median of ")
    # The estimate came from the earlier listing: status made its one describe call only.
    assert dict(sb.calls) == {("personalize", "DescribeDatasetExportJob"): 1}
    panel = run(world, "status", nightly)
    assert "estimate: median of" in panel.output
    waited = run(world, "wait", nightly, "--timeout", "1s", "--json")
    assert waited.exit_code == 124
    assert json.loads(waited.stdout)["eta_basis"].startswith("median of ")


def test_an_enum_value_is_taken_in_any_case(world: tuple[Sandbox, S3Sandbox]) -> None:
    result = run(
        world, "start", "personalize", "--dataset-arn", DATASET, "--to", "s3://exportctl-out/",
        "--role-arn", ROLE, "--ingestion-mode", "put", "--dry-run",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["request"]["ingestionMode"] == "PUT"
