"""Global options, environment variables and start-up."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from cli_support import Run

from exportctl import __version__
from exportctl.aws.clients import AwsSettings, Clients
from exportctl.ops.jobs import Jobs, ListQuery
from exportctl.sandbox import Sandbox
from exportctl.services import all_specs

ESC = "\x1b["


def test_colour_is_forced_on_and_turned_off(run: Run) -> None:
    assert ESC in run("list", FORCE_COLOR="1").stdout
    assert ESC not in run("list", "--no-color", FORCE_COLOR="1").stdout
    assert ESC not in run("list", FORCE_COLOR="1", NO_COLOR="1").stdout
    assert ESC not in run("list").stdout  # not a terminal


def test_options_after_the_subcommand(run: Run) -> None:
    out = run("list", "-s", "personalize", "--json", "--region", "eu-west-1", region=None)
    assert out.exit_code == 0, out.stderr
    assert {j["region"] for j in json.loads(out.stdout)} == {"eu-west-1"}


def test_endpoint_from_the_environment(run: Run, sandbox: Sandbox) -> None:
    result = run("list", "-s", "discovery", "--json", endpoint=False, AWS_ENDPOINT_URL=sandbox.url)
    assert result.exit_code == 0 and json.loads(result.stdout)


def test_profile_gives_region_and_credentials(
    run: Run, sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config"
    config.write_text("[profile sbx]\nregion = eu-west-1\n")
    creds = tmp_path / "credentials"
    creds.write_text("[sbx]\naws_access_key_id = a\naws_secret_access_key = b\n")
    result = run(
        "--profile",
        "sbx",
        "list",
        "-s",
        "pinpoint",
        "--json",
        region=None,
        AWS_CONFIG_FILE=str(config),
        AWS_SHARED_CREDENTIALS_FILE=str(creds),
        AWS_ACCESS_KEY_ID="",
        AWS_SECRET_ACCESS_KEY="",
    )
    assert result.exit_code == 0, result.stderr
    assert {j["region"] for j in json.loads(result.stdout)} == {"eu-west-1"}


def test_one_client_per_service_and_region_reused(sandbox: Sandbox) -> None:
    clients = Clients(
        AwsSettings(endpoint_url=sandbox.url, region="us-east-1", access_key="x", secret_key="x")
    )
    jobs = Jobs(clients)
    jobs.list(ListQuery())
    jobs.list(ListQuery())
    jobs.list(ListQuery(services=("pinpoint",)))
    assert clients.client("pinpoint") is clients.client("pinpoint", "us-east-1")
    # One a service (EC2's two kinds of job share theirs), in the one region.
    assert set(clients._clients) == {(spec.client, "us-east-1") for spec in all_specs()}
    retries = clients.client("personalize").meta.config.retries
    assert retries["mode"] == "standard"


def _modules_after(*args: str) -> tuple[int, set[str]]:
    code = (
        "import sys\n"
        "from exportctl.cli.main import main\n"
        f"sys.argv = ['exportctl', *{list(args)!r}]\n"
        "try:\n    main()\nexcept SystemExit as e:\n    rc = e.code\n"
        "print('\\n' + ' '.join(sorted(sys.modules)), file=sys.stderr)\n"
        "sys.exit(rc)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    return done.returncode, set(done.stderr.strip().splitlines()[-1].split())


@pytest.mark.parametrize("args", [["--help"], ["--version"], ["list", "--help"], ["status", "-h"]])
def test_help_and_version_do_not_import_boto3(args: list[str]) -> None:
    rc, modules = _modules_after(*args)
    assert rc == 0
    assert "boto3" not in modules and "botocore" not in modules


def test_version_and_module_entry_point() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "exportctl", "--version"], capture_output=True, text=True
    )
    assert done.returncode == 0 and __version__ in done.stdout


@pytest.mark.parametrize(
    "args",
    [["list", "--version"], ["status", "-V"], ["start", "--version"], ["start", "rds", "-V"],
     ["list", "--region", "nowhere", "--version"]],
    ids=" ".join,
)  # fmt: skip
def test_version_may_follow_the_command_as_help_does(args: list[str]) -> None:
    """As the README's table of global options says: before or after the command."""
    from click.testing import CliRunner

    from exportctl.cli.root import cli

    done = CliRunner().invoke(cli, args)
    assert (done.exit_code, done.stdout, done.stderr) == (
        0,
        f"exportctl, version {__version__}\n",
        "",
    )
    # Offered by Tab as the other global options are after a command.
    from click.shell_completion import BashComplete

    shell = BashComplete(cli, {}, "exportctl", "_EXPORTCTL_COMPLETE")
    assert [c.value for c in shell.get_completions(args[:-1], "--ver")] == ["--version"]
    # Not named among the global options a command's help says may follow it.
    assert "--version" not in CliRunner().invoke(cli, [args[0], "--help"]).stdout


def test_a_short_option_takes_its_value_after_an_equals_sign_as_a_long_one_does() -> None:
    from click.testing import CliRunner

    from exportctl.cli.root import cli

    # As completion writes it: -o=json is -o json, not the value "=json".
    done = CliRunner().invoke(cli, ["list", "-o=jsn"])
    assert done.exit_code == 2 and "'jsn' is not one of" in done.stderr
    # What follows -- is left as it is.
    after = CliRunner().invoke(cli, ["status", "--", "-o=x"])
    assert after.exit_code == 2 and "bad reference '-o=x'" in after.stderr


# What the Python API says with its keywords (region, accounts, org_role), the command
# line says with its options.
REFUSED_TARGETS = [
    (["--region", "all,us-east-1"], "--region all takes no other region"),
    (["--accounts", "123456789012"], "--accounts narrows --org-role: pass --org-role NAME too"),
    (["--org-role", "r", "--accounts", "12"], "--accounts: '12' is not a 12-digit AWS account id"),
    (["--org-role", ""], "--org-role is empty: name the role to assume in each account"),
    (
        ["--org-role", "r", "--profile", "a,b"],
        "--org-role reads the organization of one profile, not several",
    ),
    (
        ["--endpoint-url", "bogus"],
        "--endpoint-url 'bogus' is not a URL: it needs http:// or https:// "
        "(e.g. http://127.0.0.1:4566)",
    ),
]


@pytest.mark.parametrize(("given", "said"), REFUSED_TARGETS, ids=lambda v: str(v)[:30])
def test_regions_and_accounts_refused_name_the_options(
    run: Run, given: list[str], said: str
) -> None:
    result = run(*given, "list", endpoint="--endpoint-url" not in given, region=None)
    assert result.exit_code == 2
    assert result.stderr == f"exportctl: error: {said}\n"


def test_an_unknown_profile_names_the_option(run: Run) -> None:
    unknown = run("--profile", "nope", "list")
    assert unknown.exit_code == 2
    assert unknown.stderr == (
        "exportctl: error: no AWS profile named 'nope' (--profile): profiles are read from "
        "~/.aws/config (AWS_CONFIG_FILE) and ~/.aws/credentials (AWS_SHARED_CREDENTIALS_FILE); "
        # The variables name them: that they are not there is said.
        "~/.aws/config cannot be read (No such file or directory); "
        "~/.aws/credentials cannot be read (No such file or directory); "
        "none is defined there\n"
    )


def test_a_mistyped_region_and_a_start_over_accounts_name_the_options(run: Run) -> None:
    typo = run("list", region="us-eest-9")
    assert typo.stderr.startswith("exportctl: error: unknown region 'us-eest-9' in --region; ")
    over = run("--org-role", "OrganizationAccountAccessRole", "start", "discovery")
    assert over.exit_code == 2
    assert over.stderr == (
        "exportctl: error: a job is started in one account: with --org-role, name it with "
        "--accounts ID; of several --profile, give one\n"
    )
