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


@pytest.mark.parametrize(
    ("exc", "said"),
    [
        (bex.ConnectionClosedError(endpoint_url=URL),
         f'a valid response from endpoint URL: "{URL}"; check the network'),
        (bex.ClientError({"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded."},
                          "ResponseMetadata": {"HTTPStatusCode": 400}}, "StartExportTask"),
         "ThrottlingException (HTTP 400): Rate exceeded; the request rate"),
    ],
    ids=["botocore", "aws"],
)  # fmt: skip
def test_a_create_given_up_says_the_last_answer_without_a_doubled_stop(
    exc: Exception, said: str
) -> None:
    from exportctl.ops.start.outcomes import given_up
    from exportctl.ops.start.request import plan
    from exportctl.services import spec_for

    error = given_up(plan(spec_for("discovery"), {}, "us-east-1"), exc, 10, "unknown", 41.3)
    assert said in error.message and ".;" not in error.message, error.message
