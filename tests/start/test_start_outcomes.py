"""What a create that met no answer means: never sent (retried at once), or perhaps
received (the job may exist: looked for before another create is sent)."""

from __future__ import annotations

import botocore.exceptions as bex
import pytest

from exportctl.aws.errorcodes import never_sent, unreached
from exportctl.ops.start.outcomes import outcome_of

URL = "https://127.0.0.1:9"


@pytest.mark.parametrize(
    ("exc", "outcome", "timed_out"),
    [
        # No connection was made: the request never left.
        (bex.EndpointConnectionError(endpoint_url=URL), "refused", False),
        (bex.ConnectTimeoutError(endpoint_url=URL), "refused", True),
        # Sent, then the connection closed or went quiet: AWS may have made the job.
        (bex.ConnectionClosedError(endpoint_url=URL), "unknown", False),
        (bex.ReadTimeoutError(endpoint_url=URL), "unknown", True),
    ],
)
def test_a_create_is_never_sent_only_when_no_connection_was_made(
    exc: Exception, outcome: str, timed_out: bool
) -> None:
    assert outcome_of(exc) == outcome
    assert never_sent(exc) == (outcome == "refused")
    # "Could not reach" (and a server known gone) is another question: a connection
    # closed before any answer is one, a timeout is said as a timeout.
    assert unreached(exc) == (not timed_out)
