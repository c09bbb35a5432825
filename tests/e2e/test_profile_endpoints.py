"""A profile's own endpoint_url (its own, or its services section's) and ca_bundle are
checked before any call of a service that reads them, as AWS_ENDPOINT_URL* and
AWS_CA_BUNDLE are: one that botocore cannot use is exit 2, one line naming the
profile, the file and the setting; where something else wins (--endpoint-url, the
variables, ignore_configured_endpoint_urls) it is not looked at. Run in-process: the
same command line as the console script."""

from __future__ import annotations

import subprocess
from pathlib import Path

import botocore.session
import pytest
from e2e_support import in_process

from exportctl.aws.usersettings import check_profile
from exportctl.domain.errors import UsageError
from exportctl.sandbox import Sandbox

pytestmark = pytest.mark.e2e

SERVICES = "services = local\n\n[services local]\nrds =\n  endpoint_url = {url}\n"


def _config(tmp_path: Path, text: str) -> Path:
    config = tmp_path / "config"
    config.write_text(text)
    return config


def _list(
    sandbox: Sandbox, config: Path, *options: str, **env: str
) -> subprocess.CompletedProcess[str]:
    # No AWS_ENDPOINT_URL: the profile's settings are the ones botocore would use.
    env = {"AWS_ENDPOINT_URL": "", "AWS_CONFIG_FILE": str(config), **env}
    return in_process(sandbox, *options, "list", "-s", "rds", **env)


def _refused(done: subprocess.CompletedProcess[str], *named: str) -> None:
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith("exportctl: error: profile 'default' (")
    for name in named:
        assert name in done.stderr, done.stderr


@pytest.mark.parametrize(
    ("text", "named"),
    [
        # botocore retried it as an unreachable endpoint for ~18 s, then exit 5.
        ("endpoint_url = ftp://127.0.0.1:1\n", "endpoint_url 'ftp://127.0.0.1:1' is not a URL"),
        # botocore's ValueError, "Invalid endpoint: ...", named neither profile nor setting.
        ("endpoint_url = not a url\n", "endpoint_url 'not a url' is not a URL"),
        (
            SERVICES.format(url="127.0.0.1:4566"),
            "[services local] rds endpoint_url '127.0.0.1:4566' is not a URL",
        ),
    ],
    ids=["scheme", "spaces", "services-section"],
)
def test_a_profile_endpoint_that_is_no_url_is_a_usage_error_naming_it(
    sandbox: Sandbox, tmp_path: Path, text: str, named: str
) -> None:
    config = _config(tmp_path, f"[default]\n{text}")
    _refused(_list(sandbox, config), named, str(config))
    assert sum(sandbox.calls.values()) == 0


def test_the_services_section_of_services_never_called_is_not_read(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    # Another tool's entry (SQS) is botocore's for that tool's clients, never ours.
    section = "services = local\n\n[services local]\nsqs =\n  endpoint_url = localhost:9324\n"
    config = _config(tmp_path, f"[default]\nendpoint_url = {sandbox.url}\n{section}")
    done = _list(sandbox, config)
    assert done.returncode == 0, done.stderr
    assert "rds:" in done.stdout


def test_a_profile_ca_bundle_that_is_no_file_is_a_usage_error_naming_it(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    # botocore took it, unused over http and over https each call retried as an
    # "SSL validation failed ... No such file or directory" (exit 5).
    config = _config(
        tmp_path, f"[default]\nendpoint_url = {sandbox.url}\nca_bundle = /no/such/file\n"
    )
    _refused(_list(sandbox, config), "ca_bundle '/no/such/file' is not a file", str(config))
    assert sum(sandbox.calls.values()) == 0


def test_a_named_profile_is_named(sandbox: Sandbox, tmp_path: Path) -> None:
    config = _config(tmp_path, "[profile work]\nendpoint_url = http://\n")
    done = _list(sandbox, config, "--profile", "work")
    assert done.returncode == 2, done.stderr
    assert f"profile 'work' ({config}): endpoint_url 'http://' is not a URL" in done.stderr


@pytest.mark.parametrize(
    ("text", "options", "env"),
    [
        ("endpoint_url = ftp://x\n", ["--endpoint-url", "{url}"], {}),
        ("endpoint_url = ftp://x\n", [], {"AWS_ENDPOINT_URL": "{url}"}),
        (SERVICES.format(url="ftp://x"), [], {"AWS_ENDPOINT_URL_RDS": "{url}"}),
        (SERVICES.format(url="ftp://x"), [], {"AWS_ENDPOINT_URL": "{url}"}),
    ],
    ids=["option", "variable", "service-variable", "variable-over-services"],
)
def test_what_wins_over_the_profile_leaves_its_endpoints_unchecked(
    sandbox: Sandbox, tmp_path: Path, text: str, options: list[str], env: dict[str, str]
) -> None:
    config = _config(tmp_path, f"[default]\n{text}")
    options = [o.format(url=sandbox.url) for o in options]
    done = _list(
        sandbox, config, *options, **{k: v.format(url=sandbox.url) for k, v in env.items()}
    )
    assert done.returncode == 0, done.stderr
    assert "rds:" in done.stdout


@pytest.mark.parametrize(
    ("text", "env"),
    [
        ("endpoint_url = ftp://x\n", {"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"}),
        ("endpoint_url = ftp://x\nignore_configured_endpoint_urls = true\n", {}),
        ("ignore_configured_endpoint_urls = true\n" + SERVICES.format(url="ftp://x"), {}),
        ("ca_bundle = /no/such/file\n", {"AWS_CA_BUNDLE": __file__}),
    ],
    ids=["ignore-variable", "ignore-setting", "ignore-setting-services", "ca-bundle-variable"],
)
def test_settings_botocore_ignores_are_not_checked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, env: dict[str, str]
) -> None:
    # Where nothing would reach the sandbox (configured endpoints ignored): the check
    # alone, on the session botocore makes of the same file.
    monkeypatch.setenv("AWS_CONFIG_FILE", str(_config(tmp_path, f"[default]\n{text}")))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    check_profile(botocore.session.Session(), None)
    monkeypatch.delenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", raising=False)
    monkeypatch.delenv("AWS_CA_BUNDLE", raising=False)
    if "ignore" not in text:
        with pytest.raises(UsageError):
            check_profile(botocore.session.Session(), None)


ROLE = (
    "[profile role]\nrole_arn = arn:aws:iam::123456789012:role/x\nsource_profile = base\n"
    "{more}[profile base]\naws_access_key_id = AKIAEXAMPLE\naws_secret_access_key = x\n"
)
STS = "services = local\n[services local]\nsts =\n  endpoint_url = {url}\n"
# Closed: nothing goes further than this machine.
CLOSED = "http://127.0.0.1:9"


def _role(tmp_path: Path, more: str = "", **env: str) -> subprocess.CompletedProcess[str]:
    """``list`` as the role profile, its STS call where ``more`` and ``env`` say."""
    config = _config(tmp_path, ROLE.format(more=more))
    env = {"AWS_CONFIG_FILE": str(config), "AWS_REGION": "us-east-1", **env}
    args = ("--profile", "role", "--endpoint-url", CLOSED, "list", "-s", "rds")
    return in_process(None, *args, AWS_MAX_ATTEMPTS="1", **env)


def test_a_role_profiles_sts_entry_that_is_no_url_is_a_usage_error_naming_it(
    tmp_path: Path,
) -> None:
    # It was said to be the credential_process's JSON (exit 4), where the same value
    # in AWS_ENDPOINT_URL_STS was exit 2 naming the variable.
    done = _role(tmp_path, STS.format(url="not-a-url-sts"))
    assert done.returncode == 2, done.stderr
    assert done.stderr == (
        f"exportctl: error: profile 'role' ({tmp_path / 'config'}): [services local] sts "
        "endpoint_url 'not-a-url-sts' is not a URL: it needs http:// or https:// "
        "(e.g. http://127.0.0.1:4566)\n"
    )


@pytest.mark.parametrize(
    ("more", "env", "named"),
    [
        ("", {"AWS_ENDPOINT_URL_STS": CLOSED}, "AWS_ENDPOINT_URL_STS"),
        (STS.format(url=CLOSED), {}, "the services section of profile 'role'"),
        (f"endpoint_url = {CLOSED}\n", {}, "the endpoint_url of profile 'role'"),
    ],
    ids=["variable", "services-section", "endpoint-url"],
)
def test_an_unreachable_sts_of_a_role_names_where_it_was_set(
    tmp_path: Path, more: str, env: dict[str, str], named: str
) -> None:
    # It named --endpoint-url, which botocore's credential chain does not read.
    done = _role(tmp_path, more, **env)
    assert done.returncode == 5, done.stderr
    assert done.stderr.endswith(
        f"could not reach {CLOSED}/: check the network, --region and {named}\n"
    ), done.stderr
