"""`--sandbox` reads as the profile a command names, with the README's AWS files:
the profile's keys pick the sandbox's account, its region applies.

The installed command runs the first test, one profile's account and region end to
end; the others, variants of how a profile is named or overridden, run in-process.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from e2e_support import exportctl, in_process

pytestmark = pytest.mark.e2e

README = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
ANALYTICS = "210987654321"
RETAIL = "345678901234"


@pytest.fixture(autouse=True)
def readme_aws_files() -> None:
    """The files of the README's ini block, each after its `# ~/PATH` line, written
    in this test's home folder as a reader would."""
    home = Path(os.environ["HOME"])
    [body] = re.findall(r"```ini\n(.*?)```", README, re.DOTALL)
    path: Path | None = None
    for line in body.splitlines():
        if line.startswith("# ~/"):
            path = home / line.removeprefix("# ~/").strip()
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("", encoding="utf-8")
        elif path is not None:
            with path.open("a", encoding="utf-8") as handle:
                handle.write(line + "\n")


# The listing every test reads: where each job it shows is.
LISTING = ("list", "-o", "ndjson", "--fields", "account,region")


def run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return with_files(in_process, args, env)


def console(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return with_files(exportctl, args, env)


def with_files(
    runner: Callable[..., subprocess.CompletedProcess[str]],
    args: tuple[str, ...],
    env: dict[str, str],
) -> subprocess.CompletedProcess[str]:
    home = Path(os.environ["HOME"])
    files = {
        "AWS_CONFIG_FILE": str(home / ".aws" / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / ".aws" / "credentials"),
    }
    return runner(None, *args, **{**files, **env})


def places(*args: str, **env: str) -> set[tuple[str | None, str]]:
    """(account, region) of every job the listing shows."""
    return places_in(run(*args, *LISTING, **env))


def places_in(done: subprocess.CompletedProcess[str]) -> set[tuple[str | None, str]]:
    assert done.returncode == 0, done.stderr
    jobs = [json.loads(line) for line in done.stdout.splitlines()]
    assert jobs
    return {(job["account"], job["region"]) for job in jobs}


def test_a_profile_reads_its_account_in_its_region() -> None:
    # Pinpoint and Discovery jobs carry no ARN: one account read, no account said.
    # The console script, as a user runs it.
    assert places_in(console("--sandbox", "--profile", "analytics", *LISTING)) == {
        (ANALYTICS, "us-west-2"),
        (None, "us-west-2"),
    }


def test_aws_profile_is_a_profile_too() -> None:
    assert places("--sandbox", AWS_PROFILE="analytics") == {
        (ANALYTICS, "us-west-2"),
        (None, "us-west-2"),
    }


@pytest.mark.parametrize(
    ("option", "env"),
    [(["--region", "ap-southeast-2"], {}), ([], {"AWS_REGION": "ap-southeast-2"})],
    ids=["--region", "AWS_REGION"],
)
def test_a_region_given_beats_the_profiles_as_against_aws(
    option: list[str], env: dict[str, str]
) -> None:
    found = places("--sandbox", "--profile", "analytics", *option, **env)
    assert {region for _, region in found} == {"ap-southeast-2"}
    assert ANALYTICS in {account for account, _ in found}


def test_several_profiles_read_each_account_in_its_own_region() -> None:
    found = places("--sandbox", "--profile", "analytics,retail")
    assert found == {(ANALYTICS, "us-west-2"), (RETAIL, "eu-west-1")}


def test_an_unknown_profile_is_exit_2_as_without_the_sandbox() -> None:
    against_aws = run("--profile", "prdo", "list")
    sandboxed = run("--sandbox", "--profile", "prdo", "list")
    assert sandboxed.returncode == against_aws.returncode == 2
    assert sandboxed.stdout == ""
    assert sandboxed.stderr == against_aws.stderr
    assert "no AWS profile named 'prdo' (--profile)" in sandboxed.stderr
    assert "known profiles: analytics, retail" in sandboxed.stderr
