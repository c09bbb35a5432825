"""`make demo` installs what a user needs, no development tools, and its wait is quick."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest

from exportctl.sandbox.clock import scaled_clock

ROOT = Path(__file__).parents[2]


def _dry_run(target: str) -> str:
    """The commands a target would run (nothing is run or created)."""
    if shutil.which("make") is None:
        pytest.skip("no make")
    result = subprocess.run(
        ["make", "-n", target, "VENV=/nonexistent/venv"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def test_demo_installs_the_runtime_and_the_sandbox_extra_only() -> None:
    commands = _dry_run("demo")
    installs = [line for line in commands.splitlines() if "pip install" in line and " -e " in line]
    assert installs and all("'.[sandbox]'" in line for line in installs)
    assert "[test]" not in commands and "pytest" not in commands
    # It waits on a faster sandbox clock, and says so.
    assert "EXPORTCTL_SANDBOX_SPEED=" in commands and "--timeout" in commands
    assert "Next:" in commands and "pipx install" in commands
    # From a fresh world, whatever earlier --sandbox commands left.
    before = commands.split("exportctl --sandbox list", 1)[0]
    assert "exportctl sandbox --reset\n" in before


def test_test_and_lint_install_the_test_extra() -> None:
    for target in ("test", "lint"):
        assert "'.[test]'" in _dry_run(target)


def test_a_scaled_sandbox_clock_runs_that_many_times_faster(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    now = [100.0]
    monkeypatch.setattr(time, "monotonic", lambda: now[0])
    clock = scaled_clock(6)
    now[0] += 5
    assert clock.elapsed() == pytest.approx(30.0)
