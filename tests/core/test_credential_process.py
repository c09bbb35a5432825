"""A profile's credentials and configuration, as a client meets them."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
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


@pytest.mark.parametrize(
    ("printed", "said"),
    [
        ("[1]", "JSON of another shape: it should print an object with Version 1"),
        ('"abc"', "JSON of another shape: it should print an object with Version 1"),
        ("42", "JSON of another shape: it should print an object with Version 1"),
        ("null", "JSON of another shape: it should print an object with Version 1"),
        (
            '{"Version": 1, "AccessKeyId": "AKIAEXAMPLE", "SecretAccessKey": "x", '
            '"SessionToken": "y", "Expiration": 12345}',
            "JSON of another shape: it should print an object with Version 1",
        ),
        (
            '{"Version": 1, "AccessKeyId": 123, "SecretAccessKey": "x"}',
            "their access key (AccessKeyId) is int 123, not text (does its credential_process",
        ),
    ],
    ids=["list", "string", "number", "null", "expiration-number", "key-number"],
)
def test_a_process_that_prints_json_of_another_shape_is_a_credentials_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, printed: str, said: str
) -> None:
    # JSON that is no object was "unexpected error: AttributeError" (exit 70), a
    # number for Expiration a TypeError (exit 70), and a number for a key was signed
    # with and blamed on the service's answer (exit 5).
    config, _ = _process(tmp_path, "shaped", f"echo '{printed}'")
    refused = _refused("shaped", monkeypatch, AWS_CONFIG_FILE=config)
    assert refused.exit_code == ExitCode.CREDENTIALS, refused.message
    assert refused.message.startswith("the credentials of profile 'shaped' could not be read: ")
    assert said in refused.message


def test_a_bad_credential_expiration_variable_is_a_usage_error_naming_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # It was said to be a credential_process's JSON, which there was none of.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
    monkeypatch.setenv("AWS_SESSION_TOKEN", "y")
    monkeypatch.setenv("AWS_CREDENTIAL_EXPIRATION", "garbage")
    with pytest.raises(ExportctlError) as caught:
        Clients(AwsSettings(region="us-east-1")).client("discovery")
    assert caught.value.exit_code == ExitCode.USAGE
    assert caught.value.message.startswith(
        "AWS_CREDENTIAL_EXPIRATION 'garbage' is not a time (Unknown string format: garbage): "
    )
    assert "credential_process" not in caught.value.message


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


def _process(tmp_path: Path, name: str, body: str) -> tuple[Path, Path]:
    """A profile ``name`` whose credential_process runs ``body``, noting each run."""
    runs = tmp_path / "runs"
    script = tmp_path / f"{name}.sh"
    script.write_text(f"#!/bin/sh\necho run >> {runs}\n{body}\n")
    script.chmod(0o755)
    config = tmp_path / "config"
    config.write_text(f"[profile {name}]\ncredential_process = {script}\n")
    return config, runs


def test_a_process_that_fails_runs_once_for_every_client_of_the_session(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config, runs = _process(tmp_path, "failing", "echo nope >&2; exit 3")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    clients = Clients(AwsSettings(profile="failing", region="us-east-1"))
    said = []
    for service, region in [("discovery", "us-east-1"), ("rds", "us-east-1"), ("rds", "eu-west-1")]:
        with pytest.raises(ExportctlError) as caught:
            clients.client(service, region)
        said.append((caught.value.exit_code, caught.value.message))
    # botocore keeps only credentials it found: the failure is kept here instead.
    assert runs.read_text() == "run\n"
    assert len(set(said)) == 1 and said[0][0] == ExitCode.CREDENTIALS
    # Named, and not "incomplete": the process failed.
    assert said[0][1] == "profile 'failing': its credential_process failed: nope"


def test_a_process_that_fails_saying_nothing_is_told_how_to_see_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # botocore's words were its stderr alone: the line ended in a colon.
    config, _ = _process(tmp_path, "silent", "exit 3")
    refused = _refused("silent", monkeypatch, AWS_CONFIG_FILE=config)
    assert refused.exit_code == ExitCode.CREDENTIALS, refused.message
    assert refused.message == (
        "profile 'silent': its credential_process failed: it wrote nothing on stderr: "
        "run it by hand to see why"
    )


def test_a_process_that_cannot_be_run_is_a_credentials_error_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config"
    config.write_text(f"[profile gone]\ncredential_process = {tmp_path / 'nowhere.sh'}\n")
    refused = _refused("gone", monkeypatch, AWS_CONFIG_FILE=config)
    # Not a network error (exit 5): the profile's credentials.
    assert refused.exit_code == ExitCode.CREDENTIALS
    assert "profile 'gone'" in refused.message and "nowhere.sh cannot be run" in refused.message


def test_credentials_that_are_expired_are_a_credentials_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expired = (
        '{"Version": 1, "AccessKeyId": "AKIAEXAMPLE", "SecretAccessKey": "x", '
        '"SessionToken": "y", "Expiration": "2020-01-01T00:00:00Z"}'
    )
    config, _ = _process(tmp_path, "stale", f"echo '{expired}'")
    refused = _refused("stale", monkeypatch, AWS_CONFIG_FILE=config)
    # botocore's RuntimeError, once "an unexpected error" (exit 70).
    assert refused.exit_code == ExitCode.CREDENTIALS
    assert "profile 'stale'" in refused.message and "expired" in refused.message


def test_a_role_asking_for_an_mfa_code_with_no_terminal_is_a_credentials_error(
    tmp_path: Path,
) -> None:
    config = tmp_path / "config"
    config.write_text(
        "[profile mfa]\nrole_arn = arn:aws:iam::210987654321:role/Admin\nsource_profile = base\n"
        "mfa_serial = arn:aws:iam::123456789012:mfa/me\nregion = us-east-1\n"
        "[profile base]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = x\n"
    )
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "AWS_CONFIG_FILE": str(config),
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    # As in CI or cron: no controlling terminal (a session of its own), stdin no
    # terminal either, and the code is asked for before any call.
    done = subprocess.run(
        [sys.executable, "-m", "exportctl", "--profile", "mfa", "list", "-s", "discovery"],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        start_new_session=True,
    )
    assert done.returncode == ExitCode.CREDENTIALS, done.stderr
    assert "need an MFA code (mfa_serial)" in done.stderr and "Traceback" not in done.stderr
    # Python's warning of the echo it cannot control, with its source line, is not said.
    assert "GetPassWarning" not in done.stderr and "fallback_getpass" not in done.stderr


@pytest.mark.parametrize("sts_elsewhere", [False, True])
def test_a_role_profile_with_an_endpoint_url_is_told_where_its_sts_call_goes(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    sts_elsewhere: bool,
) -> None:
    config = tmp_path / "config"
    config.write_text(
        "[profile role]\nrole_arn = arn:aws:iam::210987654321:role/Admin\n"
        "source_profile = base\nregion = us-east-1\n"
        "[profile base]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = x\n"
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    if sts_elsewhere:
        monkeypatch.setenv("AWS_ENDPOINT_URL_STS", "http://127.0.0.1:9")
    settings = AwsSettings(profile="role", region="us-east-1", endpoint_url="http://127.0.0.1:9")
    with caplog.at_level(logging.WARNING, logger="exportctl"):
        Clients(settings).session  # noqa: B018
    said = [r.getMessage() for r in caplog.records if r.name == "exportctl"]
    # botocore's chain assumes the role at AWS's STS, signed with the source's keys.
    assert said == ([] if sts_elsewhere else [said[0]])
    assert sts_elsewhere or said[0] == (
        "profile 'role' assumes its role at AWS's STS: --endpoint-url takes exportctl's "
        "calls, not those of botocore's credential chain (set AWS_ENDPOINT_URL or "
        "AWS_ENDPOINT_URL_STS to send those there too)"
    )


def test_an_sso_login_hint_names_the_profile() -> None:
    import botocore.exceptions

    from exportctl.aws.credentialfailures import credentials_failure

    failure = botocore.exceptions.TokenRetrievalError(provider="sso", error_msg="no token")
    said = credentials_failure(failure, "sso1")
    # A bare `aws sso login` logs in the default profile.
    assert said.exit_code == ExitCode.CREDENTIALS
    assert "`aws sso login --profile sso1`" in said.message


def test_a_profile_never_logged_in_to_sso_is_not_said_to_have_expired(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # "the SSO session has expired", of a session there never was.
    config = tmp_path / "config"
    config.write_text(
        "[profile sso1]\nsso_session = s\nsso_account_id = 123456789012\n"
        "sso_role_name = r\n[sso-session s]\nsso_region = us-east-1\n"
        "sso_start_url = https://example.awsapps.com/start\n"
    )
    refused = _refused("sso1", monkeypatch, AWS_CONFIG_FILE=config)
    assert refused.exit_code == ExitCode.CREDENTIALS
    assert refused.message == (
        "profile 'sso1': there is no valid SSO session (never logged in, or expired): "
        "run `aws sso login --profile sso1` and retry"
    )


def test_an_empty_org_role_is_refused() -> None:
    from click.testing import CliRunner

    from exportctl.cli.root import cli

    # An unset variable in a script ("$ROLE") would list the caller's one account.
    done = CliRunner().invoke(cli, ["--org-role", "", "list"])
    assert done.exit_code == ExitCode.USAGE
    assert "--org-role is empty" in done.stderr


def test_no_region_names_the_profile_that_has_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config"
    config.write_text("[profile west]\nregion = us-west-2\n[profile noregion]\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    for variable in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(variable, raising=False)
    assert Clients(AwsSettings(profile="west")).default_region == "us-west-2"
    with pytest.raises(ExportctlError) as caught:
        Clients(AwsSettings(profile="noregion")).default_region  # noqa: B018
    # With --profile west,noregion: which of them has none.
    assert caught.value.exit_code == ExitCode.USAGE
    assert caught.value.message.endswith("set a region in profile 'noregion'")


def test_a_role_that_cannot_be_assumed_is_asked_for_once_and_said_to_every_client(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from exportctl.sandbox import Sandbox

    with Sandbox(port=0, clock=lambda: 0.0) as sb:
        keys = sb.env()
        config = tmp_path / "config"
        config.write_text(
            # The sandbox's organization has an account whose role does not exist.
            "[profile legacy]\n"
            "role_arn = arn:aws:iam::666677778888:role/OrganizationAccountAccessRole\n"
            "source_profile = base\nregion = us-east-1\n"
            f"[profile base]\naws_access_key_id = {keys['AWS_ACCESS_KEY_ID']}\n"
            f"aws_secret_access_key = {keys['AWS_SECRET_ACCESS_KEY']}\n"
        )
        monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
        monkeypatch.setenv("AWS_ENDPOINT_URL", sb.url)
        clients = Clients(AwsSettings(profile="legacy", region="us-east-1"))
        said = []
        for service in ("rds", "logs", "discovery"):
            with pytest.raises(ExportctlError) as caught:
                clients.client(service)
            said.append((caught.value.exit_code, caught.value.message))
        assumed = sum(n for (service, _), n in sb.calls.items() if service == "sts")
    assert assumed == 1 and len(set(said)) == 1
    assert said[0][0] in (ExitCode.CREDENTIALS, ExitCode.AWS) and "AssumeRole" in said[0][1]
    assert said[0][1].startswith("profile 'legacy': ")


@pytest.mark.parametrize(("ahead", "once"), [(3600, True), (300, False)], ids=["1h", "5min"])
def test_a_process_runs_again_only_for_credentials_within_botocores_refresh_window(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ahead: int, once: bool
) -> None:
    from exportctl import Client
    from exportctl.sandbox import Sandbox

    # Keys valid for ``ahead`` seconds more from now, by the machine's clock as
    # botocore reads it: an hour is past its 15 minutes' advisory refresh window,
    # 5 minutes are inside it (and its 10 minutes' mandatory one).
    printed = (
        "import datetime, json; print(json.dumps({'Version': 1, "
        "'AccessKeyId': 'AKIASANDBOXEXAMPLE01', 'SecretAccessKey': 'x', "
        "'Expiration': (datetime.datetime.now(datetime.timezone.utc) "
        f"+ datetime.timedelta(seconds={ahead})).isoformat()}}))"
    )
    config, runs = _process(tmp_path, "expiring", f'{sys.executable} -c "{printed}"')
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    with Sandbox(port=0, clock=lambda: 0.0) as sandbox:
        client = Client(profile="expiring", region="us-east-1", endpoint_url=sandbox.url)
        assert [*client.list()]
    # botocore refreshes keys that near their expiry each time a request is signed.
    ran = runs.read_text().count("run")
    assert ran == 1 if once else ran > 1
