"""Clients let go, counted towards the next full collection of the garbage.

A client is cyclic garbage (botocore makes a class per client), old enough by the
time it is let go to wait for a full collection, which a one-shot command does not
otherwise make (:func:`exportctl.cli.context.one_shot`).
"""

from __future__ import annotations

import threading

# Clients let go (about 0.2 MiB each) between two full collections of the garbage.
RELEASED_PER_COLLECTION = 512


class _Released:
    """Clients let go by every Clients of the process (an organization's accounts
    each have one), counted towards the next collection."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count = 0

    def reset(self) -> None:
        with self._lock:
            self._count = 0

    def count(self, released: int) -> bool:
        """Count ``released`` more; True when it is time to collect."""
        with self._lock:
            self._count += released
            if self._count < RELEASED_PER_COLLECTION:
                return False
            self._count = 0
            return True


RELEASED = _Released()


def count_released_from_zero() -> None:
    """Start counting released clients afresh: one command's, not the process's so far
    (one process runs several commands in tests and through the Python API)."""
    RELEASED.reset()
