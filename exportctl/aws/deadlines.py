"""Deadlines of calls: a call made inside ``deadline(at)`` ends by ``at`` (a
time.monotonic() value), retries and all.

Each attempt's read timeout is cut to what is left, and a retry whose backoff would
not leave time for one more attempt is not made, so botocore raises the last error
instead. botocore still makes every call and decides every retry; this only narrows
its limits. Clients are shared by threads and tasks, so the deadline is the caller's
own: it lives in the caller's context (``contextvars``), which the threads it hands
its calls to run in a copy of (``ops.workers``), and bounds no one else's calls.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from exportctl.aws.unretried import cut_short, plain_5xx, untrusted_certificate

# Least time a retry must leave for its attempt, and least read timeout an attempt gets.
MIN_ATTEMPT = 0.25

_bound: ContextVar[float | None] = ContextVar("exportctl_deadline", default=None)


@dataclass
class Backoffs:
    """How the backoff before botocore's next attempt passes: None, botocore sleeps it;
    the pytest plugin's sandbox moves its clock on by it instead, as exportctl's own
    waits do there, so that a test of throttling takes no time (botocore sleeps 0).
    ``clock`` is the one that sees them pass: a call's time, retries included, is said
    on it, so that a message says what the backoffs took, not 0 s where they took none."""

    sleep: Callable[[float], None] | None = None
    clock: Callable[[], float] = time.monotonic


BACKOFFS = Backoffs()


@contextlib.contextmanager
def deadline(at: float | None) -> Iterator[None]:
    """Calls made in the block (and in copies of its context) end by ``at``; None: no bound."""
    token = _bound.set(at)
    try:
        yield
    finally:
        _bound.reset(token)


def current_deadline() -> float | None:
    """The deadline of the calls made here, None without one."""
    return _bound.get()


def time_left() -> float | None:
    """Seconds before the deadline of the calls made here, None without one."""
    at = _bound.get()
    return None if at is None else at - time.monotonic()


def bound_by_deadlines(client: Any, read_timeout: float) -> None:
    """``client``'s retries and read timeouts bound by the calling thread's deadline;
    the answers botocore would not retry said to it as what they are, and an untrusted
    TLS certificate, which it would retry, not retried (``unretried``)."""
    from botocore.retries import standard

    events = client.meta.events
    name = client.meta.service_model.service_id.hyphenize()
    event, unique_id = f"needs-retry.{name}", f"retry-config-{name}"
    # The standard retry handler, once more, to be wrapped: botocore registered one
    # under this id and keeps no public handle on it.
    events.unregister(event, unique_id=unique_id)
    retry = standard.register_retry_handler(
        client, client.meta.config.retries.get("total_max_attempts")
    )
    events.unregister(event, unique_id=unique_id)

    def needs_retry(**kwargs: Any) -> float | None:
        if untrusted_certificate(kwargs.get("caught_exception")):
            return None
        delay: float | None = retry.needs_retry(**cut_short(kwargs))
        left = time_left()
        if delay is not None and left is not None and delay + MIN_ATTEMPT > left:
            return None
        if delay is not None and BACKOFFS.sleep is not None:
            BACKOFFS.sleep(delay)
            return 0.0
        return delay

    def read_in_time(request: Any, **kwargs: Any) -> None:
        left = time_left()
        if left is not None:
            request.context["read_timeout"] = max(MIN_ATTEMPT, min(read_timeout, left))

    events.register(event, needs_retry, unique_id=unique_id)
    events.register(f"request-created.{name}", read_in_time, unique_id=f"deadline-{name}")
    events.register(f"before-parse.{name}", plain_5xx, unique_id=f"plain-5xx-{name}")
