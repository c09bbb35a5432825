"""Running wait and watch against the sandbox with a fake clock: time moves, nothing sleeps."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from click.testing import CliRunner, Result

from exportctl.cli.main import cli
from exportctl.sandbox import Sandbox

APP = "ae7689447ab57a683536c4499d863386"
ARN = "arn:aws:personalize:us-east-1:123456789012:dataset-export-job/"
# Jobs of the sandbox scenario (us-east-1) and what becomes of them.
PINPOINT_PROCESSING = f"pinpoint:{APP}/9fe8110102c995f1abef543b5dfce8a9"  # COMPLETED at +40 s
PINPOINT_CREATED = f"pinpoint:{APP}/9e3fab8c3bfc5e740e61572b4e3c02ea"  # COMPLETED at +60 s
PINPOINT_FAILING = f"pinpoint:{APP}/ce20c4fd32f640d0032634f087e51b42"  # FAILED at +35 s
PINPOINT_STUCK = f"pinpoint:{APP}/81a049d7ccc7e90a88d519448fb2fc67"  # COMPLETING for good
PERSONALIZE_PENDING = ARN + "items-refresh"  # CREATE IN_PROGRESS +20 s, ACTIVE +60 s
PERSONALIZE_RUNNING = ARN + "interactions-incremental"  # ACTIVE at +30 s
PERSONALIZE_FAILED = ARN + "users-denied"  # CREATE FAILED already
DISCOVERY_RUNNING = "discovery:export-1ecb19dd-8b7c-46b2-aa22-eccdf03eeddf"  # SUCCEEDED +25 s
BACKUP_RUNNING = (
    "arn:aws:backup-search:us-east-1:123456789012:search-export-job/"
    "2c376631-129f-4436-aaad-80b891baf90d"
)


@dataclass
class FakeTime:
    """A monotonic clock that only sleeping moves; sleeping moves the sandbox too.

    ``hooks`` run after each sleep with the number of sleeps so far: the place to
    change the world between two rounds.
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
    sandbox: Sandbox

    def __call__(self, *args: str, **env: str) -> Result:
        base = ["--endpoint-url", self.sandbox.url, "--region", "us-east-1"]
        environ = {
            "AWS_ACCESS_KEY_ID": "sandbox",
            "AWS_SECRET_ACCESS_KEY": "sandbox",
            # Retries are the wait's own business here, on the fake clock.
            "AWS_MAX_ATTEMPTS": "1",
            **env,
        }
        return CliRunner().invoke(cli, [*base, *args], env=environ, catch_exceptions=False)
