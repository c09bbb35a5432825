"""`exportctl download` end to end: the sandbox's export APIs and its S3 over HTTP."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from exportctl.cli.root import cli
from exportctl.sandbox import OutputLocation, Sandbox
from exportctl.sandbox.s3 import S3Sandbox, start_s3


@pytest.fixture(scope="module")
def sandbox() -> Iterator[tuple[Sandbox, S3Sandbox]]:
    with Sandbox(port=0, clock=lambda: 0.0) as sb, start_s3(sb) as s3:
        yield sb, s3


def run(sandbox: tuple[Sandbox, S3Sandbox], *args: str, s3_env: bool = True) -> Result:
    sb, s3 = sandbox
    env = {"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x"}
    if s3_env:
        env["AWS_ENDPOINT_URL_S3"] = s3.url
    return CliRunner().invoke(
        cli, ["--endpoint-url", sb.url, "--region", "us-east-1", *args], env=env
    )


def location(sb: Sandbox, service: str, index: int = 0) -> OutputLocation:
    return [loc for loc in sb.output_locations() if loc.service == service][index]


def ref(loc: OutputLocation) -> str:
    if loc.service == "personalize":
        return loc.job_id
    if loc.service == "pinpoint":
        app = loc.uri.rstrip("/").split("/")[-2]
        return f"pinpoint:{loc.region}:{app}/{loc.job_id}"
    return f"{loc.service}:{loc.region}:{loc.job_id}"


def seeded(s3: S3Sandbox, loc: OutputLocation) -> dict[str, bytes]:
    # Local paths leave out the prefix's folders, as download does.
    base = loc.uri.rpartition("/")[0] + "/"
    return {
        uri.removeprefix(base): body for uri, body in s3.objects.items() if uri.startswith(loc.uri)
    }


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize("service", ["personalize", "pinpoint", "backupsearch"])
def test_every_s3_service_downloads_what_its_job_wrote(
    sandbox: tuple[Sandbox, S3Sandbox], tmp_path: Path, service: str
) -> None:
    sb, s3 = sandbox
    loc = location(sb, service)
    result = run(sandbox, "download", ref(loc), str(tmp_path), "--json")
    assert result.exit_code == 0, result.stderr
    summary = json.loads(result.stdout)
    expected = seeded(s3, loc)
    assert expected and files(tmp_path) == expected
    assert summary["files"] == len(expected) and summary["source"] == loc.uri
    assert sorted(summary["paths"]) == sorted(expected)
    # Off a terminal, progress is one plain line per file on stderr.
    assert result.stderr.count("fetched ") == len(expected)

    again = run(sandbox, "download", ref(loc), str(tmp_path), "--json")
    assert json.loads(again.stdout)["skipped"] == len(expected)


def test_backup_search_objects_are_named_after_the_export_job(
    sandbox: tuple[Sandbox, S3Sandbox], tmp_path: Path
) -> None:
    sb, _ = sandbox
    loc = location(sb, "backupsearch")
    result = run(sandbox, "download", ref(loc), str(tmp_path))
    assert result.exit_code == 0, result.stderr
    assert all(rel.startswith(f"{loc.job_id}/") for rel in files(tmp_path))


def test_discovery_fetches_the_archive_without_showing_the_signature(
    sandbox: tuple[Sandbox, S3Sandbox], tmp_path: Path
) -> None:
    sb, _ = sandbox
    loc = location(sb, "discovery")
    result = run(sandbox, "download", ref(loc), str(tmp_path))
    assert result.exit_code == 0, result.stderr
    (archive,) = tmp_path.iterdir()
    assert archive.name == f"{loc.job_id}.zip"
    with zipfile.ZipFile(io.BytesIO(archive.read_bytes())) as zipped:
        assert "Servers.csv" in zipped.namelist()
    assert "X-Amz-Signature" not in result.stdout + result.stderr
    assert "?…" in result.stdout


def test_machine_formats_keep_the_url_whole_as_every_command_does(
    sandbox: tuple[Sandbox, S3Sandbox], tmp_path: Path
) -> None:
    sb, _ = sandbox
    loc = location(sb, "discovery")
    status = run(sandbox, "status", ref(loc), "--json")
    whole = json.loads(status.stdout)["destination"]
    assert "X-Amz-Signature" in whole
    args = ["download", ref(loc), str(tmp_path), "--dry-run"]
    assert json.loads(run(sandbox, *args, "--json").stdout)["source"] == whole
    assert whole in run(sandbox, *args, "-o", "csv").stdout
    assert run(sandbox, *args, "-o", "text", "--fields", "source").stdout == whole + "\n"
    # What people read is as every human format shows a URL: where it points.
    shown = run(sandbox, *args).stdout
    assert "X-Amz-Signature" not in shown and whole.split("?")[0] + "?…" in shown


def test_wide_is_the_summarys_every_column(
    sandbox: tuple[Sandbox, S3Sandbox], tmp_path: Path
) -> None:
    sb, _ = sandbox
    result = run(sandbox, "download", ref(location(sb, "discovery")), str(tmp_path), "-o", "wide")
    assert result.exit_code == 0, result.stderr
    header, row = result.stdout.splitlines()
    assert header.split() == [
        "SOURCE", "DESTINATION", "FILES", "BYTES", "SKIPPED", "SKIPPED_BYTES", "DRY_RUN",
    ]  # fmt: skip
    assert str(tmp_path) in row and "?…" in row


@pytest.mark.parametrize("dry_run", [False, True])
def test_csv_says_whether_it_was_a_dry_run(
    sandbox: tuple[Sandbox, S3Sandbox], tmp_path: Path, dry_run: bool
) -> None:
    sb, _ = sandbox
    args = ["download", ref(location(sb, "discovery")), str(tmp_path), "-o", "csv"]
    result = run(sandbox, *args, *(["--dry-run"] if dry_run else []))
    assert result.exit_code == 0, result.stderr
    header, row = result.stdout.splitlines()
    assert header == "source,destination,files,bytes,skipped,dry_run"
    assert row.endswith(",true" if dry_run else ",false")


def test_the_s3_endpoint_option_works_without_the_environment(
    sandbox: tuple[Sandbox, S3Sandbox], tmp_path: Path
) -> None:
    sb, s3 = sandbox
    loc = location(sb, "personalize")
    result = run(
        sandbox, "download", ref(loc), str(tmp_path), "--s3-endpoint-url", s3.url, s3_env=False
    )
    assert result.exit_code == 0, result.stderr
    assert files(tmp_path) == seeded(s3, loc)


@pytest.mark.parametrize(
    ("args", "variable", "named"),
    [
        (["--s3-endpoint-url", "http://127.0.0.1:9"], None, "--s3-endpoint-url"),
        ([], "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL_S3"),
    ],
    ids=["option", "variable"],
)
def test_an_s3_endpoint_not_reached_is_named_where_it_was_set(
    sandbox: tuple[Sandbox, S3Sandbox],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    variable: str | None,
    named: str,
) -> None:
    # The advice named --endpoint-url, which S3's own setting beats.
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    if variable:
        monkeypatch.setenv(variable, "http://127.0.0.1:9")
    loc = location(sandbox[0], "personalize")
    result = run(sandbox, "download", ref(loc), str(tmp_path), *args, s3_env=False)
    assert result.exit_code == 5, result.stderr
    assert "could not reach http://127.0.0.1:9/" in result.stderr
    assert f"check the network, --region and {named} (s3://" in result.stderr


def test_dry_run_prints_the_files_and_writes_none(
    sandbox: tuple[Sandbox, S3Sandbox], tmp_path: Path
) -> None:
    sb, s3 = sandbox
    loc = location(sb, "personalize")
    result = run(sandbox, "download", ref(loc), str(tmp_path / "d"), "--dry-run")
    assert result.exit_code == 0, result.stderr
    for rel in seeded(s3, loc):
        assert f"would fetch {rel}" in result.stdout
    assert not (tmp_path / "d").exists()


def test_a_discovery_dry_run_agrees_with_the_run_it_previews(
    sandbox: tuple[Sandbox, S3Sandbox], tmp_path: Path
) -> None:
    sb, _ = sandbox
    args = ["download", ref(location(sb, "discovery")), str(tmp_path)]
    first = run(sandbox, *args, "--dry-run")
    assert first.exit_code == 0, first.stderr
    # The archive's size is known only by fetching it.
    assert "Would fetch 1 file (size unknown) from " in first.stdout
    unknown = json.loads(run(sandbox, *args, "--dry-run", "--json").stdout)
    assert (unknown["files"], unknown["bytes"], unknown["skipped"]) == (1, None, 0)
    fetched = json.loads(run(sandbox, *args, "--json").stdout)
    again = json.loads(run(sandbox, *args, "--json").stdout)
    preview = json.loads(run(sandbox, *args, "--dry-run", "--json").stdout)
    assert (again["files"], again["skipped"]) == (0, 1)
    keys = ("files", "bytes", "skipped", "skipped_bytes", "paths")
    assert {k: preview[k] for k in keys} == {k: again[k] for k in keys}
    assert preview["skipped_bytes"] == fetched["bytes"] > 0


def test_default_destination_is_named_after_the_job(
    sandbox: tuple[Sandbox, S3Sandbox], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sb, _ = sandbox
    monkeypatch.chdir(tmp_path)
    loc = location(sb, "personalize")
    result = run(sandbox, "download", ref(loc))
    assert result.exit_code == 0, result.stderr
    assert [p.name for p in tmp_path.iterdir()] == [f"personalize-{loc.job_id.rpartition('/')[2]}"]


def test_a_job_whose_keys_name_it_is_not_named_twice_by_default(
    sandbox: tuple[Sandbox, S3Sandbox], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sb, _ = sandbox
    monkeypatch.chdir(tmp_path)
    loc = location(sb, "backupsearch")
    result = run(sandbox, "download", ref(loc))
    assert result.exit_code == 0, result.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["backupsearch"]
    assert all(rel.startswith(f"{loc.job_id}/") for rel in files(tmp_path / "backupsearch"))


def test_a_job_that_is_not_completed_exits_1_with_one_line(
    sandbox: tuple[Sandbox, S3Sandbox], tmp_path: Path
) -> None:
    sb, _ = sandbox
    running = next(
        j
        for j in sb.jobs("backupsearch", "us-east-1")
        if j["kind"] == "export" and j["status"] == "RUNNING"
    )
    result = run(sandbox, "download", f"backupsearch:{running['id']}", str(tmp_path), "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) is None
    assert result.stderr.count("\n") == 1 and "not COMPLETED" in result.stderr


def test_a_missing_bucket_exits_3_naming_it(
    sandbox: tuple[Sandbox, S3Sandbox], tmp_path: Path
) -> None:
    sb, s3 = sandbox
    loc = location(sb, "pinpoint", 1)
    bucket = loc.uri.removeprefix("s3://").partition("/")[0]
    other = s3.client(loc.region)
    listed = other.list_objects_v2(Bucket=bucket).get("Contents", [])
    saved = {o["Key"]: other.get_object(Bucket=bucket, Key=o["Key"])["Body"].read() for o in listed}
    for key in saved:
        other.delete_object(Bucket=bucket, Key=key)
    other.delete_bucket(Bucket=bucket)
    try:
        result = run(sandbox, "download", ref(loc), str(tmp_path))
    finally:
        other.create_bucket(Bucket=bucket)
        for key, body in saved.items():
            other.put_object(Bucket=bucket, Key=key, Body=body)
    assert result.exit_code == 3
    assert loc.uri in result.stderr


@pytest.mark.parametrize("bad", ["nope:1", "arn:aws:s3:::bucket"])
def test_a_bad_reference_is_a_usage_error(
    sandbox: tuple[Sandbox, S3Sandbox], tmp_path: Path, bad: str
) -> None:
    result = run(sandbox, "download", bad, str(tmp_path))
    assert result.exit_code == 2
    assert result.stderr.startswith("exportctl: error: ")


def test_a_folder_given_without_its_slash_is_written_and_fetched_as_that_folder(
    sandbox: tuple[Sandbox, S3Sandbox], tmp_path: Path
) -> None:
    sb, _ = sandbox
    started = run(
        sandbox, "start", "personalize", "--dataset-arn",
        "arn:aws:personalize:us-east-1:123456789012:dataset/exportctl-retail/USERS",
        "--to", "s3://exportctl-exports/nofolderslash",
        "--role-arn", "arn:aws:iam::123456789012:role/PersonalizeS3Role",
    )  # fmt: skip
    assert started.exit_code == 0, started.output
    sb.advance(600)
    done = run(sandbox, "download", started.stdout.strip(), str(tmp_path))
    assert done.exit_code == 0, done.output
    fetched = files(tmp_path)
    assert fetched and all(path.startswith("nofolderslash/") for path in fetched)
