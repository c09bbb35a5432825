"""Two profiles of one account (a read-only and an admin one, two SSO permission sets):
`--profile a,b` reads its jobs once, and the references it prints find them again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from e2e_support import in_process

from exportctl.sandbox import Sandbox

pytestmark = pytest.mark.e2e


def test_a_job_read_through_two_profiles_of_its_account_is_listed_and_found_once(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    keys = sandbox.env()
    profile = (
        f"aws_access_key_id = {keys['AWS_ACCESS_KEY_ID']}\n"
        f"aws_secret_access_key = {keys['AWS_SECRET_ACCESS_KEY']}\nregion = us-east-1\n"
    )
    config = tmp_path / "config"
    config.write_text(f"[profile ro]\n{profile}[profile admin]\n{profile}")
    files = {"AWS_CONFIG_FILE": str(config), "AWS_SHARED_CREDENTIALS_FILE": str(config)}
    both = ("--profile", "ro,admin")
    listed = in_process(sandbox, *both, "list", "-s", "rds", "--json", **files)
    assert listed.returncode == 0, listed.stderr
    refs = [r["ref"] for r in json.loads(listed.stdout)]
    alone = in_process(sandbox, "--profile", "ro", "list", "-s", "rds", "--json", **files)
    # Each job was listed twice, one a profile.
    assert refs and len(refs) == len(set(refs)) == len(json.loads(alone.stdout))
    found = in_process(sandbox, *both, "status", refs[0], "--json", **files)
    # It was two identical references to pick from, exit 2.
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout)["ref"] == refs[0]
