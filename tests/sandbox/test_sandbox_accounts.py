"""Several accounts: access keys, sts:AssumeRole, GetCallerIdentity, organizations:ListAccounts."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from sandbox_helpers import ClientFactory

from exportctl.sandbox import Sandbox
from exportctl.sandbox.accounts import DATA_ACCOUNTS, DISABLED_REGION, MANAGEMENT


def _code(call: Callable[[], Any]) -> tuple[str, int]:
    with pytest.raises(ClientError) as info:
        call()
    response = info.value.response
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"]


def _assumed(
    sandbox: Sandbox, client: ClientFactory, account: str, region: str, service: str
) -> Any:
    answer = client("sts").assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/exportctl-reader", RoleSessionName="exportctl"
    )
    creds = answer["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA")
    assert answer["AssumedRoleUser"]["Arn"] == (
        f"arn:aws:sts::{account}:assumed-role/exportctl-reader/exportctl"
    )
    return boto3.session.Session().client(
        service,
        endpoint_url=sandbox.url,
        region_name=region,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )


def test_caller_identity_per_access_key(sandbox: Sandbox, client: ClientFactory) -> None:
    # Any unknown key is the management account, as the sandbox always served.
    assert client("sts").get_caller_identity()["Account"] == MANAGEMENT
    for account in DATA_ACCOUNTS:
        who = client("sts", access_key=sandbox.access_key(account)).get_caller_identity()
        assert who["Account"] == account
        assert who["Arn"].startswith(f"arn:aws:iam::{account}:user/")


def test_each_account_sees_its_own_jobs(sandbox: Sandbox, client: ClientFactory) -> None:
    seen: dict[str, set[str]] = {}
    for account in DATA_ACCOUNTS:
        key = sandbox.access_key(account)
        arns = set()
        for region in ("us-east-1", "eu-west-1", "us-west-2", "ap-southeast-2"):
            jobs = client("personalize", region, access_key=key).list_dataset_export_jobs()
            arns |= {j["datasetExportJobArn"] for j in jobs["datasetExportJobs"]}
        assert arns and all(f":{account}:" in arn for arn in arns)
        seen[account] = arns
    regions = {arn.split(":")[3] for arns in seen.values() for arn in arns}
    assert regions == {"us-east-1", "eu-west-1", "us-west-2", "ap-southeast-2"}
    assert {j["account"] for j in sandbox.jobs(account=None)} == set(DATA_ACCOUNTS)
    assert {j["account"] for j in sandbox.jobs()} == {MANAGEMENT}


def test_assume_role_reaches_the_member_account(sandbox: Sandbox, client: ClientFactory) -> None:
    personalize = _assumed(sandbox, client, "210987654321", "us-west-2", "personalize")
    jobs = personalize.list_dataset_export_jobs()["datasetExportJobs"]
    assert jobs and all(":210987654321:" in j["datasetExportJobArn"] for j in jobs)
    sts = _assumed(sandbox, client, "210987654321", "us-east-1", "sts")
    assert sts.get_caller_identity()["Account"] == "210987654321"


def test_roles_that_cannot_be_assumed(client: ClientFactory) -> None:
    sts = client("sts")
    for arn in (
        "arn:aws:iam::666677778888:role/exportctl-reader",  # no such role there
        "arn:aws:iam::555566667777:role/exportctl-reader",  # suspended account
        "arn:aws:iam::210987654321:role/no-such-role",
    ):
        assert _code(lambda arn=arn: sts.assume_role(RoleArn=arn, RoleSessionName="xy")) == (
            "AccessDenied",
            403,
        )


def test_expired_session_is_refused(sandbox: Sandbox, client: ClientFactory) -> None:
    personalize = _assumed(sandbox, client, "210987654321", "us-west-2", "personalize")
    personalize.list_dataset_export_jobs()
    sandbox.identities.expire_sessions()
    assert _code(personalize.list_dataset_export_jobs) == ("ExpiredTokenException", 403)


def test_list_accounts_pages_and_statuses(client: ClientFactory) -> None:
    orgs = client("organizations")
    pages = list(orgs.get_paginator("list_accounts").paginate(MaxResults=2))
    assert len(pages) == 3
    accounts = {a["Id"]: a["Status"] for page in pages for a in page["Accounts"]}
    assert accounts["555566667777"] == "SUSPENDED"
    assert set(DATA_ACCOUNTS) <= {i for i, s in accounts.items() if s == "ACTIVE"}
    member = client("organizations", access_key="AKIASANDBOXEXAMPLE02")
    assert _code(member.list_accounts) == ("AccessDeniedException", 400)


def test_denied_account_and_disabled_region(sandbox: Sandbox, client: ClientFactory) -> None:
    denied = sandbox.access_key("444455556666")
    assert client("sts", access_key=denied).get_caller_identity()["Account"] == "444455556666"
    assert _code(client("personalize", access_key=denied).list_dataset_export_jobs) == (
        "AccessDeniedException",
        400,
    )
    assert _code(client("pinpoint", access_key=denied).get_apps) == ("ForbiddenException", 403)
    for service, call in (
        ("personalize", "list_dataset_export_jobs"),
        ("pinpoint", "get_apps"),
        ("backupsearch", "list_search_result_export_jobs"),
        ("discovery", "describe_export_tasks"),
    ):
        made = getattr(client(service, DISABLED_REGION), call)
        assert _code(made) == ("UnrecognizedClientException", 403)


def test_no_home_region_for_discovery(sandbox: Sandbox, client: ClientFactory) -> None:
    retail = client("discovery", "eu-west-1", access_key=sandbox.access_key("345678901234"))
    assert _code(retail.describe_export_tasks) == ("HomeRegionNotSetException", 400)


def test_sts_errors_are_query_xml(sandbox: Sandbox) -> None:
    request = urllib.request.Request(
        sandbox.url + "/",
        data=b"Action=AssumeRole&Version=2011-06-15&RoleArn=arn:aws:iam::666677778888:role/x"
        b"&RoleSessionName=s",
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
        method="POST",
    )
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(request, timeout=5)
    body = info.value.read().decode()
    assert info.value.code == 403
    assert body.startswith('<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">')
    assert "<Code>AccessDenied</Code>" in body and "<Type>Sender</Type>" in body


def test_calls_are_counted_by_account(sandbox: Sandbox, client: ClientFactory) -> None:
    client("sts", access_key=sandbox.access_key("210987654321")).get_caller_identity()
    client("personalize", "us-west-2", access_key="AKIASANDBOXEXAMPLE02").list_dataset_export_jobs()
    assert sandbox.account_calls == {
        ("210987654321", "sts", "GetCallerIdentity"): 1,
        ("210987654321", "personalize", "ListDatasetExportJobs"): 1,
    }


def test_an_organization_sized_for_scale_tests(boto_session: boto3.session.Session) -> None:
    # `exportctl sandbox --accounts N`: the scenario's six accounts, then members that
    # hold jobs in two regions each and are reached through a role.
    with Sandbox(port=0, clock=lambda: 0.0, accounts=45) as sized:
        assert len(sized.accounts) == 45
        orgs = boto_session.client(
            "organizations", endpoint_url=sized.url, region_name="us-east-1",
            aws_access_key_id="x", aws_secret_access_key="x",
        )  # fmt: skip
        pages = list(orgs.get_paginator("list_accounts").paginate())
        assert len(pages) == 3
        listed = [a for page in pages for a in page["Accounts"]]
        assert len({a["Id"] for a in listed}) == 45
        member = sized.accounts[-1]
        assert member.regions and member.access_key is None and member.status == "ACTIVE"
        jobs = sized.jobs(account=member.id)
        assert {j["region"] for j in jobs} == set(member.regions)
        # A member's jobs are its own: ids differ from another member's.
        other = sized.accounts[-2]
        assert {j["id"] for j in jobs}.isdisjoint(j["id"] for j in sized.jobs(account=other.id))
    assert len(Sandbox(port=0).accounts) == 6
    # Fewer than the scenario's own were silently six.
    with pytest.raises(ValueError, match="at least 6 accounts, not 5: the scenario's own"):
        Sandbox(port=0, accounts=5)
    assert len(Sandbox(port=0, accounts=6).accounts) == 6
