"""The sandbox clock: scenario time measured from the moment the server was built."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

MonotonicSource = Callable[[], float]


# The most the clock is moved at once: a century.
MAX_ADVANCE = 100 * 366 * 86400.0
# The furthest the clock goes (9000-01-01T00:00:00Z): past the year 9999 every
# answer's Date header, and any timestamp, is more than Python's datetime can hold,
# and a century at a time gets there in 80 advances.
LATEST_EPOCH = 221845392000.0


class SandboxClock:
    """Elapsed scenario seconds = source ticks since construction + manual offset.

    The source defaults to ``time.monotonic``; tests pass a frozen source
    (``lambda: 0.0``) and move time only with :meth:`advance`, so nothing sleeps.
    Wall time is pinned once at construction so every timestamp the scenario
    renders is stable relative to that instant.
    """

    def __init__(self, source: MonotonicSource | None = None, wall: float | None = None) -> None:
        self._source: MonotonicSource = source or time.monotonic
        self._origin = self._source()
        self._offset = 0.0
        self._lock = threading.Lock()
        self.start_wall: float = time.time() if wall is None else wall

    def elapsed(self) -> float:
        with self._lock:
            return self._source() - self._origin + self._offset

    def advance(self, seconds: float) -> float:
        if not math.isfinite(seconds) or seconds > MAX_ADVANCE:
            # Past the last year a timestamp can have, every answer would be unreadable.
            raise ValueError(
                "the sandbox clock moves by a finite number of seconds, at most a century"
            )
        if seconds < 0:
            raise ValueError("the sandbox clock only moves forward")
        with self._lock:
            now = self.start_wall + self._source() - self._origin + self._offset
            if now + seconds > LATEST_EPOCH:
                raise ValueError(
                    "the sandbox clock goes no further than the year 9000:"
                    f" at most {max(0.0, LATEST_EPOCH - now):.0f} seconds more"
                )
            self._offset += seconds
        return self.elapsed()

    def resume(self, elapsed: float, start_wall: float) -> None:
        """Go on from a clock saved by another process: ``elapsed`` seconds now (even
        fewer than so far, when the world it continues is another), timestamps
        measured from ``start_wall``."""
        with self._lock:
            self._offset = elapsed - (self._source() - self._origin)
            self.start_wall = start_wall

    def to_epoch(self, relative: float) -> float:
        """Epoch seconds of a scenario instant given relative to the start."""
        return self.start_wall + relative

    def now_epoch(self) -> float:
        return self.to_epoch(self.elapsed())


def scaled_clock(speed: float) -> SandboxClock:
    """A scenario clock running ``speed`` times faster than real time (for demos).

    Its timestamps run ahead of the wall clock as it goes.
    """
    return SandboxClock(lambda: time.monotonic() * speed)
