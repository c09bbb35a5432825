"""How many times `start` sends its create: the user's max attempts (AWS_MAX_ATTEMPTS,
else the profile's max_attempts), 10 without either; each retry said on stderr as
`wait` says its own. Counted at the sandbox, on a clock only the command's sleeps move."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sleepless import FakeTime
from start_support import CREATES, Run

from exportctl.domain.errors import ExitCode
from exportctl.ops.start.starter import ATTEMPTS
from exportctl.sandbox import Sandbox

RATE = (
    "raise:LimitExceededException:400:"
    "The limit on the number of requests per second has been exceeded."
)
RETRYING = "exportctl: notice: retrying after: "


def script(sandbox: Sandbox, service: str, *fates: str) -> None:
    sandbox.faults.fates = {CREATES[service][0]: list(fates)}


def profile(tmp_path: Path, max_attempts: str) -> str:
    config = tmp_path / "config"
    config.write_text(f"[default]\nmax_attempts = {max_attempts}\n")
    return str(config)


def test_without_a_setting_a_create_is_tried_ten_times(
    run: Run, sandbox: Sandbox, fake_time: FakeTime
) -> None:
    before = run.made()
    script(sandbox, "discovery", *["throttle"] * 12)
    done = run("start", "discovery", AWS_MAX_ATTEMPTS=None)
    assert done.exit_code == ExitCode.AWS, done.output
    assert run.creates("discovery") == ATTEMPTS == 10
    assert f"failed {ATTEMPTS} times" in done.output
    assert run.made() == before
    # The backoffs between them were the command's clock's, not real time.
    assert len(fake_time.sleeps) >= ATTEMPTS - 1


@pytest.mark.parametrize("attempts", [1, 2])
def test_aws_max_attempts_bounds_the_creates(run: Run, sandbox: Sandbox, attempts: int) -> None:
    script(sandbox, "personalize", *["throttle"] * 12)
    done = run(
        "start", "personalize", *run.start_args("personalize"), AWS_MAX_ATTEMPTS=str(attempts)
    )
    assert done.exit_code == ExitCode.AWS, done.output
    assert run.creates("personalize") == attempts
    if attempts == 1:
        # Neither retried nor backed off: the setting that allowed no retry named.
        said = "CreateDatasetExportJob was tried once (AWS_MAX_ATTEMPTS=1 allows no retry);"
        assert said in done.output and "backoff" not in done.output, done.output
    else:
        assert f"failed {attempts} times over " in done.output


def test_a_create_given_up_on_says_its_tries_as_a_reads_retries_are_said(
    run: Run, sandbox: Sandbox, fake_time: FakeTime
) -> None:
    script(sandbox, "discovery", *["throttle"] * 12)
    done = run("start", "discovery", AWS_MAX_ATTEMPTS="3")
    assert done.exit_code == ExitCode.AWS, done.output
    # The backoffs' time in tenths, in the words of a read botocore retried.
    took = sum(fake_time.sleeps)
    assert 0 < took < 10, fake_time.sleeps
    said = f"StartExportTask failed 3 times over {took:.1f} s, retried with backoff; "
    assert said in done.output, done.output


def test_the_profiles_max_attempts_bounds_the_creates_and_the_variable_wins(
    run: Run, sandbox: Sandbox, tmp_path: Path
) -> None:
    config = profile(tmp_path, "3")
    script(sandbox, "discovery", *["throttle"] * 12)
    done = run("start", "discovery", AWS_MAX_ATTEMPTS=None, AWS_CONFIG_FILE=config)
    assert done.exit_code == ExitCode.AWS, done.output
    assert run.creates("discovery") == 3
    sandbox.reset_calls()
    script(sandbox, "discovery", *["throttle"] * 12)
    done = run("start", "discovery", AWS_MAX_ATTEMPTS=None, AWS_CONFIG_FILE=profile(tmp_path, "1"))
    said = "StartExportTask was tried once (max_attempts = 1 of profile 'default' allows no retry)"
    assert said in done.output, done.output
    sandbox.reset_calls()
    script(sandbox, "discovery", *["throttle"] * 12)
    done = run("start", "discovery", AWS_MAX_ATTEMPTS="2", AWS_CONFIG_FILE=config)
    assert run.creates("discovery") == 2


@pytest.mark.parametrize("service", ["discovery", "personalize", "pinpoint"])
def test_a_lost_answer_at_the_users_last_attempt_is_looked_for_before_giving_up(
    run: Run, sandbox: Sandbox, service: str
) -> None:
    before = run.made()
    script(sandbox, service, "throttle", "drop-after-commit", "ok")
    done = run("start", service, *run.start_args(service), AWS_MAX_ATTEMPTS="2")
    assert done.exit_code == 0, done.output
    assert run.creates(service) == 2
    assert run.made() - before == {service: 1}
    assert "this is the job it made" in done.stderr


# Discovery's and Pinpoint's jobs are looked for in the listing before the next
# attempt; Personalize's next attempt finds the name taken by the job the lost one made.
@pytest.mark.parametrize(
    ("service", "creates"), [("discovery", 1), ("personalize", 2), ("pinpoint", 1)]
)
def test_a_lost_answer_is_looked_for_before_the_users_next_attempt(
    run: Run, sandbox: Sandbox, service: str, creates: int
) -> None:
    before = run.made()
    script(sandbox, service, "drop-after-commit", "ok")
    done = run("start", service, *run.start_args(service), AWS_MAX_ATTEMPTS="2")
    assert done.exit_code == 0, done.output
    assert run.creates(service) == creates
    assert run.made() - before == {service: 1}


def test_each_retry_of_a_create_is_said_on_stderr_once_while_it_lasts(
    run: Run, sandbox: Sandbox
) -> None:
    script(sandbox, "personalize", RATE, RATE, "error", "ok")
    done = run(
        "start", "personalize", *run.start_args("personalize"), "--json", AWS_MAX_ATTEMPTS=None
    )
    assert done.exit_code == 0, done.output
    assert run.creates("personalize") == 4
    assert json.loads(done.stdout)["service"] == "personalize"
    told = [line for line in done.stderr.splitlines() if line.startswith(RETRYING)]
    # The same refusal twice is told once; another failure is told again.
    assert len(told) == 2, done.stderr
    assert told[0].startswith(f"{RETRYING}Amazon Personalize: ")
    assert "LimitExceededException" in told[0]
    assert "HTTP 500" in told[1] or "InternalFailure" in told[1] or "Internal" in told[1]


def test_a_create_tried_once_says_no_retry(run: Run, sandbox: Sandbox) -> None:
    script(sandbox, "personalize", RATE)
    done = run("start", "personalize", *run.start_args("personalize"), AWS_MAX_ATTEMPTS="1")
    assert done.exit_code == ExitCode.AWS
    assert "retrying after" not in done.output


def test_quiet_keeps_the_retries_of_a_create_unsaid(run: Run, sandbox: Sandbox) -> None:
    script(sandbox, "personalize", RATE, "ok")
    args = ("--wait", "--quiet", "--interval", "1s")
    done = run("start", "personalize", *run.start_args("personalize"), *args, AWS_MAX_ATTEMPTS=None)
    assert done.exit_code == 0, done.output
    assert run.creates("personalize") == 2
    assert "retrying after" not in done.output, done.output


def test_a_lost_answer_past_the_tenth_attempt_is_said_in_figures(
    run: Run, sandbox: Sandbox, fake_time: FakeTime
) -> None:
    # Eleven throttles made nothing; the twelfth attempt made the job.
    script(sandbox, "personalize", *["throttle"] * 11, "drop-after-commit")
    args = run.start_args("personalize")
    done = run("start", "personalize", *args, "--name", "late", AWS_MAX_ATTEMPTS="20")
    assert done.exit_code == 0, done.output
    assert "/late: the 12th attempt's answer was lost; this is the job it made" in done.stderr
