"""The commands that reach AWS (list, status, wait, download...) leave without the
interpreter's teardown, their output whole.

Tearing the interpreter down frees every module, client and job one by one; a
command that has written and closed all it had to skips it. Seen from outside by an
exit hook that only a teardown runs, with stdout a pipe (block-buffered): what was
still buffered must be out all the same, and the exit code must be the command's.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from e2e_support import isolated_env

from exportctl.domain.errors import ExitCode
from exportctl.sandbox import Sandbox

pytestmark = pytest.mark.e2e

# The console script, with an exit hook that says when the interpreter is torn down.
SCRIPT = (
    "import atexit, sys\n"
    "atexit.register(lambda: sys.stderr.write('torn down\\n'))\n"
    "from exportctl.cli.main import main\n"
    "main()\n"
)


def run(sandbox: Sandbox, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", SCRIPT, *args],
        env=isolated_env(**sandbox.env()),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _ref(sandbox: Sandbox) -> str:
    return str(next(iter(sandbox.jobs("personalize", sandbox.region)))["id"])


@pytest.mark.parametrize(
    "args",
    [["list", "--json"], ["list", "-o", "ndjson"], ["list"], ["status", "REF", "--json"]],
    ids=" ".join,
)
def test_list_and_status_leave_at_once_with_all_they_wrote(
    sandbox: Sandbox, args: list[str]
) -> None:
    args = [_ref(sandbox) if a == "REF" else a for a in args]
    done = run(sandbox, *args)
    assert done.returncode == 0, done.stderr
    assert "torn down" not in done.stderr
    if "--json" in args:
        assert json.loads(done.stdout)
    elif "ndjson" in args:
        lines = done.stdout.splitlines()
        assert len(lines) > 10 and all(json.loads(line)["ref"] for line in lines)
    else:
        assert done.stdout.startswith("SERVICE") and done.stdout.endswith("\n")


def test_their_exit_code_is_kept(sandbox: Sandbox) -> None:
    done = run(sandbox, "status", "personalize:no-such-job", "--json")
    assert done.returncode == ExitCode.NOT_FOUND, done.stderr
    assert done.stdout == "null\n"
    assert "torn down" not in done.stderr
    assert "no-such-job" in done.stderr


FAILED_JOB = "arn:aws:personalize:us-east-1:123456789012:dataset-export-job/users-denied"
DISCOVERY_DONE = "discovery:export-14122a40-680a-46aa-afca-51d12afc8e00"


def test_the_other_commands_that_reach_aws_leave_at_once_too(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    waited = run(sandbox, "wait", "--timeout", "30s", FAILED_JOB)
    assert waited.returncode == ExitCode.JOB_FAILED, waited.stderr
    assert "torn down" not in waited.stderr
    fetched = run(sandbox, "download", DISCOVERY_DONE, str(tmp_path / "d"), "--json")
    assert fetched.returncode == 0, fetched.stderr
    assert json.loads(fetched.stdout)["files"] == 1
    assert "torn down" not in fetched.stderr


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--version"], ExitCode.OK),
        (["list", "--help"], ExitCode.OK),
        (["completion", "bash"], ExitCode.OK),
        (["regions"], ExitCode.USAGE),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else str(int(value)),
)
def test_other_commands_are_torn_down_as_usual(
    sandbox: Sandbox, args: list[str], code: ExitCode
) -> None:
    done = run(sandbox, *args)
    assert done.returncode == code, done.stderr
    assert "torn down" in done.stderr


# In one process: a listing run in-process (click's test runner), then the console
# script's entry point, which must return to its caller as any other command does.
IN_PROCESS = """\
import sys
from click.testing import CliRunner
from exportctl.cli.main import main
from exportctl.cli.root import cli
listed = CliRunner().invoke(cli, ["list", "--json"], catch_exceptions=False)
assert listed.exit_code == 0, listed.output
try:
    main(["--version"])
except SystemExit as exc:
    print("returned", exc.code)
"""


def test_a_listing_run_in_process_leaves_no_exit_for_the_next_command(sandbox: Sandbox) -> None:
    done = subprocess.run(
        [sys.executable, "-c", IN_PROCESS],
        env=isolated_env(**sandbox.env()),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "returned 0", done.stdout
