"""exportctl's commands against a sandbox whose clock only their own sleeps move: a
wait of minutes on the sandbox's clock takes no real time, and the command line is
the user's, in this process."""

from __future__ import annotations

import pytest
from click.testing import CliRunner, Result

from exportctl.cli.root import cli
from exportctl.ops.polling.timing import TIMING
from exportctl.sandbox import Sandbox
from exportctl.sandbox.s3 import S3Sandbox

REGION = "us-east-1"


class Moving:
    """A monotonic clock only sleeping moves; each sleep moves the sandbox too."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.now = 1000.0
        self.slept = 0.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.slept += seconds
        self.sandbox.advance(seconds)


def move_with(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Moving:
    """Make exportctl's clock and sleeps, for this test, those of ``sandbox``."""
    moving = Moving(sandbox)
    monkeypatch.setattr(TIMING, "clock", moving.clock)
    monkeypatch.setattr(TIMING, "sleep", moving.sleep)
    return moving


def run(sandbox: Sandbox, *args: str, s3: S3Sandbox | None = None, region: str = REGION) -> Result:
    """``exportctl --endpoint-url SANDBOX --region REGION ARGS``, one attempt a call."""
    env = {"AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x", "AWS_MAX_ATTEMPTS": "1"}
    if s3 is not None:
        env["AWS_ENDPOINT_URL_S3"] = s3.url
    words = ["--endpoint-url", sandbox.url, "--region", region, *args]
    return CliRunner().invoke(cli, words, env=env)
