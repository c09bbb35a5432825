"""A sandbox and its S3 shared by a module's lifecycle tests, and the CLI run on them
in-process (the fixtures ``servers`` and ``world``: tests/e2e/conftest.py)."""

from __future__ import annotations

from click.testing import Result
from sleepless import run as run_sandbox

from exportctl.sandbox import Sandbox
from exportctl.sandbox.s3 import S3Sandbox

World = tuple[Sandbox, S3Sandbox]


def run(world: World, *args: str, attempts: str | None = "1") -> Result:
    """``attempts``: AWS_MAX_ATTEMPTS (None: unset, a create's retries as a user's)."""
    sb, s3 = world
    return run_sandbox(sb, *args, s3=s3, attempts=attempts)
