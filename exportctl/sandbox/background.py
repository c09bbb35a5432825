"""The sandbox as a background process: started by one command, stopped by another.

``exportctl sandbox --detach`` runs the foreground runner in a process of its
own session, reads what it prints up to the line that says it serves, hands
that on, and leaves it running; ``--stop`` finds it by its URL and ends it.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlsplit

from exportctl.store.cachefiles import alive

PID_VARIABLE = "EXPORTCTL_SANDBOX_PID"
# The last line the foreground runner prints on stdout once it serves
# (exportctl.sandbox.cli): what a detaching parent reads up to.
READY_PREFIX = "# exportctl sandbox listening on "


class BackgroundError(Exception):
    """The background sandbox could not be started or stopped: one line why."""


class NoSandbox(BackgroundError):
    """Nothing answers at the URL as a sandbox does (it is gone, or never was)."""


class LeftRunning(BackgroundError):
    """A sandbox answers at the URL, but not one to stop: said why, and left running."""

    def __init__(self, message: str, pid: int) -> None:
        super().__init__(message)
        self.pid = pid


@dataclass(frozen=True)
class Started:
    pid: int
    url: str
    lines: list[str]  # the runner's `export` lines
    notes: str  # what it said on stderr while starting


def start(argv: list[str], timeout: float = 60.0) -> Started:
    """Run ``argv`` (a foreground sandbox that detaches once ready) in the background."""
    process = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # Its own session: Ctrl-C in this terminal, or this shell exiting, leaves it be.
        start_new_session=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None and process.stderr is not None
    lines: list[str] = []
    ready = ""
    for line in process.stdout:
        if line.startswith(READY_PREFIX):
            ready = line
            break
        lines.append(line.rstrip("\n"))
    # Ready, it lets go of its stderr, so this ends; failed, it has exited.
    notes = process.stderr.read()
    process.stdout.close()
    process.stderr.close()
    if not ready:
        code = process.wait(timeout=timeout)
        said = notes.strip().splitlines()
        raise BackgroundError(
            (said[-1].removeprefix("exportctl: error: ") if said else "")
            or f"the sandbox exited with status {code} before serving"
        )
    url = ready.removeprefix(READY_PREFIX).split()[0]
    return Started(pid=process.pid, url=url, lines=lines, notes=notes)


def detached_here() -> tuple[str, int] | None:
    """The background sandbox this environment points at, as ``--detach`` set it
    (``AWS_ENDPOINT_URL`` and the pid), while it still serves there: its URL and pid."""
    url = os.environ.get("AWS_ENDPOINT_URL", "")
    said = os.environ.get(PID_VARIABLE, "").strip()
    if not said or urlsplit(url).hostname != "127.0.0.1":
        return None
    try:
        pid = _state(url).get("pid")
    except BackgroundError:
        return None  # gone (the machine restarted, someone killed it): start another
    return (url, pid) if isinstance(pid, int) and str(pid) == said else None


def gone_here() -> int | None:
    """The pid of the background sandbox this environment points at (``AWS_ENDPOINT_URL``
    and the pid ``--detach`` set) when that process no longer runs; None otherwise."""
    said = os.environ.get(PID_VARIABLE, "").strip()
    url = os.environ.get("AWS_ENDPOINT_URL", "")
    if not said.isdigit() or urlsplit(url).hostname != "127.0.0.1":
        return None
    return None if _running(int(said)) else int(said)


def stop(url: str, *, expected: str = "", timeout: float = 10.0) -> int:
    """Stop the background sandbox serving at ``url``; its pid. ``expected``: the pid
    this shell's variables name (``EXPORTCTL_SANDBOX_PID``), then the only one stopped."""
    parts = urlsplit(url)
    if parts.hostname != "127.0.0.1" or not parts.port:
        raise BackgroundError(f"{url!r} is not a sandbox URL (http://127.0.0.1:PORT)")
    state = _state(url)
    pid = state.get("pid")
    if not isinstance(pid, int) or pid <= 0:
        raise BackgroundError(f"the sandbox at {url} does not say its pid")
    if expected and str(pid) != expected:
        # The port was free again and another shell's sandbox took it.
        raise LeftRunning(
            f"the sandbox at {url} (pid {pid}) is not this shell's"
            f" ({PID_VARIABLE}={expected}): left running",
            pid,
        )
    if state.get("detached") is not True:
        # A command's own (a running `exportctl --sandbox watch`), or one in the
        # foreground: each ends with its command, not from another shell.
        raise LeftRunning(
            f"the sandbox at {url} (pid {pid}) is not one `exportctl sandbox --detach`"
            " started: left running",
            pid,
        )
    if pid == os.getpid():
        raise BackgroundError(f"the sandbox at {url} runs in this very process")
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while _answers(url) or _running(pid):
        if time.monotonic() > deadline:
            raise BackgroundError(f"the sandbox at {url} (pid {pid}) did not stop")
        time.sleep(0.05)
    return pid


def stop_unanswering(said: str, url: str, grace: float = 5.0) -> int | None:
    """End the background sandbox this shell's variables name (pid ``said``) when
    nothing answers at ``url`` but its process still runs (stopped with SIGSTOP, too
    busy to answer): its pid, once ended; None when it no longer runs, or its pid is
    another process's since. SIGTERM first, SIGKILL after ``grace`` seconds."""
    if not said.isdigit() or int(said) == os.getpid() or not _running(int(said)):
        return None
    pid = int(said)
    if not _detached_child(pid, url):
        return None
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
        # A stopped process acts on nothing but SIGKILL until it is continued.
        os.kill(pid, signal.SIGCONT)
    if _ended(pid, grace):
        return pid
    # The pid may have gone to another process meanwhile: asked again before SIGKILL.
    if not _detached_child(pid, url):
        return pid
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
    if _ended(pid, grace):
        return pid
    raise BackgroundError(f"the sandbox at {url} (pid {pid}) did not stop")


def _ended(pid: int, within: float) -> bool:
    deadline = time.monotonic() + within
    while _running(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _detached_child(pid: int, url: str) -> bool:
    """Whether process ``pid`` is a sandbox ``--detach`` started (``child_argv``), as
    its command line says; a BackgroundError when that cannot be read here."""
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace").split("\0")
    except FileNotFoundError as exc:
        if Path("/proc/self").exists():
            return False  # ended meanwhile
        error: OSError = exc
    except OSError as exc:
        error = exc
    else:
        return argv[1:4] == ["-m", "exportctl", "sandbox"] and "--detached-child" in argv
    # No /proc here (macOS), or not ours to read: a process that may be the
    # sandbox is not ended on a guess, nor said to be gone.
    raise BackgroundError(
        f"the sandbox at {url} (pid {pid}) runs but does not answer, and its process"
        f" cannot be told from another here: left running (`kill {pid}` ends it)"
    ) from error


def _ask(url: str, timeout: float) -> Any:
    """The sandbox's answer at ``url``, asked straight, past any proxy the environment
    names (HTTP_PROXY without 127.0.0.1 in NO_PROXY would take the question elsewhere).
    urllib is imported here: every command run where ``--detach`` pointed the
    environment checks the sandbox's process, and most ask it nothing."""
    import urllib.request

    return urllib.request.build_opener(urllib.request.ProxyHandler({})).open(url, timeout=timeout)


def _state(url: str) -> dict[str, object]:
    try:
        with _ask(url + "/_sandbox/state", timeout=5) as response:
            state = json.loads(response.read())
    except (OSError, ValueError) as exc:
        raise NoSandbox(f"no exportctl sandbox answers at {url}") from exc
    if not isinstance(state, dict):
        raise NoSandbox(f"no exportctl sandbox answers at {url}")
    return state


def _running(pid: int) -> bool:
    if not alive(pid):
        return False
    try:
        # An exited process its new parent has not reaped yet is done all the same.
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rpartition(")")[2].split()[:1] != ["Z"]


def _answers(url: str) -> bool:
    try:
        with _ask(url + "/_sandbox/clock", timeout=1):
            return True
    except HTTPError:
        return True
    except OSError:
        return False


def child_argv(args: list[str]) -> list[str]:
    """This interpreter running ``exportctl`` with ``args``."""
    return [sys.executable, "-m", "exportctl", *args]
