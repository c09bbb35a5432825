"""wait --timeout bounds every call: botocore's retries and read timeouts included."""

from __future__ import annotations

import pytest
from deadline_support import PERSONALIZE_PENDING, BlackHole, environ, run

from exportctl.sandbox import Sandbox

pytestmark = pytest.mark.e2e


def test_a_throttling_storm_does_not_outlast_the_timeout(throttling: Sandbox) -> None:
    code, _, err = run(
        "wait",
        PERSONALIZE_PENDING,
        "--timeout",
        "2s",
        "--interval",
        "1s",
        env=environ(throttling.url),
    )

    assert code == 124
    assert "timed out after 2s; still pending" in err
    assert "ThrottlingException" in err
    # botocore retried within the deadline, and no more: ten attempts of its own
    # backoff would take longer than the timeout allows.
    calls = throttling.calls[("personalize", "DescribeDatasetExportJob")]
    assert 1 <= calls < 10


def test_an_endpoint_that_never_answers_does_not_outlast_the_timeout(
    black_hole: BlackHole,
) -> None:
    code, out, err = run(
        "wait", PERSONALIZE_PENDING, "--timeout", "2s", "--json", env=environ(black_hole.url)
    )

    assert code == 124
    assert out.strip() == "null"
    assert "timed out after 2s" in err
    assert "timed out" in err.lower()
    # One attempt a round, cut at the deadline; not ten of 30 s each.
    assert 1 <= black_hole.accepted <= 3
