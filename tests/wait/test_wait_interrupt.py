"""Ctrl-C on the installed console script: exit 130 from wait, 0 from watch, no traceback.
Ctrl-\\ typed on a real terminal: exit 131, the live view closed, the cursor shown again."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import pty
import re
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from ptys import read_some
from wait_support import PERSONALIZE_FAILED, PINPOINT_STUCK

from exportctl.sandbox import Sandbox

SCRIPT = Path(sys.executable).parent / "exportctl"
# Two Discovery tasks of the sandbox scenario that have ended (FAILED, SUCCEEDED).
DISCOVERY_ENDED = (
    "discovery:export-5404bf7b-ac80-4081-a98a-878e2f264d9b",
    "discovery:export-882161db-80a1-49ad-acda-dc4ccd4078c7",
)


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
    # names the job whose command never ran. Two ended jobs read in one call (a
    # Discovery batch): a job's command runs as soon as it ends, and with two calls
    # the other job could still be unread when the first command starts.
    proc = _start(sandbox, "wait", "--json", "--until", "terminal", *DISCOVERY_ENDED,
                  "--exec", _exec_sleeping(pid_file := tmp_path / "exec.pid"))  # fmt: skip
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
            chunk = read_some(master, 1.0)
            if chunk is None:
                continue
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


# A shell's job control, in little: the command runs as the terminal's foreground
# job, in a process group of its own under this one (a group whose stop the kernel
# carries out), and a job it sees stopped is reported, then resumed as by `fg`.
_JOB_SHELL = r"""
import os, signal, sys
signal.signal(signal.SIGTTOU, signal.SIG_IGN)
ready, go = os.pipe()
pid = os.fork()
if pid == 0:
    os.setpgid(0, 0)
    os.read(ready, 1)
    signal.signal(signal.SIGTTOU, signal.SIG_DFL)
    os.execv(sys.argv[1], sys.argv[1:])
os.setpgid(pid, pid)
os.tcsetpgrp(0, pid)
os.write(go, b"x")
_, status = os.waitpid(pid, os.WUNTRACED)
if os.WIFSTOPPED(status):
    os.tcsetpgrp(0, os.getpgrp())
    os.write(1, b"[1]+  Stopped\r\n$ fg\r\n")
    os.tcsetpgrp(0, pid)
    os.killpg(pid, signal.SIGCONT)
    _, status = os.waitpid(pid, 0)
# Gone once its terminal has been read: the terminal of a session whose leader
# exits is hung up, and what it still held is lost.
os.tcsetpgrp(0, os.getpgrp())
os.write(1, b"$ ")
os.read(0, 1)
sys.exit(os.waitstatus_to_exitcode(status))
"""
_STOPPED, _PROMPT = b"[1]+  Stopped", b"$ "


def _suspended_and_resumed(sandbox: Sandbox, *args: str) -> tuple[int, bytes, bytes]:
    """``exportctl ARGS`` as a shell's job on a terminal of its own: Ctrl-Z typed once
    its live view is drawn, Ctrl-C once it is drawn again after `fg`. Its exit status,
    and what the terminal showed before the job stopped and after."""
    master, secondary = pty.openpty()
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    environ = {**_environ(sandbox), "TERM": "xterm-256color"}
    for name in ("COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR"):
        environ.pop(name, None)
    proc = subprocess.Popen(
        [sys.executable, "-c", _JOB_SHELL, str(SCRIPT), *args],
        env=environ,
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        start_new_session=True,
        preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0),
    )
    os.close(secondary)
    written = bytearray()
    keys = [b"\x1a", b"\x03"]
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            drawn = written.split(_STOPPED)[-1]
            on_view = _HIDE in drawn and b"next check in" in drawn
            if on_view and keys and len(keys) == 2 - written.count(_STOPPED):
                os.write(master, keys.pop(0))
            if not keys and written.endswith(_PROMPT):
                os.write(master, b"\n")
            chunk = read_some(master, 1.0)
            if chunk is None:
                continue
            if not chunk:
                break
            written += chunk
        assert not keys, f"not drawn again: {written.decode(errors='replace')[-2000:]!r}"
        before, _, after = bytes(written).partition(_STOPPED)
        after = after.removesuffix(_PROMPT)
        return proc.wait(timeout=20), before, after
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)


@pytest.mark.e2e
@pytest.mark.parametrize(
    ("args", "code"),
    [(("watch", "--interval", "30s"), 0), (("wait", PINPOINT_STUCK, "--interval", "30s"), 130)],
    ids=["watch", "wait"],
)
def test_ctrl_z_on_a_live_view_shows_the_cursor_and_fg_draws_it_again_below(
    sandbox: Sandbox, args: tuple[str, ...], code: int
) -> None:
    status, before, after = _suspended_and_resumed(sandbox, *args)

    # Stopped with the cursor shown, its last frame ended: the shell's lines start
    # on a line of their own.
    assert before.rfind(_SHOW) > before.rfind(_HIDE), before[-2000:]
    frame = before
    while frame.endswith(_SHOW):
        frame = frame[: -len(_SHOW)]
    assert frame.endswith(b"\n"), before[-2000:]
    # After fg, the cursor hidden again and the view drawn anew below the shell's
    # lines: no moving up over them before its frame is whole.
    assert _HIDE in after, after[:2000]
    first = after[: after.index(b"next check in")]
    assert not re.search(rb"\x1b\[\d*A", first), first
    # And it ends as it would have, Ctrl-C after it went on.
    assert status == code, after[-2000:]
    assert after.rfind(_SHOW) > after.rfind(_HIDE), after[-2000:]
    assert b"Traceback" not in before + after


@pytest.mark.e2e
def test_a_hangup_ignored_as_nohup_ignores_it_is_not_heard(sandbox: Sandbox) -> None:
    # `nohup exportctl wait ...` (or a parent that ignores SIGHUP) means the wait
    # outlives the terminal: the command must not take the signal back.
    proc = subprocess.Popen(
        [str(SCRIPT), "wait", PINPOINT_STUCK, "--interval", "200ms", "--timeout", "3s"],
        env=_environ(sandbox),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN),
    )
    assert proc.stdout is not None
    assert proc.stdout.readline()  # the first round is read: the command is running
    proc.send_signal(signal.SIGHUP)
    _, err = _ended(proc)
    assert proc.returncode == 124, err
    assert "timed out after 3s" in err
