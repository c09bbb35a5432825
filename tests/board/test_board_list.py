"""list over several accounts and regions: every job once, unreachable targets as notices."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from board_support import REGIONS, Run, seeded, seen
from sandbox_jobs import listed_export_jobs

from exportctl.sandbox import Sandbox
from exportctl.sandbox.accounts import DATA_ACCOUNTS
from exportctl.services import service_names

ORG = ("--org-role", "exportctl-reader", "--region", ",".join(REGIONS))


def test_every_job_exactly_once_under_throttling_and_5xx(
    run: Run, sandbox: Sandbox, quick_retries: None
) -> None:
    sandbox.faults.update({"throttle_rate": 0.3, "error_rate": 0.1})
    result = run(*ORG, "list", "-o", "json")
    assert result.exit_code == 0, result.stderr
    records = json.loads(result.stdout)
    keys = [seen(r) for r in records]
    assert len(keys) == len(set(keys))
    assert set(keys) == seeded(sandbox)
    # 3 accounts x 4 regions x every service: every combination that holds jobs is there.
    assert {(a, r) for a, r, _, _ in keys} >= {
        ("123456789012", "us-east-1"), ("123456789012", "eu-west-1"),
        ("210987654321", "us-west-2"), ("210987654321", "ap-southeast-2"),
        ("345678901234", "ap-southeast-2"), ("345678901234", "eu-west-1"),
    }  # fmt: skip
    assert {s for _, _, s, _ in keys} == set(service_names())
    assert sandbox.calls[("sts", "AssumeRole")] >= 5
    assert sandbox.calls[("sts", "GetCallerIdentity")] == 0  # accounts known from the org


def test_unreachable_accounts_are_notices_with_a_count(
    run: Run, sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        result = run(*ORG, "list", "-o", "json")
    assert result.exit_code == 0, result.stderr
    # A refused role is learned before a client of its account is built: botocore
    # never tries to refresh those credentials, and so never logs a failed refresh
    # (with its traceback, once per client) to an application's handlers. One
    # AssumeRole per ACTIVE account, the refused one included.
    assert [r.getMessage() for r in caplog.records if r.name.startswith("botocore")] == []
    assert sandbox.calls[("sts", "AssumeRole")] == 5
    notices = [line for line in result.stderr.splitlines() if line.startswith("exportctl: notice:")]
    text = "\n".join(notices)
    # The denied account: its services refuse, told once per service for all four regions.
    assert "account 444455556666; regions ap-southeast-2, eu-west-1, us-east-1, us-west-2:" in text
    # The account without the role: one line, no regions.
    assert (
        "account 666677778888: cannot assume arn:aws:iam::666677778888:role/exportctl-reader"
        in text
    )
    # No Migration Hub home region in the retail account.
    assert "account 345678901234; regions" in text and "Migration Hub home region" in text
    assert "555566667777" not in text  # SUSPENDED: never tried
    assert notices[-1].endswith("(account, region, service) targets could not be read")
    # 5 accounts tried x 4 regions x every service; out of reach, every target of the
    # denied account and of the one without the role, and Discovery in the 4 regions of
    # the retail account. Not counted: Discovery's other regions of an account it
    # answered in its home region.
    services = len(service_names())
    out_of_reach, targets = 2 * 4 * services + 4, 5 * 4 * services
    assert notices[-1].startswith(f"exportctl: notice: {out_of_reach} of {targets} ")


def test_an_account_named_is_an_error_but_not_hiding_the_others(run: Run, sandbox: Sandbox) -> None:
    result = run(
        *ORG, "--accounts", "210987654321,666677778888", "list", "-s", "personalize", "-o", "json"
    )
    assert result.exit_code == 4
    records = json.loads(result.stdout)
    assert records and {r["account"] for r in records} == {"210987654321"}
    assert "exportctl: error: account 666677778888: cannot assume" in result.stderr


def test_a_suspended_account_named_is_an_error_but_not_hiding_the_others(run: Run) -> None:
    result = run(
        *ORG, "--accounts", "210987654321,555566667777", "list", "-s", "personalize", "-o", "json"
    )
    # It was a usage error (exit 2) that printed nobody's jobs.
    assert result.exit_code == 4
    records = json.loads(result.stdout)
    assert records and {r["account"] for r in records} == {"210987654321"}
    assert (
        "exportctl: error: account 555566667777: SUSPENDED in the organization, not ACTIVE: "
        "its jobs cannot be read (--accounts names it)\n"
    ) in result.stderr


def test_the_count_of_targets_not_read_takes_in_those_said_as_errors(run: Run) -> None:
    result = run("--org-role", "exportctl-reader", "--region", "ap-east-1,us-east-1",
                 "list", "-s", "rds", "-o", "json")  # fmt: skip
    assert result.exit_code == 5
    # 5 accounts x 2 regions: the one without the role (2, notices), ap-east-1 of the
    # four others and us-east-1 of the denied one (5, errors). It said "2 of 10".
    assert "exportctl: notice: 7 of 10 (account, region, service) targets" in result.stderr


def test_a_region_that_is_not_enabled(run: Run) -> None:
    # Every region of the partition: Backup Search's endpoints are rules, not a list.
    result = run("--region", "all", "list", "-s", "backupsearch", "-o", "json")
    assert result.exit_code == 0, result.stderr
    assert {r["region"] for r in json.loads(result.stdout)} == {"us-east-1", "eu-west-1"}
    assert "region ap-east-1: the region is not enabled for this account" in result.stderr
    # Asked for by name, the same region is an error; the other region still answers.
    named = run("--region", "us-east-1,ap-east-1", "list", "-s", "backupsearch", "-o", "json")
    assert named.exit_code == 5
    assert {r["region"] for r in json.loads(named.stdout)} == {"us-east-1"}
    assert (
        "exportctl: error: region ap-east-1: the region is not enabled for this account (an "
        "opt-in region): enable it in the account settings, or leave it out of --region\n"
    ) in named.stderr


def test_the_organizations_and_the_regions_advice_names_the_options(run: Run) -> None:
    # The Python API names its keywords instead (tests/api/test_api_option_names.py).
    missing = run(*ORG, "--accounts", "999999999999", "list", "-s", "rds")
    assert missing.exit_code == 2
    assert missing.stderr == (
        "exportctl: error: --accounts: 999999999999 not in the organization's accounts\n"
    )
    member = run(*ORG, "list", "-s", "rds", AWS_ACCESS_KEY_ID="AKIASANDBOXEXAMPLE02")
    assert member.stderr.startswith("exportctl: error: cannot list the accounts of the ")
    assert member.stderr.endswith(
        "; --org-role needs organizations:ListAccounts, from the management account or a "
        "delegated administrator\n"
    )
    home = run("--region", "eu-west-1", "list", "-s", "discovery")
    assert home.stderr == (
        "exportctl: error: AWS Application Discovery: no Migration Hub home region is set "
        "for this account (or this is not it): pass --region with the home region\n"
    )
    nowhere = run("list", "-s", "rds", AWS_REGION=None)
    assert nowhere.stderr == (
        "exportctl: error: no AWS region: pass --region, set AWS_REGION, or set a region in "
        "the profile\n"
    )


def test_a_region_not_enabled_for_an_account_whose_every_call_is_denied(run: Run) -> None:
    # The README's organization example (tests/cli/test_readme.py runs it as written).
    # 444455556666 answers every export call with access denied, and ap-east-1 with
    # what refused credentials get: the denials show that AWS knows the credentials.
    result = run(
        "--org-role", "OrganizationAccountAccessRole", "--region", "all",
        "list", "--status", "failed", "-o", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert (
        "exportctl: notice: account 444455556666; region ap-east-1: "
        "the region is not enabled for this account"
    ) in result.stderr
    assert "refused the credentials" not in result.stderr
    assert "exportctl: error:" not in result.stderr and "aws configure" not in result.stderr
    for account in ("123456789012", "210987654321", "345678901234"):
        assert (
            f"exportctl: notice: account {account}; region ap-east-1: "
            "the region is not enabled for this account"
        ) in result.stderr
    records = json.loads(result.stdout)
    assert {r["account"] for r in records} == set(DATA_ACCOUNTS)
    assert {r["state"] for r in records} == {"FAILED"}
    # Refused everywhere, the same region is no notice: the credentials are bad. A few
    # regions with ap-east-1 in them show it as every region would, with fewer clients.
    refused = run(
        "--region", "us-east-1,eu-west-1,ap-east-1", "list", AWS_ACCESS_KEY_ID="ASIAUNKNOWN"
    )
    assert refused.exit_code == 4
    assert "not enabled" not in refused.stderr and "refused the credentials" in refused.stderr
    # Denied everywhere, the denials are the failure (exit 4), the region still a notice.
    # Every region: ap-east-1 named in --region would be an error of its own (exit 5).
    denied = run("--region", "all", "list", AWS_ACCESS_KEY_ID="DENIED")
    assert denied.exit_code == 4
    assert "exportctl: notice: region ap-east-1: the region is not enabled" in denied.stderr
    assert "refused the credentials" not in denied.stderr


def test_refused_credentials_everywhere_are_not_a_region_notice(run: Run) -> None:
    result = run("--region", "us-east-1,eu-west-1", "list", AWS_ACCESS_KEY_ID="ASIAUNKNOWN")
    assert result.exit_code == 4
    assert "not enabled" not in result.stderr


def test_profiles_add_account_and_region_columns(run: Run, profiles: list[str]) -> None:
    result = run(
        "--profile", "management,analytics", "--region", "us-east-1", "--region", "us-west-2",
        "list", "-s", "personalize",
        COLUMNS="250",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert {"REF", "ACCOUNT", "REGION", "STATE"} <= _header(result.stdout)
    body = result.stdout
    assert "210987654321" in body and "123456789012" in body and "us-west-2" in body
    one = run("--profile", "management", "list", "-s", "personalize", COLUMNS="250")
    header = _header(one.stdout)
    assert "REF" in header and "ACCOUNT" not in header and "REGION" not in header


def test_a_profile_whose_credentials_fail_is_named_once(
    run: Run, profiles: list[str], tmp_path: Path
) -> None:
    # "profile cp_fail: profile 'cp_fail': AWS credentials could not be had: ...".
    script = tmp_path / "fail.sh"
    script.write_text("#!/bin/sh\necho nope >&2\nexit 3\n")
    script.chmod(0o755)
    config = tmp_path / "config"
    config.write_text(f"[profile cp_fail]\ncredential_process = {script}\n")
    result = run(
        "--profile", "management,cp_fail", "list", "-s", "rds", AWS_CONFIG_FILE=str(config)
    )
    assert result.exit_code == 4, result.stderr
    [line] = [line for line in result.stderr.splitlines() if "cp_fail" in line]
    assert line == ("exportctl: error: profile cp_fail: its credential_process failed: nope")


def _header(table: str) -> set[str]:
    """A jobs table's column names: its header line, or both when each reference has
    a line of its own (the other cells' header below REF's)."""
    lines = table.splitlines()
    return set(lines[0].split()) | (set(lines[1].split()) if lines[0] == "REF" else set())


def test_calls_are_exactly_the_minimum(run: Run, sandbox: Sandbox) -> None:
    result = run("--region", "us-east-1,eu-west-1", "list", "-o", "json")
    assert result.exit_code == 0, result.stderr
    apps = {
        r: sum(1 for j in sandbox.jobs(region=r) if j["kind"] == "application") for r in REGIONS
    }
    # DynamoDB lists summaries: each export listed is described, a call like the others.
    exports = [j for j in listed_export_jobs(sandbox) if j["service"] == "dynamodb"]
    expected = {
        ("backupsearch", "ListSearchResultExportJobs"): 2,
        ("personalize", "ListDatasetExportJobs"): 2,
        ("discovery", "DescribeExportTasks"): 2,  # one answers, eu-west-1 is not its home
        ("pinpoint", "GetApps"): 2,
        ("pinpoint", "GetExportJobs"): apps["us-east-1"] + apps["eu-west-1"],
        ("dynamodb", "ListExports"): 2,
        ("dynamodb", "DescribeExport"): sum(
            1 for j in exports if j["region"] in ("us-east-1", "eu-west-1")
        ),
        ("rds", "DescribeExportTasks"): 2,
        ("logs", "DescribeExportTasks"): 2,
        # Image exports, then instance exports: a listing each.
        ("ec2", "DescribeExportImageTasks"): 2,
        ("ec2", "DescribeExportTasks"): 2,
        # Several services' jobs have no ARN: the account is asked once.
        ("sts", "GetCallerIdentity"): 1,
    }
    assert {service for service, _ in expected} == {*service_names(), "sts"}
    assert dict(sandbox.calls) == expected
    assert {r["account"] for r in json.loads(result.stdout)} == {"123456789012"}


def test_a_role_refused_once_is_asked_again_after_a_while(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A watch's rounds reuse one client: a passing refusal must not lose the account.
    from exportctl import Client
    from exportctl.ops import organization

    client = Client(org_role="exportctl-reader", accounts="210987654321", region="us-west-2",
                    endpoint_url=sandbox.url, access_key_id="AKIASANDBOXEXAMPLE01",
                    secret_access_key="x")  # fmt: skip
    sandbox.faults.garble = {"sts": "html"}
    first = client.list(strict=False)
    assert list(first) == [] and first.failures
    sandbox.faults.garble = {}
    # Within a command's seconds, the refusal stands: no STS call each region and service.
    assert list(client.list(strict=False)) == []
    later = organization._clock() + organization.REFUSAL_KEPT + 1
    monkeypatch.setattr(organization, "_clock", lambda: later)
    assert {job.account for job in client.list(strict=False)} == {"210987654321"}
