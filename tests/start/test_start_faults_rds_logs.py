"""Never two jobs for one `start` of RDS (its identifier is unique) or CloudWatch Logs
(its listing, and its one active task): the create's answer lost after the task was
made, over HTTP against the sandbox, on a clock only the command's sleeps move."""

from __future__ import annotations

from sleepless import FakeTime
from start_support import Run

from exportctl.domain.errors import ExitCode
from exportctl.ops.start.starter import ATTEMPTS
from exportctl.sandbox import Sandbox

ACCOUNT = "123456789012"
SNAPSHOT = f"arn:aws:rds:us-east-1:{ACCOUNT}:snapshot:orders-pg-2026-11-16"
RDS = [
    "start", "rds", "--source-arn", SNAPSHOT, "--bucket", "out", "--kms-key", "alias/k",
    "--role-arn", f"arn:aws:iam::{ACCOUNT}:role/exporter",
]  # fmt: skip
LOGS = ["start", "logs", "--log-group", "/ecs/checkout", "--start-time", "1d", "--bucket", "out"]
# The seeded task that keeps us-east-1's one slot busy ends 40 s in.
SEEDED_ACTIVE_ENDS = 40.0


def _tasks(sandbox: Sandbox, service: str) -> set[str]:
    return {j["id"] for j in sandbox.jobs(service, "us-east-1") if j["kind"] == "export-task"}


def test_rds_a_lost_answer_is_the_task_its_identifier_names(run: Run, sandbox: Sandbox) -> None:
    before = _tasks(sandbox, "rds")
    sandbox.faults.fates = {"rds:StartExportTask": ["drop-after-commit"]}
    done = run(*RDS, "--name", "orders-once")
    assert done.exit_code == 0, done.output
    assert done.stdout.strip() == "rds:us-east-1:orders-once"
    # The API's warning, said once as the command's notice.
    assert (
        done.stderr.count(
            "exportctl: notice: rds:us-east-1:orders-once: the first attempt's answer was lost; "
            "this is the job it made"
        )
        == 1
    )
    # Still STARTING, without a time of its own: ours all the same.
    assert len(_tasks(sandbox, "rds") - before) == 1


def test_rds_the_notice_names_the_attempt_whose_answer_was_lost(run: Run, sandbox: Sandbox) -> None:
    # Two throttles made nothing: the third attempt made the task, not the first.
    sandbox.faults.fates = {"rds:StartExportTask": ["throttle", "throttle", "drop-after-commit"]}
    done = run(*RDS, "--name", "orders-third")
    assert done.exit_code == 0, done.output
    assert (
        "exportctl: notice: rds:us-east-1:orders-third: the third attempt's answer was lost; "
        "this is the job it made"
    ) in done.stderr
    assert "first attempt" not in done.stderr


def test_rds_two_attempts_that_may_have_made_the_task_are_both_named(
    run: Run, sandbox: Sandbox
) -> None:
    # A 5xx may or may not have made it: either of the two did.
    sandbox.faults.fates = {"rds:StartExportTask": ["error", "throttle", "error-after-commit"]}
    done = run(*RDS, "--name", "orders-either")
    assert done.exit_code == 0, done.output
    assert (
        "rds:us-east-1:orders-either: the answers of the first and third attempts were lost; "
        "this is the job one of them made"
    ) in done.stderr


def test_rds_a_generated_identifier_makes_one_task_under_errors(run: Run, sandbox: Sandbox) -> None:
    before = _tasks(sandbox, "rds")
    sandbox.faults.fates = {"rds:StartExportTask": ["error-after-commit", "throttle", "ok"]}
    done = run(*RDS)
    assert done.exit_code == 0, done.output
    assert len(_tasks(sandbox, "rds") - before) == 1


def test_logs_a_lost_answer_is_found_in_the_listing(
    run: Run, sandbox: Sandbox, fake_time: FakeTime
) -> None:
    fake_time.sleep(SEEDED_ACTIVE_ENDS + 1)
    before = _tasks(sandbox, "logs")
    sandbox.faults.fates = {"logs:CreateExportTask": ["drop-after-commit"]}
    done = run(*LOGS)
    assert done.exit_code == 0, done.output
    assert "this is the job it made" in done.output
    made = _tasks(sandbox, "logs") - before
    assert len(made) == 1 and done.stdout.strip().endswith(made.pop())


def test_logs_a_lost_answer_after_throttles_is_said_of_its_own_attempt(
    run: Run, sandbox: Sandbox, fake_time: FakeTime
) -> None:
    fake_time.sleep(SEEDED_ACTIVE_ENDS + 1)
    sandbox.faults.fates = {"logs:CreateExportTask": ["throttle", "throttle", "drop-after-commit"]}
    done = run(*LOGS)
    assert done.exit_code == 0, done.output
    assert "the third attempt's answer was lost; this is the job it made" in done.stderr


def test_logs_throttled_to_the_end_made_nothing(
    run: Run, sandbox: Sandbox, fake_time: FakeTime
) -> None:
    fake_time.sleep(SEEDED_ACTIVE_ENDS + 1)
    before = _tasks(sandbox, "logs")
    sandbox.faults.fates = {"logs:CreateExportTask": ["throttle"] * ATTEMPTS}
    done = run(*LOGS)
    assert done.exit_code == ExitCode.AWS
    assert f"failed {ATTEMPTS} times over " in done.output
    assert _tasks(sandbox, "logs") == before


def test_logs_a_busy_region_sends_no_create(run: Run, sandbox: Sandbox) -> None:
    done = run(*LOGS)
    assert done.exit_code == ExitCode.AWS
    assert "(RUNNING) is active" in done.output
    # Run as printed, the cancel goes where this start went (its --endpoint-url).
    assert (
        f"cancel it (exportctl --endpoint-url {sandbox.url} cancel logs:us-east-1:" in done.output
    )
    assert not any(op == "CreateExportTask" for _, op in sandbox.calls)


def test_an_unreadable_answer_to_a_create_is_a_job_that_may_exist(
    run: Run, sandbox: Sandbox
) -> None:
    # What answered (a proxy's page, with 200) may stand for a task made: every
    # answer garbled from then on, the task is named, not left to a second start.
    before = _tasks(sandbox, "rds")
    sandbox.faults.garble = {"rds": "html"}
    done = run(*RDS, "--name", "orders-garbled")
    assert done.exit_code == ExitCode.AWS, done.output
    last = done.stderr.strip().splitlines()[-1]
    assert "it may be the one" in last, last
    # Named once, with the command that reads it by its reference.
    assert last.count("orders-garbled") == 2, last
    assert last.endswith(
        f"it is named 'orders-garbled': exportctl --endpoint-url {sandbox.url} "
        "status rds:us-east-1:orders-garbled"
    ), last
    assert "Traceback" not in done.output and "KeyError" not in last
    assert len(_tasks(sandbox, "rds") - before) == 1


def test_an_empty_answer_to_a_create_with_a_token_says_the_token(
    run: Run, sandbox: Sandbox
) -> None:
    table = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders"
    exports = {j["id"] for j in sandbox.jobs("dynamodb", "us-east-1")}
    sandbox.faults.garble = {"dynamodb": "empty"}
    done = run("start", "dynamodb", "--table", table, "--to", "s3://out/o/")
    assert done.exit_code == ExitCode.AWS, done.output
    assert "client token" in done.stderr.strip().splitlines()[-1]
    # Sent again with its token: the one export, however many answers were lost.
    assert len({j["id"] for j in sandbox.jobs("dynamodb", "us-east-1")} - exports) == 1


def test_dynamodb_a_lost_answer_then_throttled_is_found_by_its_token(
    run: Run, sandbox: Sandbox
) -> None:
    # Its records show the client token (DescribeExport's ClientToken): the last
    # look finds the export this command made, rather than give up on it.
    table = f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/orders"
    exports = {j["id"] for j in sandbox.jobs("dynamodb", "us-east-1")}
    sandbox.faults.fates = {
        "ExportTableToPointInTime": ["drop-after-commit", *["throttle"] * (ATTEMPTS - 1)]
    }
    done = run("start", "dynamodb", "--table", table, "--to", "s3://out/o/")
    assert done.exit_code == 0, done.output
    made = {j["id"] for j in sandbox.jobs("dynamodb", "us-east-1")} - exports
    assert len(made) == 1
    assert done.stdout.strip().endswith(next(iter(made)).rsplit("/", 1)[-1])
    assert "this is the job it made" in done.stderr


def test_ec2_image_exports_are_looked_for_by_their_parameters_not_a_token_never_shown(
    run: Run, sandbox: Sandbox
) -> None:
    sandbox.faults.fates = {
        "ec2:ExportImage": ["drop-after-commit", *["throttle"] * (ATTEMPTS - 1)],
        "ec2:DescribeExportImageTasks": ["throttle"] * 20,
    }
    image = ["--image-id", "ami-05b0afc72e48f9d3f", "--to", "s3://out/amis/"]
    done = run("start", "ec2", *image)
    assert done.exit_code == ExitCode.AWS, done.output
    last = done.stderr.strip().splitlines()[-1]
    assert "look for a job with these parameters" in last, last
    assert "list -s ec2 --region us-east-1 --since 1h" in last


def _slot_held_unlisted(run: Run, sandbox: Sandbox, fake_time: FakeTime, lag: float) -> None:
    """A task just made holds the slot, not listed for ``lag`` seconds: the count
    finds a free slot the service refuses, round after round."""
    fake_time.sleep(SEEDED_ACTIVE_ENDS + 1)
    assert run(*LOGS).exit_code == 0
    sandbox.faults.listing_lag = lag


def test_logs_queue_waits_out_a_listing_that_lags(
    run: Run, sandbox: Sandbox, fake_time: FakeTime
) -> None:
    _slot_held_unlisted(run, sandbox, fake_time, 30.0)
    before = _tasks(sandbox, "logs")
    done = run(*LOGS, "--queue", "--interval", "2s")
    assert done.exit_code == 0, done.output
    assert len(_tasks(sandbox, "logs") - before) == 1
    # Refusals at the queue's pace, not the create's attempts spent at once.
    assert sandbox.calls[("logs", "CreateExportTask")] <= 1 + 30 // 2 + 2


def test_logs_queue_that_lags_past_its_timeout_says_so(
    run: Run, sandbox: Sandbox, fake_time: FakeTime
) -> None:
    _slot_held_unlisted(run, sandbox, fake_time, 600.0)
    done = run(*LOGS, "--queue", "--interval", "2s", "--timeout", "20s")
    assert done.exit_code == ExitCode.TIMEOUT, done.output
    assert "no slot came free in" in done.stderr and "--queue" not in done.stderr
    assert "(--timeout)" in done.stderr


def test_logs_queue_waits_for_a_slot_another_took_after_an_attempt_that_made_nothing(
    run: Run, sandbox: Sandbox, fake_time: FakeTime
) -> None:
    # The slot looks free (its holder, of another log group, not listed yet); the
    # first create fails having made nothing, and its answer tells nothing: the start
    # looks for its task, finds none, and the slot is the holder's, running on.
    fake_time.sleep(SEEDED_ACTIVE_ENDS + 1)
    other = ["start", "logs", "--log-group", "/ecs/other", "--start-time", "1d", "--bucket", "out"]
    holder = run(*other)
    assert holder.exit_code == 0
    sandbox.set_status("logs", holder.stdout.strip().rpartition(":")[2], "RUNNING")
    sandbox.faults.listing_lag = 30.0
    before = _tasks(sandbox, "logs")
    sandbox.faults.fates = {"logs:CreateExportTask": ["error"]}
    done = run(*LOGS, "--queue", "--interval", "2s", "--timeout", "5m")
    # It waits for the slot as a queued start does, until its --timeout: the holder's
    # refusal ended it at once (exit 5), its export never made, naming none to look for.
    assert done.exit_code == ExitCode.TIMEOUT, done.output
    assert "no slot came free in" in done.stderr
    assert _tasks(sandbox, "logs") == before
