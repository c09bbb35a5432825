"""What each of botocore's attempts of a call failed with, not only the last.

The error a call raises is its last attempt's; whether the call may have done what
it asked is told by every attempt (a 5xx once the work was done, then retries that
never left: refused). A caller that needs to know keeps them (``kept``) around the
call, in its own context (``contextvars``), so that the clients shared by threads
and tasks keep nobody else's.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from exportctl.aws.unretried import cut_short

_kept: ContextVar[list[BaseException] | None] = ContextVar("exportctl_attempts", default=None)


@contextlib.contextmanager
def kept() -> Iterator[list[BaseException]]:
    """The failures of the attempts of the calls made in the block (and in copies of
    its context), in order: the exception an attempt raised, or its error answer as
    the ClientError botocore would raise for it."""
    failures: list[BaseException] = []
    token = _kept.set(failures)
    try:
        yield failures
    finally:
        _kept.reset(token)


def keep_attempts(client: Any) -> None:
    """Have each attempt of ``client``'s calls noted where a caller keeps them."""
    name = client.meta.service_model.service_id.hyphenize()

    def note(**kwargs: Any) -> None:
        failures = _kept.get()
        if failures is None:
            return
        # As botocore's retries are told it: a body cut short is the dropped connection.
        seen = cut_short(kwargs)
        caught = seen.get("caught_exception")
        if caught is not None:
            failures.append(caught)
            return
        response = seen.get("response")
        if response and response[0].status_code >= 300 and isinstance(response[1], dict):
            from botocore.exceptions import ClientError

            operation = seen.get("operation")
            failures.append(ClientError(response[1], getattr(operation, "name", "")))

    # No answer of its own (None): botocore's retry handler decides every retry.
    client.meta.events.register(f"needs-retry.{name}", note, unique_id=f"attempts-kept-{name}")
