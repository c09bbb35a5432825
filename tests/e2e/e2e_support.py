"""Running the installed console script against a sandbox over HTTP, or the same
command line in-process (:func:`in_process`) where the process is not the point."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from exportctl.cli.root import cli
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


def _environment(sandbox: Sandbox | None, env: dict[str, str]) -> dict[str, str]:
    environ = isolated_env()
    if sandbox is not None:
        environ.update(sandbox.env())
    environ.update(env)
    return environ


def exportctl(
    sandbox: Sandbox | None, *args: str, timeout: float = 120, **env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [console_script(), *args],
        env=_environment(sandbox, env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def in_process(
    sandbox: Sandbox | None, *args: str, timeout: float = 120, **env: str
) -> subprocess.CompletedProcess[str]:
    """What :func:`exportctl` gives, from the command run in this process through
    click's test runner: the same environment (nothing else of this process's), the
    same program name, stdout and stderr apart, no terminal and nothing on stdin.

    For the variants of a behaviour one console script run already shows end to end,
    without an interpreter's start each. Not for what only a process has: its
    signals, pipes, start-up and imports, exit without teardown (``main()``'s leave
    at once is not taken here). ``timeout`` is taken for the same signature, not applied."""
    environ = _environment(sandbox, env)
    # click's runner sets what it is given for the call and restores the rest after;
    # None unsets a variable, so that the command sees exactly ``environ``.
    unset: dict[str, str | None] = {name: None for name in os.environ if name not in environ}
    done = CliRunner().invoke(
        cli, list(args), env={**unset, **environ}, catch_exceptions=False, prog_name="exportctl"
    )
    return subprocess.CompletedProcess(
        ["exportctl", *args], done.exit_code, stdout=done.stdout, stderr=done.stderr
    )
