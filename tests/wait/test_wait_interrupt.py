"""Ctrl-C on the installed console script: exit 130 from wait, 0 from watch, no traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from wait_support import PINPOINT_STUCK

from exportctl.sandbox import Sandbox

SCRIPT = Path(sys.executable).parent / "exportctl"


def _start(sandbox: Sandbox, *args: str) -> subprocess.Popen[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "EXPORTCTL_"))}
    environ.update(sandbox.env())
    environ.update(
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        PYTHONUNBUFFERED="1",
        # A process that ignores Ctrl-C shows where it is stuck on SIGABRT.
        PYTHONFAULTHANDLER="1",
    )
    return subprocess.Popen(
        [str(SCRIPT), *args],
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _interrupt_after_first_line(proc: subprocess.Popen[str]) -> tuple[str, str, str]:
    assert proc.stdout is not None
    first = proc.stdout.readline()
    proc.send_signal(signal.SIGINT)
    return (first, *_ended(proc))


def _ended(proc: subprocess.Popen[str]) -> tuple[str, str]:
    try:
        return proc.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGABRT)
        _, err = proc.communicate()
        raise AssertionError(f"still running after Ctrl-C:\n{err}") from None


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    # The real clock, frozen: the stuck job stays pending however long the test takes.
    with Sandbox(port=0, clock=lambda: 0.0) as sb:
        yield sb


@pytest.mark.e2e
def test_wait_interrupted_exits_130_without_a_traceback(sandbox: Sandbox) -> None:
    proc = _start(sandbox, "wait", PINPOINT_STUCK, "--interval", "30s")

    first, _, err = _interrupt_after_first_line(proc)

    assert "RUNNING (COMPLETING)" in first
    assert proc.returncode == 130
    assert "Traceback" not in err
    assert "interrupted; still pending:" in err
    assert "81a049d7ccc7e90a88d519448fb2fc67" in err


@pytest.mark.e2e
def test_wait_interrupted_with_json_still_prints_json(sandbox: Sandbox) -> None:
    import json

    proc = _start(sandbox, "wait", PINPOINT_STUCK, "--interval", "30s", "--json")
    assert proc.stderr is not None
    proc.stderr.readline()
    proc.send_signal(signal.SIGINT)
    out, err = _ended(proc)

    assert proc.returncode == 130
    assert json.loads(out)["status"] == "COMPLETING"
    assert "Traceback" not in err


@pytest.mark.e2e
def test_watch_interrupted_exits_0(sandbox: Sandbox) -> None:
    proc = _start(sandbox, "watch", "--interval", "30s")

    first, _, err = _interrupt_after_first_line(proc)

    assert first.strip()
    assert proc.returncode == 0
    assert "Traceback" not in err
