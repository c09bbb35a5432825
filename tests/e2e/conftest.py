from __future__ import annotations

from collections.abc import Iterator

import pytest

from exportctl.sandbox import Sandbox


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(port=0, clock=lambda: 0.0) as sb:
        yield sb
