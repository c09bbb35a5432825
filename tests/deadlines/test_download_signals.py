"""download on Ctrl-C, SIGTERM and after SIGKILL: no partial file stays behind.

An S3 that sends the first bytes of an object and then nothing keeps a download
in the middle of a file; the signals are real, sent to the installed console script.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from deadline_support import (
    DISCOVERY_DONE,
    PERSONALIZE_DONE,
    PERSONALIZE_PENDING,
    StallingS3,
    ended,
    environ,
    parts,
    run,
    start,
    wait_for,
)

from exportctl.sandbox import Sandbox

pytestmark = pytest.mark.e2e


@pytest.fixture
def stalling_s3() -> Iterator[StallingS3]:
    s3 = StallingS3("exports/items-catalog/part_00000.csv")
    yield s3
    s3.close()


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_an_interrupted_download_leaves_no_partial_file(
    sandbox: Sandbox, stalling_s3: StallingS3, tmp_path: Path, signum: int
) -> None:
    dest = tmp_path / "dest"
    env = environ(sandbox.url, AWS_ENDPOINT_URL_S3=stalling_s3.url)
    proc = start("download", PERSONALIZE_DONE, str(dest), env=env)
    wait_for(lambda: parts(tmp_path), "a partial file", proc)

    proc.send_signal(signum)
    _, err = ended(proc)

    assert proc.returncode == 128 + signum
    assert parts(tmp_path) == []
    assert "Traceback" not in err


def test_after_a_sigkill_the_next_download_removes_the_stale_partial_files(
    sandbox: Sandbox, stalling_s3: StallingS3, tmp_path: Path
) -> None:
    dest = tmp_path / "dest"
    env = environ(sandbox.url, AWS_ENDPOINT_URL_S3=stalling_s3.url)
    proc = start("download", PERSONALIZE_DONE, str(dest), env=env)
    wait_for(lambda: parts(tmp_path), "a partial file", proc)
    proc.send_signal(signal.SIGKILL)
    ended(proc)
    stale = parts(tmp_path)
    assert len(stale) == 1
    # One of a process still running is not ours to remove.
    alive = dest / f".other.csv.exportctl-part-{os.getpid()}-0123abcd"
    alive.write_bytes(b"")
    # Nor is a file that merely looks alike.
    lookalike = dest / "notes.exportctl-part-1-notes"
    lookalike.write_bytes(b"")

    stalling_s3.stall = False
    code, _, err = run("download", PERSONALIZE_DONE, str(dest), env=env)

    assert code == 0, err
    assert (dest / "part_00000.csv").stat().st_size == stalling_s3.size
    assert parts(tmp_path) == sorted([alive, lookalike])


def test_a_wait_interrupted_in_its_download_says_how_to_go_on(
    sandbox: Sandbox, stalling_s3: StallingS3, tmp_path: Path
) -> None:
    dest = tmp_path / "dest"
    env = environ(sandbox.url, AWS_ENDPOINT_URL_S3=stalling_s3.url)
    proc = start("wait", PERSONALIZE_DONE, "--download", str(dest), env=env)
    wait_for(lambda: parts(tmp_path), "a partial file", proc)

    proc.send_signal(signal.SIGINT)
    _, err = ended(proc)

    assert proc.returncode == 130
    said = f"interrupted; the download of {PERSONALIZE_DONE} into {dest} was cut short"
    assert said in err and f"`exportctl download {PERSONALIZE_DONE} {dest}`" in err
    # Nothing was pending: the line that would name it is not said.
    assert "still pending" not in err, err
    assert parts(tmp_path) == []


def test_a_wait_goes_on_while_a_download_runs_and_finishes_it_after_its_timeout(
    sandbox: Sandbox, stalling_s3: StallingS3, tmp_path: Path
) -> None:
    dest = tmp_path / "dest"
    env = environ(sandbox.url, AWS_ENDPOINT_URL_S3=stalling_s3.url)
    # Two jobs COMPLETED (one in S3, which stalls; one at the sandbox's URL), one never.
    refs = [PERSONALIZE_DONE, DISCOVERY_DONE, PERSONALIZE_PENDING]
    # Rounds 0.2 s apart, well inside the timeout: a loaded machine's slow first
    # round still leaves room for a second before the wait times out.
    args = ["wait", "--timeout", "3s", "--interval", "200ms", "--download", str(dest), *refs]
    proc = start(*args, env=env)
    described = ("personalize", "DescribeDatasetExportJob")
    # While the first download is held, the other COMPLETED job is fetched and the
    # job still running is asked about again: the wait's rounds go on.
    wait_for(lambda: list(dest.glob("discovery-*/*")), "the other job's file", proc)
    wait_for(lambda: sandbox.calls[described] >= 3, "a second round", proc)
    wait_for(lambda: parts(tmp_path), "a partial file", proc)

    stalling_s3.stall = False
    stalling_s3.release()
    _, err = ended(proc)

    # The wait timed out; the download of the job it saw COMPLETED was finished.
    assert proc.returncode == 124, err
    assert "exportctl: error: timed out after 3s; still pending: " in err
    pending = err.partition("still pending: ")[2]
    assert "items-refresh" in pending and "items-catalog" not in pending
    assert "discovery" not in pending
    fetched = dest / "personalize-items-catalog" / "part_00000.csv"
    assert fetched.stat().st_size == stalling_s3.size
    assert parts(tmp_path) == []
