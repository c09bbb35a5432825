from __future__ import annotations

from collections.abc import Iterator

import pytest

from exportctl.sandbox import Sandbox


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    # A frozen clock keeps the scenario still while a module's tests run.
    with Sandbox(port=0, clock=lambda: 0.0) as sb:
        yield sb


@pytest.fixture(autouse=True)
def _calm(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "sandbox" in request.fixturenames:
        sb: Sandbox = request.getfixturevalue("sandbox")
        sb.faults.deny = set()
        sb.faults.error_rate = 0.0
        sb.faults.page_size = None
        sb.reset_calls()
