"""Running the CLI over several accounts and regions of the sandbox, and what to expect."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from click.testing import CliRunner, Result
from sandbox_jobs import listed_export_jobs, record_id

from exportctl.cli.root import cli
from exportctl.sandbox import Sandbox
from exportctl.sandbox.accounts import DATA_ACCOUNTS

REGIONS = ("us-east-1", "eu-west-1", "us-west-2", "ap-southeast-2")


@dataclass
class Run:
    sandbox: Sandbox

    def __call__(self, *args: str, **env: str | None) -> Result:
        """The command, in this environment; a variable given None is unset."""
        environ = {
            "AWS_ENDPOINT_URL": self.sandbox.url,
            "AWS_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "AKIASANDBOXEXAMPLE01",
            "AWS_SECRET_ACCESS_KEY": "sandbox",
            **env,
        }
        return CliRunner().invoke(cli, list(args), env=environ, catch_exceptions=False)

    def records(self, *args: str) -> list[dict[str, Any]]:
        result = self(*args, "-o", "json")
        assert result.exit_code == 0, result.stderr
        records: list[dict[str, Any]] = json.loads(result.stdout)
        return records


def seeded(sandbox: Sandbox) -> set[tuple[str, str, str, str]]:
    """(account, region, service, id) of every export job a listing of the accounts that
    hold jobs shows."""
    return {
        (j["account"], j["region"], j["service"], record_id(j))
        for j in listed_export_jobs(sandbox, account=None)
        if j["account"] in DATA_ACCOUNTS
    }


def seen(record: dict[str, Any]) -> tuple[str, str, str, str]:
    return (record["account"], record["region"], record["service"], record["id"])
