"""Which region a command uses, from a user's environment: the installed console script
(in-process where the process is not the point), and the Python API.

--region, then AWS_REGION, then AWS_DEFAULT_REGION, then the profile's region, as
the AWS CLI v2 and the other SDKs read them.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from e2e_support import console_script, in_process

from exportctl import Client
from exportctl.sandbox import Sandbox

pytestmark = pytest.mark.e2e

_REGION_VARS = ("AWS_REGION", "AWS_DEFAULT_REGION")


def _regions(
    sandbox: Sandbox, *args: str, config: Path | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "EXPORTCTL_"))}
    environ.update({k: v for k, v in sandbox.env().items() if k not in _REGION_VARS})
    environ["AWS_CONFIG_FILE"] = str(config) if config else os.devnull
    # A named profile takes its credentials from the files, not the environment.
    environ["AWS_SHARED_CREDENTIALS_FILE"] = str(config) if config else os.devnull
    environ.update(env)
    return subprocess.run(
        [console_script(), *args, "list", "-s", "personalize", "--json"],
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _region_of(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, done.stderr
    regions = {job["region"] for job in json.loads(done.stdout)}
    assert len(regions) == 1, regions
    return regions.pop()


@pytest.fixture
def profile(tmp_path: Path) -> Path:
    config = tmp_path / "config"
    keys = "aws_access_key_id = sandbox\naws_secret_access_key = sandbox\n"
    config.write_text(
        f"[default]\nregion = us-east-1\n{keys}[profile eu]\nregion = eu-west-1\n{keys}[eu]\n{keys}"
    )
    return config


def test_aws_region_alone_is_enough(sandbox: Sandbox) -> None:
    assert _region_of(_regions(sandbox, AWS_REGION="eu-west-1")) == "eu-west-1"


def test_aws_region_wins_over_aws_default_region(sandbox: Sandbox) -> None:
    done = _regions(sandbox, AWS_REGION="eu-west-1", AWS_DEFAULT_REGION="us-east-1")
    assert _region_of(done) == "eu-west-1"


def test_aws_region_wins_over_the_profile(sandbox: Sandbox, profile: Path) -> None:
    done = _regions(sandbox, config=profile, AWS_PROFILE="eu", AWS_REGION="us-east-1")
    assert _region_of(done) == "us-east-1"


def test_aws_default_region_wins_over_the_profile(sandbox: Sandbox, profile: Path) -> None:
    done = _regions(sandbox, config=profile, AWS_PROFILE="eu", AWS_DEFAULT_REGION="us-east-1")
    assert _region_of(done) == "us-east-1"
    assert _region_of(_regions(sandbox, config=profile, AWS_PROFILE="eu")) == "eu-west-1"


def test_the_region_option_wins_over_everything(sandbox: Sandbox, profile: Path) -> None:
    done = _regions(
        sandbox,
        "--region",
        "eu-west-1",
        config=profile,
        AWS_REGION="us-east-1",
        AWS_DEFAULT_REGION="us-east-1",
    )
    assert _region_of(done) == "eu-west-1"


def test_an_empty_aws_region_is_not_a_region(sandbox: Sandbox) -> None:
    done = _regions(sandbox, AWS_REGION="", AWS_DEFAULT_REGION="eu-west-1")
    assert _region_of(done) == "eu-west-1"


def test_an_empty_aws_default_region_leaves_the_profile_s_region(
    sandbox: Sandbox, profile: Path
) -> None:
    # botocore took the empty variable for the region and read no profile's: exit 2.
    env = {k: v for k, v in sandbox.env().items() if k not in _REGION_VARS}
    done = in_process(
        None,
        "list",
        "-s",
        "personalize",
        "--json",
        **env,
        AWS_CONFIG_FILE=str(profile),
        AWS_SHARED_CREDENTIALS_FILE=str(profile),
        AWS_PROFILE="eu",
        AWS_DEFAULT_REGION="",
    )
    assert _region_of(done) == "eu-west-1"


def test_the_api_reads_an_empty_aws_default_region_as_unset(
    sandbox: Sandbox, profile: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in sandbox.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_REGION")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(profile))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(profile))
    monkeypatch.setenv("AWS_PROFILE", "eu")
    assert {job.region for job in Client().list("personalize")} == {"eu-west-1"}


def test_no_region_anywhere_is_a_usage_error(sandbox: Sandbox) -> None:
    done = _regions(sandbox)
    assert done.returncode == 2
    assert "no AWS region" in done.stderr and "AWS_REGION" in done.stderr
    env = {**sandbox.env(), "AWS_REGION": "", "AWS_DEFAULT_REGION": ""}
    done = in_process(None, "list", **env)
    assert done.returncode == 2 and "no AWS region" in done.stderr
