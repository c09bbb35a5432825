"""DynamoDB table exports through botocore's Stubber: every request as the model wants
it, every answer as the model shapes it, and what the records make of them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from adapter_stubs import ACCOUNT, REGION, WHEN, Filler, Stubs, leaves, model_statuses, operation
from botocore.stub import ANY, Stubber

from exportctl.domain.errors import ExitCode, ExportctlError, NotFoundError, UsageError
from exportctl.domain.model import State
from exportctl.ops.jobs import Jobs, ListQuery
from exportctl.ops.start.request import plan
from exportctl.ops.start.starter import Starter
from exportctl.services import spec_for
from exportctl.services.refs import parse

TABLE = f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/orders"
SPEC = spec_for("dynamodb")


def export_arn(n: int, table: str = TABLE) -> str:
    return f"{table}/export/0179000000000{n}-0000000{n}"


def described(n: int, status: str, **extra: Any) -> dict[str, Any]:
    """An export as DescribeExport shapes it."""
    export: dict[str, Any] = {
        "ExportArn": export_arn(n),
        "ExportStatus": status,
        "StartTime": WHEN + timedelta(minutes=n),
        "TableArn": TABLE,
        "TableId": "0a1b2c3d-0000-4000-8000-000000000001",
        "ExportTime": WHEN + timedelta(minutes=n),
        "ClientToken": f"token-{n}",
        "S3Bucket": "ddb-out",
        "S3Prefix": "orders/",
        "S3SseAlgorithm": "AES256",
        "ExportFormat": "DYNAMODB_JSON",
        "ExportType": "FULL_EXPORT",
    }
    if status == "COMPLETED":
        export |= {
            "EndTime": WHEN + timedelta(minutes=n + 6),
            "ExportManifest": f"orders/AWSDynamoDB/{n}/manifest-summary.json",
            "ItemCount": 1200 + n,
            "BilledSizeBytes": 64000 + n,
        }
    if status == "FAILED":
        export |= {"FailureCode": "S3AccessDenied", "FailureMessage": "Access Denied"}
    return export | extra


def summary(n: int, status: str) -> dict[str, Any]:
    return {"ExportArn": export_arn(n), "ExportStatus": status, "ExportType": "FULL_EXPORT"}


@pytest.fixture
def ddb(jobs: Jobs, stubs: Stubs) -> Stubber:
    # A Stubber answers in the order it was told: one describe at a time (their
    # concurrency is tested over real HTTP, against the sandbox).
    jobs.summaries.concurrency = 1
    return stubs("dynamodb")


def test_status_describes_the_export_by_its_arn(jobs: Jobs, ddb: Stubber) -> None:
    ddb.add_response(
        "describe_export",
        {"ExportDescription": described(1, "COMPLETED")},
        {"ExportArn": export_arn(1)},
    )
    job = jobs.get(parse(export_arn(1)))
    assert (job.service, job.id, job.ref) == ("dynamodb", "01790000000001-00000001", export_arn(1))
    assert (job.state, job.status, job.account) == (State.COMPLETED, "COMPLETED", ACCOUNT)
    assert job.created == WHEN + timedelta(minutes=1)
    assert job.completed == WHEN + timedelta(minutes=7)
    assert job.destination == "s3://ddb-out/orders/"
    assert job.details["item_count"] == 1201 and job.details["billed_size_bytes"] == 64001
    assert job.details["table_arn"] == TABLE
    assert job.details["export_type"] == "FULL_EXPORT"
    assert job.details["export_time"] == WHEN + timedelta(minutes=1)
    assert job.details["export_manifest"] == "orders/AWSDynamoDB/1/manifest-summary.json"


def test_a_failed_export_says_its_code_and_message(jobs: Jobs, ddb: Stubber) -> None:
    ddb.add_response("describe_export", {"ExportDescription": described(2, "FAILED")})
    job = jobs.get(parse(export_arn(2)))
    assert job.state is State.FAILED
    assert job.message == "S3AccessDenied: Access Denied"
    assert job.details["failure_code"] == "S3AccessDenied"


def test_a_missing_export_is_not_found(jobs: Jobs, ddb: Stubber) -> None:
    ddb.add_client_error("describe_export", "ExportNotFoundException", "Export not found", 400)
    with pytest.raises(NotFoundError) as missing:
        jobs.get(parse(export_arn(3)))
    assert missing.value.exit_code == ExitCode.NOT_FOUND


def test_a_listing_describes_each_summary_and_counts_every_call(jobs: Jobs, ddb: Stubber) -> None:
    ddb.add_response(
        "list_exports",
        {"ExportSummaries": [summary(1, "COMPLETED"), summary(2, "FAILED")], "NextToken": "t2"},
        {"MaxResults": 25},
    )
    ddb.add_response("describe_export", {"ExportDescription": described(1, "COMPLETED")},
                     {"ExportArn": export_arn(1)})  # fmt: skip
    ddb.add_response("describe_export", {"ExportDescription": described(2, "FAILED")},
                     {"ExportArn": export_arn(2)})  # fmt: skip
    ddb.add_response(
        "list_exports",
        {"ExportSummaries": [summary(3, "IN_PROGRESS")]},
        {"MaxResults": 25, "NextToken": "t2"},
    )
    ddb.add_response("describe_export", {"ExportDescription": described(3, "IN_PROGRESS")},
                     {"ExportArn": export_arn(3)})  # fmt: skip

    listed = jobs.list(ListQuery(services=("dynamodb",)))

    assert [j.id[-1] for j in listed.jobs] == ["3", "2", "1"]
    assert all(j.created is not None for j in listed.jobs)
    assert listed.jobs[1].message == "S3AccessDenied: Access Denied"
    assert jobs.calls.snapshot() == {
        ("dynamodb", "ListExports"): 2,
        ("dynamodb", "DescribeExport"): 3,
    }


def test_a_state_filter_describes_only_the_summaries_it_keeps(jobs: Jobs, ddb: Stubber) -> None:
    ddb.add_response(
        "list_exports",
        {"ExportSummaries": [summary(1, "COMPLETED"), summary(2, "FAILED"), summary(3, "FAILED")]},
        {"MaxResults": 25, "TableArn": TABLE},
    )
    for n in (2, 3):
        ddb.add_response("describe_export", {"ExportDescription": described(n, "FAILED")},
                         {"ExportArn": export_arn(n)})  # fmt: skip

    listed = jobs.list(
        ListQuery(services=("dynamodb",), states=frozenset({State.FAILED}), scope={"table": TABLE})
    )

    assert [j.id[-1] for j in listed.jobs] == ["3", "2"]
    assert jobs.calls.snapshot()[("dynamodb", "DescribeExport")] == 2


def test_an_ended_export_is_described_once_while_its_status_holds(jobs: Jobs, ddb: Stubber) -> None:
    # A watch lists again and again: only the export still running is described again.
    page = {"ExportSummaries": [summary(1, "COMPLETED"), summary(2, "IN_PROGRESS")]}
    ddb.add_response("list_exports", page)
    ddb.add_response("describe_export", {"ExportDescription": described(1, "COMPLETED")})
    ddb.add_response("describe_export", {"ExportDescription": described(2, "IN_PROGRESS")})
    ddb.add_response("list_exports", page)
    ddb.add_response("describe_export", {"ExportDescription": described(2, "IN_PROGRESS")},
                     {"ExportArn": export_arn(2)})  # fmt: skip
    query = ListQuery(services=("dynamodb",))
    first, second = jobs.list(query).jobs, jobs.list(query).jobs
    assert first == second and second[1].details["item_count"] == 1201
    assert jobs.calls.snapshot()[("dynamodb", "DescribeExport")] == 3


def test_an_export_gone_after_the_listing_keeps_its_summary(jobs: Jobs, ddb: Stubber) -> None:
    ddb.add_response("list_exports", {"ExportSummaries": [summary(4, "COMPLETED")]})
    ddb.add_client_error("describe_export", "ExportNotFoundException", "Export not found", 400)
    (job,) = jobs.list(ListQuery(services=("dynamodb",))).jobs
    assert (job.id, job.state, job.created) == ("01790000000004-00000004", State.COMPLETED, None)


def test_a_name_reference_finds_the_arn_from_the_summaries_alone(jobs: Jobs, ddb: Stubber) -> None:
    ddb.add_response(
        "list_exports", {"ExportSummaries": [summary(1, "COMPLETED"), summary(5, "IN_PROGRESS")]}
    )
    ddb.add_response("describe_export", {"ExportDescription": described(5, "IN_PROGRESS")},
                     {"ExportArn": export_arn(5)})  # fmt: skip
    job = jobs.get(parse("dynamodb:01790000000005-00000005"))
    assert job.ref == export_arn(5)
    assert jobs.calls.snapshot()[("dynamodb", "DescribeExport")] == 1


def test_every_model_status_has_a_mapping() -> None:
    assert sorted(model_statuses("dynamodb")) == sorted(SPEC.statuses)
    assert SPEC.state_of("IN_PROGRESS") is State.RUNNING


def test_every_member_of_a_maximal_answer_is_kept(jobs: Jobs, ddb: Stubber) -> None:
    output = operation("dynamodb", "DescribeExport").output_shape
    assert output is not None
    shape = output.members["ExportDescription"]
    filler = Filler()
    # FilterSpecification holds attribute values, a recursive shape: one of each kind.
    export = {
        name: filler.fill(member, f"ExportDescription.{name}")
        for name, member in shape.members.items()
        if name != "FilterSpecification"
    }
    export["ExportArn"] = export_arn(6)
    export["FilterSpecification"] = {
        "FilterExpression": "amount > :least",
        "ExpressionAttributeValues": {":least": {"N": "250"}},
    }
    ddb.add_response("describe_export", {"ExportDescription": export})

    record = jobs.get(parse(export_arn(6))).to_dict()

    out = leaves(record)
    from datetime import datetime

    from exportctl.domain.timeutil import iso

    def kept(value: Any) -> bool:
        if isinstance(value, datetime):
            return iso(value) in out
        return value in out or any(isinstance(v, str) and str(value) in v for v in out)

    filled = [(p, v) for p, v in filler.leaves if p != "ExportDescription.ExportArn"]
    filled += [("FilterExpression", "amount > :least"), ("N", "250")]
    assert [p for p, v in filled if not kept(v)] == []


# -- creating an export ---------------------------------------------------------------


def _creator(jobs: Jobs) -> Stubber:
    stubber = Stubber(jobs.clients.client("dynamodb", REGION, attempts=1))
    stubber.activate()
    return stubber


def test_the_request_as_sent_with_a_client_token(jobs: Jobs, stubs: Stubs) -> None:
    stubs("dynamodb")
    creator = _creator(jobs)
    values = {"table": TABLE, "to": "s3://ddb-out/orders/", "format": "ION", "sse": "KMS",
              "kms_key_id": "alias/exports", "bucket_owner": "210987654321"}  # fmt: skip
    creator.add_response(
        "export_table_to_point_in_time",
        {"ExportDescription": described(7, "IN_PROGRESS")},
        {"TableArn": TABLE, "S3Bucket": "ddb-out", "S3Prefix": "orders/", "ExportFormat": "ION",
         "S3SseAlgorithm": "KMS", "S3SseKmsKeyId": "alias/exports",
         "S3BucketOwner": "210987654321", "ClientToken": ANY},
    )  # fmt: skip
    started = Starter(jobs, sleep=lambda s: None).start(plan(SPEC, values, REGION))
    creator.assert_no_pending_responses()
    assert started.ref == export_arn(7)
    assert started.key.id == "01790000000007-00000007" and started.key.arn == export_arn(7)
    assert started.job is not None and started.job.state is State.RUNNING


def test_an_incremental_export_is_one_request(jobs: Jobs) -> None:
    start, end = WHEN, WHEN + timedelta(hours=2)
    values = {"table": TABLE, "to": "s3://ddb-out/", "incremental_from": start,
              "incremental_to": end, "view": "NEW-IMAGE"}  # fmt: skip
    request = plan(SPEC, values, REGION).request
    assert request["ExportType"] == "INCREMENTAL_EXPORT"
    assert request["IncrementalExportSpecification"] == {
        "ExportFromTime": start,
        "ExportToTime": end,
        "ExportViewType": "NEW_IMAGE",
    }
    assert "S3Prefix" not in request and request["ClientToken"]


@pytest.mark.parametrize(
    ("values", "says"),
    [
        ({"table": TABLE, "to": "ddb-out/orders/"}, "s3://BUCKET/PREFIX"),
        ({"table": TABLE, "to": "s3://-bad-/"}, "'--to': 's3://-bad-/': its S3Bucket '-bad-' must"),
        (
            {"table": TABLE, "to": "s3://ddb-out/", "format": "CSV"},
            "'--format': 'CSV' is not one of",
        ),
        ({"table": TABLE, "to": "s3://ddb-out/", "view": "NEW_IMAGE"}, "--incremental-from"),
        ({"to": "s3://ddb-out/"}, "--table"),
    ],
)
def test_bad_values_are_refused_before_anything_is_sent(values: dict[str, Any], says: str) -> None:
    with pytest.raises(UsageError) as refused:
        plan(SPEC, values, REGION)
    assert says in refused.value.message


@pytest.mark.parametrize(
    ("code", "said", "exit_code"),
    [
        ("LimitExceededException", "at most 300 table exports at once", ExitCode.AWS),
        # The time is the user's (--export-time): a request AWS rejected as invalid.
        ("InvalidExportTimeException", "the last 35 days at most", ExitCode.USAGE),
    ],
)
def test_a_limit_of_the_service_is_said_and_not_retried(
    jobs: Jobs, stubs: Stubs, code: str, said: str, exit_code: ExitCode
) -> None:
    stubs("dynamodb")
    creator = _creator(jobs)
    creator.add_client_error("export_table_to_point_in_time", code, "the service's words", 400)
    with pytest.raises(ExportctlError) as refused:
        Starter(jobs, sleep=lambda s: None).start(
            plan(SPEC, {"table": TABLE, "to": "s3://ddb-out/"}, REGION)
        )
    creator.assert_no_pending_responses()
    message = refused.value.message
    assert said in message and f"({code}: the service's words)" in message
    assert refused.value.exit_code == exit_code


def test_a_throttled_create_is_retried_with_the_same_token(jobs: Jobs, stubs: Stubs) -> None:
    stubs("dynamodb")
    creator = _creator(jobs)
    sent: list[str] = []
    client = jobs.clients.client("dynamodb", REGION, attempts=1)
    client.meta.events.register(
        "provide-client-params.dynamodb.ExportTableToPointInTime",
        lambda params, **_: sent.append(params["ClientToken"]),
    )
    creator.add_client_error("export_table_to_point_in_time", "InternalServerError", "boom", 500)
    creator.add_response(
        "export_table_to_point_in_time", {"ExportDescription": described(8, "IN_PROGRESS")}
    )
    started = Starter(jobs, sleep=lambda s: None).start(
        plan(SPEC, {"table": TABLE, "to": "s3://ddb-out/"}, REGION)
    )
    assert started.attempts == 2 and len(sent) == 2 and len(set(sent)) == 1
