"""Ctrl-C on the installed console script: exit 130 from wait, 0 from watch, no traceback.
Ctrl-\\ typed on a real terminal: exit 131, the live view closed, the cursor shown again."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from wait_support import PERSONALIZE_FAILED, PINPOINT_PROCESSING, PINPOINT_STUCK

from exportctl.sandbox import Sandbox

SCRIPT = Path(sys.executable).parent / "exportctl"


def _environ(sandbox: Sandbox) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "EXPORTCTL_"))}
    environ.update(sandbox.env())
    environ.update(
        AWS_CONFIG_FILE=os.devnull,
        AWS_SHARED_CREDENTIALS_FILE=os.devnull,
        PYTHONUNBUFFERED="1",
        # A process that ignores Ctrl-C shows where it is stuck on SIGABRT.
        PYTHONFAULTHANDLER="1",
    )
    return environ


def _start(sandbox: Sandbox, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [str(SCRIPT), *args],
        env=_environ(sandbox),
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


# An --exec command that writes its pid, then sleeps ten minutes (its output elsewhere,
# or it would hold open the pipe the test reads).
def _exec_sleeping(pid_file: Path) -> str:
    return f"echo $$ >> {pid_file}; exec sleep 600 >/dev/null 2>&1"


def _exec_started(pid_file: Path) -> None:
    for _ in range(400):
        if pid_file.exists() and pid_file.read_text().strip():
            return
        time.sleep(0.05)
    raise AssertionError("the --exec command never started")


def _end_execs(pid_file: Path) -> None:
    for pid in pid_file.read_text().split() if pid_file.exists() else ():
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(pid), signal.SIGKILL)


@pytest.mark.e2e
@pytest.mark.parametrize("signum", [signal.SIGHUP, signal.SIGTERM], ids=["hup", "term"])
def test_a_wait_ended_by_a_signal_leaves_its_running_exec_command(
    sandbox: Sandbox, tmp_path: Path, signum: int
) -> None:
    # A closed terminal (SIGHUP) ends the wait as SIGTERM does: it does not stay for
    # an --exec command still running.
    pid_file = tmp_path / "exec.pid"
    proc = _start(sandbox, "wait", PERSONALIZE_FAILED, PINPOINT_STUCK, "--interval", "30s",
                  "--exec", _exec_sleeping(pid_file))  # fmt: skip
    try:
        _exec_started(pid_file)
        proc.send_signal(signum)
        _, err = _ended(proc)
        assert proc.returncode == 128 + signum, err
        assert "Traceback" not in err
    finally:
        _end_execs(pid_file)


@pytest.mark.e2e
def test_a_signal_while_exec_commands_run_after_the_wait_keeps_its_json(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    # Every job settled, the wait is letting its --exec commands run: a signal then
    # still prints the jobs (--json is one document however the command ends) and
    # names the job whose command never ran.
    sandbox.set_status("pinpoint", PINPOINT_PROCESSING.rsplit("/", 1)[1], "COMPLETED")
    pid_file = tmp_path / "exec.pid"
    proc = _start(sandbox, "wait", "--json", "--until", "terminal", PERSONALIZE_FAILED,
                  PINPOINT_PROCESSING, "--exec", _exec_sleeping(pid_file))  # fmt: skip
    try:
        _exec_started(pid_file)
        proc.send_signal(signal.SIGTERM)
        out, err = _ended(proc)
    finally:
        _end_execs(pid_file)
    assert proc.returncode == 143, err
    assert len(json.loads(out)) == 2
    assert "--exec did not run for 1 job that ended" in err, err
    assert "Traceback" not in err


@pytest.mark.e2e
def test_watch_interrupted_exits_0(sandbox: Sandbox) -> None:
    proc = _start(sandbox, "watch", "--interval", "30s")

    first, _, err = _interrupt_after_first_line(proc)

    assert first.strip()
    assert proc.returncode == 0
    assert "Traceback" not in err


# What a terminal is told to hide its cursor (a live view starting), and to show it.
_HIDE, _SHOW = b"\x1b[?25l", b"\x1b[?25h"


def _keys_on_terminal(
    sandbox: Sandbox, keys: bytes | Callable[[int], None], *args: str
) -> tuple[int, bytes]:
    """``exportctl ARGS`` on a terminal of its own, as a shell's foreground job: once
    its live view is drawn, ``keys`` are typed, and the terminal's line discipline
    sends what they mean (Ctrl-\\: SIGQUIT), or given the process id to signal it.
    Its exit status, and all it wrote."""
    master, secondary = pty.openpty()
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    environ = {**_environ(sandbox), "TERM": "xterm-256color"}
    for name in ("COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR"):
        environ.pop(name, None)
    proc = subprocess.Popen(
        [str(SCRIPT), *args],
        env=environ,
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        # A session of its own, whose controlling terminal this one is: the typed
        # keys' signals go to its process group, as to a shell's foreground job.
        start_new_session=True,
        preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0),
    )
    os.close(secondary)
    written = bytearray()
    typed = False
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            if not typed and _HIDE in written and b"next check in" in written:
                if callable(keys):
                    keys(proc.pid)
                else:
                    os.write(master, keys)
                typed = True
            ready, _, _ = select.select([master], [], [], 1.0)
            if not ready:
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the command has closed its end
                break
            if not chunk:
                break
            written += chunk
        assert typed, f"no live view drawn: {written.decode(errors='replace')[-2000:]!r}"
        return proc.wait(timeout=20), bytes(written)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)


@pytest.mark.e2e
@pytest.mark.parametrize(
    "args",
    [("watch", "--interval", "30s"), ("wait", PINPOINT_STUCK, "--interval", "30s")],
    ids=["watch", "wait"],
)
def test_ctrl_backslash_on_a_live_view_shows_the_cursor_again_and_exits_131(
    sandbox: Sandbox, args: tuple[str, ...]
) -> None:
    code, written = _keys_on_terminal(sandbox, b"\x1c", *args)

    # Not killed by SIGQUIT's default action (a negative status), with the cursor
    # left hidden: stopped as Ctrl-C stops it, with SIGQUIT's status.
    assert code == 131, written[-2000:]
    assert written.rfind(_SHOW) > written.rfind(_HIDE), written[-2000:]
    text = written.decode(errors="replace")
    assert "Traceback" not in text
    if args[0] == "wait":
        assert "quit; still pending:" in text


def _two_signals_at_once(pid: int) -> None:
    # Both pending when it runs again: the second comes while the first's cleanup
    # has only begun, with the live view still drawn.
    os.kill(pid, signal.SIGSTOP)
    os.kill(pid, signal.SIGINT)
    os.kill(pid, signal.SIGTERM)
    os.kill(pid, signal.SIGCONT)


@pytest.mark.e2e
def test_a_second_signal_ending_a_live_view_at_once_shows_the_cursor_again(
    sandbox: Sandbox,
) -> None:
    code, written = _keys_on_terminal(
        sandbox, _two_signals_at_once, "wait", PINPOINT_STUCK, "--interval", "30s"
    )

    # Ended by the second signal, without the cleanup (which would name the pending
    # job), and the cursor the view hid is shown again.
    assert code == 143, written[-2000:]
    assert b"still pending" not in written
    assert written.rfind(_SHOW) > written.rfind(_HIDE), written[-2000:]
