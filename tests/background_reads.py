"""Reading an iterator on a thread of its own, as a program reads a listing while
another thread closes the client."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any


def read_in_a_thread(items: Iterable[Any]) -> tuple[threading.Thread, list[Any]]:
    """A thread reading ``items`` to their end; what it read, then what it raised."""
    read: list[Any] = []

    def run() -> None:
        try:
            read.extend(items)
        except Exception as exc:
            read.append(exc)

    reader = threading.Thread(target=run, daemon=True)
    reader.start()
    return reader, read
