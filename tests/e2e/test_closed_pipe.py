"""One rule when the reader of stdout goes away (`exportctl ... | head`): every
command stops quietly with status 141, as a process SIGPIPE ended would."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator

import pytest
from e2e_support import console_script, exportctl, isolated_env

from exportctl.sandbox import Sandbox

pytestmark = pytest.mark.e2e

DONE_DISCOVERY = "discovery:export-882161db-80a1-49ad-acda-dc4ccd4078c7"
BACKUP_EXPORT = "backupsearch:58ac5831-be38-4b8c-a4ba-2e751989a017"

COMMANDS = [
    ["--sandbox", "list"],
    ["--sandbox", "list", "-o", "ndjson"],
    ["--sandbox", "list", "-o", "csv"],
    ["--sandbox", "list", "--json"],
    ["--sandbox", "status", DONE_DISCOVERY],
    ["--sandbox", "wait", "--timeout", "30s", DONE_DISCOVERY],
    ["--sandbox", "backups", BACKUP_EXPORT],
    ["--sandbox", "backups", BACKUP_EXPORT, "-o", "ndjson"],
    ["--help"],
    ["list", "--help"],
    ["completion", "bash"],
]


def run_into_closed_pipe(*args: str) -> subprocess.CompletedProcess[str]:
    """Run with stdout a pipe whose reader has already gone, as after `| head` quit."""
    return into_closed_pipe([console_script(), *args])


def into_closed_pipe(argv: list[str]) -> subprocess.CompletedProcess[str]:
    """``argv`` run with stdout a pipe whose reader has already gone."""
    reader, writer = os.pipe()
    os.close(reader)
    try:
        return subprocess.run(
            argv,
            stdout=writer,
            stderr=subprocess.PIPE,
            env=isolated_env(),
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        os.close(writer)


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_a_closed_pipe_ends_every_command_quietly_with_141(args: list[str]) -> None:
    done = run_into_closed_pipe(*args)
    assert done.returncode == 141, done.stderr
    # Not a word: no traceback, no "Exception ignored", no error line.
    assert done.stderr == ""


# Enough jobs that every format is at least twice what a pipe holds: the reader
# leaves while the command is still writing, even a table written all at once.
BULK_TASKS = 1000

LISTINGS = [
    ["list"],
    ["list", "-o", "table"],
    ["list", "-o", "wide"],
    ["list", "--json"],
    ["list", "-o", "ndjson"],
    ["list", "-o", "csv"],
]
# Python's own settings a user may have: PYTHONUNBUFFERED (python -u, many container
# images) leaves stdout with no buffer beneath its text layer.
STDOUTS = {"buffered": {}, "PYTHONUNBUFFERED=1": {"PYTHONUNBUFFERED": "1"}}


@pytest.fixture(scope="module")
def bulk() -> Iterator[Sandbox]:
    with Sandbox(port=0, clock=lambda: 0.0, discovery_tasks=BULK_TASKS) as sb:
        yield sb


def pipe_capacity() -> int:
    reader, writer = os.pipe()
    try:
        import fcntl

        return int(fcntl.fcntl(writer, fcntl.F_GETPIPE_SZ))
    except (ImportError, AttributeError, OSError):
        return 64 * 1024
    finally:
        os.close(reader)
        os.close(writer)


def run_until_reader_leaves(sandbox: Sandbox, *args: str, **env: str) -> tuple[int, bytes, str]:
    """Run with stdout a pipe whose reader takes one line and closes it, as `| head -1`."""
    reader, writer = os.pipe()
    with subprocess.Popen(
        [console_script(), *args],
        stdout=writer,
        stderr=subprocess.PIPE,
        env=isolated_env(**sandbox.env(), **env),
    ) as process:
        os.close(writer)
        with os.fdopen(reader, "rb") as pipe:
            first = pipe.readline()
        _, err = process.communicate(timeout=120)
    return process.returncode, first, err.decode()


def test_the_bulk_listing_is_more_than_a_pipe_holds(bulk: Sandbox) -> None:
    done = exportctl(bulk, "list")
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.encode()) > 2 * pipe_capacity()


# Every format unbuffered, where a write can be cut short; buffered, the table (one
# write of it all) and a streamed format.
CASES = [(args, "PYTHONUNBUFFERED=1") for args in LISTINGS] + [
    (["list"], "buffered"),
    (["list", "-o", "ndjson"], "buffered"),
]


@pytest.mark.parametrize(("args", "stdout"), CASES, ids=[f"{' '.join(a)}-{s}" for a, s in CASES])
def test_a_reader_that_leaves_after_one_line_ends_every_format_with_141(
    bulk: Sandbox, args: list[str], stdout: str
) -> None:
    code, first, err = run_until_reader_leaves(bulk, *args, **STDOUTS[stdout])
    assert first.strip(), "the reader got no line"
    assert code == 141, err
    assert err == ""


@pytest.mark.parametrize("command", ["wait", "watch"])
def test_a_wait_on_a_job_that_does_not_change_ends_when_its_reader_leaves(
    command: str,
) -> None:
    # The clock stands still: nothing more would ever be written to learn it by.
    with Sandbox(port=0, clock=lambda: 0.0) as frozen:
        running = next(j for j in frozen.jobs("rds") if j["status"] == "IN_PROGRESS")
        ref = f"rds:{running['id'].rsplit(':', 1)[-1]}"
        args = (
            ["wait", ref, "--max-interval", "1s"]
            if command == "wait"
            else ["watch", "-s", "rds", "-o", "ndjson"]
        )
        code, first, err = run_until_reader_leaves(frozen, *args, "--interval", "1s")
        rounds = sum(n for (_, op), n in frozen.calls.items() if op == "DescribeExportTasks")
    assert first.strip(), "the reader got no line"
    assert code == 141, err
    # Quietly (watch -o ndjson says the changes to people on stderr, as always).
    assert "error" not in err and "Traceback" not in err
    # The round after the reader left was the last.
    assert rounds <= 3
