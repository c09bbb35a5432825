"""Whose jobs an estimate is made from: the endpoint's, the account's, each job once,
whatever the commands run beside each other saved."""

from __future__ import annotations

import json

import pytest
from e2e_support import in_process

from exportctl.sandbox import Sandbox
from exportctl.sandbox.jobs import ACCOUNT

pytestmark = pytest.mark.e2e

PENDING = f"arn:aws:personalize:us-east-1:{ACCOUNT}:dataset-export-job/items-refresh"


def _basis(sandbox: Sandbox, *args: str) -> str | None:
    done = in_process(sandbox, *args, "--fields", "eta,eta_basis", "--json")
    assert done.returncode == 0, done.stderr
    basis: str | None = json.loads(done.stdout)["eta_basis"]
    return basis


def test_an_endpoint_set_by_aws_endpoint_url_keeps_a_history_of_its_own(
    sandbox: Sandbox,
) -> None:
    # What `eval "$(exportctl sandbox --detach)"` sets: AWS_ENDPOINT_URL, no option.
    with Sandbox(port=0, clock=lambda: 0.0) as other:
        assert in_process(sandbox, "list", "-s", "personalize").returncode == 0
        assert _basis(other, "status", PENDING) is None
        assert in_process(other, "list", "-s", "personalize").returncode == 0
        assert (_basis(other, "status", PENDING) or "").startswith("median of 4 ")


def test_another_accounts_jobs_never_estimate_this_accounts(sandbox: Sandbox) -> None:
    # 2 completed jobs of this account in eu-west-1, below the 3 an estimate needs;
    # the organization's other account has 2 more.
    search = "72400c49-b553-4ac5-aa7b-4b87113c16fd"
    running = f"arn:aws:backup-search:eu-west-1:{ACCOUNT}:search-export-job/{search}"
    here = ("--region", "eu-west-1", "list", "-s", "backupsearch")
    assert in_process(sandbox, *here).returncode == 0
    assert _basis(sandbox, "status", running) is None
    org = ("--org-role", "OrganizationAccountAccessRole")
    assert in_process(sandbox, *org, *here).returncode in (0, 4)
    assert _basis(sandbox, "status", running) is None


def test_a_job_printed_with_and_without_its_account_counts_once(sandbox: Sandbox) -> None:
    # The account is known to both listings; the references say it in the second only
    # (pinpoint:ACCOUNT:REGION:...), as several accounts are in play there.
    app = "ae7689447ab57a683536c4499d863386"
    created = f"pinpoint:us-east-1:{app}/9e3fab8c3bfc5e740e61572b4e3c02ea"
    regions = ("--region", "us-east-1,eu-west-1")
    assert in_process(sandbox, *regions, "list", "-s", "pinpoint").returncode == 0
    first = _basis(sandbox, *regions, "status", created)
    assert first and first.startswith("median of 4 ")
    org = ("--org-role", "OrganizationAccountAccessRole", "--region", "us-east-1")
    assert in_process(sandbox, *org, "list", "-s", "pinpoint").returncode in (0, 4)
    assert _basis(sandbox, *regions, "status", created) == first
