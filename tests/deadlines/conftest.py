from __future__ import annotations

from collections.abc import Iterator

import pytest
from deadline_support import BlackHole

from exportctl.sandbox import Faults, Sandbox


@pytest.fixture
def black_hole() -> Iterator[BlackHole]:
    hole = BlackHole()
    yield hole
    hole.close()


@pytest.fixture
def throttling() -> Iterator[Sandbox]:
    """Every API call is throttled."""
    with Sandbox(port=0, clock=lambda: 0.0, faults=Faults(throttle_rate=1.0)) as sb:
        yield sb


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(port=0, clock=lambda: 0.0) as sb:
        yield sb
