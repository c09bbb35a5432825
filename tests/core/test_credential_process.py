"""A profile's credential_process, as a client meets it."""

from __future__ import annotations

from pathlib import Path

import pytest

from exportctl.aws.clients import AwsSettings, Clients
from exportctl.domain.errors import ExitCode, ExportctlError


def test_a_process_that_prints_what_is_not_json_is_a_credentials_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config"
    config.write_text("[profile garbled]\ncredential_process = echo not json at all\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY", raising=False)
    clients = Clients(AwsSettings(profile="garbled", region="us-east-1"))
    with pytest.raises(ExportctlError) as caught:
        clients.client("discovery")
    # Not taken for a bad endpoint URL (botocore raises a ValueError for both).
    assert caught.value.exit_code == ExitCode.CREDENTIALS
    assert "profile 'garbled'" in caught.value.message
    assert "endpoint" not in caught.value.message


def test_a_source_profile_loop_is_the_configurations_fault(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    role = "role_arn = arn:aws:iam::123456789012:role/x"
    config = tmp_path / "config"
    config.write_text(
        f"[profile a]\nsource_profile = b\n{role}\n[profile b]\nsource_profile = a\n{role}\n"
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY", raising=False)
    with pytest.raises(ExportctlError) as caught:
        Clients(AwsSettings(profile="a", region="us-east-1")).client("discovery")
    assert caught.value.exit_code == ExitCode.USAGE
    assert "Infinite loop" in caught.value.message


def test_a_credentials_file_that_does_not_parse_is_named_as_such(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    credentials = tmp_path / "credentials"
    credentials.write_text("garbage [\n")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    with pytest.raises(ExportctlError) as caught:
        Clients(AwsSettings(profile="a", region="us-east-1")).client("discovery")
    assert caught.value.exit_code == ExitCode.USAGE
    assert f"credentials file {credentials}" in caught.value.message
    assert "AWS_SHARED_CREDENTIALS_FILE" in caught.value.message
