from __future__ import annotations

from collections.abc import Iterator

import pytest
from sleepless import FakeTime, Run, fake_time_for, frozen_sandbox

from exportctl.sandbox import Sandbox


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    # A frozen clock: only FakeTime's sleeps move the scenario.
    yield from frozen_sandbox()


@pytest.fixture
def fake_time(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> FakeTime:
    return fake_time_for(sandbox, monkeypatch)


@pytest.fixture
def run(sandbox: Sandbox, fake_time: FakeTime) -> Run:
    return Run(sandbox)
