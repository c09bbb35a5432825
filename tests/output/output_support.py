"""Running the CLI in-process against a sandbox, for the output tests."""

from __future__ import annotations

from click.testing import CliRunner, Result

from exportctl.cli.root import cli
from exportctl.sandbox import Sandbox

SANDBOX_ENV = {"AWS_ACCESS_KEY_ID": "sandbox", "AWS_SECRET_ACCESS_KEY": "sandbox"}


def invoke(sandbox: Sandbox, *args: str, **env: str) -> Result:
    base = ["--endpoint-url", sandbox.url, "--region", "us-east-1"]
    return CliRunner().invoke(cli, [*base, *args], env={**SANDBOX_ENV, **env})
