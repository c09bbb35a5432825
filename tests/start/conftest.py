"""`start` against the sandbox over HTTP, with scripted fates per call and a clock
that only the command's own sleeps move (they move the sandbox's too)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from start_support import FakeTime, Run

from exportctl import polling
from exportctl.sandbox import Sandbox


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
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
