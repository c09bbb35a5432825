"""A wait's deadline bounds its own calls, in every region and account it reads."""

from __future__ import annotations

import pytest

from exportctl import Client, State
from exportctl.aws import deadlines
from exportctl.testing import SandboxHandle


@pytest.mark.parametrize("region", ["us-east-1", "us-east-1,us-west-2"])
def test_a_waits_calls_are_bounded_by_its_deadline_in_every_region(
    exportctl_sandbox: SandboxHandle, monkeypatch: pytest.MonkeyPatch, region: str
) -> None:
    # Over several regions the reads run on a pool of their own threads: the
    # deadline must go with them (it lives in the caller's context).
    # COMPLETED, not merely ended: other tests on the shared sandbox start jobs
    # that fail (a denied bucket), and the newest are listed first.
    ended = next(job for job in exportctl_sandbox.client().list() if job.state is State.COMPLETED)
    seen: list[float | None] = []
    real = deadlines.time_left

    def recording() -> float | None:
        left = real()
        seen.append(left)
        return left

    monkeypatch.setattr(deadlines, "time_left", recording)
    with Client(region=region) as client:
        assert client.wait(ended.ref, timeout=60)
    assert seen and all(left is not None and 0 < left <= 60 for left in seen), seen
