"""Every documented exit code, each with a one-line message and no traceback."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from cli_support import Run, export_jobs

from exportctl.sandbox import Sandbox
from exportctl.services import all_specs, service_names

BAD_REFS = [
    "",
    "nonsense",
    "s3:thing",
    "arn:aws:personalize:us-east-1:123456789012:dataset/not-a-job",
    "arn:aws:sqs:us-east-1:123456789012:queue",
    "arn:aws-iso:personalize:us-east-1:123456789012:dataset-export-job/x",
    "pinpoint:only-one-part",
    "pinpoint:mars-1:app/job",
    "discovery:a/b",
]


def one_line(text: str) -> bool:
    return text.count("\n") == 1 and "Traceback" not in text


@pytest.mark.parametrize("ref", BAD_REFS)
def test_malformed_reference_is_a_usage_error_listing_the_forms(run: Run, ref: str) -> None:
    result = run("status", ref)
    assert result.exit_code == 2
    assert one_line(result.stderr)
    assert "accepted forms" in result.stderr and "pinpoint:[REGION:]APP_ID/JOB_ID" in result.stderr


def test_bad_reference_makes_no_call(run: Run, sandbox: Sandbox) -> None:
    sandbox.reset_calls()
    good = "discovery:" + export_jobs(sandbox)[0]["id"]
    assert run("status", good, "pinpoint:broken").exit_code == 2
    assert sum(sandbox.calls.values()) == 0


def test_ref_of_another_service_than_asked(run: Run) -> None:
    result = run("status", "discovery:export-1", "--service", "pinpoint")
    assert result.exit_code == 2 and "discovery reference" in result.stderr


def test_access_denied_is_exit_4(run: Run, sandbox: Sandbox) -> None:
    arn = next(j["id"] for j in export_jobs(sandbox) if j["service"] == "personalize")
    result = run("status", arn, AWS_ACCESS_KEY_ID="DENIED")
    assert result.exit_code == 4
    assert one_line(result.stderr) and "access denied" in result.stderr.lower()


def test_no_credentials_is_exit_4_with_how_to_configure(run: Run) -> None:
    result = run("list", "--json", AWS_ACCESS_KEY_ID="", AWS_SECRET_ACCESS_KEY="")
    assert result.exit_code == 4
    assert json.loads(result.stdout) == []
    # One line, said once, not once per service.
    assert one_line(result.stderr)
    assert "aws configure" in result.stderr


def test_a_service_denied_is_a_notice_in_a_list_of_all(run: Run, sandbox: Sandbox) -> None:
    sandbox.faults.deny = {"pinpoint"}
    result = run("list", "--json")
    assert result.exit_code == 0
    services = {j["service"] for j in json.loads(result.stdout)}
    assert services == set(service_names()) - {"pinpoint"}
    assert "notice" in result.stderr and "Amazon Pinpoint" in result.stderr
    assert "end of support" in result.stderr


def test_a_service_denied_by_name_is_an_error(run: Run, sandbox: Sandbox) -> None:
    sandbox.faults.deny = {"pinpoint"}
    result = run("list", "--service", "pinpoint", "--json")
    assert result.exit_code == 4
    assert json.loads(result.stdout) == []
    assert one_line(result.stderr)


def test_debug_shows_where_a_listings_error_came_from(run: Run, sandbox: Sandbox) -> None:
    sandbox.faults.deny = {"pinpoint"}
    result = run("--debug", "list", "--service", "pinpoint", "--json")
    assert result.exit_code == 4
    # The traceback, then the same one line as without --debug.
    assert result.stderr.startswith("Traceback (most recent call last):")
    quiet = run("list", "--service", "pinpoint", "--json")
    assert quiet.stderr.strip() in result.stderr


def test_every_service_denied_is_no_clean_list(run: Run, sandbox: Sandbox) -> None:
    sandbox.faults.deny = {"*"}
    result = run("list", "--json")
    assert result.exit_code == 4
    assert json.loads(result.stdout) == []


def test_no_home_region_is_a_notice_unless_asked_for(run: Run) -> None:
    everything = run("list", "--json", region="eu-west-1")
    assert everything.exit_code == 0
    assert "discovery" not in {j["service"] for j in json.loads(everything.stdout)}
    assert "home region" in everything.stderr
    named = run("list", "-s", "discovery", "--json", region="eu-west-1")
    assert named.exit_code == 5
    assert json.loads(named.stdout) == [] and "home region" in named.stderr


def test_one_service_down_still_prints_the_others(run: Run, sandbox: Sandbox) -> None:
    result = run(
        "list",
        "--json",
        endpoint=False,
        AWS_ENDPOINT_URL=sandbox.url,
        AWS_ENDPOINT_URL_APPLICATION_DISCOVERY_SERVICE="http://127.0.0.1:9",
        AWS_MAX_ATTEMPTS="1",
    )
    assert result.exit_code == 5
    services = {j["service"] for j in json.loads(result.stdout)}
    assert services == set(service_names()) - {"discovery"}
    assert one_line(result.stderr) and "AWS Application Discovery" in result.stderr


@pytest.mark.parametrize(
    ("endpoint", "env", "named"),
    [
        (False, {"AWS_ENDPOINT_URL_RDS": "{dead}"}, "AWS_ENDPOINT_URL_RDS"),
        (False, {"AWS_ENDPOINT_URL": "{dead}"}, "AWS_ENDPOINT_URL"),
        (False, {"AWS_CONFIG_FILE": "{config}"}, "the endpoint_url of profile 'default'"),
        (True, {}, "--endpoint-url"),
    ],
    ids=["service-variable", "variable", "profile", "option"],
)
def test_an_endpoint_not_reached_is_named_where_it_was_set(
    run: Run,
    sandbox: Sandbox,
    tmp_path: Path,
    endpoint: bool,
    env: dict[str, str],
    named: str,
) -> None:
    # The advice named --endpoint-url whichever setting the endpoint came from.
    dead = "http://127.0.0.1:9"
    config = tmp_path / "config"
    config.write_text(f"[default]\nendpoint_url = {dead}\n")
    args = ["--endpoint-url", dead] if endpoint else []
    given = {k: v.format(dead=dead, config=config) for k, v in env.items()}
    result = run(*args, "list", "-s", "rds", endpoint=False, AWS_MAX_ATTEMPTS="1", **given)
    assert result.exit_code == 5, result.stderr
    assert result.stderr.endswith(
        f"could not reach {dead}/: check the network, --region and {named}\n"
    )


def test_a_proxy_not_reached_names_the_variables_that_set_it(run: Run) -> None:
    # Botocore's words alone, 'Failed to connect to proxy URL: "http://127.0.0.1:9"'.
    dead = "http://127.0.0.1:9"
    result = run(
        "--endpoint-url", "http://127.0.0.1:8", "list", "-s", "rds",
        endpoint=False, AWS_MAX_ATTEMPTS="1", HTTP_PROXY=dead,
    )  # fmt: skip
    assert result.exit_code == 5, result.stderr
    assert result.stderr == (
        f"exportctl: error: Amazon RDS: could not connect to the proxy {dead}: check it, or "
        "HTTPS_PROXY / HTTP_PROXY (whichever the endpoint's scheme reads), or add the "
        "endpoint's host to NO_PROXY to go around it\n"
    )


def test_server_errors_after_retries_are_exit_5_and_json_stays_valid(
    run: Run, sandbox: Sandbox
) -> None:
    sandbox.faults.error_rate = 1.0
    result = run("list", "--json", AWS_MAX_ATTEMPTS="2")
    assert result.exit_code == 5
    assert json.loads(result.stdout) == []
    # One line per service.
    lines = result.stderr.splitlines()
    assert len(lines) == len(service_names())
    assert all(any(spec.title in line for line in lines) for spec in all_specs())


@pytest.mark.parametrize(
    ("where", "setting", "more"),
    [
        ("variable", "AWS_MAX_ATTEMPTS=1", "AWS_MAX_ATTEMPTS"),
        (
            "profile",
            "max_attempts = 1 of profile 'default'",
            "the profile's max_attempts or AWS_MAX_ATTEMPTS",
        ),
    ],
)
@pytest.mark.parametrize("fate", ["throttle", "error"])
def test_a_call_allowed_one_attempt_says_it_was_not_retried_and_the_setting_that_said_so(
    run: Run, sandbox: Sandbox, tmp_path: Path, where: str, setting: str, more: str, fate: str
) -> None:
    config = tmp_path / "config"
    config.write_text("[default]\nmax_attempts = 1\n")
    env = {"AWS_MAX_ATTEMPTS": "1"} if where == "variable" else {"AWS_CONFIG_FILE": str(config)}
    sandbox.faults.fates = {"GetExportJobs": [fate] * 50}
    result = run("list", "-s", "pinpoint", **env)
    assert result.exit_code == 5, result.stderr
    assert one_line(result.stderr)
    # One attempt: neither retried nor backed off.
    said = rf"GetExportJobs failed once in \d+\.\d s \({re.escape(setting)} allows no retry\)"
    assert re.search(said, result.stderr), result.stderr
    assert "1 time" not in result.stderr and "retried with backoff" not in result.stderr
    if fate == "throttle":
        assert result.stderr.endswith(f"or allow more attempts with {more}\n"), result.stderr


def test_no_region_is_a_usage_error(run: Run) -> None:
    result = run("list", region=None)
    assert result.exit_code == 2
    assert "--region" in result.stderr and one_line(result.stderr)


def test_unknown_profile_is_a_usage_error(run: Run) -> None:
    result = run("--profile", "nope", "list")
    assert result.exit_code == 2
    assert "nope" in result.stderr and one_line(result.stderr)


def test_unexpected_errors_are_one_line_exit_70(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("kaput")

    # A fault in the code that reads a service, on the thread that reads it.
    monkeypatch.setattr("exportctl.ops.jobs.Jobs.iter_pages", boom)
    result = run("list")
    assert result.exit_code == 70
    assert one_line(result.stderr) and "kaput" in result.stderr
    debug = run("--debug", "list")
    assert debug.exit_code == 70 and "Traceback" in debug.stderr


def test_debug_reports_api_calls(run: Run) -> None:
    result = run("list", "--debug", "--service", "pinpoint")
    assert result.exit_code == 0
    assert "API calls: pinpoint.GetApps=1, pinpoint.GetExportJobs=" in result.stderr


def test_unknown_service_and_command(run: Run) -> None:
    assert run("list", "--service", "glacier").exit_code == 2
    assert run("frobnicate").exit_code == 2


def test_a_mistyped_service_to_start_gets_a_suggestion(run: Run, sandbox: Sandbox) -> None:
    result = run("start", "personalise")
    assert result.exit_code == 2
    assert (
        result.output.strip()
        .splitlines()[-1]
        .startswith("exportctl: error: no such command 'personalise'; did you mean 'personalize'? ")
    )
    assert sum(sandbox.calls.values()) == 0


def test_services_take_commas_as_regions_and_profiles_do(run: Run) -> None:
    listed = run("list", "-s", "personalize,pinpoint", "-o", "json")
    assert listed.exit_code == 0, listed.output
    assert {r["service"] for r in json.loads(listed.stdout)} == {"personalize", "pinpoint"}
    repeated = run("list", "-s", "personalize", "-s", "pinpoint", "-o", "json")
    assert json.loads(repeated.stdout) == json.loads(listed.stdout)
    wrong = run("list", "-s", "personalize,pinpont")
    assert wrong.exit_code == 2 and "'pinpont' is not one of" in wrong.output
    # Commas alone (unset variables in a script) name no service: not "every service".
    for value in (",", " , ", "", " "):
        nothing = run("list", "-s", value)
        assert nothing.exit_code == 2 and "names no service" in nothing.output, nothing.output
        # --status says the same of the same mistake.
        nothing = run("list", "--status", value)
        assert nothing.exit_code == 2, nothing.output
        assert f"'--status': {value!r} names no state" in nothing.stderr, nothing.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["status", "ID"],
        ["wait", "ID"],
        ["cancel", "ID"],
        ["rerun", "ID"],
        ["download", "ID", "d"],
        ["backups", "ID"],
    ],
)
def test_commas_alone_name_no_service_of_bare_ids_as_they_name_none_to_list(
    run: Run, args: list[str]
) -> None:
    # Said in click's words ("',' is not one of ..."), where list said "names no service".
    for value in (",", " , ", "", " "):
        result = run(*args, "-s", value)
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith(
            f"exportctl: error: invalid value for '--service' / '-s': {value!r} names no service"
        ), result.stderr


@pytest.mark.parametrize(
    "args",
    [["status", "ID"], ["wait", "ID"], ["cancel", "ID"], ["rerun", "ID"], ["download", "ID", "d"]],
)
def test_a_second_service_of_bare_ids_is_refused_not_replacing_the_first(
    run: Run, args: list[str]
) -> None:
    # Which of the two a bare id is of cannot be told: the last one was taken silently.
    result = run(*args, "-s", "logs", "-s", "rds")
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(
        "exportctl: error: invalid value for '--service' / '-s': taken once, not 'logs' and "
        "'rds': a prefixed ref names its service"
    )


@pytest.mark.parametrize("second", ["rds", "RDS", "aurora"])
def test_the_same_service_of_bare_ids_twice_is_that_service(run: Run, second: str) -> None:
    """Twice by one name, or by two names of the service (its alias)."""
    ref = json.loads(run("list", "-s", "rds", "--json", "--limit", "1").stdout)[0]["ref"]
    once = run("status", "-s", "rds", ref.rsplit(":", 1)[-1], "--json", "--query", "ref")
    twice = run(
        "status", "-s", "rds", "-s", second, ref.rsplit(":", 1)[-1], "--json", "--query", "ref"
    )
    assert once.exit_code == twice.exit_code == 0, twice.output
    assert json.loads(twice.stdout) == json.loads(once.stdout) == ref


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["list", "--limit", "abc"], "invalid value for '--limit': 'abc' is not a whole number"),
        # int() reads these: any script's digits, and Python's digit groups.
        (["list", "--limit", "٣"], "'--limit': '٣' is not a whole number"),
        (["list", "--limit", "1_0"], "'--limit': '1_0' is not a whole number"),
        (["download", "ID", "d", "--concurrency", "x"], "'x' is not a whole number"),
        (["sandbox", "--drop-rate", "nan"], "'--drop-rate': 'nan' is not a number"),
        # float() reads it as inf: every call a 500, had the sandbox started.
        # The scenario's six accounts were given all the same.
        (
            ["sandbox", "--accounts", "3"],
            "'--accounts': an organization of at least 6 accounts, not 3",
        ),
        (["sandbox", "--latency", "1e400"], "'--latency': '1e400' is too large a number"),
        (["sandbox", "--error-rate", "1e400"], "'--error-rate': '1e400' is too large a number"),
    ],
)
def test_a_number_that_is_none_is_said_in_exportctls_words(
    run: Run, args: list[str], said: str
) -> None:
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert said in result.stderr and "valid integer" not in result.stderr


@pytest.mark.parametrize("value", ["2", "90", "1.5"])
def test_since_without_a_unit_is_refused_not_taken_as_seconds(run: Run, value: str) -> None:
    result = run("list", "--since", value)
    assert result.exit_code == 2
    assert f"'{value}' has no unit: use e.g. {value}s, {value}m, {value}h or {value}d" in (
        result.output
    )


@pytest.mark.parametrize(
    ("command", "option", "value"),
    [("list", "--since", "6M"), ("list", "--since", "2H"), ("list", "--since", "٣d"),
     ("wait", "--timeout", "5M"), ("wait", "--interval", "٣s")],
)  # fmt: skip
def test_a_duration_in_other_units_or_digits_than_readme_lists_is_refused(
    run: Run, command: str, option: str, value: str
) -> None:
    # 6M is months to some, minutes to a case-blind parser: neither is guessed.
    result = run(command, *(["discovery:e-1"] if command == "wait" else []), option, value)
    assert result.exit_code == 2, result.output
    assert f"'{value}'" in result.stderr and "Traceback" not in result.stderr
