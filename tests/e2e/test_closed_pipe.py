"""One rule when the reader of stdout goes away (`exportctl ... | head`): every
command stops quietly with status 141, as a process SIGPIPE ended would."""

from __future__ import annotations

import os
import subprocess

import pytest
from e2e_support import console_script, isolated_env

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
    reader, writer = os.pipe()
    os.close(reader)
    try:
        return subprocess.run(
            [console_script(), *args],
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
