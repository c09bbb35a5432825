"""A mistyped region is a usage error that names the region meant, never an empty listing.

The command, as a user runs it: --region (alone, in a list, after the command, with
the embedded sandbox or an endpoint), AWS_REGION, AWS_DEFAULT_REGION and the profile's
region; and a region botocore does not list yet, made known by an endpoints.json on
AWS_DATA_PATH. The installed command runs the profile's region and the endpoints.json
on AWS_DATA_PATH (botocore's data as a new process finds it); the other mistyped
regions, variants of one check, run in-process.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from botocore.loaders import create_loader
from e2e_support import console_script, exportctl, in_process, isolated_env

from exportctl.sandbox import Sandbox

pytestmark = pytest.mark.e2e

# A line a user reads at a glance, not every region botocore knows (1,000 characters).
SHORT = 250
NEW_REGION = "xx-space-1"


def refused(done: subprocess.CompletedProcess[str], name: str, source: str, meant: str) -> str:
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    [line] = done.stderr.splitlines()
    assert line.startswith(f"exportctl: error: unknown region '{name}' in {source}; did you mean ")
    assert f"'{meant}'" in line.split("did you mean", 1)[1].split("?", 1)[0]
    assert "No export jobs found" not in done.stderr and "Traceback" not in done.stderr
    assert len(line.replace(source, "")) < SHORT
    return line


@pytest.mark.parametrize(
    ("name", "meant"),
    [("us-est-1", "us-east-1"), ("eu-wst-1", "eu-west-1"), ("us-east-7", "us-east-1"),
     ("US-EAST-1", "us-east-1")],
)  # fmt: skip
@pytest.mark.parametrize("where", ["--sandbox", "AWS_ENDPOINT_URL"])
def test_a_mistyped_region_is_exit_2_naming_the_region_meant(
    sandbox: Sandbox, name: str, meant: str, where: str
) -> None:
    if where == "--sandbox":
        done = in_process(None, "--sandbox", "--region", name, "list")
    else:
        done = in_process(sandbox, "--region", name, "list")
    line = refused(done, name, "--region", meant)
    if name == "US-EAST-1":
        assert "did you mean 'us-east-1'?" in line
    assert sum(sandbox.calls.values()) == 0


def test_each_region_of_a_list_is_checked(sandbox: Sandbox) -> None:
    done = in_process(sandbox, "list", "--region", "eu-west-1,us-east-7", "-o", "ndjson")
    refused(done, "us-east-7", "--region", "us-east-2")
    assert sum(sandbox.calls.values()) == 0


@pytest.mark.parametrize(
    ("variable", "env"),
    [
        ("AWS_REGION", {"AWS_REGION": "us-est-1"}),
        ("AWS_DEFAULT_REGION", {"AWS_REGION": "", "AWS_DEFAULT_REGION": "eu-wst-1"}),
    ],
)
def test_a_mistyped_region_in_the_environment_is_exit_2_naming_it(
    sandbox: Sandbox, variable: str, env: dict[str, str]
) -> None:
    # mypy cannot tell that no key of env is the runner's timeout.
    done = in_process(sandbox, "list", "-o", "ndjson", **env)  # type: ignore[arg-type]
    name = env[variable]
    refused(done, name, variable, {"us-est-1": "us-east-1", "eu-wst-1": "eu-west-1"}[name])
    assert sum(sandbox.calls.values()) == 0


def test_a_mistyped_region_in_the_profile_is_exit_2_naming_the_profile(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    config = tmp_path / "config"
    config.write_text("[profile work]\nregion = US-EAST-1\n")
    environ = {
        **{k: v for k, v in isolated_env(**sandbox.env()).items() if "REGION" not in k},
        "AWS_CONFIG_FILE": str(config),
        "AWS_PROFILE": "work",
    }
    done = subprocess.run(
        [console_script(), "status", "discovery:export-1ecb19dd-8b7c-46b2-aa22-eccdf03eeddf"],
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    refused(done, "US-EAST-1", f"profile 'work' ({config})", "us-east-1")
    assert sum(sandbox.calls.values()) == 0


@pytest.fixture
def data_path(tmp_path: Path) -> Path:
    """A folder for AWS_DATA_PATH: botocore's endpoint data, and one region more."""
    data = create_loader().load_data("endpoints")
    data["partitions"][0]["regions"][NEW_REGION] = {"description": "Newer than botocore"}
    (tmp_path / "endpoints.json").write_text(json.dumps(data), encoding="utf-8")
    return tmp_path


def test_a_region_botocore_does_not_list_is_refused_saying_how_to_add_it() -> None:
    done = in_process(None, "--sandbox", "--region", NEW_REGION, "list")
    assert done.returncode == 2
    [line] = done.stderr.splitlines()
    assert line.startswith(f"exportctl: error: unknown region '{NEW_REGION}' in --region")
    assert "newer botocore" in line and "endpoints.json on AWS_DATA_PATH" in line
    assert len(line) < SHORT


def test_a_region_an_endpoints_json_on_aws_data_path_adds_is_used(data_path: Path) -> None:
    done = exportctl(
        None, "--sandbox", "--region", NEW_REGION, "list", AWS_DATA_PATH=str(data_path)
    )
    assert done.returncode == 0, done.stderr
    # The sandbox's data lives in us-east-1 and eu-west-1: this region has none.
    assert done.stderr.endswith("No export jobs found.\n") and "error" not in done.stderr


def test_a_region_of_aws_data_path_is_known_in_aws_region_too(
    sandbox: Sandbox, data_path: Path
) -> None:
    done = exportctl(
        sandbox, "list", "-s", "personalize", "--json",
        AWS_REGION=NEW_REGION, AWS_DATA_PATH=str(data_path),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []
    assert sandbox.calls
