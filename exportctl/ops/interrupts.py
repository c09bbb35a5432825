"""Ctrl-C and SIGTERM: the first ends the command cleanly, a second ends it at once.

SIGTERM (what CI runners, ``timeout`` and process managers send) is handled like
Ctrl-C: both raise KeyboardInterrupt in the main thread, so every command stops the
same way (pending jobs named, JSON still printed, partial files removed). The exit
code tells them apart: 128 + the signal's number, 130 for SIGINT, 143 for SIGTERM.
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
    """Handle SIGINT and SIGTERM from now on; main thread only (a no-op elsewhere)."""
    if threading.current_thread() is not threading.main_thread():
        return
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _handle)


def _handle(signum: int, frame: FrameType | None) -> None:
    global received
    if received is not None:
        # Asked twice: no more cleanup, no more output.
        os._exit(128 + signum)
    received = signum
    raise KeyboardInterrupt


def exit_code() -> int:
    """The exit code of a command ended by a signal: 130 (Ctrl-C) or 143 (SIGTERM)."""
    return 128 + (received or signal.SIGINT)


def word() -> str:
    """How the command ended, for its last message."""
    return "terminated" if received == signal.SIGTERM else "interrupted"
