"""A profile's credentials and configuration, as a client meets them."""

from __future__ import annotations

from pathlib import Path

import pytest

from exportctl.aws.clients import AwsSettings, Clients
from exportctl.domain.errors import ExitCode, ExportctlError


def _refused(profile: str, monkeypatch: pytest.MonkeyPatch, **files: Path) -> ExportctlError:
    """What making a client of ``profile`` raises, with only the files given."""
    for variable, path in files.items():
        monkeypatch.setenv(variable, str(path))
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY", raising=False)
    with pytest.raises(ExportctlError) as caught:
        Clients(AwsSettings(profile=profile, region="us-east-1")).client("discovery")
    return caught.value


def test_a_process_that_prints_what_is_not_json_is_a_credentials_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config"
    config.write_text("[profile garbled]\ncredential_process = echo not json at all\n")
    refused = _refused("garbled", monkeypatch, AWS_CONFIG_FILE=config)
    # Not taken for a bad endpoint URL (botocore raises a ValueError for both).
    assert refused.exit_code == ExitCode.CREDENTIALS
    assert "profile 'garbled'" in refused.message and "endpoint" not in refused.message


def test_a_source_profile_loop_is_the_configurations_fault(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    role = "role_arn = arn:aws:iam::123456789012:role/x"
    config = tmp_path / "config"
    config.write_text(
        f"[profile a]\nsource_profile = b\n{role}\n[profile b]\nsource_profile = a\n{role}\n"
    )
    refused = _refused("a", monkeypatch, AWS_CONFIG_FILE=config)
    assert refused.exit_code == ExitCode.USAGE and "Infinite loop" in refused.message


def test_a_credentials_file_that_does_not_parse_is_named_as_such(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    credentials = tmp_path / "credentials"
    credentials.write_text("garbage [\n")
    refused = _refused("a", monkeypatch, AWS_SHARED_CREDENTIALS_FILE=credentials)
    assert refused.exit_code == ExitCode.USAGE
    assert f"credentials file {credentials}" in refused.message
    assert "AWS_SHARED_CREDENTIALS_FILE" in refused.message
