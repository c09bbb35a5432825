"""exportctl wait against the sandbox over HTTP, on a fake clock."""

from __future__ import annotations

import json
import re

import pytest
from wait_support import (
    BACKUP_RUNNING,
    DISCOVERY_RUNNING,
    PERSONALIZE_FAILED,
    PERSONALIZE_PENDING,
    PERSONALIZE_RUNNING,
    PINPOINT_CREATED,
    PINPOINT_FAILING,
    PINPOINT_PROCESSING,
    PINPOINT_STUCK,
    FakeTime,
    Run,
)

from exportctl.sandbox import Sandbox


def test_one_job_returns_once_it_completes(run: Run, fake_time: FakeTime) -> None:
    result = run("wait", DISCOVERY_RUNNING)

    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "RUNNING (IN_PROGRESS)" in lines[0]
    assert "RUNNING (IN_PROGRESS) -> COMPLETED (SUCCEEDED)" in lines[1]
    assert lines[-1] == "1 job COMPLETED"
    # Finished at +25 s: the last sleep ends the first round after it, no later.
    assert 25 <= sum(fake_time.sleeps) < 25 + 60
    assert result.stderr == ""


def test_the_first_check_is_immediate(run: Run, fake_time: FakeTime) -> None:
    result = run("wait", PERSONALIZE_FAILED, "--until", "FAILED")

    assert result.exit_code == 0, result.stderr
    assert fake_time.sleeps == []


def test_jobs_of_every_service_in_json(run: Run, sandbox: Sandbox) -> None:
    refs = [DISCOVERY_RUNNING, PINPOINT_PROCESSING, PERSONALIZE_RUNNING, BACKUP_RUNNING]

    result = run("wait", *refs, "--json")

    assert result.exit_code == 0, result.stderr
    records = json.loads(result.stdout)
    assert [r["state"] for r in records] == ["COMPLETED"] * 4
    assert [r["service"] for r in records] == ["discovery", "pinpoint", "personalize",
                                               "backupsearch"]  # fmt: skip
    # Progress lines went to stderr, so stdout is the JSON alone.
    assert "-> COMPLETED" in result.stderr


def test_one_ref_in_json_is_one_object_as_in_status(run: Run) -> None:
    result = run("wait", DISCOVERY_RUNNING, "--json", "--quiet")

    assert result.exit_code == 0
    assert json.loads(result.stdout)["status"] == "SUCCEEDED"


def test_a_job_that_fails_ends_the_wait_at_once_with_exit_1(run: Run, fake_time: FakeTime) -> None:
    result = run("wait", PERSONALIZE_FAILED)

    assert result.exit_code == 1
    assert fake_time.sleeps == []
    assert "ended FAILED (CREATE FAILED), not COMPLETED" in result.stderr


def test_a_job_that_can_no_longer_complete_ends_the_wait_at_once(
    run: Run, fake_time: FakeTime
) -> None:
    result = run("wait", PINPOINT_FAILING, "--json")

    assert result.exit_code == 1
    assert fake_time.sleeps == []
    assert "RUNNING (FAILING) can no longer be COMPLETED" in result.stderr
    assert "ce20c4fd32f640d0032634f087e51b42" in result.stderr
    # The record says what the job is: still running, nothing final about it.
    record = json.loads(result.stdout)
    assert (record["state"], record["terminal"], record["completed"]) == ("RUNNING", False, None)


def test_a_vendor_word_of_a_completed_state_gives_up_on_a_failing_job(
    run: Run, fake_time: FakeTime
) -> None:
    result = run("wait", PINPOINT_FAILING, DISCOVERY_RUNNING, "--until", "SUCCEEDED")

    assert result.exit_code == 1
    assert "RUNNING (FAILING) can no longer be SUCCEEDED" in result.stderr
    # The Discovery task was still waited for.
    assert "-> COMPLETED (SUCCEEDED)" in result.stdout


def test_mixed_outcomes_name_only_the_jobs_that_missed(run: Run) -> None:
    result = run("wait", DISCOVERY_RUNNING, PERSONALIZE_FAILED, PINPOINT_PROCESSING)

    assert result.exit_code == 1
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 1
    assert "users-denied: ended FAILED (CREATE FAILED), not COMPLETED" in errors[0]
    # Its message comes along, so the reason is on the same line.
    assert "not COMPLETED: Insufficient privileges for accessing data in S3" in errors[0]
    # The others were still waited for, to the end.
    assert result.stdout.count("-> COMPLETED") == 2


def test_until_failed(run: Run, fake_time: FakeTime) -> None:
    failing = run("wait", PINPOINT_FAILING, "--until", "failed", "--json")
    assert failing.exit_code == 0, failing.stderr
    # FAILING is not FAILED yet: the wait lasts until the job is (+35 s).
    assert sum(fake_time.sleeps) >= 35
    record = json.loads(failing.stdout)
    assert (record["status"], record["terminal"]) == ("FAILED", True)
    assert record["completed"] is not None
    assert "RUNNING (FAILING) -> FAILED" in failing.stderr
    done = run("wait", DISCOVERY_RUNNING, "--until", "FAILED")
    assert done.exit_code == 1
    assert "ended COMPLETED (SUCCEEDED), not FAILED" in done.stderr


def test_until_terminal_takes_either(run: Run) -> None:
    result = run("wait", PINPOINT_FAILING, DISCOVERY_RUNNING, "--until", "Terminal")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "2 jobs met --until terminal"


@pytest.mark.parametrize("word", ["ACTIVE", "active", "Create-Failed", "create_failed"])
def test_vendor_words_any_case(run: Run, word: str) -> None:
    ref = PERSONALIZE_RUNNING if "act" in word.lower() else PERSONALIZE_FAILED
    result = run("wait", ref, "--until", word)
    assert result.exit_code == 0, result.stderr


def test_a_vendor_word_is_its_normalised_state_for_other_services(run: Run) -> None:
    result = run("wait", PERSONALIZE_RUNNING, DISCOVERY_RUNNING, "--until", "SUCCEEDED")

    assert result.exit_code == 0, result.stderr


def test_a_vendor_word_of_no_service_given_is_a_usage_error(run: Run, sandbox: Sandbox) -> None:
    result = run("wait", DISCOVERY_RUNNING, "--until", "ACTIVE")

    assert result.exit_code == 2
    assert "Amazon Personalize" in result.stderr and "--until COMPLETED" in result.stderr
    assert sum(sandbox.calls.values()) == 0


def test_an_unknown_word_is_a_usage_error_listing_the_words(run: Run, sandbox: Sandbox) -> None:
    result = run("wait", DISCOVERY_RUNNING, "--until", "DONE")

    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    # The words of the jobs waited for (Discovery's), not every service's.
    for word in ("COMPLETED", "FAILED", "terminal", "SUCCEEDED"):
        assert word in result.stderr
    assert "ACTIVE" not in result.stderr and "CREATE FAILED" not in result.stderr
    assert sum(sandbox.calls.values()) == 0


def test_a_bad_ref_is_a_usage_error_before_any_call(run: Run, sandbox: Sandbox) -> None:
    result = run("wait", DISCOVERY_RUNNING, "pinpoint:only-one-part")

    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    assert sum(sandbox.calls.values()) == 0


@pytest.mark.parametrize("option", ["--interval", "--timeout", "--max-interval"])
def test_a_bad_duration_is_a_usage_error(run: Run, option: str) -> None:
    result = run("wait", DISCOVERY_RUNNING, option, "soon")
    assert result.exit_code == 2
    assert "not a duration" in result.stderr


def test_timeout_ends_with_124_and_names_what_is_pending(run: Run, fake_time: FakeTime) -> None:
    result = run("wait", PINPOINT_STUCK, DISCOVERY_RUNNING, "--timeout", "2m", "--json")

    assert result.exit_code == 124
    # Never slept past the deadline; the last check was at it.
    assert sum(fake_time.sleeps) == pytest.approx(120)
    assert "timed out after 2m00s; still pending:" in result.stderr
    assert "81a049d7ccc7e90a88d519448fb2fc67 RUNNING (COMPLETING)" in result.stderr
    assert "export-1ecb19dd" not in result.stderr.split("still pending")[1]
    assert [r["status"] for r in json.loads(result.stdout)] == ["COMPLETING", "SUCCEEDED"]


def test_backoff_grows_from_interval_to_the_cap(run: Run, fake_time: FakeTime) -> None:
    result = run(
        "wait", PINPOINT_STUCK, "--timeout", "10m", "--interval", "2s", "--max-interval", "30s"
    )

    assert result.exit_code == 124
    sleeps = fake_time.sleeps
    assert 1.7 <= sleeps[0] <= 2.3
    assert sleeps[0] < sleeps[1] < sleeps[2] < sleeps[3]
    assert max(sleeps) <= 30
    assert sleeps[-2] >= 27  # reached the cap before the deadline


def test_a_throttling_storm_is_retried_and_shown(
    run: Run, sandbox: Sandbox, fake_time: FakeTime
) -> None:
    sandbox.faults.throttle_rate = 1.0

    def calm(sleeps: int) -> None:
        if sleeps == 3:
            sandbox.faults.throttle_rate = 0.0

    fake_time.hooks.append(calm)

    result = run("wait", DISCOVERY_RUNNING, PERSONALIZE_RUNNING, PINPOINT_PROCESSING)

    assert result.exit_code == 0, result.stderr
    retry_lines = [line for line in result.stderr.splitlines() if "retrying after" in line]
    assert retry_lines and any("ThrottlingException" in line for line in retry_lines)
    # Told once while it lasts, whatever its counts of attempts and seconds.
    said = [re.sub(r"\d+", "#", line) for line in retry_lines]
    assert len(said) == len(set(said)), retry_lines
    assert result.stdout.count("-> COMPLETED") + result.stdout.count("  COMPLETED") >= 3
    assert sandbox.calls[("discovery", "DescribeExportTasks")] >= 4


def test_server_errors_are_retried(run: Run, sandbox: Sandbox, fake_time: FakeTime) -> None:
    sandbox.faults.error_rate = 1.0
    fake_time.hooks.append(lambda n: setattr(sandbox.faults, "error_rate", 0.0))

    result = run("wait", BACKUP_RUNNING)

    assert result.exit_code == 0, result.stderr
    assert "exportctl: notice: retrying after: AWS Backup Search:" in result.stderr


def test_refused_credentials_are_fatal(run: Run) -> None:
    result = run("wait", DISCOVERY_RUNNING, AWS_ACCESS_KEY_ID="DENIED")

    assert result.exit_code == 4
    assert "Traceback" not in result.stderr


def test_an_unknown_status_keeps_the_wait_going(
    run: Run, sandbox: Sandbox, fake_time: FakeTime
) -> None:
    sandbox.set_status("personalize", PERSONALIZE_PENDING, "CREATE STOPPING")

    def settle(sleeps: int) -> None:
        if sleeps == 2:
            sandbox.set_status("personalize", PERSONALIZE_PENDING, "ACTIVE")

    fake_time.hooks.append(settle)

    result = run("wait", PERSONALIZE_PENDING)

    assert result.exit_code == 0, result.stderr
    assert "UNKNOWN (CREATE STOPPING)" in result.stdout
    assert "UNKNOWN (CREATE STOPPING) -> COMPLETED (ACTIVE)" in result.stdout
    assert len(fake_time.sleeps) == 2


def test_a_job_deleted_mid_wait_counts_as_failed(
    run: Run, sandbox: Sandbox, fake_time: FakeTime
) -> None:
    job_id = PINPOINT_STUCK.rsplit("/", 1)[1]
    fake_time.hooks.append(lambda n: sandbox.delete_job("pinpoint", job_id) if n == 1 else None)

    result = run("wait", PINPOINT_STUCK, DISCOVERY_RUNNING)

    assert result.exit_code == 1
    assert "no longer found" in result.stdout
    assert f"{job_id}: disappeared while waiting for COMPLETED" in result.stderr


def test_a_job_not_found_at_first_is_exit_3(run: Run) -> None:
    result = run("wait", "discovery:export-00000000-0000-4000-a000-000000000000", "--json")

    assert result.exit_code == 3
    assert json.loads(result.stdout) is None
    assert "not found" in result.stderr


def test_quiet_prints_nothing(run: Run) -> None:
    ok = run("wait", DISCOVERY_RUNNING, "--quiet")
    failed = run("wait", PINPOINT_FAILING, "-q")

    assert (ok.exit_code, ok.stdout, ok.stderr) == (0, "", "")
    assert (failed.exit_code, failed.stdout, failed.stderr) == (1, "", "")


def test_debug_reports_the_calls_of_each_round(run: Run) -> None:
    result = run("wait", DISCOVERY_RUNNING, PINPOINT_CREATED, PINPOINT_PROCESSING, "--debug")

    assert result.exit_code == 0, result.stderr
    rounds = [line for line in result.stderr.splitlines() if ": round " in line]
    assert rounds[0].endswith("discovery.DescribeExportTasks=1, pinpoint.GetExportJobs=1")
    assert "API calls:" in result.stderr.splitlines()[-1]


def test_the_same_job_twice_is_waited_on_once(run: Run, sandbox: Sandbox) -> None:
    result = run("wait", DISCOVERY_RUNNING, DISCOVERY_RUNNING, "--json")

    assert result.exit_code == 0
    assert len(json.loads(result.stdout)) == 1


def test_the_same_job_in_two_forms_is_waited_on_once(run: Run, sandbox: Sandbox) -> None:
    qualified = DISCOVERY_RUNNING.replace("discovery:", "discovery:us-east-1:", 1)
    assert qualified != DISCOVERY_RUNNING
    result = run("wait", DISCOVERY_RUNNING, qualified, "--json")

    assert result.exit_code == 0
    assert len(json.loads(result.stdout)) == 1


def test_dropped_connections_are_retried(run: Run, sandbox: Sandbox, fake_time: FakeTime) -> None:
    sandbox.faults.drop_rate = 1.0
    fake_time.hooks.append(lambda n: setattr(sandbox.faults, "drop_rate", 0.0))

    result = run("wait", DISCOVERY_RUNNING)

    assert result.exit_code == 0, result.stderr
    assert "retrying after: AWS Application Discovery:" in result.stderr


def test_a_personalize_name_is_looked_up_once_then_polled_by_arn(
    run: Run, sandbox: Sandbox
) -> None:
    result = run("wait", "interactions-incremental", "--service", "personalize", "--debug")

    assert result.exit_code == 0, result.stderr
    rounds = [line for line in result.stderr.splitlines() if ": round " in line]
    assert len(rounds) > 2
    assert "ListDatasetExportJobs=1" in rounds[0]
    assert all(line.endswith("personalize.DescribeDatasetExportJob=1") for line in rounds[1:])


def test_a_service_out_of_reach_ends_the_wait_with_5(run: Run) -> None:
    # Discovery answers only in its Migration Hub home region.
    result = run("wait", "discovery:eu-west-1:export-1ecb19dd-8b7c-46b2-aa22-eccdf03eeddf")

    assert result.exit_code == 5
    assert "home region" in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_timeout_names_the_pending_jobs_its_line_holds_and_counts_the_rest(
    run: Run, sandbox: Sandbox, fake_time: FakeTime
) -> None:
    # Hundreds named were cut where the line is clipped (35 of 800), the rest unsaid.
    running = {"discovery": "IN_PROGRESS", "logs": "RUNNING", "dynamodb": "IN_PROGRESS"}
    for service, status in running.items():
        for job in sandbox.jobs(service, "us-east-1"):
            if job["kind"] in ("export-task", "export"):
                sandbox.set_status(service, str(job["id"]), status)
    listed = run("list", "--status", "running", "-o", "text", "--fields", "ref")
    refs = listed.stdout.split()
    assert len(refs) > 20, listed.stdout
    result = run("wait", *refs, "--timeout", "1m", "--json")
    assert result.exit_code == 124, result.stderr
    pending = [r for r in json.loads(result.stdout) if not r["terminal"]]
    assert len(pending) > 20, result.stdout
    line = result.stderr.split("still pending: ")[1].rstrip()
    *named, rest = line.split("; ")
    # As many as the line has room for (an error line is clipped at 2,000), 20 at most.
    assert 10 <= len(named) <= 20 and all(" RUNNING" in n for n in named), named
    assert len(line) < 1_900 and "…" not in line
    more = re.fullmatch(r"and (\d+) more", rest)
    # Of the jobs not ended, those the wait was done with (doomed) are not pending.
    assert more and len(named) + int(more.group(1)) <= len(pending), rest


def test_long_references_still_leave_room_for_the_count() -> None:
    # 20 DynamoDB export ARNs and their states pass the 2,000 characters an error
    # line is clipped at: the count of the others was what got cut.
    from exportctl.cli.waitsession import still_pending
    from exportctl.ops.polling.outcome import Tracked
    from exportctl.services.refs import parse

    table = "arn:aws:dynamodb:us-east-1:123456789012:table/orders-archive-with-a-long-name"
    refs = [f"{table}/export/0179052045888{n:02}-9130b649" for n in range(25)]
    said = still_pending([Tracked(ref, parse(ref)) for ref in refs])
    *named, rest = said.split("; ")
    assert len(said) < 1_900 and 1 <= len(named) < 20, said
    assert rest == f"and {25 - len(named)} more"


def test_a_failure_in_the_round_the_timeout_ends_is_no_retry_notice(
    run: Run, sandbox: Sandbox, fake_time: FakeTime
) -> None:
    # The last round fails (a read the deadline cut, here a 5xx): nothing follows it
    # to retry, and the timeout's own line says how the wait ended.
    def fail_last(sleeps: int) -> None:
        if fake_time.now >= 1000.0 + 10:
            sandbox.faults.error_rate = 1.0

    fake_time.hooks.append(fail_last)

    result = run("wait", BACKUP_RUNNING, "--timeout", "10s", "--interval", "2s")

    assert result.exit_code == 124, result.stderr
    assert "retrying after" not in result.stderr
    assert "timed out after 10s" in result.stderr
    assert sandbox.faults.error_rate == 1.0  # the last round did fail


@pytest.mark.parametrize(("timeout", "said"), [("500ms", "500ms"), ("1.5s", "1.5s")])
def test_a_timeout_is_said_as_given_not_cut_to_whole_seconds(
    run: Run, fake_time: FakeTime, timeout: str, said: str
) -> None:
    result = run("wait", PINPOINT_STUCK, "--timeout", timeout, "--interval", "1s")

    assert result.exit_code == 124, result.stderr
    assert f"timed out after {said}; still pending:" in result.stderr


def test_a_failure_before_the_timeout_is_still_a_retry_notice(
    run: Run, sandbox: Sandbox, fake_time: FakeTime
) -> None:
    def fail_early(sleeps: int) -> None:
        if sleeps == 1:
            sandbox.faults.error_rate = 1.0

    fake_time.hooks.append(fail_early)

    result = run("wait", BACKUP_RUNNING, "--timeout", "10s", "--interval", "2s")

    assert result.exit_code == 124, result.stderr
    assert "exportctl: notice: retrying after: AWS Backup Search:" in result.stderr
