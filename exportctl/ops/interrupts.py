"""Ctrl-C, SIGTERM and SIGHUP: the first ends the command cleanly, a second ends it
at once.

SIGTERM (what CI runners, ``timeout`` and process managers send) and SIGHUP (a
closed terminal, a dropped ssh session) are handled like Ctrl-C: each raises
KeyboardInterrupt in the main thread, so every command stops the same way (pending
jobs named, JSON still printed, partial files removed). The exit code tells them
apart: 128 + the signal's number, 130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP.
A second signal while that cleanup runs exits at once, without it.
"""

from __future__ import annotations

import os
import signal
import threading
from types import FrameType

# The first signal received, or None.
received: int | None = None


def install() -> None:
    """Handle SIGINT, SIGTERM and SIGHUP from now on; main thread only (a no-op
    elsewhere)."""
    if threading.current_thread() is not threading.main_thread():
        return
    # SIGHUP: the terminal or the ssh session the command ran in is gone.
    hangup = getattr(signal, "SIGHUP", None)
    for signum in (signal.SIGINT, signal.SIGTERM, *([hangup] if hangup else [])):
        signal.signal(signum, _handle)


def _handle(signum: int, frame: FrameType | None) -> None:
    global received
    if received is not None:
        # Asked twice: no more cleanup, no more output.
        os._exit(128 + signum)
    received = signum
    raise KeyboardInterrupt


def exit_code() -> int:
    """The exit code of a command ended by a signal: 130 (Ctrl-C), 143 (SIGTERM) or
    129 (SIGHUP)."""
    return 128 + (received or signal.SIGINT)


def word() -> str:
    """How the command ended, for its last message."""
    if received == signal.SIGTERM:
        return "terminated"
    if received == getattr(signal, "SIGHUP", None):
        return "hung up"
    return "interrupted"
