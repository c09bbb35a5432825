"""A stdout that cannot take the output (a full disk, an I/O error) is an error: one
line on stderr and exit 73, never 0 and never a traceback, whether the write fails
while the command runs or at its last flush. /dev/full fails every write with
ENOSPC, as a full disk does; a closed pipe stays the quiet 141."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys

import pytest
from e2e_support import console_script, isolated_env
from test_closed_pipe import COMMANDS, into_closed_pipe

from exportctl.domain.errors import ExitCode

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here"),
]

FULL = "exportctl: error: cannot write to stdout: no space left on the device"
# Python's own settings a user may have: with PYTHONUNBUFFERED stdout has no buffer
# beneath its text layer, and every write reaches the device at once.
STDOUTS = {"buffered": {}, "PYTHONUNBUFFERED=1": {"PYTHONUNBUFFERED": "1"}}


def run_into_full_device(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    with open("/dev/full", "w") as full:
        return subprocess.run(
            args,
            stdout=full,
            stderr=subprocess.PIPE,
            env=isolated_env(**env),
            text=True,
            timeout=120,
            check=False,
        )


# Every command buffered, as Python makes stdout; unbuffered, one of each way of
# writing (a table, streamed lines, help text): PYTHONUNBUFFERED changes how stdout
# is wrapped, which is one code path whatever the command writes.
CASES = [(args, "buffered") for args in [*COMMANDS, ["--version"]]] + [
    (args, "PYTHONUNBUFFERED=1")
    for args in (["--sandbox", "list"], ["--sandbox", "list", "-o", "ndjson"], ["--help"])
]


@pytest.mark.parametrize(("args", "stdout"), CASES, ids=[f"{' '.join(a)}-{s}" for a, s in CASES])
def test_every_command_writing_to_a_full_device_fails_with_one_line(
    args: list[str], stdout: str
) -> None:
    done = run_into_full_device([console_script(), *args], **STDOUTS[stdout])
    assert (done.returncode, done.stderr) == (ExitCode.LOCAL, FULL + "\n")


# The last flush, as list and status leave (stdout.leave), with output still buffered:
# what none of the commands above leaves to it, since they flush what they write.
LEAVE = (
    "import sys\n"
    "from exportctl.cli import stdout\n"
    "if sys.argv[1] == 'guarded':\n"
    "    stdout.guard()\n"
    "sys.stdout.write('a record\\n')\n"
    "stdout.leave(int(sys.argv[2]))\n"
)


@pytest.mark.parametrize("stdout", ["guarded", "as Python made it"])
@pytest.mark.parametrize("code", [0, 3])
def test_a_full_device_at_the_last_flush_is_an_error_not_the_commands_code(
    stdout: str, code: int
) -> None:
    done = run_into_full_device([sys.executable, "-c", LEAVE, stdout, str(code)])
    # A command that failed already keeps its own code; one that did not fails now.
    assert (done.returncode, done.stderr) == (code or ExitCode.LOCAL, FULL + "\n")


@pytest.mark.parametrize("stdout", ["guarded", "as Python made it"])
def test_a_closed_pipe_at_the_last_flush_is_still_a_quiet_141(stdout: str) -> None:
    done = into_closed_pipe([sys.executable, "-c", LEAVE, stdout, "0"])
    assert (done.returncode, done.stderr) == (ExitCode.CLOSED_PIPE, "")


def test_a_device_that_takes_the_output_leaves_the_code_as_it_was() -> None:
    done = subprocess.run(
        [sys.executable, "-c", LEAVE, "guarded", "0"],
        capture_output=True,
        env=isolated_env(),
        text=True,
        timeout=120,
        check=False,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "a record\n", "")


# A file system that reports a failed write only when the file is closed (NFS does),
# stood in for by a close that fails: closing stdout's duplicate asks it.
FAILS_AT_CLOSE = (
    "import errno, os, sys\n"
    "from exportctl.cli import stdout\n"
    "stdout.guard()\n"
    "real_close = os.close\n"
    "def close(fd):\n"
    "    if fd > 2:\n"
    "        raise OSError(errno.EIO, os.strerror(errno.EIO))\n"
    "    real_close(fd)\n"
    "os.close = close\n"
    "sys.stdout.write('a record\\n')\n"
    "stdout.leave(0)\n"
)


def test_an_error_the_file_system_reports_at_close_is_an_error_too() -> None:
    done = subprocess.run(
        [sys.executable, "-c", FAILS_AT_CLOSE],
        capture_output=True,
        env=isolated_env(),
        text=True,
        timeout=120,
        check=False,
    )
    expected = f"exportctl: error: cannot write to stdout: {os.strerror(errno.EIO)}\n"
    assert (done.returncode, done.stdout, done.stderr) == (ExitCode.LOCAL, "a record\n", expected)


@pytest.mark.parametrize("args", [["--sandbox", "list", "--json"], ["--version"]])
def test_a_command_started_with_stdout_closed_says_so_in_one_line(args: list[str]) -> None:
    done = subprocess.run(
        [console_script(), *args],
        stderr=subprocess.PIPE,
        env=isolated_env(),
        text=True,
        timeout=120,
        check=False,
        # As `exportctl ... >&-` starts it: no file descriptor 1 at all.
        preexec_fn=lambda: os.close(1),
    )
    assert done.returncode == 73, done.stderr
    assert done.stderr == "exportctl: error: cannot write to stdout: stdout is closed\n"


@pytest.mark.parametrize("stderr", ["full", "closed"])
def test_a_stderr_that_cannot_be_written_loses_its_lines_not_the_command(stderr: str) -> None:
    # A listing of eu-west-1 writes a notice (Discovery's home region is elsewhere),
    # a missing job an error line: neither may cost the records or the exit code.
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        with open("/dev/full", "w") as full:
            return subprocess.run(
                [console_script(), "--sandbox", *args],
                stdout=subprocess.PIPE,
                stderr=full if stderr == "full" else subprocess.DEVNULL,
                # Closed: the child starts without a descriptor 2 (`2>&-`).
                preexec_fn=None if stderr == "full" else lambda: os.close(2),
                env=isolated_env(),
                text=True,
                timeout=120,
                check=False,
            )

    listed = run("--region", "eu-west-1", "list", "--json")
    assert listed.returncode == 0
    assert json.loads(listed.stdout)
    missing = run("status", "discovery:export-0000", "--json")
    assert missing.returncode == ExitCode.NOT_FOUND
    assert json.loads(missing.stdout) is None


def test_a_start_whose_reference_stdout_cannot_take_names_its_job_on_stderr() -> None:
    done = run_into_full_device([console_script(), "--sandbox", "start", "discovery"])
    assert done.returncode == ExitCode.LOCAL
    started, failed = done.stderr.splitlines()
    assert started.startswith("exportctl: notice: the job was started: discovery:")
    assert failed == FULL
