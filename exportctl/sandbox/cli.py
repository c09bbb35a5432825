"""Foreground runner, shaped so any command line front end can call it."""

from __future__ import annotations

import os
import shlex
import signal
import sys
import threading
from collections.abc import Callable, Mapping
from types import FrameType
from typing import Any, TextIO

from exportctl.sandbox.background import READY_PREFIX
from exportctl.sandbox.faults import Faults
from exportctl.sandbox.server import Sandbox


def env_lines(sandbox: Sandbox) -> list[str]:
    """``export NAME=value`` lines for a POSIX shell."""
    return [f"export {k}={shlex.quote(v)}" for k, v in sandbox.env().items()]


def reset() -> str:
    """Forget the world ``--sandbox`` commands keep (exportctl.sandbox.worldfile);
    the line that says so."""
    from exportctl.sandbox import worldfile

    deleted = worldfile.reset()
    said = (
        f"deleted the --sandbox world kept in {deleted}" if deleted else "no --sandbox world kept"
    )
    return f"# exportctl sandbox: {said}; the next --sandbox command starts a fresh one"


def build(
    port: int = 0,
    latency: float = 0.0,
    throttle_rate: float = 0.0,
    error_rate: float = 0.0,
    page_size: int | None = None,
    drop_rate: float = 0.0,
    seed: int = 7,
    accounts: int | None = None,
    scale: Mapping[str, int | None] | None = None,
) -> Sandbox:
    """A sandbox with these faults; ``scale``: the counts of ``scale.SCALE_OPTIONS``, by
    the keyword of :class:`Sandbox` each stands for (``discovery_tasks``, ``logs_tasks``)."""
    faults = Faults()
    # Going through update() validates ranges the same way the admin endpoint does.
    faults.update(
        {
            "latency": latency,
            "throttle_rate": throttle_rate,
            "error_rate": error_rate,
            "page_size": page_size,
            "drop_rate": drop_rate,
        }
    )
    sizes: dict[str, Any] = dict(scale or {})
    return Sandbox(port=port, faults=faults, seed=seed, accounts=accounts, **sizes)


def run(
    sandbox: Sandbox,
    out: TextIO | None = None,
    *,
    s3: bool = True,
    s3_port: int = 0,
    err: TextIO | None = None,
    detached: bool = False,
    hint: str = "",
) -> None:
    """Start ``sandbox`` (and its S3, when moto is installed), print how to point
    tools at them, serve until Ctrl-C or SIGTERM.

    ``detached``: once ready, stdout and stderr go to /dev/null, for a parent
    that read them and went away (``exportctl sandbox --detach``). ``hint`` is
    said on ``err`` once serving.
    """
    stream = out or sys.stdout
    notes = err or sys.stderr
    # Before anything is printed: whoever read the lines may send it at once.
    restore = _stop_on_sigterm()
    stops: list[Callable[[], None]] = []
    sandbox.detached = detached
    try:
        sandbox.start()
        stops.append(sandbox.stop)
        lines = env_lines(sandbox)
        if s3:
            from exportctl.sandbox.s3 import S3Unavailable, start_s3

            try:
                served = start_s3(sandbox, s3_port)
            except S3Unavailable as exc:
                print(f"exportctl: notice: S3 is not served: {exc}", file=notes)
            else:
                stops.append(served.stop)
                lines.append(f"export AWS_ENDPOINT_URL_S3={shlex.quote(served.url)}")
        for line in lines:
            print(line, file=stream)
        print(f"{READY_PREFIX}{sandbox.url} (pid {os.getpid()})", file=stream)
        stream.flush()
        if hint:
            print(hint, file=notes)
        notes.flush()
        if detached:
            _let_go_of_output()
        sandbox.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        for stop in reversed(stops):
            stop()
        restore()


def _let_go_of_output() -> None:
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    os.close(devnull)


def _stop_on_sigterm() -> Callable[[], None]:
    """SIGTERM (`kill`, `exportctl sandbox --stop`) stops it as Ctrl-C does; the
    function that puts the previous handler back."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)

    def restore() -> None:
        signal.signal(signal.SIGTERM, previous)

    return restore
