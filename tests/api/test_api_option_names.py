"""The messages of the checks the command line shares (a start's, a wait's, a
listing's, a download's) name the keyword arguments a Python caller gave, never the
command line's options."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from exportctl import (
    BadInput,
    Client,
    JobNotFound,
    RequestRefused,
    State,
    Unreachable,
    WaitTimeout,
)
from exportctl.api.options import keyword
from exportctl.services.refs import accepted_forms
from exportctl.testing import SandboxHandle

TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/orders"
EU_TABLE = TABLE.replace("us-east-1", "eu-west-1")
LOGS = {"log_group": "/app/names", "start_time": "1d", "bucket": "log-archive"}


@pytest.mark.parametrize(
    ("service", "given", "said"),
    [
        ("dynamodb", {"table": TABLE}, "Amazon DynamoDB: to is required"),
        ("discovery", {"start_time": "2d"}, "AWS Application Discovery: start_time needs agent_id"),
        (
            "dynamodb",
            {"table": TABLE, "to": "s3://exports/t/", "incremental_to": "1h"},
            "Amazon DynamoDB: incremental_to needs incremental_from",
        ),
        (
            "dynamodb",
            {"table": TABLE, "to": "exports/t/"},
            "Amazon DynamoDB: to 'exports/t/': takes s3://BUCKET/PREFIX (a bucket, then the "
            "folder)",
        ),
        (
            "dynamodb",
            {"table": EU_TABLE, "to": "s3://e/t/", "region": "us-east-1"},
            "Amazon DynamoDB: table is in eu-west-1, and region says us-east-1: "
            "a job is made in the region of what it exports",
        ),
        (
            "dynamodb",
            {"table": TABLE, "to": "s3://exports/t/", "format": "csv"},
            "Amazon DynamoDB: invalid value for 'format': 'csv' is not one of DYNAMODB_JSON, ION",
        ),
        (
            "dynamodb",
            {"table": TABLE, "to": "s3://exports/t/", "bucket_owner": "12"},
            "Amazon DynamoDB: invalid value for 'bucket_owner': '12' must satisfy regular "
            "expression pattern: [0-9]{12}",
        ),
    ],
)  # fmt: skip
def test_a_start_refused_names_the_keywords(
    exportctl_sandbox: SandboxHandle, service: str, given: dict[str, str], said: str
) -> None:
    calls = exportctl_sandbox.sandbox.calls.total()
    with pytest.raises(BadInput) as refused:
        Client().start(service, **given)
    assert refused.value.message == said
    assert exportctl_sandbox.sandbox.calls.total() == calls


def test_the_kind_of_an_ec2_export_is_asked_for_by_keyword(
    exportctl_sandbox: SandboxHandle,
) -> None:
    client = Client()
    to = "s3://exports/amis/"
    with pytest.raises(BadInput, match=r"EC2: image_id or instance_id is required: what to"):
        client.plan_start("ec2", to=to)
    with pytest.raises(BadInput, match=r"EC2: image_id and instance_id start different jobs"):
        client.plan_start("ec2", image_id="ami-1", instance_id="i-1", to=to)
    with pytest.raises(
        BadInput, match=r"EC2: target_environment is not an option of an export with image_id$"
    ):
        client.plan_start("ec2", image_id="ami-1", target_environment="vmware", to=to)


def test_an_arns_unknown_region_and_a_start_over_regions_name_the_keywords(
    exportctl_sandbox: SandboxHandle,
) -> None:
    mistyped = TABLE.replace("us-east-1", "us-eest-9")
    with pytest.raises(BadInput, match=r"^unknown region 'us-eest-9' in table; "):
        Client().plan_start("dynamodb", table=mistyped, to="s3://exports/t/")
    with pytest.raises(BadInput) as many:
        Client(region="us-east-1,eu-west-1").plan_start("discovery")
    assert many.value.message == (
        "a job is started in one region: give one region (several, or 'all', are for reading)"
    )


def test_a_full_slot_and_a_queue_out_of_time_name_the_keywords(
    exportctl_sandbox: SandboxHandle,
) -> None:
    client = Client()
    # CloudWatch Logs runs one task at a time: this one holds the slot (once free).
    holder = client.start("logs", **LOGS, queue=True, timeout=3600)
    with pytest.raises(RequestRefused) as full:
        client.start("logs", **LOGS)
    assert full.value.message.endswith(", or pass queue=True to start once a slot is free")
    with pytest.raises(WaitTimeout) as late:
        client.start("logs", **LOGS, queue=True, timeout=30)
    assert "Logs: no slot came free in 30s (timeout): " in late.value.message
    assert "--" not in full.value.message + late.value.message
    client.cancel(holder)


def test_a_wait_for_a_word_it_cannot_wait_for_names_until(
    exportctl_sandbox: SandboxHandle,
) -> None:
    client = Client()
    job = client.start("discovery")
    with pytest.raises(BadInput, match=r"^unknown until word 'DONE': use one of COMPLETED, "):
        client.wait(job, until="DONE")
    with pytest.raises(BadInput) as elsewhere:
        client.wait(job, until="ACTIVE")
    assert elsewhere.value.message == (
        "until 'ACTIVE' is a status of Amazon Personalize, and none of the jobs given is: "
        "use until COMPLETED"
    )


def test_a_max_interval_shorter_than_the_interval_names_the_keywords(
    exportctl_sandbox: SandboxHandle,
) -> None:
    client = Client()
    calls = exportctl_sandbox.sandbox.calls.total()
    said = (
        "max_interval 1s is shorter than interval 6s: "
        "give a max_interval at least as long, or leave max_interval out"
    )
    with pytest.raises(BadInput) as waited:
        client.wait("discovery:export-1", interval=6, max_interval=1)
    plan = client.plan_start("discovery")
    with pytest.raises(BadInput) as queued:
        client.submit(plan, queue=True, interval=6, max_interval=1)
    assert waited.value.message == said and queued.value.message == said
    assert exportctl_sandbox.sandbox.calls.total() == calls


def test_the_region_keyword_is_one_known_region_said_by_its_name(
    exportctl_sandbox: SandboxHandle,
) -> None:
    # Several regions reached botocore as one name ("us-east-1,eu-west-1"), whose
    # refusal advised --endpoint-url; a mistyped one was "in --region".
    client = Client()
    for several in ("us-east-1,eu-west-1", "all"):
        with pytest.raises(BadInput, match=r"one region: give one region \("):
            client.plan_start("logs", region=several, **LOGS)
    with pytest.raises(BadInput, match=r"^unknown region 'US-EAST-1' in region; "):
        client.plan_start("logs", region="US-EAST-1", **LOGS)
    assert client.plan_start("logs", region=" eu-west-1 ", **LOGS).to_dict()["region"] == (
        "eu-west-1"
    )


def test_a_listings_own_filters_are_named_by_their_keywords(
    exportctl_sandbox: SandboxHandle,
) -> None:
    client = Client()
    calls = exportctl_sandbox.sandbox.calls.total()
    with pytest.raises(BadInput) as empty:
        client.list("pinpoint", application_id=" ")
    assert empty.value.message == "application_id is empty: give a value, or leave it out"
    with pytest.raises(BadInput, match=r"^unknown region 'us-eest-9' in search_job; "):
        client.list(search_job="arn:aws:backup-search:us-eest-9:123456789012:search-job/a")
    with pytest.raises(BadInput) as elsewhere:
        client.watching("logs", table=TABLE)
    assert elsewhere.value.message == (
        "table filters Amazon DynamoDB's jobs, and the listing is of logs only: "
        "add 'dynamodb' to services, or leave table out"
    )
    assert exportctl_sandbox.sandbox.calls.total() == calls


def test_a_file_in_the_way_of_a_download_names_force_as_a_keyword(
    exportctl_sandbox: SandboxHandle, tmp_path: Path
) -> None:
    exportctl_sandbox.start_s3()
    client = Client()
    # A job whose output is at a URL (Discovery), one whose output is in S3 (Personalize).
    [by_url] = client.wait(client.start("discovery"), timeout=600)
    in_s3 = next(iter(client.list("personalize", states=State.COMPLETED)))
    for job in (by_url, in_s3):
        dest = tmp_path / job.service
        client.download(job, dest)
        next(p for p in dest.rglob("*") if p.is_file()).write_bytes(b"changed here\n")
        with pytest.raises(BadInput) as in_the_way:
            client.download(job, dest)
        assert in_the_way.value.message.endswith(": pass force=True to replace it")
        assert "--" not in in_the_way.value.message
        assert client.download(job, dest, force=True).files == 1


def test_a_bare_id_without_its_service_names_the_keyword(
    exportctl_sandbox: SandboxHandle,
) -> None:
    client = Client()
    forms = accepted_forms(keyword)
    assert "; ID with service; " in forms
    for refused in (
        lambda: client.get("export-1"),
        lambda: client.get_many(["export-1"]),
        lambda: client.cancel_many("export-1"),
        lambda: client.wait("export-1"),
        lambda: client.download("export-1"),
        lambda: client.plan_rerun("export-1"),
    ):
        with pytest.raises(BadInput) as bare:
            refused()
        assert bare.value.message == (
            f"bad reference 'export-1': a bare id needs service; accepted forms: {forms}"
        )
    with pytest.raises(BadInput) as malformed:
        client.backups("discovery:bad id!")
    assert "--" not in malformed.value.message
    # backups says the forms it takes, not every service's.
    from exportctl.ops.backups import accepted_forms as backups_forms

    assert malformed.value.message.endswith(f"; accepted forms: {backups_forms(keyword)}")
    assert "search-job:[REGION:]ID" in malformed.value.message
    assert "discovery:[REGION:]ID" not in malformed.value.message


@pytest.mark.parametrize(
    ("given", "said"),
    [
        ({"region": "all,us-east-1"}, "region all takes no other region"),
        ({"accounts": "123456789012"}, "accounts narrows org_role: pass org_role NAME too"),
        ({"org_role": "r", "accounts": "12"}, "accounts: '12' is not a 12-digit AWS account id"),
        ({"org_role": " "}, "org_role is empty: name the role to assume in each account"),
        (
            {"org_role": "r", "profile": ["a", "b"]},
            "org_role reads the organization of one profile, not several",
        ),
        (
            {"endpoint_url": "bogus"},
            "endpoint_url 'bogus' is not a URL: it needs http:// or https:// "
            "(e.g. http://127.0.0.1:4566)",
        ),
    ],
)  # fmt: skip
def test_a_clients_arguments_refused_name_the_keywords(
    exportctl_sandbox: SandboxHandle, given: dict[str, Any], said: str
) -> None:
    with pytest.raises(BadInput) as refused:
        Client(**given)
    assert refused.value.message == said
    # list's own keywords for other regions and accounts: regions, profiles.
    plural = {"region": "regions", "profile": "profiles"}
    spans = {plural.get(k, k): v for k, v in given.items()}
    if "endpoint_url" not in spans:
        with pytest.raises(BadInput) as listed:
            Client().list(**spans)
        assert listed.value.message == said.replace("region all", "regions all")


def test_a_mistyped_region_and_a_start_over_accounts_name_the_keywords(
    exportctl_sandbox: SandboxHandle,
) -> None:
    with pytest.raises(BadInput, match=r"^unknown region 'us-eest-9' in region; "):
        Client(region="us-eest-9").list("discovery")
    with pytest.raises(BadInput, match=r"^unknown region 'us-eest-9' in regions; "):
        Client().list("discovery", regions="us-eest-9")
    over = Client(org_role="OrganizationAccountAccessRole")
    with pytest.raises(BadInput) as refused:
        over.placed(over.plan_start("discovery"))
    assert refused.value.message == (
        "a job is started in one account: with org_role, name it with accounts ID; "
        "of several profile, give one"
    )


def test_an_unknown_profile_names_the_keyword_it_was_given_by(
    exportctl_sandbox: SandboxHandle,
) -> None:
    for refused, given in (
        (lambda: list(Client(profile="nope").list("discovery")), "profile"),
        (lambda: Client(profile="nope").get("discovery:us-east-1:export-1"), "profile"),
        (lambda: list(Client().list("discovery", profiles="nope")), "profiles"),
    ):
        with pytest.raises(BadInput) as unknown:
            refused()
        assert unknown.value.message.startswith(
            f"no AWS profile named 'nope' ({given}): profiles are read from "
        )
        assert "--" not in unknown.value.message


@pytest.mark.parametrize("mode", ["html", "shape", "gzip"])
@pytest.mark.parametrize(("given", "said"), [(True, "endpoint_url"), (False, "AWS_ENDPOINT_URL")])
def test_a_broken_answer_advises_the_endpoint_url_keyword(
    exportctl_sandbox: SandboxHandle, mode: str, given: bool, said: str
) -> None:
    # Given by its keyword; else the plugin's AWS_ENDPOINT_URL, which was named as the
    # keyword all the same.
    client = Client(endpoint_url=exportctl_sandbox.url) if given else Client()
    job = next(iter(client.list("discovery")))
    exportctl_sandbox.sandbox.faults.garble = {"discovery": mode}
    try:
        for read in (lambda: list(client.list("discovery")), lambda: client.get(job.ref)):
            with pytest.raises(Unreachable) as broken:
                read()
            assert broken.value.message.startswith("AWS Application Discovery: ")
            assert broken.value.message.endswith(f"; check the network and {said}")
            assert "--" not in broken.value.message
    finally:
        exportctl_sandbox.sandbox.faults.garble = {}


def test_an_endpoint_out_of_reach_advises_the_region_and_endpoint_url_keywords(
    exportctl_sandbox: SandboxHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    # Given by its keyword, as AWS_ENDPOINT_URL it would be named by the variable.
    client = Client(endpoint_url=exportctl_sandbox.url)
    exportctl_sandbox.sandbox.faults.drop_rate = 1.0
    try:
        with pytest.raises(Unreachable) as dropped:
            list(client.list("discovery"))
    finally:
        exportctl_sandbox.sandbox.faults.drop_rate = 0.0
    assert dropped.value.message == (
        f"AWS Application Discovery: could not reach {exportctl_sandbox.url}/: "
        "check the network, region and endpoint_url"
    )


def test_a_job_not_found_advises_the_keywords(exportctl_sandbox: SandboxHandle) -> None:
    client = Client()
    with pytest.raises(JobNotFound) as bare:
        client.get("export-0000", service="discovery")
    assert bare.value.message.endswith(
        "(account 123456789012); jobs in other regions need their region in the ref or region"
    )
    other = "arn:aws:dynamodb:us-east-1:210987654321:table/orders/export/01234567890123-abcdefgh"
    with pytest.raises(JobNotFound) as elsewhere:
        client.get(other)
    assert elsewhere.value.message.endswith(
        "the reference names account 210987654321: reach it with profile or org_role"
    )
    # A job of that name in this account: not the one the reference names.
    with pytest.raises(JobNotFound) as unlike:
        client.get("personalize:345678901234:eu-west-1:users-denied-eu")
    assert unlike.value.message.startswith("the reference names account 345678901234; ")
    assert unlike.value.message.endswith(": reach it with profile or org_role")


def test_the_organizations_and_the_regions_advice_names_the_keywords(
    exportctl_sandbox: SandboxHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    org = "exportctl-reader"
    with pytest.raises(BadInput) as missing:
        list(Client(org_role=org, accounts="999999999999").list("rds"))
    assert missing.value.message == "accounts: 999999999999 not in the organization's accounts"
    with pytest.raises(Unreachable) as suspended:
        list(Client(org_role=org, accounts="555566667777").list("rds"))
    assert suspended.value.message.endswith("its jobs cannot be read (accounts names it)")
    member = Client(org_role=org, access_key_id="AKIASANDBOXEXAMPLE02", secret_access_key="sandbox")
    with pytest.raises(RequestRefused) as refused:
        list(member.list("rds"))
    assert refused.value.message.endswith(
        "; org_role needs organizations:ListAccounts, from the management account or a "
        "delegated administrator"
    )
    with pytest.raises(Unreachable) as home:
        list(Client(region="eu-west-1").list("discovery"))
    assert home.value.message.endswith("(or this is not it): pass region with the home region")
    # A region not enabled, asked for by name: the client's region, or list's regions.
    for listing, given in (
        (Client(region="us-east-1,ap-east-1").list("backupsearch", strict=False), "region"),
        (Client().list("backupsearch", regions="us-east-1,ap-east-1", strict=False), "regions"),
    ):
        list(listing)
        [failure] = listing.failures
        assert failure.message.endswith(f"or leave it out of {given}")
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    with pytest.raises(BadInput) as nowhere:
        list(Client().list("rds"))
    assert nowhere.value.message == (
        "no AWS region: pass region, set AWS_REGION, or set a region in the profile"
    )
    with pytest.raises(BadInput) as partitions:
        Client(org_role=org).get_many(["logs:eu-west-1:0123", "logs:cn-north-1:0123"])
    assert partitions.value.message.startswith("org_role: the references name regions of ")
    assert partitions.value.message.endswith("references at a time, or pass region")


def test_a_downloads_s3_out_of_reach_advises_the_keywords(
    exportctl_sandbox: SandboxHandle, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}"
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", closed)
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    client = Client()
    job = next(j for j in client.list("logs", states="completed"))
    with pytest.raises(Unreachable) as unreached:
        client.download(job, tmp_path / "out")
    assert unreached.value.message.startswith(f"AWS: could not reach {closed}/")
    # region by its keyword; the endpoint by the variable it came from.
    assert "check the network, region and AWS_ENDPOINT_URL_S3 (s3://" in unreached.value.message


def test_a_role_profile_with_an_endpoint_url_is_told_of_the_keyword(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    config = tmp_path / "config"
    config.write_text(
        "[profile role]\nrole_arn = arn:aws:iam::210987654321:role/Admin\n"
        "source_profile = base\nregion = us-east-1\n"
        "[profile base]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = x\n"
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    client = Client(profile="role", endpoint_url="http://127.0.0.1:9")
    with caplog.at_level(logging.WARNING, logger="exportctl"):
        client.board().clients.session  # noqa: B018 - made, not called: nothing is sent
    [said] = [r.getMessage() for r in caplog.records if r.name == "exportctl"]
    assert "assumes its role at AWS's STS: endpoint_url takes exportctl's calls" in said
