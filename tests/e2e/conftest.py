from __future__ import annotations

from collections.abc import Iterator

import pytest
from lifecycle_support import World
from sleepless import fake_time_for

from exportctl.sandbox import Sandbox
from exportctl.sandbox.s3 import start_s3


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(port=0, clock=lambda: 0.0) as sb:
        yield sb


@pytest.fixture(scope="module")
def servers() -> Iterator[World]:
    """One sandbox and S3 for the module (moto is slow to start): each test starts jobs
    of its own names."""
    with Sandbox(port=0, clock=lambda: 0.0) as sb, start_s3(sb) as s3:
        yield sb, s3


@pytest.fixture
def world(servers: World, monkeypatch: pytest.MonkeyPatch) -> World:
    """The module's servers, their call counts and scripted fates cleared, on a clock
    that moves only when a command would sleep."""
    sb, _ = servers
    sb.reset_calls()
    sb.faults.fates = {}
    fake_time_for(sb, monkeypatch)
    return servers
