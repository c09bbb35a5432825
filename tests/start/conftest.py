"""`start` against the sandbox over HTTP, with scripted fates per call and a clock
that only the command's own sleeps move (they move the sandbox's too)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sleepless import FakeTime, fake_time_for, frozen_sandbox
from start_support import Run

from exportctl.sandbox import Sandbox


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    yield from frozen_sandbox()


@pytest.fixture
def fake_time(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> FakeTime:
    return fake_time_for(sandbox, monkeypatch)


@pytest.fixture
def run(sandbox: Sandbox, fake_time: FakeTime) -> Run:
    return Run(sandbox)
