"""No home folder: no HOME and no entry in the user database, as for a container run
with an arbitrary uid. The commands work as anywhere else, without their caches."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from e2e_support import isolated_env

pytestmark = pytest.mark.e2e

REF = "discovery:us-east-1:export-1ecb19dd-8b7c-46b2-aa22-eccdf03eeddf"

# The console script's entry point in a process whose user has no entry in the user
# database: the one thing that cannot be arranged from outside without another user.
NO_ENTRY = """
import pwd, sys
from pathlib import Path

def no_entry(uid):
    raise KeyError(f"getpwuid(): uid not found: {uid}")

pwd.getpwuid = no_entry
try:
    Path.home()
except RuntimeError:
    pass
else:
    sys.exit("a home folder was found: the test would prove nothing")
sys.argv[0] = "exportctl"
from exportctl.cli.main import main
main()
"""


def without_home(
    cwd: Path, *args: str, unset: tuple[str, ...] = (), **env: str
) -> subprocess.CompletedProcess[str]:
    gone = ("HOME", "XDG_CACHE_HOME", *unset)
    environ = {k: v for k, v in isolated_env(**env).items() if k not in gone}
    return subprocess.run(
        [sys.executable, "-c", NO_ENTRY, *args],
        env=environ,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    "args",
    [
        ["--sandbox", "list"],
        ["--sandbox", "list", "--json"],
        ["--sandbox", "list", "-o", "ndjson"],
        ["--sandbox", "status", REF],
        ["--sandbox", "status", REF, "--json"],
    ],
    ids=" ".join,
)
def test_commands_work_without_their_caches(tmp_path: Path, args: list[str]) -> None:
    done = without_home(tmp_path, *args)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    if "--json" in args:
        json.loads(done.stdout)
    else:
        assert "discovery" in done.stdout
    # Nowhere to keep a cache is no reason to make one here (a folder named "~").
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_profile_names_the_files_botocore_looks_for(tmp_path: Path) -> None:
    unset = ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE")
    done = without_home(tmp_path, "list", unset=unset, AWS_PROFILE="nope")
    assert done.returncode == 2, done.stderr
    [line] = done.stderr.splitlines()
    assert "no AWS profile named 'nope' (AWS_PROFILE)" in line
    assert "profiles are read from ~/.aws/config and ~/.aws/credentials" in line
