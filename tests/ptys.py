"""Reading what a command writes to a pseudo-terminal: shared by the tests that run
one on a real terminal (tests/e2e, tests/wait). tests/ is on every test's path."""

from __future__ import annotations

import os
import select


def readable(fd: int, timeout: float) -> bool:
    """Whether ``fd`` has something to read (or its other end closed) within ``timeout``
    seconds. poll, not select: a worker that has run hundreds of commands in process
    may hold descriptors past select's 1,024."""
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return bool(poller.poll(timeout * 1000))


def read_some(fd: int, timeout: float) -> bytes | None:
    """What the command wrote to the terminal ``fd`` within ``timeout`` seconds: None
    for nothing yet, b"" once it has closed its end (EIO on a pseudo-terminal, or an
    end of file)."""
    if not readable(fd, timeout):
        return None
    try:
        return os.read(fd, 65536)
    except OSError:  # EIO: every end of the terminal but this one is closed
        return b""
