"""Fixtures of the adapter tests: a Jobs facade and Stubbers on its own clients."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from adapter_stubs import Stubs, make_jobs

from exportctl.ops.jobs import Jobs


@pytest.fixture
def jobs() -> Jobs:
    return make_jobs()


@pytest.fixture
def stubs(jobs: Jobs) -> Iterator[Stubs]:
    stubs = Stubs(jobs)
    yield stubs
    # Every planned answer was asked for: no request went missing.
    stubs.close()
