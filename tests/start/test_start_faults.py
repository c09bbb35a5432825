"""What `start` says is true under faults: one job per command, and a job it may have
made is always named. Each case scripts the fate of every create call at the sandbox."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sleepless import FakeTime
from start_support import ACCOUNT, CREATES, Run

from exportctl.domain.errors import ExitCode
from exportctl.ops.start.starter import ATTEMPTS
from exportctl.sandbox import Sandbox
from exportctl.sandbox.clock import SandboxClock

SERVICES = sorted(CREATES)
RATE = (
    "raise:LimitExceededException:400:"
    "The limit on the number of requests per second has been exceeded."
)


def script(sandbox: Sandbox, service: str, *fates: str) -> None:
    sandbox.faults.fates = {CREATES[service][0]: list(fates)}


def test_personalize_limit_exceeded_on_the_request_rate_is_retried(
    run: Run, sandbox: Sandbox
) -> None:
    before = run.made()
    script(sandbox, "personalize", RATE, RATE, RATE, "ok")
    done = run("start", "personalize", *run.start_args("personalize"))
    assert done.exit_code == 0, done.output
    assert run.creates("personalize") == 4
    assert run.made() - before == {"personalize": 1}


def test_personalize_quota_is_said_as_a_quota_after_one_call(run: Run, sandbox: Sandbox) -> None:
    quota = (
        "raise:LimitExceededException:400:Exceeded the maximum number of active dataset export jobs"
    )
    script(sandbox, "personalize", quota)
    done = run("start", "personalize", *run.start_args("personalize"))
    assert done.exit_code == ExitCode.AWS
    assert run.creates("personalize") == 1
    assert "quota of the service" in done.output
    assert "AWS_MAX_ATTEMPTS" not in done.output


@pytest.mark.parametrize("service", SERVICES)
def test_throttled_to_the_end_says_what_was_tried_and_nothing_was_made(
    run: Run, sandbox: Sandbox, service: str
) -> None:
    before = run.made()
    script(sandbox, service, *["throttle"] * ATTEMPTS)
    done = run("start", service, *run.start_args(service))
    assert done.exit_code == ExitCode.AWS
    assert f"failed {ATTEMPTS} times over " in done.output
    assert "AWS_MAX_ATTEMPTS" not in done.output
    # Nothing can have been made: nothing to look for.
    assert "may have made" not in done.output and "look for" not in done.output
    assert run.made() == before


@pytest.mark.parametrize("service", ["discovery", "personalize", "pinpoint"])
def test_a_job_made_then_its_answer_lost_then_throttled_is_found_at_the_end(
    run: Run, sandbox: Sandbox, service: str
) -> None:
    before = run.made()
    script(sandbox, service, "drop-after-commit", *["throttle"] * (ATTEMPTS - 1))
    done = run("start", service, *run.start_args(service))
    assert done.exit_code == 0, done.output
    assert run.made() - before == {service: 1}
    made = {j["id"].rsplit("/", 1)[-1] for j in sandbox.jobs(service, "us-east-1")}
    assert done.stdout.strip().rsplit("/", 1)[-1].rsplit(":", 1)[-1] in made
    assert "this is the job it made" in done.output


@pytest.mark.parametrize("service", ["backupsearch", "personalize"])
def test_a_job_that_may_exist_and_cannot_be_found_is_named_in_the_last_words(
    run: Run, sandbox: Sandbox, service: str
) -> None:
    script(sandbox, service, "drop-after-commit", *["throttle"] * (ATTEMPTS - 1))
    # Every read is refused too: the job cannot be looked for.
    reads = {
        "personalize": "DescribeDatasetExportJob",
        "backupsearch": "ListSearchResultExportJobs",
    }
    sandbox.faults.fates[reads[service]] = ["throttle"] * 20
    done = run("start", service, *run.start_args(service))
    assert done.exit_code == ExitCode.AWS
    last = done.output.strip().splitlines()[-1]
    # Run as printed, the command reads where this one did (its --endpoint-url).
    exportctl = f"exportctl --endpoint-url {sandbox.url}"
    if service == "personalize":
        assert "it is named" in last and f"{exportctl} status arn:aws:personalize:" in last
    else:
        assert "client token" in last
        assert f"{exportctl} list -s backupsearch --region us-east-1 --since 1h" in last


@pytest.mark.parametrize(
    ("service", "garble", "after", "where"),
    [
        ("discovery", "drop:exportId", 1, "look for a job with these parameters"),
        # Its answer names the job twice (id and ARN): an empty answer names it nowhere.
        ("backupsearch", "empty", 0, "client token"),
        ("pinpoint", "drop:Id", 1, "look for a job with these parameters"),
    ],
)
def test_an_answer_without_the_new_jobs_id_is_a_service_error_naming_how_to_find_it(
    run: Run, sandbox: Sandbox, service: str, garble: str, after: int, where: str
) -> None:
    # The listings read before the create (Pinpoint, Discovery) go through intact.
    sandbox.faults.garble = {service: garble}
    sandbox.faults.garble_after = after
    done = run("start", service, *run.start_args(service))
    assert done.exit_code == ExitCode.AWS, done.output
    assert "None" not in done.stdout
    assert where in done.output.strip().splitlines()[-1]


def test_an_answer_without_the_new_jobs_name_is_asked_again_and_the_job_found(
    run: Run, sandbox: Sandbox
) -> None:
    # Whatever answered, the create may have been made: sent again, the name is
    # taken by a job with this command's parameters, made since it started.
    sandbox.faults.garble = {"personalize": "drop:datasetExportJobArn"}
    before = run.made()
    done = run("start", "personalize", *run.start_args("personalize"))
    assert done.exit_code == 0, done.output
    assert "answer was lost; this is the job it made" in done.stderr
    assert run.made() - before == {"personalize": 1}


def test_an_old_job_of_the_same_name_is_not_claimed_as_new(fake_time: FakeTime) -> None:
    # The sandbox's jobs are made a day before this command starts.
    with Sandbox(port=0, clock=SandboxClock(lambda: 0.0, wall=time.time() - 86400)) as old:
        fake_time.sandbox = old
        old_run = Run(old)
        args = ["start", "personalize", *old_run.start_args("personalize"), "--name", "nightly"]
        first = old_run(*args)
        assert first.exit_code == 0, first.output
        # The first attempt fails with a 5xx that made nothing; the second finds the name taken.
        old.faults.fates = {"CreateDatasetExportJob": ["error"]}
        done = old_run(*args)
    assert done.exit_code == ExitCode.USAGE, done.output
    assert "created before this command started" in done.output
    assert "this is the job it made" not in done.output


def test_our_own_named_job_behind_a_lagging_listing_is_ours(run: Run, sandbox: Sandbox) -> None:
    before = run.made()
    sandbox.faults.listing_lag = 30
    script(sandbox, "personalize", "drop-after-commit", "throttle", "ok")
    args = ["start", "personalize", *run.start_args("personalize"), "--name", "mine"]
    done = run(*args)
    assert done.exit_code == 0, done.output
    assert done.stdout.strip().endswith("dataset-export-job/mine")
    assert run.made() - before == {"personalize": 1}


@pytest.mark.parametrize("service", ["discovery", "pinpoint"])
def test_a_lagging_listing_is_waited_for_before_creating_again(
    run: Run, sandbox: Sandbox, fake_time: FakeTime, service: str
) -> None:
    before = run.made()
    sandbox.faults.listing_lag = 30
    script(sandbox, service, "drop-after-commit", "ok", "ok")
    done = run("start", service, *run.start_args(service))
    assert done.exit_code == 0, done.output
    assert run.made() - before == {service: 1}
    assert run.creates(service) == 1
    assert sum(fake_time.sleeps) >= 30


@pytest.mark.parametrize("service", ["discovery", "pinpoint"])
def test_a_service_clock_minutes_behind_this_machines_makes_no_second_job(
    run: Run, sandbox: Sandbox, service: str
) -> None:
    # The service stamps the lost attempt's job 3 minutes before this machine's
    # clock says the command started; its answers' Date says by how much.
    sandbox.clock.start_wall -= 180
    before = run.made()
    script(sandbox, service, "drop-after-commit", "ok", "ok")
    done = run("start", service, *run.start_args(service))
    assert done.exit_code == 0, done.output
    assert run.made() - before == {service: 1}
    assert run.creates(service) == 1


def test_an_identical_job_started_earlier_is_not_taken_for_ours(run: Run, sandbox: Sandbox) -> None:
    # Another job with the same parameters, made before this command: not ours.
    first = run("start", "discovery")
    assert first.exit_code == 0, first.output
    before = run.made()
    script(sandbox, "discovery", "error", "ok")
    done = run("start", "discovery")
    assert done.exit_code == 0, done.output
    assert done.stdout.strip() != first.stdout.strip()
    assert run.made() - before == {"discovery": 1}


@pytest.mark.parametrize(
    ("first", "named"), [("throttle", False), ("error", True), ("drop-after-commit", True)]
)
def test_ctrl_c_between_attempts_names_the_job_only_when_one_may_exist(
    run: Run, sandbox: Sandbox, fake_time: FakeTime, first: str, named: bool
) -> None:
    # The signal itself is sent for real in tests/deadlines/test_start_signals.py.
    script(sandbox, "personalize", first, "throttle", "throttle")

    def ctrl_c(sleeps: int) -> None:
        if sleeps == 2:
            raise KeyboardInterrupt

    fake_time.hooks.append(ctrl_c)
    done = run("start", "personalize", *run.start_args("personalize"), "--name", "n1")
    assert done.exit_code == ExitCode.INTERRUPTED
    last = done.output.strip().splitlines()[-1]
    if named:
        assert last.startswith("exportctl: interrupted: an attempt may have made the job")
        assert last.endswith(
            f"exportctl --endpoint-url {sandbox.url} status "
            "arn:aws:personalize:us-east-1:123456789012:dataset-export-job/n1"
        )
    else:
        assert last == "exportctl: interrupted"


def test_wait_out_of_time_names_the_timeout_given_not_what_the_start_left_of_it(
    run: Run, sandbox: Sandbox, fake_time: FakeTime
) -> None:
    # The retries' sleeps spend part of --timeout before the wait begins.
    script(sandbox, "personalize", RATE, RATE, "ok")
    args = ("--wait", "--timeout", "10s", "--interval", "1s")
    done = run("start", "personalize", *run.start_args("personalize"), *args)
    assert done.exit_code == ExitCode.TIMEOUT, done.output
    assert fake_time.sleeps[0] > 0
    assert "timed out after 10s; still pending:" in done.stderr


def test_ec2_throttled_to_the_end_is_said_as_the_request_rate_not_an_outage(
    run: Run, sandbox: Sandbox
) -> None:
    # EC2 throttles with RequestLimitExceeded, HTTP 503: throttling all the same.
    sandbox.faults.fates = {"ec2:ExportImage": ["throttle"] * ATTEMPTS}
    image = ["--image-id", "ami-05b0afc72e48f9d3f", "--to", "s3://out/amis/"]
    done = run("start", "ec2", *image)
    assert done.exit_code == ExitCode.AWS
    assert "RequestLimitExceeded (HTTP 503)" in done.output
    assert "the request rate of this API is used up" in done.output
    assert "the service is failing" not in done.output


def test_a_create_answered_without_the_job_names_the_profiles_endpoint_not_the_option(
    run: Run, sandbox: Sandbox, tmp_path: Path
) -> None:
    # The endpoint came from the profile: --endpoint-url was never given, and the
    # region has nothing to do with an answer that is none of the service's.
    from click.testing import CliRunner

    from exportctl.cli.root import cli

    config = tmp_path / "config"
    config.write_text(
        f"[profile sbx2]\nregion = us-east-1\nendpoint_url = {sandbox.url}\n"
        "aws_access_key_id = sandbox\naws_secret_access_key = sandbox\nmax_attempts = 2\n"
    )
    sandbox.faults.garble = {"dynamodb": "html"}
    table = "arn:aws:dynamodb:us-east-1:123456789012:table/orders"
    done = CliRunner().invoke(
        cli,
        ["--profile", "sbx2", "start", "dynamodb", "--table", table, "--to", "s3://out/o/"],
        env={"AWS_CONFIG_FILE": str(config)},
    )
    assert done.exit_code == ExitCode.AWS, done.output
    assert "answered without the new job" in done.stderr, done.stderr
    # Up to the advice that finds the job (a command, with its own --region).
    said = done.stderr.split("; look for")[0]
    assert said.endswith("; check the network and the endpoint_url of profile 'sbx2'"), said
    assert "--endpoint-url" not in said and "--region" not in said


def test_a_quota_s_advice_runs_where_this_command_ran(run: Run, sandbox: Sandbox) -> None:
    too_many = "raise:LimitExceededException:400:Too many exports in progress"
    sandbox.faults.fates = {"ExportTableToPointInTime": [too_many]}
    table = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders"
    done = run("start", "dynamodb", "--table", table, "--to", "s3://out/ddb/")
    assert done.exit_code == ExitCode.AWS, done.output
    # Run as printed, the listing reads where the start went (its endpoint and region).
    listing = f"exportctl --endpoint-url {sandbox.url} list -s dynamodb --status running"
    assert f"wait for some to end ({listing} --region us-east-1)" in done.output, done.output
