"""list and status leave without the interpreter's teardown, their output whole.

Tearing the interpreter down frees every module, client and job one by one; a
command that has written and closed all it had to skips it. Seen from outside by an
exit hook that only a teardown runs, with stdout a pipe (block-buffered): what was
still buffered must be out all the same, and the exit code must be the command's.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from e2e_support import isolated_env

from exportctl.errors import ExitCode
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


@pytest.mark.parametrize("args", [["--version"], ["list", "--help"], ["regions"]], ids=" ".join)
def test_other_commands_are_torn_down_as_usual(sandbox: Sandbox, args: list[str]) -> None:
    done = run(sandbox, *args)
    assert "torn down" in done.stderr
