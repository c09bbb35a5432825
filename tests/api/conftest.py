"""The API's tests run against the sandbox as the plugin serves it to the API's users:
its fixtures, taken here by name (the plugin itself is loaded as a user loads it
in ``test_api_plugin.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from exportctl.testing import SandboxHandle, exportctl_sandbox, exportctl_sandbox_server

__all__ = ["exportctl_sandbox", "exportctl_sandbox_server", "own_sandbox"]

# A user's test folder, run by test_api_plugin.py in a pytest of its own.
collect_ignore = ["plugin_user"]


@pytest.fixture
def own_sandbox(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[SandboxHandle]:
    """A sandbox of the test's own, the test pointed at it as ``exportctl_sandbox``
    points a test at the session's, and stopped when the test ends: for a test that
    leaves a call hanging (a latency of a minute). On the session's sandbox that call
    would run on into the tests after it, and its retry, once its read timed out
    (30 s on), would be a call and a connection of theirs. Stopping closes it, and
    its calls are tried once: the call left hanging ends there and then."""
    from exportctl.sandbox import Sandbox

    for name in ("config", "credentials"):
        (tmp_path / name).write_text("")
    handle = SandboxHandle(Sandbox(port=0, clock=lambda: 0.0).start(), tmp_path)
    try:
        with handle.pointing(monkeypatch):
            monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
            yield handle
    finally:
        handle.stop()
