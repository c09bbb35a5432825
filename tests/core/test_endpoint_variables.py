"""Which AWS_ENDPOINT_URL* variables are checked: those botocore reads for a client
exportctl makes (the service's own, named from its model's service id, else
AWS_ENDPOINT_URL), none when ignore_configured_endpoint_urls turns them off, and
S3's own unless --s3-endpoint-url wins. Made without a call: nothing is sent."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from botocore.configprovider import ConfiguredEndpointProvider

from exportctl.aws.clients import AwsSettings, Clients
from exportctl.aws.usersettings import check_endpoint_variable, check_role_endpoint
from exportctl.domain.errors import UsageError
from exportctl.services import all_specs

# The services exportctl's own calls reach besides the specs': the account, the
# organization, the downloads.
CLIENTS = sorted({spec.client for spec in all_specs()} | {"sts", "organizations", "s3"})


def _session(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, text: str = "") -> Any:
    config = tmp_path / "config"
    config.write_text(f"[default]\n{text}")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    return botocore.session.Session()


@pytest.mark.parametrize("client", CLIENTS)
def test_the_variable_checked_is_the_one_botocore_reads(
    client: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    session = _session(monkeypatch, tmp_path)
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
    monkeypatch.setenv("AWS_ENDPOINT_URL_SQS", "localhost:9324")
    check_endpoint_variable(session, client)
    service_id = session.get_service_model(client).service_id.hyphenize()
    own = f"AWS_ENDPOINT_URL_{service_id.replace('-', '_').upper()}"
    monkeypatch.setenv(own, "ftp://127.0.0.1:2")
    # botocore's own reading of the environment takes that variable for the client.
    found = ConfiguredEndpointProvider(
        full_config=session.full_config,
        scoped_config=session.get_scoped_config(),
        client_name=client,
    ).provide()
    assert found == "ftp://127.0.0.1:2"
    with pytest.raises(UsageError, match=re.escape(f"{own} 'ftp://127.0.0.1:2' is not a URL")):
        check_endpoint_variable(session, client)


def test_other_services_variables_are_not_read(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    session = _session(monkeypatch, tmp_path)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SQS", "localhost:9324")
    monkeypatch.setenv("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", "ftp://127.0.0.1")
    for client in CLIENTS:
        if client != "logs":
            check_endpoint_variable(session, client)
    with pytest.raises(UsageError, match=r"^AWS_ENDPOINT_URL_CLOUDWATCH_LOGS 'ftp://"):
        check_endpoint_variable(session, "logs")


@pytest.mark.parametrize(
    ("text", "env"),
    [
        ("", {"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"}),
        ("ignore_configured_endpoint_urls = true\n", {}),
    ],
    ids=["variable", "profile"],
)
def test_none_is_read_when_botocore_ignores_them(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, text: str, env: dict[str, str]
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL", "notaurl")
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", "notaurl")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    session = _session(monkeypatch, tmp_path, text + "role_arn = arn:aws:iam::1:role/r\n")
    check_endpoint_variable(session, "rds")
    check_role_endpoint(session, None)


def test_a_role_profile_s_sts_variable_is_checked(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # botocore's credential chain calls STS there, whatever exportctl's calls are given.
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", "ftp://127.0.0.1")
    session = _session(monkeypatch, tmp_path, "role_arn = arn:aws:iam::1:role/r\n")
    with pytest.raises(UsageError, match=r"^AWS_ENDPOINT_URL_STS 'ftp://"):
        check_role_endpoint(session, "http://127.0.0.1:1")
    check_role_endpoint(_session(monkeypatch, tmp_path), "http://127.0.0.1:1")


def test_s3_s_own_variable_is_checked_unless_the_option_wins(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", "localhost:4566")
    given = AwsSettings(endpoint_url="http://127.0.0.1:1")
    assert Clients(given).endpoint_url("rds") == "http://127.0.0.1:1"
    with pytest.raises(UsageError, match=r"^AWS_ENDPOINT_URL_S3 'localhost:4566'"):
        Clients(given).endpoint_url("s3")
    option = AwsSettings(s3_endpoint_url="http://127.0.0.1:2")
    assert Clients(option).endpoint_url("s3") == "http://127.0.0.1:2"
