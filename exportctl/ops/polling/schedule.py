"""When rounds run: the first at once, then after a backoff with jitter, each delay
counted from the start of the last round, never past the deadline (tenacity)."""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

import tenacity

from exportctl.ops.polling.timing import Clock, Sleep, interruptible_sleep

DEFAULT_INTERVAL = 5.0
DEFAULT_CAP = 60.0


@dataclass(frozen=True)
class Backoff:
    """Delays between rounds: ``interval * factor**(n-1)``, at most ``cap``, ± ``jitter``."""

    interval: float = DEFAULT_INTERVAL
    cap: float = DEFAULT_CAP
    factor: float = 1.5
    jitter: float = 0.1

    def base(self, round_number: int) -> float:
        """The delay after round ``round_number``, before jitter."""
        steps = max(0, round_number - 1)
        if self.factor > 1 and self.interval > 0:
            # Past the cap more growth changes nothing, and the power of a wait's
            # 1,750th round (29 hours at a 60 s cap) overflows a float.
            to_cap = math.log(max(self.cap / self.interval, 1.0), self.factor)
            steps = min(steps, math.ceil(to_cap) + 1)
        return min(self.cap, self.interval * self.factor**steps)

    def delay(self, round_number: int, rng: random.Random) -> float:
        base = self.base(round_number)
        # Jitter spreads the calls of many waits started together (a CI matrix).
        spread = base * self.jitter
        return max(0.0, min(self.cap, base + rng.uniform(-spread, spread)))


class _Wait(tenacity.wait.wait_base):
    def __init__(
        self,
        backoff: Backoff,
        deadline: float | None,
        clock: Clock,
        rng: random.Random,
        started: list[float],
    ):
        self.backoff = backoff
        self.deadline = deadline
        self.clock = clock
        self.rng = rng
        self.started = started

    def __call__(self, retry_state: tenacity.RetryCallState) -> float:
        delay = self.backoff.delay(retry_state.attempt_number, self.rng)
        # Rounds start every delay: the time the last one took counts.
        delay = max(0.0, delay - (self.clock() - self.started[0]))
        if self.deadline is not None:
            delay = max(0.0, min(delay, self.deadline - self.clock()))
        return delay


class _Stop(tenacity.stop.stop_base):
    def __init__(self, deadline: float | None, clock: Clock):
        self.deadline = deadline
        self.clock = clock

    def __call__(self, retry_state: tenacity.RetryCallState) -> bool:
        return self.deadline is not None and self.clock() >= self.deadline


def repeat(
    round_fn: Callable[[], bool],
    *,
    backoff: Backoff,
    timeout: float | None = None,
    clock: Clock = time.monotonic,
    sleep: Sleep = interruptible_sleep,
    rng: random.Random | None = None,
    before_sleep: Callable[[float], None] | None = None,
) -> bool:
    """Run ``round_fn`` until it returns True; False if the deadline came first.

    The last round runs at the deadline itself. Exceptions from a round end it all.
    """
    deadline = None if timeout is None else clock() + timeout
    started = [clock()]

    def timed_round() -> bool:
        started[0] = clock()
        return round_fn()

    def announce(state: tenacity.RetryCallState) -> None:
        if before_sleep is not None and state.next_action is not None:
            before_sleep(state.next_action.sleep)

    retrying = tenacity.Retrying(
        sleep=sleep,
        wait=_Wait(backoff, deadline, clock, rng or random.Random(), started),
        stop=_Stop(deadline, clock),
        retry=tenacity.retry_if_result(lambda done: not done),
        before_sleep=announce,
        retry_error_callback=lambda state: False,
    )
    return bool(retrying(timed_round))
