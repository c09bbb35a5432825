"""Running the CLI in-process against the sandbox."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from click.testing import CliRunner, Result
from sandbox_jobs import EXPORT_KINDS

from exportctl.cli.root import cli
from exportctl.sandbox import Sandbox


@dataclass
class Run:
    sandbox: Sandbox

    def __call__(
        self, *args: str, endpoint: bool = True, region: str | None = "us-east-1", **env: str
    ) -> Result:
        base: list[str] = []
        if endpoint:
            base += ["--endpoint-url", self.sandbox.url]
        if region:
            base += ["--region", region]
        environ = {"AWS_ACCESS_KEY_ID": "sandbox", "AWS_SECRET_ACCESS_KEY": "sandbox", **env}
        return CliRunner().invoke(cli, [*base, *args], env=environ, catch_exceptions=False)


def export_jobs(sandbox: Sandbox, region: str = "us-east-1") -> list[dict[str, Any]]:
    """The sandbox's own view of its export jobs (not search jobs or applications)."""
    return [j for j in sandbox.jobs() if j["region"] == region and j["kind"] in EXPORT_KINDS]
