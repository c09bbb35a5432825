"""Bad values are usage errors (exit 2, one line naming the value); local errors are local.

The command, as a user runs it, with what a user may get wrong. The installed command
runs a usage error (the long reference), the keys in the environment beside AWS_PROFILE
and the write the disk refuses (a file size limit only a process of its own can
have); the other bad values and local errors are variants of those, run in-process.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_support import console_script, exportctl, in_process

from exportctl.sandbox import OutputLocation, Sandbox
from exportctl.sandbox.s3 import S3Sandbox, start_s3

pytestmark = pytest.mark.e2e


def _usage_error(done: subprocess.CompletedProcess[str], value: str) -> None:
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith("exportctl: error: ") and value in done.stderr


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["list", "--since", "99999999d"], "99999999d"),
        (["--endpoint-url", "notaurl", "list"], "notaurl"),
        (["--endpoint-url", "", "list"], "--endpoint-url ''"),
        (["--endpoint-url", "http://[::1", "list"], "http://[::1"),
        (["--region", "us-east-1; rm -rf /", "list"], "us-east-1; rm -rf /"),
        (["wait", "discovery:x", "--timeout", "99999999d"], "99999999d"),
        (["start", "discovery", "--start-time", "99999999d", "--dry-run"], "99999999d"),
        (["sandbox", "--latency", "-1"], "--latency"),
        (["sandbox", "--error-rate", "2"], "--error-rate"),
        (["sandbox", "--drop-rate", "-0.5"], "--drop-rate"),
        (["list", "--since", "a" * 300], "… (300 characters)"),
        (["wait", "discovery:x", "--timeout", "b" * 300], "… (300 characters)"),
        (["list", "--since", "9999-12-31T23:59-01:00"], "past the last time there is"),
        # Before year 1 once in UTC: it was said to be past year 9999.
        (["list", "--since", "0001-01-01T00:00+01:00"], "before the first time there is"),
        (["--region", "us-east-1\x1b[31m", "list"], "'us-east-1\\x1b[31m'"),
    ],
)
def test_a_bad_value_is_a_usage_error_naming_it(
    sandbox: Sandbox, args: list[str], named: str
) -> None:
    _usage_error(in_process(sandbox, *args), named)


@pytest.mark.parametrize("value", ["abc", "1e9", " ", "0", "-3"])
def test_a_bad_aws_max_attempts_is_a_usage_error(sandbox: Sandbox, value: str) -> None:
    done = in_process(sandbox, "list", AWS_MAX_ATTEMPTS=value)
    _usage_error(done, f"AWS_MAX_ATTEMPTS={value!r}")
    assert sum(sandbox.calls.values()) == 0


@pytest.mark.parametrize("value", ["abc", "0", "101"])
def test_a_bad_max_attempts_of_the_profile_is_a_usage_error(
    sandbox: Sandbox, tmp_path: Path, value: str
) -> None:
    # botocore's ValueError, named neither the profile nor the setting; 0, a client
    # that never sends a call.
    config = tmp_path / "config"
    config.write_text(f"[default]\nmax_attempts = {value}\n")
    done = in_process(sandbox, "list", AWS_CONFIG_FILE=str(config))
    _usage_error(done, f"max_attempts = {value!r}")
    assert f"profile 'default' ({config})" in done.stderr
    assert sum(sandbox.calls.values()) == 0


def test_the_profiles_max_attempts_bounds_each_call_and_the_variable_wins(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from exportctl.aws.deadlines import BACKOFFS

    # botocore's backoffs between the attempts, not slept for real.
    monkeypatch.setattr(BACKOFFS, "sleep", lambda seconds: None)
    config = tmp_path / "config"
    config.write_text("[default]\nmax_attempts = 3\n")
    for env, attempts in (({}, 3), ({"AWS_MAX_ATTEMPTS": "2"}, 2)):
        sandbox.reset_calls()
        sandbox.faults.fates = {"DescribeExportTasks": ["throttle"] * 10}
        done = in_process(sandbox, "list", "-s", "discovery", AWS_CONFIG_FILE=str(config), **env)
        assert done.returncode == 5, done.stderr
        assert f"DescribeExportTasks failed {attempts} times" in done.stderr
        assert sandbox.calls[("discovery", "DescribeExportTasks")] == attempts


@pytest.mark.parametrize("value", ["fast", "Adaptive", "standard,adaptive"])
def test_a_bad_aws_retry_mode_is_a_usage_error(sandbox: Sandbox, value: str) -> None:
    # botocore's InvalidRetryModeError, were it read; exportctl ignored it.
    done = in_process(sandbox, "list", AWS_RETRY_MODE=value)
    _usage_error(done, f"AWS_RETRY_MODE={value!r} is not a retry mode")
    assert sum(sandbox.calls.values()) == 0


def test_a_bad_retry_mode_of_the_profile_is_a_usage_error(sandbox: Sandbox, tmp_path: Path) -> None:
    config = tmp_path / "config"
    config.write_text("[default]\nretry_mode = fast\n")
    done = in_process(sandbox, "list", AWS_CONFIG_FILE=str(config))
    _usage_error(done, "retry_mode = 'fast' is not a retry mode")
    assert f"profile 'default' ({config})" in done.stderr
    assert sum(sandbox.calls.values()) == 0
    # The variable wins, as it does for botocore: the profile's is then not read.
    done = in_process(sandbox, "list", AWS_CONFIG_FILE=str(config), AWS_RETRY_MODE="standard")
    assert done.returncode == 0, done.stderr


def _throttled(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, *fates: str, **env: str
) -> tuple[subprocess.CompletedProcess[str], list[float]]:
    """``list -s discovery`` with its calls' fates scripted, and what it slept: on a
    clock of the test's own, moved by the sleeps, never slept for real."""
    from exportctl.aws.deadlines import BACKOFFS

    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    monkeypatch.setattr(BACKOFFS, "sleep", sleep)
    monkeypatch.setattr(BACKOFFS, "clock", lambda: now[0])
    sandbox.reset_calls()
    sandbox.faults.fates = {"DescribeExportTasks": list(fates)}
    return in_process(sandbox, "list", "-s", "discovery", **env), slept


def test_the_adaptive_retry_mode_is_botocores_and_the_variable_beats_the_profile(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from exportctl.aws.clients import AwsSettings, Clients

    config = tmp_path / "config"
    config.write_text("[default]\nretry_mode = adaptive\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    for variable, mode in ((None, "adaptive"), ("adaptive", "adaptive"), ("standard", "standard")):
        if variable is None:
            monkeypatch.delenv("AWS_RETRY_MODE", raising=False)
        else:
            monkeypatch.setenv("AWS_RETRY_MODE", variable)
        clients = Clients(
            AwsSettings(
                endpoint_url=sandbox.url, region="us-east-1", access_key="x", secret_key="x"
            )
        )
        assert clients.client("discovery").meta.config.retries["mode"] == mode
    # Its retries are standard's, which the deadlines bound: still three attempts.
    monkeypatch.setenv("AWS_RETRY_MODE", "adaptive")
    done, slept = _throttled(sandbox, monkeypatch, "throttle", "throttle", "ok")
    assert done.returncode == 0, done.stderr
    assert sandbox.calls[("discovery", "DescribeExportTasks")] == 3
    assert len(slept) == 2 and done.stderr == ""


def test_the_legacy_retry_mode_is_standard_and_said_once(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config"
    config.write_text("[default]\nretry_mode = legacy\nmax_attempts = 3\n")
    for env, setting in (
        ({}, f"retry_mode = legacy of profile 'default' ({config})"),
        ({"AWS_RETRY_MODE": "legacy"}, "AWS_RETRY_MODE=legacy"),
    ):
        done, slept = _throttled(
            sandbox, monkeypatch, *["throttle"] * 10, AWS_CONFIG_FILE=str(config), **env
        )
        assert done.returncode == 5, done.stderr
        # standard's attempts and backoffs: legacy's handler would not be bound by
        # wait --timeout's deadline.
        assert sandbox.calls[("discovery", "DescribeExportTasks")] == 3
        assert len(slept) == 2
        notice = f"exportctl: notice: {setting}: exportctl retries in botocore's standard mode"
        assert done.stderr.count(notice) == 1, done.stderr
        assert done.stderr.count("\n") == 2, done.stderr  # the notice, the error


@pytest.mark.parametrize(
    ("variable", "value"),
    [("AWS_ENDPOINT_URL", "htps://127.0.0.1:4566"), ("AWS_ENDPOINT_URL_RDS", "ftp://127.0.0.1")],
)
def test_an_endpoint_variable_that_is_no_url_is_a_usage_error_naming_it(
    sandbox: Sandbox, variable: str, value: str
) -> None:
    # botocore took it, and each call was retried as an unreachable endpoint (exit 5).
    done = in_process(sandbox, "list", "-s", "rds", **{variable: value})
    _usage_error(done, f"{variable} '{value}' is not a URL")
    assert sum(sandbox.calls.values()) == 0


@pytest.mark.parametrize(
    ("args", "env"),
    [
        (["--endpoint-url", "{url}", "list", "-s", "rds"], {"AWS_ENDPOINT_URL": "notaurl"}),
        (["--endpoint-url", "{url}", "list", "-s", "rds"], {"AWS_ENDPOINT_URL_RDS": "ftp://x"}),
        (["--sandbox", "list", "-s", "rds"], {"AWS_ENDPOINT_URL": "localhost:4566"}),
        (["list", "-s", "rds"], {"AWS_ENDPOINT_URL_SQS": "localhost:9324"}),
        (["list", "-s", "logs"], {"AWS_ENDPOINT_URL_RDS": "ftp://x"}),
        (["list", "-s", "rds"], {"AWS_ENDPOINT_URL_S3": "localhost:4566"}),
    ],
    ids=["option", "option-over-service", "sandbox", "other-service", "not-called", "s3"],
)
def test_an_endpoint_variable_nothing_reads_is_not_looked_at(
    sandbox: Sandbox, args: list[str], env: dict[str, str]
) -> None:
    # Every AWS_ENDPOINT_URL* of the environment was checked: exit 2 for a variable
    # --endpoint-url or --sandbox overrides, or of a service the command never calls.
    done = in_process(sandbox, *[a.format(url=sandbox.url) for a in args], "--json", **env)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)


def test_a_ca_bundle_that_is_no_file_is_a_usage_error_naming_it(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    done = in_process(sandbox, "list", "-s", "rds", AWS_CA_BUNDLE=str(tmp_path / "ca.pem"))
    _usage_error(done, f"AWS_CA_BUNDLE '{tmp_path / 'ca.pem'}' is not a file")
    assert sum(sandbox.calls.values()) == 0


@pytest.mark.parametrize("where", ["variable", "profile"])
@pytest.mark.parametrize("text", ["not a certificate\n", ""], ids=["text", "empty"])
def test_a_ca_bundle_that_holds_no_certificate_is_a_usage_error_naming_it(
    sandbox: Sandbox, tmp_path: Path, where: str, text: str
) -> None:
    # It was retried as a TLS failure at every attempt, for 10-30 s, then exit 5 with
    # OpenSSL's "NO_CERTIFICATE_OR_CRL_FOUND" and no word of the setting.
    bundle = tmp_path / "ca.pem"
    bundle.write_text(text)
    config = tmp_path / "config"
    config.write_text(f"[default]\nca_bundle = {bundle}\n")
    env = {"AWS_CA_BUNDLE": str(bundle)} if where == "variable" else {}
    done = in_process(sandbox, "list", "-s", "rds", AWS_CONFIG_FILE=str(config), **env)
    named = "AWS_CA_BUNDLE" if where == "variable" else f"profile 'default' ({config}): ca_bundle"
    _usage_error(done, f"{named} '{bundle}' holds no certificate that can be read (no certificate")
    assert sum(sandbox.calls.values()) == 0


def test_a_malformed_config_file_is_a_usage_error_naming_it(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    config = tmp_path / "config"
    config.write_text("[default\nregion = us-east-1\n")
    done = in_process(sandbox, "list", AWS_CONFIG_FILE=str(config))
    _usage_error(done, str(config))


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("[default\nregion = us-east-1\n", "File contains no section headers."),
        ("[default]\nregion = us-east-1\n[default]\n", "section 'default' already exists"),
        ("[default]\nregion\n", "Source contains parsing errors"),
    ],
    ids=["header", "twice", "no-value"],
)
def test_a_malformed_config_file_says_what_the_parser_found(
    sandbox: Sandbox, tmp_path: Path, text: str, said: str
) -> None:
    # Only "cannot be read: fix it", with nothing of what or where.
    config = tmp_path / "config"
    config.write_text(text)
    done = in_process(sandbox, "list", AWS_CONFIG_FILE=str(config))
    _usage_error(done, f"the AWS config file {config} cannot be read (")
    assert said in done.stderr and "line" in done.stderr, done.stderr
    assert done.stderr.endswith("): fix it, or point AWS_CONFIG_FILE elsewhere\n")


def test_a_very_long_reference_is_cut_in_the_message(sandbox: Sandbox) -> None:
    done = exportctl(sandbox, "status", "backupsearch:" + "a" * 100_000)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and len(done.stderr) < 1000
    assert "100,013 characters" in done.stderr


def test_aws_profile_with_keys_in_the_environment_uses_the_keys(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """As the AWS CLI: keys in the environment beat AWS_PROFILE, not --profile."""
    config = tmp_path / "config"
    config.write_text("[profile work]\nregion = us-east-1\n")
    done = exportctl(
        sandbox, "list", "-s", "discovery", AWS_PROFILE="work", AWS_CONFIG_FILE=str(config)
    )
    assert done.returncode == 0, done.stderr
    named = exportctl(
        sandbox, "--profile", "work", "list", "-s", "discovery", AWS_CONFIG_FILE=str(config)
    )
    assert named.returncode == 4 and "no AWS credentials" in named.stderr


# -- download: what this disk refuses is local (exit 73) and names the file --------


@pytest.fixture(scope="module")
def s3_sandbox() -> Iterator[tuple[Sandbox, S3Sandbox]]:
    with Sandbox(port=0, clock=lambda: 0.0) as sb, start_s3(sb) as s3:
        yield sb, s3


@pytest.fixture
def job(s3_sandbox: tuple[Sandbox, S3Sandbox]) -> Iterator[tuple[str, OutputLocation]]:
    """A completed Personalize job whose output prefix the test may add keys to."""
    sb, s3 = s3_sandbox
    loc = next(x for x in sb.output_locations() if x.service == "personalize")
    client = s3.client("us-east-1")
    bucket, _, prefix = loc.uri.removeprefix("s3://").partition("/")
    before = {o["Key"] for o in client.list_objects_v2(Bucket=bucket, Prefix=prefix)["Contents"]}
    yield loc.job_id, loc
    after = {o["Key"] for o in client.list_objects_v2(Bucket=bucket, Prefix=prefix)["Contents"]}
    for key in after - before:
        client.delete_object(Bucket=bucket, Key=key)


def _put(s3: S3Sandbox, loc: OutputLocation, names: dict[str, bytes]) -> None:
    bucket, _, prefix = loc.uri.removeprefix("s3://").partition("/")
    for name, body in names.items():
        s3.client("us-east-1").put_object(Bucket=bucket, Key=prefix + name, Body=body)


def _download(
    s3_sandbox: tuple[Sandbox, S3Sandbox], *args: str, file_limit: int | None = None
) -> subprocess.CompletedProcess[str]:
    sb, s3 = s3_sandbox
    if file_limit is None:
        return in_process(sb, "download", *args, AWS_ENDPOINT_URL_S3=s3.url)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "EXPORTCTL_"))}
    env.update(sb.env(), AWS_ENDPOINT_URL_S3=s3.url, AWS_CONFIG_FILE=os.devnull)

    def small_files() -> None:
        # Writes past the limit fail with EFBIG, as a full disk fails with ENOSPC.
        resource.setrlimit(resource.RLIMIT_FSIZE, (file_limit, file_limit))

    return subprocess.run(
        [console_script(), "download", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        preexec_fn=small_files,
    )


def _local_error(done: subprocess.CompletedProcess[str], *named: str) -> None:
    assert done.returncode == 73, (done.returncode, done.stderr)
    last = done.stderr.splitlines()[-1]
    assert last.startswith("exportctl: error: ") and "Traceback" not in done.stderr
    assert "network" not in last and "AWS" not in last
    for name in named:
        assert name in last


def test_dest_that_is_a_file(
    s3_sandbox: tuple[Sandbox, S3Sandbox], job: tuple[str, OutputLocation], tmp_path: Path
) -> None:
    dest = tmp_path / "taken"
    dest.write_text("not a folder")
    _local_error(_download(s3_sandbox, job[0], str(dest)), str(dest))


def test_a_name_too_long_for_the_file_system(
    s3_sandbox: tuple[Sandbox, S3Sandbox], job: tuple[str, OutputLocation], tmp_path: Path
) -> None:
    _put(s3_sandbox[1], job[1], {"n" * 300 + ".csv": b"x"})
    done = _download(s3_sandbox, job[0], str(tmp_path / "d"))
    _local_error(done, "n" * 50, "too long")


def test_a_write_the_disk_refuses(
    s3_sandbox: tuple[Sandbox, S3Sandbox], job: tuple[str, OutputLocation], tmp_path: Path
) -> None:
    _put(s3_sandbox[1], job[1], {"big.csv": b"x" * 200_000})
    done = _download(s3_sandbox, job[0], str(tmp_path / "d"), file_limit=100_000)
    _local_error(done, str(tmp_path / "d"))
    assert not list((tmp_path / "d").rglob("*.exportctl-part-*"))


@pytest.mark.parametrize(
    ("names", "named"),
    [
        ({"dir": b"a file", "dir/file.csv": b"in a folder"}, ["dir", "dir/file.csv"]),
        ({"Report.csv": b"upper", "report.csv": b"lower"}, ["Report.csv", "report.csv"]),
    ],
    ids=["file-and-folder", "case-only"],
)
def test_keys_this_disk_cannot_hold_side_by_side_are_refused_before_writing(
    s3_sandbox: tuple[Sandbox, S3Sandbox],
    job: tuple[str, OutputLocation],
    tmp_path: Path,
    names: dict[str, bytes],
    named: list[str],
) -> None:
    _put(s3_sandbox[1], job[1], names)
    dest = tmp_path / "d"
    done = _download(s3_sandbox, job[0], str(dest))
    _local_error(done, *named)
    assert not dest.exists() or not any(dest.iterdir())


def test_a_job_is_made_in_the_region_of_what_it_exports(sandbox: Sandbox) -> None:
    table = "arn:aws:dynamodb:eu-west-1:123456789012:table/orders"
    args = ("start", "dynamodb", "--table", table, "--to", "s3://out/o/", "--dry-run")
    # The environment's region gives way to the table's.
    planned = in_process(sandbox, *args, AWS_REGION="us-east-1")
    assert planned.returncode == 0, planned.stderr
    assert json.loads(planned.stdout)["region"] == "eu-west-1"
    # A --region that says otherwise is a contradiction, not a guess.
    said = in_process(sandbox, "--region", "us-east-1", *args)
    _usage_error(said, "--table is in eu-west-1, and --region says us-east-1")
    assert in_process(sandbox, "--region", "eu-west-1", *args).returncode == 0
