"""Fetching S3 output with moto over HTTP: pages, nesting, safety, resume, atomicity, errors."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from download_support import TEMP_GLOB, S3Env, files_under, seed_backend

from exportctl.domain.errors import ExitCode, ExportctlError
from exportctl.domain.model import State
from exportctl.domain.naming import CONFIGURE_HINT
from exportctl.ops.download.files import CHUNK
from exportctl.ops.download.job import fetch_job
from exportctl.ops.download.paths import safe_path
from exportctl.ops.download.records import Item, NullReporter, Plan, Summary
from exportctl.ops.download.resume import sort_plan
from exportctl.services.locations import NotCompletedError


def fetch(env: S3Env, prefix: str, **kwargs: Any) -> Summary:
    job = env.job(prefix, **{k: kwargs.pop(k) for k in ("service", "job_id") if k in kwargs})
    return fetch_job(env.clients, job, env.dest, NullReporter(), **kwargs)


def test_thousands_of_objects_are_planned_over_several_pages(s3env: S3Env) -> None:
    objects = {f"exports/run/part-{i // 500}/f{i:05d}.csv": f"{i}\n".encode() for i in range(2500)}
    objects["exports/other/not-mine.csv"] = b"x"
    seed_backend(s3env.bucket, objects)

    summary = fetch(s3env, "exports/run/", dry_run=True)

    # ListObjectsV2 returns at most 1000 keys a page.
    assert s3env.calls["ListObjectsV2"] == 3
    assert summary.files == 2500
    assert summary.paths[-1] == "part-4/f02499.csv"
    assert not any("not-mine" in p for p in summary.paths)


def test_more_objects_than_a_page_are_all_fetched(s3env: S3Env) -> None:
    # Pages of 2 keys, asked of this test's client only: a handful of objects take
    # several pages (S3's own 1,000-key page is the test above's).
    def small_pages(params: dict[str, Any], **_: Any) -> None:
        params["MaxKeys"] = 2

    s3env.client.meta.events.register("before-parameter-build.s3.ListObjectsV2", small_pages)
    objects = {f"run/part-{i // 2}/f{i:05d}.csv": f"{i}\n".encode() for i in range(5)}
    seed_backend(s3env.bucket, objects)

    summary = fetch(s3env, "run/")

    assert s3env.calls["ListObjectsV2"] == 3
    assert s3env.calls["GetObject"] == 5
    assert (summary.files, summary.bytes) == (5, sum(len(b) for b in objects.values()))
    got = files_under(s3env.dest)
    assert len(got) == 5
    assert got == {key.removeprefix("run/"): body for key, body in objects.items()}
    assert got["part-2/f00004.csv"] == b"4\n"


def test_nested_prefixes_keep_their_folders(s3env: S3Env) -> None:
    s3env.put({"a/b/c/deep.csv": b"deep", "a/b/top.csv": b"top", "a/bee/sibling.csv": b"no"})
    fetch(s3env, "a/b/")
    assert files_under(s3env.dest) == {"c/deep.csv": b"deep", "top.csv": b"top"}


def test_a_key_escaping_the_destination_is_refused_before_anything_is_fetched(
    s3env: S3Env,
) -> None:
    s3env.put({"out/ok.csv": b"ok", "out/../../../evil.sh": b"rm -rf"})
    with pytest.raises(ExportctlError) as caught:
        fetch(s3env, "out/")
    assert caught.value.exit_code == ExitCode.USAGE
    assert "outside" in caught.value.message
    assert s3env.calls["GetObject"] == 0
    assert not (s3env.dest.parent / "evil.sh").exists()
    assert files_under(s3env.dest) == {}


@pytest.mark.parametrize("rel", ["/etc/passwd", "../x", "a/../../x", "a\\..\\x", "", "./"])
def test_safe_path_refuses_what_would_land_outside(tmp_path: Path, rel: str) -> None:
    with pytest.raises(ExportctlError) as caught:
        safe_path(tmp_path, rel)
    assert "outside" in caught.value.message


def test_safe_path_keeps_ordinary_names(tmp_path: Path) -> None:
    assert safe_path(tmp_path, "a/./b//c.csv") == tmp_path / "a" / "b" / "c.csv"


@pytest.mark.skipif(os.name == "nt", reason="a colon names a drive or a stream on Windows")
def test_a_colon_is_an_ordinary_character_off_windows(tmp_path: Path) -> None:
    assert safe_path(tmp_path, "report:2024.csv") == tmp_path / "report:2024.csv"
    assert safe_path(tmp_path, "C:/x") == tmp_path / "C:" / "x"


def test_a_nul_in_a_key_is_refused_for_what_it_is(tmp_path: Path) -> None:
    with pytest.raises(ExportctlError) as caught:
        safe_path(tmp_path, "a\x00b.csv")
    assert "NUL" in caught.value.message


def test_a_link_in_dest_to_elsewhere_is_named_as_the_reason(tmp_path: Path) -> None:
    (tmp_path / "dest").mkdir()
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "dest" / "out").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(ExportctlError) as caught:
        safe_path(tmp_path / "dest", "out/x.csv")
    assert caught.value.exit_code == ExitCode.USAGE
    assert "a link in" in caught.value.message


@pytest.mark.parametrize("other", ["p/a//b.csv", "p/a/./b.csv"])
def test_two_keys_that_would_be_one_file_are_refused_before_anything_is_fetched(
    s3env: S3Env, other: str
) -> None:
    s3env.put({"p/a/b.csv": b"first", other: b"second"})
    with pytest.raises(ExportctlError) as caught:
        fetch(s3env, "p/")
    assert caught.value.exit_code == ExitCode.LOCAL
    assert "would both be the file 'a/b.csv'" in caught.value.message
    assert s3env.calls["GetObject"] == 0
    assert files_under(s3env.dest) == {}


def test_a_folder_marker_is_no_file_and_one_with_content_is_refused_as_such(
    s3env: S3Env,
) -> None:
    s3env.put({"p/a.csv": b"a", "p/sub/": b"", "p/sub/b.csv": b"b"})
    assert fetch(s3env, "p/").paths == ["a.csv", "sub/b.csv"]
    # A key ending in '/' that holds bytes: no file can be named so, and its bytes
    # are not to be dropped without a word.
    s3env.put({"p/marker/": b"hello"})
    s3env.calls.clear()
    with pytest.raises(ExportctlError) as caught:
        fetch(s3env, "p/", force=True)
    assert caught.value.exit_code == ExitCode.LOCAL
    assert "key 'p/marker/' ends in '/' and holds 5 bytes" in caught.value.message
    assert s3env.calls["GetObject"] == 0


def test_force_fetches_again_what_only_its_size_could_vouch_for(tmp_path: Path) -> None:
    local = tmp_path / "big.bin"
    local.write_bytes(b"corrupt!")
    # A multipart object's ETag is no MD5 of its bytes: only the size compares.
    item = Item(source="s3://b/big.bin", path=local, rel="big.bin", size=8, etag='"0f-3"')
    kept = sort_plan(Plan(tmp_path, "s3://b/"), iter([item]), force=False)
    assert (kept.present, kept.fetch) == ([item], [])
    forced = sort_plan(Plan(tmp_path, "s3://b/"), iter([item]), force=True)
    assert (forced.present, forced.fetch, forced.conflicts) == ([], [item], [])


def test_a_second_run_skips_what_is_already_there(s3env: S3Env) -> None:
    s3env.put({f"p/f{i}.csv": f"row {i}\n".encode() for i in range(5)})
    fetch(s3env, "p/")
    s3env.calls.clear()
    again = fetch(s3env, "p/")
    assert (again.files, again.skipped) == (0, 5)
    assert s3env.calls["GetObject"] == 0


def test_resume_after_a_failed_run_fetches_only_the_rest(s3env: S3Env) -> None:
    s3env.put({f"p/f{i}.csv": f"row {i}\n".encode() * 10 for i in range(6)})
    allowed = threading.Semaphore(3)

    def flaky(**_: Any) -> None:
        if not allowed.acquire(blocking=False):
            raise ConnectionResetError("connection reset by peer")

    s3env.client.meta.events.register("before-send.s3.GetObject", flaky)
    with pytest.raises(ExportctlError) as caught:
        fetch(s3env, "p/", concurrency=1)
    assert caught.value.exit_code == ExitCode.AWS
    assert len(files_under(s3env.dest)) == 3

    s3env.client.meta.events.unregister("before-send.s3.GetObject", flaky)
    s3env.fetched.clear()
    summary = fetch(s3env, "p/")
    assert (summary.files, summary.skipped) == (3, 3)
    # The three it lacked, and those alone (one more call for one of them, should a
    # stream break on a loaded machine: a download resumes a broken stream).
    have = set(files_under(s3env.dest))
    assert len(s3env.fetched) == 3 and len(have) == 6
    assert all(key.removeprefix("p/") in have for key in s3env.fetched)


class _BreaksMidStream:
    """A response body that hands over its first chunk, then fails."""

    def __init__(self, body: Any, error: BaseException) -> None:
        self.body, self.error, self.reads = body, error, 0

    def read(self, size: int = -1) -> bytes:
        self.reads += 1
        if self.reads > 1:
            raise self.error
        data: bytes = self.body.read(size)
        return data

    def close(self) -> None:
        self.body.close()


@pytest.mark.parametrize(
    ("error", "expected"),
    [(ConnectionResetError("reset"), ExportctlError), (KeyboardInterrupt(), KeyboardInterrupt)],
)
def test_a_download_broken_mid_stream_leaves_no_partial_file(
    s3env: S3Env, error: BaseException, expected: type[BaseException]
) -> None:
    big = b"x" * (3 * CHUNK)
    s3env.put({"p/big.bin": big})

    def breaks(parsed: dict[str, Any], **_: Any) -> None:
        parsed["Body"] = _BreaksMidStream(parsed["Body"], error)

    s3env.client.meta.events.register("after-call.s3.GetObject", breaks)
    with pytest.raises(expected) as caught:
        fetch(s3env, "p/")
    if isinstance(caught.value, ExportctlError):
        # Asked for again, and broken each time: said with the object it was.
        assert s3env.calls["GetObject"] == 3
        assert f"s3://{s3env.bucket}/p/big.bin" in caught.value.message
    assert not (s3env.dest / "big.bin").exists()
    assert list(s3env.dest.rglob(TEMP_GLOB)) == []

    s3env.client.meta.events.unregister("after-call.s3.GetObject", breaks)
    fetch(s3env, "p/")
    assert (s3env.dest / "big.bin").read_bytes() == big


def test_an_object_whose_answer_broke_off_once_is_asked_for_again(s3env: S3Env) -> None:
    big = b"y" * (3 * CHUNK)
    s3env.put({"p/big.bin": big})
    broken: list[int] = []

    def breaks_once(parsed: dict[str, Any], **_: Any) -> None:
        if not broken:
            broken.append(1)
            parsed["Body"] = _BreaksMidStream(parsed["Body"], ConnectionResetError("reset"))

    s3env.client.meta.events.register("after-call.s3.GetObject", breaks_once)
    summary = fetch(s3env, "p/")
    # botocore retries a call whose answer never came; a body cut short, exportctl.
    assert (summary.files, summary.bytes) == (1, len(big))
    assert s3env.calls["GetObject"] == 2
    assert (s3env.dest / "big.bin").read_bytes() == big
    assert list(s3env.dest.rglob(TEMP_GLOB)) == []


class _Flipped:
    """A response body whose bytes were changed on their way, its length kept."""

    def __init__(self, body: Any) -> None:
        self.body = body

    def read(self, size: int = -1) -> bytes:
        data: bytes = self.body.read(size)
        return data[:1].swapcase() + data[1:] if data else data

    def close(self) -> None:
        self.body.close()


@pytest.mark.parametrize("times", [1, 3])
def test_bytes_that_differ_from_the_md5_their_etag_says_are_not_kept(
    s3env: S3Env, times: int
) -> None:
    s3env.put({"p/a.csv": b"remote bytes", "p/b.csv": b"b"})
    changed: list[int] = []

    def flips(parsed: dict[str, Any], **_: Any) -> None:
        if parsed["ContentLength"] > 1 and len(changed) < times:
            changed.append(1)
            parsed["Body"] = _Flipped(parsed["Body"])

    s3env.client.meta.events.register("after-call.s3.GetObject", flips)
    if times == 1:
        # Asked for again, as a body cut short is: the second answer is whole.
        fetch(s3env, "p/")
        assert files_under(s3env.dest) == {"a.csv": b"remote bytes", "b.csv": b"b"}
        assert s3env.fetched["p/a.csv"] == 2
        return
    with pytest.raises(ExportctlError) as caught:
        fetch(s3env, "p/")
    assert caught.value.exit_code == ExitCode.AWS
    assert (
        "s3://" in caught.value.message and "p/a.csv does not match the MD5" in caught.value.message
    )
    assert not (s3env.dest / "a.csv").exists()
    assert list(s3env.dest.rglob(TEMP_GLOB)) == []


def test_a_different_local_file_needs_force(s3env: S3Env) -> None:
    s3env.put({"p/a.csv": b"remote", "p/b.csv": b"bbb"})
    s3env.dest.mkdir()
    # Same size, other bytes: only the ETag (the MD5 of a single-part object) tells.
    (s3env.dest / "a.csv").write_bytes(b"local!")
    with pytest.raises(ExportctlError) as caught:
        fetch(s3env, "p/")
    assert caught.value.exit_code == ExitCode.USAGE
    assert "--force" in caught.value.message
    assert (s3env.dest / "a.csv").read_bytes() == b"local!"
    assert s3env.calls["GetObject"] == 0

    fetch(s3env, "p/", force=True)
    assert files_under(s3env.dest) == {"a.csv": b"remote", "b.csv": b"bbb"}


def _deleted_once_listed(s3env: S3Env, key: str) -> None:
    """``key`` is deleted, by another client, as soon as the download has listed it."""
    other = boto3.client(
        "s3",
        region_name="us-east-1",
        endpoint_url=s3env.url,
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )

    def vanish(**_: Any) -> None:
        other.delete_object(Bucket=s3env.bucket, Key=key)

    s3env.client.meta.events.register("after-call.s3.ListObjectsV2", vanish)


def test_a_tab_in_a_key_is_escaped_where_a_message_names_it(s3env: S3Env) -> None:
    s3env.put({"p/tab\tname.csv": b"theirs"})
    s3env.dest.mkdir()
    (s3env.dest / "tab\tname.csv").write_bytes(b"mine")
    with pytest.raises(ExportctlError) as caught:
        fetch(s3env, "p/")
    assert "tab\\x09name.csv already exists and differs" in caught.value.message
    # Listed, then gone before it is fetched: S3's error names it.
    (s3env.dest / "tab\tname.csv").unlink()
    _deleted_once_listed(s3env, "p/tab\tname.csv")
    with pytest.raises(ExportctlError) as caught:
        fetch(s3env, "p/")
    assert "p/tab\\x09name.csv does not exist" in caught.value.message
    assert "\t" not in caught.value.message


def test_one_differing_file_is_said_as_one(s3env: S3Env) -> None:
    s3env.put({"p/a.csv": b"remote"})
    s3env.dest.mkdir()
    (s3env.dest / "a.csv").write_bytes(b"local!")
    with pytest.raises(ExportctlError) as caught:
        fetch(s3env, "p/")
    assert "a.csv already exists and differs from" in caught.value.message
    assert caught.value.message.endswith("pass --force to replace it")


@pytest.mark.parametrize("force", [False, True])
def test_a_folder_where_a_file_goes_is_no_conflict_force_could_settle(
    s3env: S3Env, force: bool
) -> None:
    s3env.put({"p/a.csv": b"remote", "p/b.csv": b"b"})
    (s3env.dest / "a.csv").mkdir(parents=True)
    with pytest.raises(ExportctlError) as caught:
        fetch(s3env, "p/", force=force)
    assert caught.value.exit_code == ExitCode.LOCAL
    assert "a folder is in the way" in caught.value.message
    assert "--force" not in caught.value.message
    assert s3env.calls["GetObject"] == 0


def test_dry_run_lists_and_fetches_nothing(s3env: S3Env) -> None:
    s3env.put({"p/a.csv": b"aa", "p/sub/b.csv": b"bbb"})
    summary = fetch(s3env, "p/", dry_run=True)
    assert summary.to_dict() | {"destination": None} == {
        "source": f"s3://{s3env.bucket}/p/",
        "destination": None,
        "files": 2,
        "bytes": 5,
        "skipped": 0,
        "skipped_bytes": 0,
        "dry_run": True,
        "paths": ["a.csv", "sub/b.csv"],
    }
    assert s3env.calls["GetObject"] == 0
    assert not s3env.dest.exists()


@pytest.mark.parametrize("service", ["personalize", "pinpoint", "rds", "logs"])
def test_a_folder_given_without_its_slash_takes_no_sibling_folder(
    s3env: S3Env, service: str
) -> None:
    s3env.put(
        {
            "exports/items/part-0.csv": b"mine",
            "exports/items/deeper/part-1.csv": b"mine too",
            "exports/items-2024/part-0.csv": b"another job's",
            "exports/items.csv": b"not in the folder",
        }
    )
    fetch(s3env, "exports/items", service=service)
    # The folder's name stays in the local paths, as before.
    assert files_under(s3env.dest) == {
        "items/part-0.csv": b"mine",
        "items/deeper/part-1.csv": b"mine too",
    }


def test_a_name_prefix_stays_one_where_the_service_writes_names(s3env: S3Env) -> None:
    # EC2 writes exports/export-ami-1.vmdk for the prefix exports/export-ami-1.
    s3env.put({"exports/export-ami-1.vmdk": b"disk", "exports/export-ami-10.vmdk": b"no"})
    fetch(s3env, "exports/export-ami-1", service="ec2", job_id="export-ami-1")
    assert files_under(s3env.dest) == {"export-ami-1.vmdk": b"disk"}


def test_an_id_written_right_after_a_prefix_without_its_slash_names_the_job(
    s3env: S3Env,
) -> None:
    # EC2 writes PREFIX + ID + '.vmdk' (the model's words), Backup Search PREFIX + ID + '/'.
    s3env.put(
        {
            "amisexport-ami-1.vmdk": b"disk",
            "amisexport-ami-10.vmdk": b"another task's",
            "contractsbs-1/part-0.csv": b"results",
            "contractsbs-2/part-0.csv": b"another job's",
        }
    )
    fetch(s3env, "amisexport-ami-1", service="ec2", job_id="export-ami-1")
    assert files_under(s3env.dest) == {"amisexport-ami-1.vmdk": b"disk"}
    for path in s3env.dest.iterdir():
        path.unlink()
    fetch(s3env, "contracts", service="backupsearch", job_id="bs-1")
    assert files_under(s3env.dest) == {"contractsbs-1/part-0.csv": b"results"}


def test_backup_search_takes_only_the_objects_naming_its_export_job(s3env: S3Env) -> None:
    mine, theirs = "0f1e2d3c-aaaa-bbbb-cccc-000000000001", "0f1e2d3c-aaaa-bbbb-cccc-000000000002"
    s3env.put(
        {
            f"results/{mine}/part-00000.csv": b"1",
            f"results/{mine}.csv": b"2",
            f"results/{mine}-manifest.json": b"3",
            f"results/{theirs}/part-00000.csv": b"no",
            f"results/{mine}0/part.csv": b"no: another id that starts alike",
            "results/unrelated.csv": b"no",
        }
    )
    fetch(s3env, "results/", service="backupsearch", job_id=mine)
    assert set(files_under(s3env.dest)) == {
        f"{mine}/part-00000.csv",
        f"{mine}.csv",
        f"{mine}-manifest.json",
    }


def test_missing_bucket_is_not_found_and_named(s3env: S3Env) -> None:
    job = s3env.job("", destination="s3://exportctl-no-such-bucket/x/")
    with pytest.raises(ExportctlError) as caught:
        fetch_job(s3env.clients, job, s3env.dest, NullReporter())
    assert caught.value.exit_code == ExitCode.NOT_FOUND
    assert "s3://exportctl-no-such-bucket/x/" in caught.value.message


def test_no_objects_is_not_found_and_named(s3env: S3Env) -> None:
    with pytest.raises(ExportctlError) as caught:
        fetch(s3env, "empty/")
    assert caught.value.exit_code == ExitCode.NOT_FOUND
    assert f"s3://{s3env.bucket}/empty/" in caught.value.message


def test_an_object_gone_between_listing_and_fetching_is_not_found(s3env: S3Env) -> None:
    s3env.put({"p/a.csv": b"a"})

    _deleted_once_listed(s3env, "p/a.csv")
    with pytest.raises(ExportctlError) as caught:
        fetch(s3env, "p/")
    assert caught.value.exit_code == ExitCode.NOT_FOUND
    assert f"s3://{s3env.bucket}/p/a.csv" in caught.value.message
    assert files_under(s3env.dest) == {}


@pytest.mark.parametrize("operation", ["list_objects_v2", "get_object"])
def test_access_denied_is_exit_4_naming_the_location(s3env: S3Env, operation: str) -> None:
    s3env.put({"p/a.csv": b"a"})
    client = s3env.clients.client("s3", "us-east-1")
    with Stubber(client) as stub:
        if operation == "get_object":
            stub.add_response(
                "list_objects_v2",
                {"Contents": [{"Key": "p/a.csv", "Size": 1, "ETag": '"x"'}], "KeyCount": 1},
                {"Bucket": s3env.bucket, "Prefix": "p/"},
            )
        stub.add_client_error(
            operation,
            service_error_code="AccessDenied",
            service_message="Access Denied",
            http_status_code=403,
        )
        with pytest.raises(ExportctlError) as caught:
            fetch(s3env, "p/")
    assert caught.value.exit_code == ExitCode.CREDENTIALS
    assert f"s3://{s3env.bucket}/p/" in caught.value.message
    assert not (s3env.dest / "a.csv").exists()


@pytest.mark.parametrize("code", ["SignatureDoesNotMatch", "InvalidAccessKeyId"])
def test_credentials_s3_refuses_are_said_as_credentials_not_permissions(
    s3env: S3Env, code: str
) -> None:
    # S3 refuses a bad secret or an unknown key with a 403, as it refuses a policy:
    # these were "access denied ... check s3:ListBucket and s3:GetObject", the one
    # advice that cannot help, where every other call says the credentials.
    client = s3env.clients.client("s3", "us-east-1")
    with Stubber(client) as stub:
        stub.add_client_error(
            "list_objects_v2", service_error_code=code, service_message="No.", http_status_code=403
        )
        with pytest.raises(ExportctlError) as caught:
            fetch(s3env, "p/")
    assert caught.value.exit_code == ExitCode.CREDENTIALS
    assert caught.value.message == (
        f"AWS: AWS refused the credentials ({code}): No; {CONFIGURE_HINT} (s3://{s3env.bucket}/p/)"
    )


def test_a_job_that_is_not_completed_is_exit_1(s3env: S3Env) -> None:
    for state in (State.RUNNING, State.FAILED, State.PENDING):
        job = s3env.job("p/", state=state)
        with pytest.raises(NotCompletedError) as caught:
            fetch_job(s3env.clients, job, s3env.dest, NullReporter())
        assert caught.value.exit_code == ExitCode.JOB_FAILED
        assert state.value in caught.value.message
    assert s3env.calls["ListObjectsV2"] == s3env.calls["GetObject"] == 0


def test_a_job_without_output_location_is_not_found(s3env: S3Env) -> None:
    job = s3env.job("", destination="")
    with pytest.raises(ExportctlError) as caught:
        fetch_job(s3env.clients, job, s3env.dest, NullReporter())
    assert caught.value.exit_code == ExitCode.NOT_FOUND
    assert "no output location" in caught.value.message


@pytest.mark.parametrize("encryption", [{}, {"ServerSideEncryption": "aws:kms"}])
def test_an_encrypted_objects_etag_is_no_md5_of_its_bytes(
    s3env: S3Env, encryption: dict[str, str]
) -> None:
    # As RDS writes its exports: with KMS, whose objects' ETags are not their MD5.
    s3env.client.put_object(Bucket=s3env.bucket, Key="p/a.csv", Body=b"remote", **encryption)
    s3env.dest.mkdir()
    (s3env.dest / "a.csv").write_bytes(b"local!")
    if encryption:
        # The same size, and an ETag that cannot tell: already there, as after a resume.
        assert fetch(s3env, "p/").skipped == 1
        assert s3env.calls["HeadObject"] == 1
    else:
        with pytest.raises(ExportctlError) as caught:
            fetch(s3env, "p/")
        assert caught.value.exit_code == ExitCode.USAGE
    assert s3env.calls["GetObject"] == 0
    # Fetched, its bytes are not held to the ETag: they are what S3 sent.
    fetch(s3env, "p/", force=True)
    assert (s3env.dest / "a.csv").read_bytes() == b"remote"


@pytest.mark.parametrize(
    ("pages", "said"),
    [
        # A proxy's page, read as no listing at all: not "no objects" (exit 3).
        ([{}], "answered with no listing"),
        ([{"Name": "b", "KeyCount": 0, "IsTruncated": True}], "names none"),
        (
            [
                {"Name": "b", "KeyCount": 0, "IsTruncated": True, "NextContinuationToken": t}
                for t in ("A", "B", "A")
            ],
            "goes round",
        ),
    ],
)
def test_a_listing_s3_could_not_have_sent_is_a_broken_answer(
    s3env: S3Env, pages: list[dict[str, Any]], said: str
) -> None:
    client = s3env.clients.client("s3", "us-east-1")
    with Stubber(client) as stub:
        for page in pages:
            stub.add_response("list_objects_v2", page)
        with pytest.raises(ExportctlError) as caught:
            fetch(s3env, "p/")
    assert caught.value.exit_code == ExitCode.AWS
    assert said in caught.value.message


def test_an_object_replaced_since_it_was_listed_is_said_so() -> None:
    from botocore.exceptions import ClientError

    from exportctl.ops.download.s3 import s3_error

    # The fetch asks for the object listed (IfMatch its ETag): S3's 412 when replaced.
    refused = ClientError(
        {
            "Error": {
                "Code": "PreconditionFailed",
                "Message": "At least one of the pre-conditions",
            },
            "ResponseMetadata": {"HTTPStatusCode": 412},
        },
        "GetObject",
    )
    said = s3_error(refused, "s3://b/p/big.bin")
    assert said.exit_code == ExitCode.AWS
    assert said.message == (
        "S3: s3://b/p/big.bin changed since it was listed (a new object under the same key): "
        "run the download again to fetch what is there now"
    )
