"""Fault injection: what can go wrong on the wire, decided by a seeded RNG."""

from __future__ import annotations

import random
import threading
from dataclasses import asdict, dataclass, field, fields
from typing import Any

ALL_SERVICES = "*"


@dataclass
class Faults:
    """Mutable fault settings; the server reads them on every request.

    ``deny`` holds botocore service names (``"pinpoint"``) or ``"*"`` for all.
    ``page_size`` caps the items per page whatever the client asks for.
    """

    latency: float = 0.0
    throttle_rate: float = 0.0
    error_rate: float = 0.0
    page_size: int | None = None
    drop_rate: float = 0.0
    deny: set[str] = field(default_factory=set)

    def denies(self, service: str) -> bool:
        return ALL_SERVICES in self.deny or service in self.deny

    def update(self, changes: dict[str, Any]) -> None:
        """Apply a partial update (as sent to the admin endpoint), validating values."""
        known = {f.name for f in fields(self)}
        unknown = set(changes) - known
        if unknown:
            raise ValueError(f"unknown fault settings: {sorted(unknown)}")
        for name, value in changes.items():
            if name == "deny":
                if isinstance(value, str):
                    value = [value]
                if value is True:
                    value = [ALL_SERVICES]
                self.deny = {str(v) for v in (value or [])}
            elif name == "page_size":
                self.page_size = None if value is None else _positive_int(value)
            elif name == "latency":
                self.latency = max(0.0, float(value))
            else:
                setattr(self, name, _rate(value, name))

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["deny"] = sorted(self.deny)
        return data


def _rate(value: Any, name: str) -> float:
    rate = float(value)
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"{name} must be between 0 and 1")
    return rate


def _positive_int(value: Any) -> int:
    number = int(value)
    if number < 1:
        raise ValueError("page_size must be at least 1")
    return number


class Dice:
    """A seeded RNG shared by request threads; the lock keeps its sequence intact."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    def roll(self, rate: float) -> bool:
        if rate <= 0.0:
            return False
        with self._lock:
            return self._rng.random() < rate

    def hex(self, nbytes: int) -> str:
        with self._lock:
            return self._rng.getrandbits(nbytes * 8).to_bytes(nbytes, "big").hex()
