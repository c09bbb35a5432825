"""Ctrl-C, Ctrl-\\, SIGTERM and SIGHUP: the first ends the command cleanly, a second
ends it at once.

SIGTERM (what CI runners, ``timeout`` and process managers send), SIGHUP (a
closed terminal, a dropped ssh session) and SIGQUIT (Ctrl-\\) are handled like
Ctrl-C: each raises KeyboardInterrupt in the main thread, so every command stops
the same way (the live view closed and the cursor shown again, pending jobs named,
JSON still printed, partial files removed). SIGQUIT's default action would dump
core with the terminal as the live view left it, its cursor hidden; the core of an
interpreter helps no one. The exit code tells them apart: 128 + the signal's
number, 130 for SIGINT, 131 for SIGQUIT, 143 for SIGTERM, 129 for SIGHUP, what a
shell shows for a process the signal ended. A second signal while that cleanup
runs exits at once, without it, but for what puts the terminal back as it was
(the cursor a live view hid, shown again: :func:`before_forced_exit`).

A signal once the command has ended (its output being flushed, the interpreter torn
down) is not raised into what is left to do: it is noted, and ends the process with
its code once the output is out, or at once after that (:func:`ended`, :func:`written`).

Ctrl-Z (SIGTSTP) stops the process as its default action would, but lets a live
view put the terminal as a shell expects it first, and draw itself again after
``fg`` (:func:`on_suspend`).
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType

# The first signal received, or None.
received: int | None = None
# What a second signal still does before it ends the process, the latest first.
_last_words: list[Callable[[], object]] = []
# True while Ctrl-Z's handler stops and resumes the process: a first signal then is
# raised once it is done, not in the middle of a live view's being closed or drawn.
_holding = False
# Set once the command has ended (ended()), and once all it wrote is out (written()).
_ended = False
_written = False
# A first signal received once the command had ended, or None.
_late: int | None = None


def install() -> None:
    """Handle SIGINT, SIGTERM, SIGHUP and SIGQUIT from now on, for a command that
    has heard no signal yet; main thread only (a no-op elsewhere)."""
    if threading.current_thread() is not threading.main_thread():
        return
    reset()
    for signum in _handled():
        # As the console script leaves them: ignored by the parent (`nohup`), not heard.
        if signal.getsignal(signum) != signal.SIG_IGN:
            signal.signal(signum, _handle)


def reset() -> None:
    """Forget what an earlier command of the process heard and how far it got: run
    in-process (a test, a host program), each command starts as the console
    script's would."""
    global received, _ended, _written, _late
    received = None
    _ended = _written = False
    _late = None


def _handle(signum: int, frame: FrameType | None) -> None:
    global received, _late
    if received is not None:
        # Asked twice: no more cleanup, no more output but the terminal put back.
        for action in reversed(_last_words):
            with contextlib.suppress(Exception):
                action()
        os._exit(128 + signum)
    received = signum
    if _ended:
        # Raised now, it would cut the flush of the output short, or be "ignored" by
        # an exit hook, the process then ending with the command's own code.
        _late = signum
        if _written:
            os._exit(128 + signum)
        return
    if not _holding:
        raise KeyboardInterrupt


def ended() -> None:
    """The command has ended: a first signal from now on is noted, not raised, and
    gives the process its code (:func:`written`)."""
    global _ended
    _ended = True


def late() -> int | None:
    """The signal received once the command had ended, if one was."""
    return _late


def written() -> None:
    """All the command wrote is out: a signal noted since it ended ends the process
    now, and one from now on at once, each with its code (128 + its number), the
    interpreter's teardown included. At its very end, where Python no longer runs
    handlers and would give a signal its default action (SIGQUIT's core dump), they
    are ignored (:func:`_at_exit`)."""
    global _written
    _written = True
    if _late is not None:
        with contextlib.suppress(Exception):
            sys.stderr.flush()
        os._exit(128 + _late)


def _at_exit() -> None:
    if _written:
        for signum in _handled():
            signal.signal(signum, signal.SIG_IGN)


def _handled() -> list[int]:
    # SIGHUP: the terminal or the ssh session the command ran in is gone. SIGQUIT:
    # Ctrl-\. Neither exists on Windows.
    posix = [getattr(signal, name) for name in ("SIGHUP", "SIGQUIT") if hasattr(signal, name)]
    return [signal.SIGINT, signal.SIGTERM, *posix]


# Registered on import, before the exit hooks of what a command imports: so among the
# last to run, after which the interpreter frees its modules with no handler run.
atexit.register(_at_exit)


def before_forced_exit(action: Callable[[], object]) -> Callable[[], None]:
    """Has ``action`` run if a second signal ends the process at once, until the
    function returned is called. It runs in a signal handler: nothing that may wait
    (a lock, a buffered stream a thread may be writing to)."""
    _last_words.append(action)

    def forget() -> None:
        with contextlib.suppress(ValueError):
            _last_words.remove(action)

    return forget


def exit_code() -> int:
    """The exit code of a command ended by a signal: 130 (Ctrl-C), 131 (Ctrl-\\), 143
    (SIGTERM) or 129 (SIGHUP)."""
    return 128 + (received or signal.SIGINT)


def word() -> str:
    """How the command ended, for its last message."""
    if received == signal.SIGTERM:
        return "terminated"
    if received == getattr(signal, "SIGHUP", None):
        return "hung up"
    if received == getattr(signal, "SIGQUIT", None):
        return "quit"
    return "interrupted"


def on_suspend(pause: Callable[[], object], resume: Callable[[], object]) -> Callable[[], None]:
    """Has Ctrl-Z (SIGTSTP) run ``pause``, stop the process, and run ``resume`` once it
    goes on (SIGCONT: ``fg``), until the function returned is called; main thread only,
    where SIGTSTP exists (a no-op elsewhere)."""
    tstp = getattr(signal, "SIGTSTP", None)
    if tstp is None or threading.current_thread() is not threading.main_thread():
        return lambda: None

    def suspend(signum: int, frame: FrameType | None) -> None:
        global _holding
        first = received is None
        _holding = True
        try:
            pause()
            # Stopped for real, by the default action: the shell sees a stopped job.
            # The kill returns once the process goes on (SIGCONT: fg or bg), or at once
            # when no shell could resume it (an orphaned process group, whose stop
            # the kernel discards).
            signal.signal(tstp, signal.SIG_DFL)
            try:
                os.kill(os.getpid(), tstp)
            finally:
                signal.signal(tstp, suspend)
            resume()
        finally:
            _holding = False
        if first and received is not None:
            raise KeyboardInterrupt

    before = signal.signal(tstp, suspend)

    def restore() -> None:
        signal.signal(tstp, signal.SIG_DFL if before is None else before)

    return restore
