"""RDS snapshot exports through Jobs and start, with Stubber checking every request and
answer against the installed model."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from adapter_stubs import (
    ACCOUNT,
    REGION,
    WHEN,
    Filler,
    Stubs,
    leaves,
    operation,
)
from botocore.stub import Stubber

from exportctl.domain.errors import AwsError, ExportctlError, NotFoundError, UsageError
from exportctl.domain.model import State
from exportctl.domain.timeutil import iso
from exportctl.ops.jobs import Jobs, ListQuery
from exportctl.ops.start.request import plan
from exportctl.ops.start.starter import Starter
from exportctl.services import spec_for
from exportctl.services.refs import parse

SPEC = spec_for("rds")
SOURCE = f"arn:aws:rds:{REGION}:{ACCOUNT}:snapshot:rds:orders-pg-2026-11-23-05-10"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/RdsExport"
KMS = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
DOCUMENTED = {
    "STARTING": State.PENDING,
    "IN_PROGRESS": State.RUNNING,
    "COMPLETE": State.COMPLETED,
    "FAILED": State.FAILED,
    "CANCELING": State.RUNNING,
    "CANCELED": State.CANCELLED,
}


def task(ident: str = "orders-1", status: str = "COMPLETE", **more: Any) -> dict[str, Any]:
    started = status != "STARTING"
    out: dict[str, Any] = {
        "ExportTaskIdentifier": ident,
        "SourceArn": SOURCE,
        "SnapshotTime": WHEN - timedelta(hours=2),
        "S3Bucket": "exports",
        "S3Prefix": "orders/",
        "IamRoleArn": ROLE,
        "KmsKeyId": KMS,
        "Status": status,
        "PercentProgress": 100 if status == "COMPLETE" else 0,
        "TotalExtractedDataInGB": 7,
        "SourceType": "SNAPSHOT",
    }
    if started:
        out["TaskStartTime"] = WHEN
    if status in ("COMPLETE", "FAILED", "CANCELED"):
        out["TaskEndTime"] = WHEN + timedelta(minutes=9)
    out.update(more)
    return out


def test_get_reads_one_task_by_its_identifier(jobs: Jobs, stubs: Stubs) -> None:
    stubs("rds").add_response(
        "describe_export_tasks", {"ExportTasks": [task()]}, {"ExportTaskIdentifier": "orders-1"}
    )
    job = jobs.get(parse("rds:orders-1"))
    assert (job.ref, job.id, job.arn) == (f"rds:{REGION}:orders-1", "orders-1", None)
    assert job.state is State.COMPLETED and job.status == "COMPLETE"
    assert (job.created, job.completed) == (WHEN, WHEN + timedelta(minutes=9))
    assert job.created is not None and job.created.tzinfo is timezone.utc
    # The service writes under PREFIX/IDENTIFIER/, the prefix's slashes its own.
    assert job.destination == "s3://exports/orders/orders-1/"
    assert job.details["percent_progress"] == 100
    assert job.details["total_extracted_data_in_gb"] == 7
    assert job.details["source_arn"] == SOURCE and job.details["s3_prefix"] == "orders/"


def test_a_missing_task_is_not_found(jobs: Jobs, stubs: Stubs) -> None:
    stubs("rds").add_client_error(
        "describe_export_tasks",
        service_error_code="ExportTaskNotFound",
        service_message="Cannot find export task with ID gone.",
        http_status_code=404,
        expected_params={"ExportTaskIdentifier": "gone"},
    )
    with pytest.raises(NotFoundError, match="Cannot find export task"):
        jobs.get(parse("rds:gone"))


@pytest.mark.parametrize(("word", "state"), sorted(DOCUMENTED.items()))
def test_every_documented_status_word_has_its_state(
    jobs: Jobs, stubs: Stubs, word: str, state: State
) -> None:
    # The model leaves Status a free string: the words are the API reference's.
    stubs("rds").add_response(
        "describe_export_tasks",
        {"ExportTasks": [task(status=word)]},
        {"ExportTaskIdentifier": "orders-1"},
    )
    job = jobs.get(parse("rds:orders-1"))
    assert job.state is state
    assert SPEC.can_reach(word, State.COMPLETED) is (word != "CANCELING")


def test_a_task_not_started_yet_has_no_time(jobs: Jobs, stubs: Stubs) -> None:
    stubs("rds").add_response(
        "describe_export_tasks",
        {"ExportTasks": [task(status="STARTING")]},
        {"ExportTaskIdentifier": "orders-1"},
    )
    job = jobs.get(parse("rds:orders-1"))
    assert job.state is State.PENDING and job.created is None and job.completed is None


def test_a_warning_is_the_message_of_a_completed_task(jobs: Jobs, stubs: Stubs) -> None:
    warning = "The following tables were skipped: billing.legacy."
    stubs("rds").add_response(
        "describe_export_tasks",
        {"ExportTasks": [task(WarningMessage=warning)]},
        {"ExportTaskIdentifier": "orders-1"},
    )
    job = jobs.get(parse("rds:orders-1"))
    assert job.message == warning and job.details["warning_message"] == warning


def test_the_listing_follows_the_marker(jobs: Jobs, stubs: Stubs) -> None:
    stub = stubs("rds")
    stub.add_response(
        "describe_export_tasks",
        {"ExportTasks": [task("a"), task("b", "FAILED", FailureCause="denied")], "Marker": "m1"},
        {"MaxRecords": 100},
    )
    stub.add_response(
        "describe_export_tasks", {"ExportTasks": [task("c", "IN_PROGRESS")]},
        {"MaxRecords": 100, "Marker": "m1"},
    )  # fmt: skip
    found = jobs.list(ListQuery(services=("rds",))).jobs
    assert sorted(j.id for j in found) == ["a", "b", "c"]
    assert next(j for j in found if j.id == "b").message == "denied"


def test_every_member_of_a_maximal_answer_is_kept(jobs: Jobs, stubs: Stubs) -> None:
    output = operation("rds", "DescribeExportTasks").output_shape
    assert output is not None
    filler = Filler()
    response = filler.fill(output)
    response["ExportTasks"][0]["Status"] = "COMPLETE"
    stubs("rds").add_response("describe_export_tasks", response)
    ident = response["ExportTasks"][0]["ExportTaskIdentifier"]
    out = leaves(jobs.get(parse(f"rds:{ident}")).to_dict())
    for path, value in filler.leaves:
        if not path.startswith("ExportTasks.") or path.endswith(".Status"):
            continue
        shown = iso(value) if isinstance(value, datetime) else value
        assert shown in out or any(isinstance(v, str) and str(shown) in v for v in out), path


def _starter(jobs: Jobs) -> Starter:
    return Starter(jobs, sleep=lambda seconds: None)


def _create_stub(jobs: Jobs) -> Stubber:
    stubber = Stubber(jobs.clients.client("rds", REGION, attempts=1))
    stubber.activate()
    return stubber


VALUES = {
    "source_arn": SOURCE,
    "bucket": "exports",
    "prefix": "orders/",
    "role_arn": ROLE,
    "kms_key": KMS,
    "only": ("orders.public.orders", "orders.public.customers"),
}


def test_the_start_request_as_sent_and_its_generated_identifier(jobs: Jobs) -> None:
    made = plan(SPEC, VALUES, REGION)
    ident = made.request["ExportTaskIdentifier"]
    # An automated snapshot's name starts with "rds:": an identifier may not hold it.
    assert ident.startswith("rds-orders-pg-2026-11-23-05-10-")
    assert "--" not in ident and ident[0].isalpha()
    stub = _create_stub(jobs)
    stub.add_response(
        "start_export_task",
        task(ident, "STARTING", ExportOnly=list(VALUES["only"])),
        {
            "ExportTaskIdentifier": ident,
            "SourceArn": SOURCE,
            "S3BucketName": "exports",
            "S3Prefix": "orders/",
            "IamRoleArn": ROLE,
            "KmsKeyId": KMS,
            "ExportOnly": list(VALUES["only"]),
        },
    )
    started = _starter(jobs).start(made)
    stub.assert_no_pending_responses()
    assert started.ref == f"rds:{REGION}:{ident}" and started.attempts == 1


def test_a_required_option_missing_is_refused_before_any_call() -> None:
    with pytest.raises(UsageError, match="--kms-key is required"):
        plan(SPEC, {k: v for k, v in VALUES.items() if k != "kms_key"}, REGION)


def test_a_lost_answer_then_already_exists_is_the_job_it_made(jobs: Jobs, stubs: Stubs) -> None:
    made = plan(SPEC, {**VALUES, "name": "orders-adhoc"}, REGION)
    stub = _create_stub(jobs)
    stub.add_client_error("start_export_task", "InternalFailure", "oops", 500)
    stub.add_client_error(
        "start_export_task",
        "ExportTaskAlreadyExists",
        "Cannot start export task because a task with the identifier orders-adhoc already exists.",
        400,
    )
    # Ours, and still STARTING: the service has not stamped a time on it yet.
    mine = task("orders-adhoc", "STARTING", ExportOnly=list(VALUES["only"]))
    stubs("rds").add_response(
        "describe_export_tasks", {"ExportTasks": [mine]}, {"ExportTaskIdentifier": "orders-adhoc"}
    )
    started = _starter(jobs).start(made)
    assert started.recovered and started.ref == f"rds:{REGION}:orders-adhoc"


def test_an_identifier_already_taken_at_the_first_attempt_asks_for_another(
    jobs: Jobs, stubs: Stubs
) -> None:
    made = plan(SPEC, {**VALUES, "name": "orders-weekly"}, REGION)
    stub = _create_stub(jobs)
    stub.add_client_error("start_export_task", "ExportTaskAlreadyExists", "exists", 400)
    stubs("rds").add_response(
        "describe_export_tasks",
        {"ExportTasks": [task("orders-weekly")]},
        {"ExportTaskIdentifier": "orders-weekly"},
    )
    with pytest.raises(UsageError, match="choose another --name"):
        _starter(jobs).start(made)


@pytest.mark.parametrize("code", ["ExportTaskLimitReachedFault", "ExportTaskLimitReached"])
def test_the_export_limit_is_said_after_one_call(jobs: Jobs, code: str) -> None:
    stub = _create_stub(jobs)
    stub.add_client_error("start_export_task", code, "Export task limit reached.", 400)
    with pytest.raises(AwsError) as refused:
        _starter(jobs).start(plan(SPEC, VALUES, REGION))
    said = refused.value.message
    assert "five export tasks at once per account" in said and code in said
    stub.assert_no_pending_responses()


def test_cancel_sends_the_identifier(jobs: Jobs, stubs: Stubs) -> None:
    from exportctl.ops.cancel import cancel

    stub = stubs("rds")
    stub.add_response(
        "describe_export_tasks",
        {"ExportTasks": [task(status="IN_PROGRESS")]},
        {"ExportTaskIdentifier": "orders-1"},
    )
    stub.add_response(
        "cancel_export_task", task(status="CANCELING"), {"ExportTaskIdentifier": "orders-1"}
    )
    stub.add_response(
        "describe_export_tasks",
        {"ExportTasks": [task(status="CANCELING")]},
        {"ExportTaskIdentifier": "orders-1"},
    )
    job = cancel(jobs, parse("rds:orders-1"))
    assert job.status == "CANCELING" and job.state is State.RUNNING


def test_a_task_that_completes_as_it_is_cancelled_has_already_ended(
    jobs: Jobs, stubs: Stubs
) -> None:
    from exportctl.ops.cancel import AlreadyEnded, cancel

    stub = stubs("rds")
    ident = {"ExportTaskIdentifier": "orders-1"}
    stub.add_response("describe_export_tasks", {"ExportTasks": [task(status="IN_PROGRESS")]}, ident)
    # It ended between the read and the cancel: RDS refuses the cancel in its words.
    stub.add_client_error(
        "cancel_export_task", "InvalidExportTaskStateFault", "it is COMPLETE", 400
    )
    stub.add_response("describe_export_tasks", {"ExportTasks": [task(status="COMPLETE")]}, ident)
    with pytest.raises(AlreadyEnded) as ended:
        cancel(jobs, parse("rds:orders-1"))
    # Exit 1, "already ended", not the service's refusal as an AWS error (exit 5).
    assert ended.value.exit_code == 1 and "already ended as COMPLETED" in ended.value.message


def test_a_cancel_taken_whose_job_cannot_be_read_after_says_it_was_sent(
    jobs: Jobs, stubs: Stubs
) -> None:
    from exportctl.ops.cancel import cancel

    stub = stubs("rds")
    ident = {"ExportTaskIdentifier": "orders-1"}
    stub.add_response("describe_export_tasks", {"ExportTasks": [task(status="IN_PROGRESS")]}, ident)
    stub.add_response("cancel_export_task", task(status="CANCELING"), ident)
    stub.add_client_error("describe_export_tasks", "AccessDenied", "no", 403)
    with pytest.raises(ExportctlError) as failed:
        cancel(jobs, parse("rds:orders-1"))
    assert "the cancel was sent, and the job could not be read after it" in failed.value.message


def test_a_status_word_newer_than_the_documentation_is_unknown(jobs: Jobs) -> None:
    client = jobs.clients.client("rds", REGION)
    body = (
        "<DescribeExportTasksResponse><DescribeExportTasksResult><ExportTasks><ExportTask>"
        "<ExportTaskIdentifier>orders-1</ExportTaskIdentifier><Status>PAUSED</Status>"
        "</ExportTask></ExportTasks></DescribeExportTasksResult></DescribeExportTasksResponse>"
    )
    with _xml(client, body):
        job = jobs.get(parse("rds:orders-1"))
    assert job.state is State.UNKNOWN and job.status == "PAUSED"


def _xml(client: Any, body: str) -> Any:
    """``raw_http`` for the query protocol's XML."""
    from contextlib import contextmanager

    from botocore.awsrequest import AWSResponse

    class _Body:
        def stream(self, **_: Any) -> Any:
            yield body.encode()

    @contextmanager
    def answering() -> Any:
        def answer(request: Any, **_: Any) -> AWSResponse:
            return AWSResponse(request.url, 200, {"content-type": "text/xml"}, _Body())

        client.meta.events.register("before-send", answer)
        try:
            yield
        finally:
            client.meta.events.unregister("before-send", answer)

    return answering()
