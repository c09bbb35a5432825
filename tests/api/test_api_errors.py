"""The class of an error the API raises follows what exportctl made of it, and its
message advises in the keyword arguments the caller gave."""

from __future__ import annotations

from typing import Any

import pytest

from exportctl import ApiError, AsyncClient, BadInput, Client, RequestRefused, WaitTimeout
from exportctl.domain.errors import ExitCode
from exportctl.testing import SandboxHandle

TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/orders"
QUOTA = "raise:LimitExceededException:400:too many"


@pytest.mark.parametrize(
    ("operation", "service", "given"),
    [
        ("discovery:StartExportTask", "discovery", {}),
        (
            "dynamodb:ExportTableToPointInTime",
            "dynamodb",
            {"table": TABLE, "to": "s3://exports/t/"},
        ),
    ],
)
def test_a_create_refused_by_a_quota_is_a_refusal_not_out_of_reach(
    own_sandbox: SandboxHandle, operation: str, service: str, given: dict[str, str]
) -> None:
    own_sandbox.sandbox.faults.update({"fates": {operation: [QUOTA]}})
    with pytest.raises(RequestRefused) as refused:
        Client().start(service, **given)
    assert "(LimitExceededException: too many)" in refused.value.message
    # The command line's exit code for it: 5.
    assert refused.value.exit_code == ExitCode.AWS


def test_refused_credentials_advise_the_keyword_arguments(own_sandbox: SandboxHandle) -> None:
    client = Client(
        region="ap-east-1",
        endpoint_url=own_sandbox.url,
        access_key_id="DENIED",
        secret_access_key="not-this-secret",
    )
    with pytest.raises(RequestRefused) as refused:
        client.get("logs:ap-east-1:abc")
    said = refused.value.message
    assert said.endswith(
        "; configure credentials with `aws configure` or `aws sso login`, "
        "or pass profile, or access_key_id and secret_access_key"
    )
    assert "AWS_PROFILE" not in said and "not-this-secret" not in said
    assert refused.value.exit_code == ExitCode.CREDENTIALS


def test_a_wait_stopped_by_close_says_the_client_as_a_call_after_it_does(
    exportctl_sandbox: SandboxHandle,
) -> None:
    import threading

    from exportctl import BadInput

    job = exportctl_sandbox.add_job("discovery")
    client = Client(region="us-east-1")
    client.get(job.ref)
    ended: list[BaseException] = []

    def wait() -> None:
        try:
            client.wait(job.ref, timeout=60, interval=0.2)
        except BaseException as exc:  # what the wait ended with is the test
            ended.append(exc)

    waiting = threading.Thread(target=wait)
    waiting.start()
    client.close()
    waiting.join(timeout=30)
    with pytest.raises(BadInput) as after:
        client.get(job.ref)
    assert after.value.message == f"{client!r} is closed: make another"
    assert [type(e) for e in ended] == [BadInput]
    assert str(ended[0]) == after.value.message


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ({"region": "us-east-1"}, "Client(region='us-east-1')"),
        ({"region": "us-east-1,eu-west-1"}, "Client(region='us-east-1,eu-west-1')"),
        ({"region": ["us-east-1", "eu-west-1"]}, "Client(region=['us-east-1', 'eu-west-1'])"),
        ({"region": ("us-east-1",)}, "Client(region='us-east-1')"),
        ({"profile": "ops", "region": "all"}, "Client(region='all', profile='ops')"),
        ({}, "Client()"),
    ],
)
def test_a_client_and_its_closed_message_name_what_it_was_given_as_given(
    given: dict[str, Any], shown: str
) -> None:
    client = Client(**given)
    assert repr(client) == shown
    assert repr(AsyncClient(**given)) == f"Async{shown}"
    client.close()
    with pytest.raises(BadInput) as closed:
        client.get("discovery:us-east-1:export-1")
    assert closed.value.message == f"{shown} is closed: make another"


def test_a_start_refused_or_queued_out_of_time_for_want_of_a_slot_carries_its_holders(
    own_sandbox: SandboxHandle,
) -> None:
    # Its message names them; a caller reads them from .jobs (to wait for, or cancel).
    logs = {"log_group": "/app/slots", "start_time": "1d", "bucket": "log-archive"}
    holder = Client().start("logs", **logs, queue=True)
    own_sandbox.set_status(holder, "RUNNING")
    with pytest.raises(ApiError) as refused:
        Client().start("logs", **logs)
    assert holder.ref in refused.value.message
    assert [job.ref for job in refused.value.jobs] == [holder.ref]
    # So does a queue whose timeout ran out with the slot still held.
    with pytest.raises(WaitTimeout) as late:
        Client().start("logs", **logs, queue=True, timeout=3)
    assert "no slot came free in 3s" in late.value.message
    assert holder.ref in late.value.message
    assert [job.ref for job in late.value.jobs] == [holder.ref]


@pytest.mark.parametrize("asked", ["estimator", "default_region", "home_region"])
def test_what_a_closed_client_is_asked_without_a_call_is_refused_too(asked: str) -> None:
    client = Client(region="us-east-1")
    client.close()
    with pytest.raises(BadInput) as closed:
        getattr(client, asked)()
    assert closed.value.message == "Client(region='us-east-1') is closed: make another"


# A refusal none of AWS's codes that exportctl knows: what AWS answered decides its kind.
REFUSED = "raise:BoomException:400:not this time"
LOGS = {"log_group": "/app/slots", "start_time": "1d", "bucket": "log-archive"}


def _aws_answer_in(error: BaseException) -> bool:
    """Whether botocore's error, what AWS answered, is in ``error``'s causes."""
    from botocore.exceptions import ClientError

    seen: set[int] = set()
    cause: BaseException | None = error
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, ClientError):
            return True
        seen.add(id(cause))
        cause = cause.__cause__
    return False


def test_a_cancel_refused_keeps_what_aws_answered(own_sandbox: SandboxHandle) -> None:
    # Lost, the refusal would read as no answer at all: out of reach, worth retrying.
    client = Client()
    task = client.start("logs", **LOGS, queue=True)
    own_sandbox.sandbox.faults.update({"fates": {"logs:CancelExportTask": [REFUSED]}})
    with pytest.raises(RequestRefused) as refused:
        client.cancel(task)
    assert "BoomException (HTTP 400): not this time" in refused.value.message
    assert _aws_answer_in(refused.value)


def test_a_queue_whose_slot_check_is_refused_ends_at_once(own_sandbox: SandboxHandle) -> None:
    # The queue's rounds go on past what may pass (throttling, a 5xx), not past a
    # refusal: taken for one, it was waited on until the timeout.
    holder = Client().start("logs", **LOGS, queue=True)
    own_sandbox.set_status(holder, "RUNNING")
    # The first round's two listings (PENDING, RUNNING) answer; the second's are refused.
    fates = {"logs:DescribeExportTasks": ["ok", "ok", REFUSED]}
    own_sandbox.sandbox.faults.update({"fates": fates})
    with pytest.raises(RequestRefused) as refused:
        Client().start("logs", **LOGS, queue=True, timeout=3)
    assert "BoomException" in refused.value.message
    assert _aws_answer_in(refused.value)


def test_a_slot_check_refused_keeps_what_aws_answered(own_sandbox: SandboxHandle) -> None:
    own_sandbox.sandbox.faults.update({"fates": {"logs:DescribeExportTasks": [REFUSED]}})
    with pytest.raises(RequestRefused) as refused:
        Client().start("logs", **LOGS)
    assert "BoomException" in refused.value.message
    assert _aws_answer_in(refused.value)


def test_backups_refused_keep_what_aws_answered(own_sandbox: SandboxHandle) -> None:
    client = Client()
    export = next(iter(client.list("backupsearch", limit=1)))
    fates = {"backupsearch:ListSearchJobBackups": [REFUSED]}
    own_sandbox.sandbox.faults.update({"fates": fates})
    with pytest.raises(RequestRefused) as refused:
        list(client.backups(export))
    assert "BoomException" in refused.value.message
    assert _aws_answer_in(refused.value)


def test_a_start_whose_look_for_its_job_is_refused_keeps_what_aws_answered(
    own_sandbox: SandboxHandle,
) -> None:
    # The create's answer is lost; the listing that looks for the job it may have
    # made (after the one taken before it) is refused.
    fates = {
        "discovery:StartExportTask": ["drop"],
        "discovery:DescribeExportTasks": ["ok", REFUSED],
    }
    own_sandbox.sandbox.faults.update({"fates": fates})
    with pytest.raises(ApiError) as refused:
        Client().start("discovery")
    assert "BoomException (HTTP 400): not this time; look for a job" in refused.value.message
    assert _aws_answer_in(refused.value)


def test_a_listing_of_an_unreadable_answer_keeps_the_parser_s_error(
    own_sandbox: SandboxHandle,
) -> None:
    from botocore.parsers import ResponseParserError

    own_sandbox.sandbox.faults.update({"garble": {"rds": "truncated"}})
    with pytest.raises(ApiError) as broken:
        list(Client().list("rds"))
    assert "an answer that cannot be read" in broken.value.message
    read = broken.value.__cause__
    assert read is not None and isinstance(read.__cause__, ResponseParserError)
