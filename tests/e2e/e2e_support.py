"""Running the installed console script against a sandbox over HTTP."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from exportctl.sandbox import Sandbox


def console_script() -> str:
    beside = Path(sys.executable).parent / "exportctl"
    found = str(beside) if beside.exists() else shutil.which("exportctl")
    assert found, "the exportctl console script is not installed"
    return found


def isolated_env(**env: str) -> dict[str, str]:
    """The test process's environment without AWS or exportctl settings, plus ``env``."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "EXPORTCTL_"))}
    environ["AWS_CONFIG_FILE"] = os.devnull
    environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    environ["AWS_EC2_METADATA_DISABLED"] = "true"
    environ.update(env)
    return environ


def exportctl(
    sandbox: Sandbox | None, *args: str, timeout: float = 120, **env: str
) -> subprocess.CompletedProcess[str]:
    environ = isolated_env()
    if sandbox is not None:
        environ.update(sandbox.env())
    environ.update(env)
    return subprocess.run(
        [console_script(), *args],
        env=environ,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
