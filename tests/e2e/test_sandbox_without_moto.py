"""A plain `pip install .` (no moto): the sandbox serves every service's export APIs,
and only S3 asks for the `sandbox` extra, once, with exit 2."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from e2e_support import console_script, isolated_env

from exportctl.services import service_names

pytestmark = pytest.mark.e2e

# Installed in this test process's environment and made unimportable in the
# command's: what `import moto` does where it was never installed.
BLOCKER = """
import sys


class _NotInstalled:
    def find_spec(self, name, path=None, target=None):
        if name == "moto" or name.startswith("moto."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


sys.meta_path.insert(0, _NotInstalled())
"""

PERSONALIZE_DONE = "arn:aws:personalize:us-east-1:123456789012:dataset-export-job/items-catalog"
DISCOVERY_DONE = "discovery:export-882161db-80a1-49ad-acda-dc4ccd4078c7"
HINT = "pip install 'exportctl[sandbox]'"


@pytest.fixture(scope="module")
def no_moto(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    site = tmp_path_factory.mktemp("no-moto")
    (site / "sitecustomize.py").write_text(BLOCKER)
    env = isolated_env()
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(site), env.get("PYTHONPATH")]))
    python = Path(console_script()).parent / "python"
    check = subprocess.run(
        [str(python), "-c", "import moto"], env=env, capture_output=True, text=True, check=False
    )
    assert check.returncode == 1 and "No module named 'moto'" in check.stderr
    return env


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [console_script(), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_export_apis_need_no_moto(no_moto: dict[str, str], tmp_path: Path) -> None:
    listed = run(no_moto, "--sandbox", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    assert {j["service"] for j in json.loads(listed.stdout)} == set(service_names())
    assert listed.stderr == ""
    # Discovery's archive comes from the sandbox itself, not from S3.
    fetched = run(no_moto, "--sandbox", "download", DISCOVERY_DONE, str(tmp_path / "d"))
    assert fetched.returncode == 0, fetched.stderr
    assert any(p.suffix == ".zip" for p in (tmp_path / "d").rglob("*"))


def test_s3_asks_for_the_extra_once_with_exit_2(no_moto: dict[str, str], tmp_path: Path) -> None:
    done = run(no_moto, "--sandbox", "download", PERSONALIZE_DONE, str(tmp_path / "p"))
    assert done.returncode == 2
    [line] = done.stderr.splitlines()
    assert line.startswith("exportctl: error: ") and HINT in line


def test_the_standalone_sandbox_serves_without_s3(no_moto: dict[str, str]) -> None:
    started = run(no_moto, "sandbox", "--detach")
    assert started.returncode == 0, started.stderr
    env = dict(
        line.removeprefix("export ").split("=", 1)
        for line in started.stdout.splitlines()
        if line.startswith("export ")
    )
    try:
        assert "AWS_ENDPOINT_URL_S3" not in env
        [notice] = started.stderr.splitlines()
        assert notice.startswith("exportctl: notice: S3 is not served") and HINT in notice
        listed = run({**no_moto, **env}, "list", "-s", "personalize", "--json")
        assert listed.returncode == 0 and json.loads(listed.stdout), listed.stderr
    finally:
        stopped = run({**no_moto, **env}, "sandbox", "--stop")
    assert stopped.returncode == 0, stopped.stderr
