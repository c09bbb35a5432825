"""The API calls made, counted by (service, operation), shared by a command's credential sets."""

from __future__ import annotations

import threading


class CallCounter:
    """API calls made, by (service, operation); thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.counts: dict[tuple[str, str], int] = {}

    def add(self, service: str, operation: str) -> None:
        with self._lock:
            key = (service, operation)
            self.counts[key] = self.counts.get(key, 0) + 1

    def total(self) -> int:
        with self._lock:
            return sum(self.counts.values())

    def snapshot(self) -> dict[tuple[str, str], int]:
        with self._lock:
            return dict(self.counts)

    def since(self, before: dict[tuple[str, str], int]) -> dict[tuple[str, str], int]:
        """The calls made since ``before`` (a :meth:`snapshot`), of the operations called."""
        after = self.snapshot()
        return {k: n - before.get(k, 0) for k, n in after.items() if n != before.get(k, 0)}
