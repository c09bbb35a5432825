"""The clock and the sleep polling runs on: injected, so that a test moves time
instead of waiting for it."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

Clock = Callable[[], float]
Sleep = Callable[[float], None]
# The sleep of a wait on an event loop (exportctl.api.AsyncClient).
Pause = Callable[[float], Awaitable[None]]

# Longest stretch of a sleep Ctrl-C may have to wait for.
SLEEP_SLICE = 0.2


def interruptible_sleep(seconds: float, until: threading.Event | None = None) -> None:
    """``time.sleep`` in short slices; over at once when ``until`` is set.

    The kernel may hand SIGINT to any thread (the live view's refresh thread, an
    API call's worker); only the main thread's own sleep is cut short by it, so one
    long sleep could carry on for its whole length after Ctrl-C.
    """
    end = time.monotonic() + seconds
    while (left := end - time.monotonic()) > 0:
        if until is None:
            time.sleep(min(left, SLEEP_SLICE))
        elif until.wait(min(left, SLEEP_SLICE)):
            return


@dataclass
class Timing:
    """The clock, sleep and jitter the commands poll with; tests swap them for a fake
    clock, and a seeded jitter where the times printed must be the same every run."""

    clock: Clock = time.monotonic
    sleep: Sleep = interruptible_sleep
    rng: Callable[[], random.Random] = random.Random
    # None: asyncio.sleep, imported only by the waits that run on an event loop.
    pause: Pause | None = None


TIMING = Timing()
