from __future__ import annotations

from collections.abc import Iterator

import pytest
from wait_support import FakeTime, Run

from exportctl import polling
from exportctl.sandbox import Sandbox


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    # A frozen clock: only FakeTime's sleeps move the scenario.
    with Sandbox(port=0, clock=lambda: 0.0) as sb:
        yield sb


@pytest.fixture
def fake_time(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> FakeTime:
    fake = FakeTime(sandbox)
    monkeypatch.setattr(polling.TIMING, "clock", fake.clock)
    monkeypatch.setattr(polling.TIMING, "sleep", fake.sleep)
    return fake


@pytest.fixture
def run(sandbox: Sandbox, fake_time: FakeTime) -> Run:
    return Run(sandbox)
