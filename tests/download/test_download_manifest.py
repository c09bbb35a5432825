"""Output listed by a manifest (``Output(kind="manifest")``, DynamoDB's exports) fetched
from moto's S3 over HTTP: the manifest, its list of files, exactly those files, each
checked against its MD5, resumed like any download."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import pytest
from download_support import TEMP_GLOB, S3Env, files_under

from exportctl.domain.errors import ExitCode, ExportctlError
from exportctl.domain.model import ExportJob, State
from exportctl.ops.download.job import fetch_job
from exportctl.ops.download.records import NullReporter, Summary

EXPORT = "01790000000000-0a1b2c3d"
BASE = f"exports/orders/AWSDynamoDB/{EXPORT}/"
DATA = {f"{BASE}data/part-{n}.json.gz": f'{{"Item":{{"n":{n}}}}}\n'.encode() * 40 for n in range(3)}


def _md5(body: bytes) -> str:
    return base64.b64encode(hashlib.md5(body).digest()).decode()


def _manifests(data: dict[str, bytes], **overrides: Any) -> dict[str, bytes]:
    """The two manifests of an export of ``data``, as the service lays them out."""
    lines = [
        json.dumps(
            {"itemCount": 40, "md5Checksum": _md5(body), "etag": "x-1", "dataFileS3Key": key}
        )
        for key, body in data.items()
    ]
    summary = {"exportArn": EXPORT, "manifestFilesS3Key": BASE + "manifest-files.json"}
    return {
        BASE + "manifest-summary.json": json.dumps(summary | overrides).encode(),
        BASE + "manifest-files.json": ("\n".join(lines) + "\n").encode(),
    }


def _export(env: S3Env, data: dict[str, bytes] | None = None, **others: bytes) -> dict[str, bytes]:
    """An export in the bucket, with the service's other objects beside it."""
    data = DATA if data is None else data
    objects = {
        **data,
        **_manifests(data),
        BASE + "_started": b"",
        BASE + "manifest-files.checksum": b"0" * 32,
        # Under the export's folder but listed nowhere: not the export's.
        BASE + "data/stray.json.gz": b"not listed",
        **others,
    }
    env.put(objects)
    return objects


def _job(env: S3Env, manifest: str | None = BASE + "manifest-summary.json") -> ExportJob:
    return ExportJob(
        service="dynamodb",
        ref=f"arn:aws:dynamodb:us-east-1:123456789012:table/orders/export/{EXPORT}",
        id=EXPORT,
        region="us-east-1",
        state=State.COMPLETED,
        status="COMPLETED",
        destination=f"s3://{env.bucket}/exports/orders",
        details={"export_manifest": manifest} if manifest else {},
    )


def fetch(env: S3Env, job: ExportJob | None = None, **kwargs: Any) -> Summary:
    return fetch_job(env.clients, job or _job(env), env.dest, NullReporter(), **kwargs)


def test_exactly_the_listed_files_and_the_manifests_are_fetched(s3env: S3Env) -> None:
    objects = _export(s3env)
    summary = fetch(s3env)
    expected = {
        key.removeprefix(BASE): body
        for key, body in objects.items()
        if key in DATA or (key.endswith(".json") and "manifest-" in key)
    }
    assert files_under(s3env.dest) == expected
    assert sorted(summary.paths) == sorted(expected)
    assert summary.source == f"s3://{s3env.bucket}/{BASE}manifest-summary.json"
    # The two manifests are read once; no listing of the bucket is needed.
    assert s3env.calls["GetObject"] == 2 + len(DATA)
    assert s3env.calls["ListObjectsV2"] == 0


def test_a_second_run_fetches_nothing_and_a_partial_one_only_the_rest(s3env: S3Env) -> None:
    _export(s3env)
    fetch(s3env)
    s3env.calls.clear()
    again = fetch(s3env)
    assert (again.files, again.skipped) == (0, 2 + len(DATA))
    assert s3env.calls["GetObject"] == 2
    (s3env.dest / "data" / "part-1.json.gz").unlink()
    s3env.calls.clear()
    resumed = fetch(s3env)
    assert resumed.paths == ["data/part-1.json.gz"] and resumed.skipped == 1 + len(DATA)
    assert s3env.calls["GetObject"] == 3


def test_a_file_that_does_not_match_its_md5_is_not_kept(s3env: S3Env) -> None:
    data = dict(DATA)
    _export(s3env, data)
    # The object replaced after the manifest was written: same key, other bytes.
    tampered = next(iter(data))
    s3env.put({tampered: b"something else entirely"})
    with pytest.raises(ExportctlError) as caught:
        fetch(s3env, concurrency=1)
    assert caught.value.exit_code == ExitCode.AWS
    assert "does not match the MD5 its manifest lists" in caught.value.message
    assert tampered.removeprefix(BASE) not in files_under(s3env.dest)
    assert list(s3env.dest.rglob(TEMP_GLOB)) == []


def test_a_different_local_file_needs_force(s3env: S3Env) -> None:
    _export(s3env)
    target = s3env.dest / "data" / "part-0.json.gz"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"mine")
    with pytest.raises(ExportctlError) as caught:
        fetch(s3env)
    assert caught.value.exit_code == ExitCode.USAGE and "--force" in caught.value.message
    assert target.read_bytes() == b"mine"
    fetch(s3env, force=True)
    assert target.read_bytes() == DATA[BASE + "data/part-0.json.gz"]


def test_dry_run_reads_the_manifests_and_writes_nothing(s3env: S3Env) -> None:
    _export(s3env)
    summary = fetch(s3env, dry_run=True)
    assert summary.files == 2 + len(DATA) and summary.dry_run
    assert "data/stray.json.gz" not in summary.paths
    assert not s3env.dest.exists()


def test_sizes_the_manifests_do_not_give_are_not_counted_as_nothing(s3env: S3Env) -> None:
    objects = _export(s3env)
    whole = sum(len(body) for key, body in objects.items() if key.removeprefix(BASE) in _paths())
    # The manifests list no data file's size, and no listing is read to learn them.
    assert fetch(s3env, dry_run=True).bytes is None
    assert fetch(s3env).bytes == whole
    # A file kept is the object byte for byte (its MD5 matched): its size is the object's.
    again, planned = fetch(s3env), fetch(s3env, dry_run=True)
    assert (again.skipped_bytes, planned.skipped_bytes, planned.bytes) == (whole, whole, 0)
    (s3env.dest / "data" / "part-1.json.gz").unlink()
    partial = fetch(s3env, dry_run=True)
    assert partial.bytes is None
    assert partial.skipped_bytes == whole - len(DATA[BASE + "data/part-1.json.gz"])
    assert s3env.calls["ListObjectsV2"] == 0


def _paths() -> set[str]:
    """The local paths of an export of DATA: its files and the two manifests."""
    names = {"manifest-summary.json", "manifest-files.json"}
    return {key.removeprefix(BASE) for key in DATA} | names


def test_a_listed_key_that_would_land_outside_dest_is_refused(s3env: S3Env) -> None:
    data = {"../../escape.sh": b"rm -rf"}
    s3env.put(_manifests(data))
    with pytest.raises(ExportctlError) as caught:
        fetch(s3env)
    assert caught.value.exit_code == ExitCode.USAGE and "outside" in caught.value.message
    assert s3env.calls["GetObject"] == 2


@pytest.mark.parametrize(
    ("objects", "code", "said"),
    [
        ({}, ExitCode.NOT_FOUND, "does not exist"),
        ({BASE + "manifest-summary.json": b"<html>"}, ExitCode.AWS, "is not JSON"),
        ({BASE + "manifest-summary.json": b"{}"}, ExitCode.AWS, "has no manifestFilesS3Key"),
        (
            {
                BASE + "manifest-summary.json": json.dumps(
                    {"manifestFilesS3Key": BASE + "manifest-files.json"}
                ).encode(),
                BASE + "manifest-files.json": b'{"dataFileS3Key": "a", "md5Checksum": "xyz"}\n',
            },
            ExitCode.AWS,
            "is not a base64 MD5",
        ),
    ],
    ids=["no-manifest", "not-json", "no-files-key", "bad-md5"],
)
def test_a_manifest_that_is_missing_or_broken_is_a_clear_error(
    s3env: S3Env, objects: dict[str, bytes], code: ExitCode, said: str
) -> None:
    s3env.put(objects)
    with pytest.raises(ExportctlError) as caught:
        fetch(s3env)
    assert caught.value.exit_code == code and said in caught.value.message
    assert not s3env.dest.exists() or files_under(s3env.dest) == {}


def test_a_job_without_its_manifest_says_so_before_any_call(s3env: S3Env) -> None:
    s3env.calls.clear()
    with pytest.raises(ExportctlError) as caught:
        fetch(s3env, _job(s3env, manifest=None))
    assert caught.value.exit_code == ExitCode.NOT_FOUND
    assert "names no manifest (details.export_manifest)" in caught.value.message
    assert sum(s3env.calls.values()) == 0


def test_the_default_folder_is_named_for_the_export(s3env: S3Env) -> None:
    from exportctl.services.locations import default_dirname

    assert default_dirname(_job(s3env)) == f"dynamodb-{EXPORT}"
