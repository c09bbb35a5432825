"""A profile that does not exist is a usage error that says where profiles are read.

The installed command runs the default files named from the home folder, as a user's
shell gives it; the commands naming a profile of given files, variants of one check,
run in-process.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from e2e_support import exportctl, in_process

pytestmark = pytest.mark.e2e

REF = "discovery:us-east-1:export-1ecb19dd-8b7c-46b2-aa22-eccdf03eeddf"


@pytest.fixture
def aws_files(tmp_path: Path) -> dict[str, str]:
    config = tmp_path / "config"
    config.write_text("[default]\nregion = us-east-1\n[profile dev]\nregion = eu-west-1\n")
    creds = tmp_path / "credentials"
    creds.write_text("[prod]\naws_access_key_id = x\naws_secret_access_key = y\n")
    return {"AWS_CONFIG_FILE": str(config), "AWS_SHARED_CREDENTIALS_FILE": str(creds)}


@pytest.mark.parametrize(
    ("how", "args"),
    [
        ("AWS_PROFILE", ["list"]),
        ("--profile", ["list", "-o", "ndjson"]),
        ("AWS_PROFILE", ["status", REF]),
        ("--profile", ["wait", "--timeout", "1m", REF]),
        # A watch retries what may mend; a profile that is not there will not appear.
        ("AWS_PROFILE", ["--region", "us-east-1", "watch", "--interval", "1s"]),
        ("--profile", ["--region", "us-east-1", "watch", "--interval", "1s"]),
    ],
    ids=lambda value: " ".join(value) if isinstance(value, list) else value,
)
def test_unknown_profile_is_exit_2_naming_it_and_the_files(
    aws_files: dict[str, str], how: str, args: list[str]
) -> None:
    env = {**aws_files, "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "y"}
    if how == "AWS_PROFILE":
        done = in_process(None, *args, timeout=60, AWS_PROFILE="nope", **env)
    else:
        done = in_process(None, "--profile", "nope", *args, timeout=60, **env)
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    [line] = done.stderr.splitlines()
    assert line.startswith("exportctl: error: no AWS profile named 'nope'")
    assert f"({how})" in line
    assert f"{aws_files['AWS_CONFIG_FILE']} (AWS_CONFIG_FILE)" in line
    assert f"{aws_files['AWS_SHARED_CREDENTIALS_FILE']} (AWS_SHARED_CREDENTIALS_FILE)" in line
    assert "known profiles: default, dev, prod" in line


def test_the_default_files_are_named_as_a_user_knows_them(tmp_path: Path) -> None:
    done = exportctl(
        None,
        "list",
        HOME=str(tmp_path),
        AWS_PROFILE="nope",
        AWS_CONFIG_FILE="",
        AWS_SHARED_CREDENTIALS_FILE="",
    )
    assert done.returncode == 2
    assert "profiles are read from ~/.aws/config and ~/.aws/credentials" in done.stderr
    assert "none is defined there" in done.stderr


@pytest.mark.parametrize("what", ["missing", "directory", "unreadable"])
def test_a_config_file_that_cannot_be_read_is_said_so(tmp_path: Path, what: str) -> None:
    # It said "none is defined there", as of a file read and found empty.
    config = tmp_path / "config"
    if what == "directory":
        config.mkdir()
    elif what == "unreadable":
        config.write_text("[profile base]\n")
        config.chmod(0)
        try:
            config.read_text()
        except PermissionError:
            pass
        else:
            pytest.skip("this user reads files whatever their mode says (root)")
    why = {
        "missing": "No such file or directory",
        "directory": "Is a directory",
        "unreadable": "Permission denied",
    }[what]
    env = {"AWS_CONFIG_FILE": str(config), "AWS_SHARED_CREDENTIALS_FILE": ""}
    done = in_process(None, "list", AWS_PROFILE="base", **env)
    assert done.returncode == 2, done.stderr
    assert done.stderr == (
        f"exportctl: error: no AWS profile named 'base' (AWS_PROFILE): profiles are read from "
        f"{config} (AWS_CONFIG_FILE) and ~/.aws/credentials; {config} cannot be read ({why}); "
        "none is defined there\n"
    )
