"""The CLI in-process against a sandbox, on a clock that only its own sleeps move.

Shared by the tests that drive commands which poll, retry or wait for jobs to run
their course (tests/wait, tests/start, tests/cli, tests/e2e): tests/ is on the path
of every test module (the root conftest lives here).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from click.testing import CliRunner, Result

from exportctl.cli.root import cli
from exportctl.ops.polling.timing import TIMING
from exportctl.sandbox import Sandbox
from exportctl.sandbox.s3 import S3Sandbox


@dataclass
class FakeTime:
    """A monotonic clock that only sleeping moves; sleeping moves the sandbox too.

    ``hooks`` run after each sleep with the number of sleeps so far: the place to
    change the world between two rounds (or to raise KeyboardInterrupt, as Ctrl-C
    during that sleep would).
    """

    sandbox: Sandbox
    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)
    hooks: list[Callable[[int], Any]] = field(default_factory=list)

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.now += seconds
        self.sandbox.advance(seconds)
        for hook in self.hooks:
            hook(len(self.sleeps))


@dataclass
class Run:
    """The command line against ``sandbox`` over HTTP, in us-east-1."""

    sandbox: Sandbox

    def __call__(self, *args: str, **env: str | None) -> Result:
        """``env``: variables set for the command (None: unset, as AWS_MAX_ATTEMPTS
        for a test of the attempts a create makes when the user sets none)."""
        base = ["--endpoint-url", self.sandbox.url, "--region", "us-east-1"]
        environ = {
            "AWS_ACCESS_KEY_ID": "sandbox",
            "AWS_SECRET_ACCESS_KEY": "sandbox",
            # Each read one attempt: a fault scripted for a read is met as scripted.
            "AWS_MAX_ATTEMPTS": "1",
            **env,
        }
        return CliRunner().invoke(cli, [*base, *args], env=environ, catch_exceptions=False)


def frozen_sandbox() -> Iterator[Sandbox]:
    """A sandbox whose clock moves only by FakeTime's sleeps (a fixture's body)."""
    with Sandbox(port=0, clock=lambda: 0.0) as sb:
        yield sb


def fake_time_for(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> FakeTime:
    """FakeTime as the commands' clock and sleep (a fixture's body)."""
    from exportctl.aws.deadlines import BACKOFFS

    fake = FakeTime(sandbox)
    monkeypatch.setattr(TIMING, "clock", fake.clock)
    monkeypatch.setattr(TIMING, "sleep", fake.sleep)
    # botocore's backoffs too, where a test leaves a read more than one attempt.
    monkeypatch.setattr(BACKOFFS, "sleep", fake.sleep)
    monkeypatch.setattr(BACKOFFS, "clock", fake.clock)
    return fake


def run(
    sandbox: Sandbox,
    *args: str,
    s3: S3Sandbox | None = None,
    region: str = "us-east-1",
    attempts: str | None = "1",
) -> Result:
    """``exportctl --endpoint-url SANDBOX --region REGION ARGS``, one attempt a call
    (``s3``: the sandbox's S3, for downloads; ``attempts``: AWS_MAX_ATTEMPTS, None
    unset, as for a create tried as many times as it is when the user sets none)."""
    env: dict[str, str | None] = {
        "AWS_ACCESS_KEY_ID": "x",
        "AWS_SECRET_ACCESS_KEY": "x",
        "AWS_MAX_ATTEMPTS": attempts,
    }
    if s3 is not None:
        env["AWS_ENDPOINT_URL_S3"] = s3.url
    words = ["--endpoint-url", sandbox.url, "--region", region, *args]
    return CliRunner().invoke(cli, words, env=env)
