"""The CLI over several accounts and regions of the sandbox's organization, in-process."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from board_support import Run

from exportctl.sandbox import Sandbox


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(port=0, clock=lambda: 0.0) as sb:
        yield sb


@pytest.fixture
def run(sandbox: Sandbox) -> Run:
    return Run(sandbox)


@pytest.fixture
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    """botocore's retries as they are, paced in milliseconds instead of seconds."""
    from botocore.retries import standard

    monkeypatch.setattr(
        standard.ExponentialBackoff,
        "delay_amount",
        lambda self, context: 0.002 * context.attempt_number,
    )
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "25")


@pytest.fixture
def profiles(sandbox: Sandbox) -> list[str]:
    """A credentials file with one profile per account, as a user would have."""
    import os

    path = Path(os.environ["AWS_SHARED_CREDENTIALS_FILE"])
    path.parent.mkdir(parents=True, exist_ok=True)
    names = {"management": "123456789012", "analytics": "210987654321", "retail": "345678901234"}
    path.write_text(
        "".join(
            f"[{name}]\naws_access_key_id = {sandbox.access_key(account)}\n"
            "aws_secret_access_key = sandbox\n"
            for name, account in names.items()
        )
    )
    return list(names)
