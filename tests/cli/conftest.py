"""The CLI against the sandbox over real HTTP, in-process through click's runner."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from cli_support import Run

from exportctl.sandbox import Sandbox


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Sandbox]:
    # A frozen clock: the scenario stays put while a module's tests run.
    with Sandbox(port=0, clock=lambda: 0.0) as sb:
        yield sb


@pytest.fixture
def run(sandbox: Sandbox) -> Iterator[Run]:
    sandbox.reset_calls()
    # Every fault a test sets is its own (fates it left unused too): put back after.
    saved = sandbox.saved_faults()
    yield Run(sandbox)
    sandbox.restore_faults(saved)
