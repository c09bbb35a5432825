"""The pytest plugin as a user's project meets it: registered with the package,
loaded by pytest in a test folder of its own, costing nothing until a test asks for
its fixture."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

import exportctl

ROOT = Path(__file__).parents[2]
USER = Path(__file__).parent / "plugin_user"


def test_the_package_registers_the_plugin_and_ships_its_types() -> None:
    tomllib = pytest.importorskip("tomllib")  # Python 3.11
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["entry-points"]["pytest11"] == {"exportctl.testing": "exportctl.testing"}
    assert (Path(exportctl.__file__).parent / "py.typed").is_file()
    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert "py.typed" in setuptools["package-data"]["exportctl"]


def test_importing_the_plugin_imports_nothing_heavy() -> None:
    code = (
        "import sys, exportctl.testing\n"
        "print(sorted(m for m in sys.modules if m.startswith('exportctl')))\n"
        "print(sorted({'boto3', 'botocore', 'rich', 'click', 'tenacity'} & set(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    ours, heavy = done.stdout.splitlines()
    expected = ["exportctl", "exportctl.domain", "exportctl.domain.version", "exportctl.testing"]
    assert ours == repr(expected)
    assert heavy == "[]"


def test_a_users_tests_use_the_fixture_from_a_folder_of_their_own(tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(USER, project, ignore=shutil.ignore_patterns("__pycache__"))
    # As a user runs it, but for the other plugins installed here: exportctl's
    # plugin alone, loaded by name (as the entry point loads it where installed).
    env = {**os.environ, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    # A developer's machine: AWS settings that would send calls past AWS_ENDPOINT_URL
    # (to AWS itself), and a proxy in front of everything (here one that is not there,
    # so that nothing could leave this machine whatever the fixture does).
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{sock.getsockname()[1]}"
    env.update(
        AWS_IGNORE_CONFIGURED_ENDPOINT_URLS="true",
        AWS_USE_FIPS_ENDPOINT="true",
        AWS_MAX_ATTEMPTS="1",
        HTTP_PROXY=dead,
        HTTPS_PROXY=dead,
    )
    # A profile of the user's own, with its keys, exported; and their own cache folder,
    # where their shell's completion finds the references they listed.
    home = tmp_path / "home"
    (home / ".aws").mkdir(parents=True)
    (home / ".aws" / "config").write_text("[profile myprof]\nregion = eu-west-1\n")
    (home / ".aws" / "credentials").write_text(
        "[myprof]\naws_access_key_id = AKIAUSERSOWNKEY\naws_secret_access_key = own/secret\n"
    )
    env.update(
        HOME=str(home),
        AWS_PROFILE="myprof",
        AWS_CONFIG_FILE=str(home / ".aws" / "config"),
        AWS_SHARED_CREDENTIALS_FILE=str(home / ".aws" / "credentials"),
    )
    env.pop("XDG_CACHE_HOME", None)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "exportctl.testing", "-q", "-p", "no:cacheprovider"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "18 passed" in done.stdout, done.stdout[-2000:]
    # The sandbox's jobs are in a cache folder of the session's, not in the user's.
    assert not (home / ".cache").exists()


def test_a_handle_used_after_its_session_ended_is_refused_at_once(tmp_path: Path) -> None:
    from exportctl.sandbox import Sandbox
    from exportctl.testing import SandboxHandle

    handle = SandboxHandle(Sandbox(port=0, clock=lambda: 0.0).start(), tmp_path)
    handle.stop()
    uses = {
        "add_job": lambda: handle.add_job("discovery"),
        "client": handle.client,
        "start_s3": handle.start_s3,
        "advance": lambda: handle.advance(10),
        "pointed": lambda: handle.pointed().__enter__(),
    }
    for name, use in uses.items():
        with pytest.raises(RuntimeError, match="sandbox of this test session has stopped"):
            use()
            pytest.fail(f"{name} went on")
