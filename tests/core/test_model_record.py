"""The JSON record of a job: a stable key set, ISO 8601 UTC times, snake_case details."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from exportctl.domain.model import SCHEMA_VERSION, ExportJob, Progress, State
from exportctl.services import engine, spec_for

T = datetime(2026, 11, 1, 8, 30, tzinfo=timezone.utc)
KEYS = [
    "service", "ref", "id", "arn", "account", "region", "name", "state", "status", "terminal",
    "created", "updated", "completed", "destination", "message", "progress", "details",
]  # fmt: skip
PROGRESS_KEYS = [
    "completed_pieces", "total_pieces", "failed_pieces", "total_processed", "total_failures",
    "failures",
]  # fmt: skip


def test_schema_version_is_pinned() -> None:
    # Changing the record's keys means a new schema version, and this test with it.
    assert SCHEMA_VERSION == 1


def test_a_bare_job_has_every_key_in_order() -> None:
    job = ExportJob("discovery", "discovery:us-east-1:e1", "e1", "us-east-1", State.RUNNING, "X")

    record = job.to_dict()

    assert list(record) == KEYS
    assert record["progress"] is None and record["details"] == {}
    assert record["state"] == "RUNNING" and record["terminal"] is False
    json.dumps(record)


def test_a_full_job_keeps_the_same_keys_with_iso_times() -> None:
    plus_two = timezone(timedelta(hours=2))
    job = ExportJob(
        service="pinpoint",
        ref="pinpoint:us-east-1:app/j",
        id="j",
        region="us-east-1",
        state=State.COMPLETED,
        status="COMPLETED",
        created=T,
        updated=T.astimezone(plus_two),
        completed=T + timedelta(seconds=1, microseconds=500000),
        progress=Progress(completed_pieces=1, total_pieces=2, failures=("a",)),
        details={"when": T.astimezone(plus_two), "nested": [{"at": T}], "count": 3},
    )

    record = job.to_dict()

    assert list(record) == KEYS
    assert (record["created"], record["updated"]) == ("2026-11-01T08:30:00Z",) * 2
    assert record["completed"] == "2026-11-01T08:30:01.500000Z"
    assert record["terminal"] is True
    assert list(record["progress"]) == PROGRESS_KEYS
    assert record["progress"]["failures"] == ["a"]
    assert record["details"] == {
        "when": "2026-11-01T08:30:00Z",
        "nested": [{"at": "2026-11-01T08:30:00Z"}],
        "count": 3,
    }
    json.loads(json.dumps(record))


def test_details_from_a_service_are_snake_case() -> None:
    raw = {
        "ExportJobIdentifier": "e1",
        "Status": "RUNNING",
        "ExportSpecification": {
            "s3ExportSpecification": {"DestinationBucket": "b", "DestinationPrefix": "p/"}
        },
        "SearchJobArn": "arn:s",
        "NewMemberFromAWS": {"InnerKMSKeyId": "k", "Items": [{"ItemID": 1}]},
    }

    record = engine.normalise(spec_for("backupsearch"), raw, "us-east-1").to_dict()

    assert record["destination"] == "s3://b/p/"
    assert record["details"] == {
        "search_job_arn": "arn:s",
        "export_specification": {
            "s3_export_specification": {"destination_bucket": "b", "destination_prefix": "p/"}
        },
        "new_member_from_aws": {"inner_kms_key_id": "k", "items": [{"item_id": 1}]},
    }


@pytest.mark.parametrize(
    ("name", "snake"),
    [
        ("ExportJobArn", "export_job_arn"),
        ("datasetExportJobArn", "dataset_export_job_arn"),
        ("S3UrlPrefix", "s3_url_prefix"),
        ("KMSKeyArn", "kms_key_arn"),
        ("isTruncated", "is_truncated"),
        ("already_snake", "already_snake"),
        ("Definition.SegmentId", "definition.segment_id"),
    ],
)
def test_snake_case(name: str, snake: str) -> None:
    assert engine.snake(name) == snake


@pytest.mark.parametrize(
    ("state", "terminal"),
    [
        (State.PENDING, False),
        (State.RUNNING, False),
        (State.COMPLETED, True),
        (State.FAILED, True),
        (State.UNKNOWN, False),
    ],
)
def test_state_terminal_and_text(state: State, terminal: bool) -> None:
    assert state.terminal is terminal
    assert str(state) == state.value == state.name


@pytest.mark.parametrize(
    ("progress", "fraction"),
    [
        (Progress(), None),
        (Progress(completed_pieces=1, total_pieces=4), 0.25),
        (Progress(completed_pieces=5, total_pieces=4), 1.0),
        (Progress(completed_pieces=1, total_pieces=0), None),
        (Progress(total_pieces=4), None),
    ],
)
def test_progress_fraction(progress: Progress, fraction: float | None) -> None:
    assert progress.fraction == fraction


def test_an_unreadable_timestamp_is_kept_raw() -> None:
    from exportctl.services import spec_for
    from exportctl.services.engine import normalise

    raw = {
        "ApplicationId": "a" * 32,
        "Id": "b" * 32,
        "JobStatus": "COMPLETED",
        "Type": "EXPORT",
        "CreationDate": "the day before yesterday",
        "Definition": {"RoleArn": "arn:aws:iam::1:role/r", "S3UrlPrefix": "s3://b/p/"},
    }
    job = normalise(spec_for("pinpoint"), raw, "us-east-1")
    assert job.created is None
    assert job.details["created_raw"] == "the day before yesterday"


def test_an_expressions_placeholders_and_their_values_are_kept_as_given() -> None:
    from exportctl.services.engine import normalise

    # DynamoDB's FilterSpecification: its placeholders (the keys of two maps) are the
    # user's words, and the values they stand for DynamoDB JSON, kept whole.
    given = {
        "FilterExpression": "#CustId = :v",
        "ExpressionAttributeNames": {"#CustId": "customerId"},
        "ExpressionAttributeValues": {
            ":v": {"S": "cust#42"},
            ":m": {"M": {"shipTo": {"L": [{"S": "EU"}]}}},
        },
    }
    raw = {
        "ExportArn": "arn:aws:dynamodb:us-east-1:1:table/t/export/e1",
        "ExportStatus": "COMPLETED",
        "FilterSpecification": given,
    }
    job = normalise(spec_for("dynamodb"), raw, "us-east-1")
    assert job.details["filter_specification"] == {
        "filter_expression": "#CustId = :v",
        "expression_attribute_names": {"#CustId": "customerId"},
        "expression_attribute_values": {
            ":v": {"S": "cust#42"},
            ":m": {"M": {"shipTo": {"L": [{"S": "EU"}]}}},
        },
    }


def test_a_maps_keys_are_kept_and_its_values_walked() -> None:
    import dataclasses

    from exportctl.services.engine import normalise

    # A map's keys are the user's or the service's data (tag names, dimension names):
    # kept as given, wherever the map is; its values, structures, are snake_cased.
    spec = spec_for("pinpoint")
    fields = dataclasses.replace(
        spec.fields,
        maps=("Tags", "Definition.Labels", "Metrics.Dimensions", "Metrics.Dimensions.*.Extra",
              "Settings.Limits"),
        details={**spec.fields.details, "settings": "Settings"},
    )  # fmt: skip
    spec = dataclasses.replace(spec, fields=fields)
    raw = {
        "ApplicationId": "a" * 32,
        "Id": "b" * 32,
        "JobStatus": "COMPLETED",
        "Definition": {"RoleArn": "r", "Labels": {"myKey": "1"}, "OtherMember": {"SubKey": 2}},
        "Tags": {"CostCenter": "x", "myKey": "y", "team-name": "z"},
        "Metrics": [
            {"MetricName": "Rows", "Dimensions": {"TableName": {"ValueType": "S",
                                                                "Extra": {"InnerKey": 1}}}},
        ],
        "Settings": {"MaxRows": 5, "Limits": {"perUser": {"HardCap": 3}}},
        "PlainMember": {"NestedMember": {"DeepKey": 1}},
    }  # fmt: skip

    details = normalise(spec, raw, "us-east-1").details

    assert details["tags"] == {"CostCenter": "x", "myKey": "y", "team-name": "z"}
    assert details["definition_labels"] == {"myKey": "1"}
    assert details["definition_other_member"] == {"sub_key": 2}
    assert details["metrics"] == [
        {"metric_name": "Rows",
         "dimensions": {"TableName": {"value_type": "S", "extra": {"InnerKey": 1}}}},
    ]  # fmt: skip
    assert details["settings"] == {"max_rows": 5, "limits": {"perUser": {"hard_cap": 3}}}
    assert details["plain_member"] == {"nested_member": {"deep_key": 1}}


def test_jobs_hash_by_service_and_reference_and_go_in_sets() -> None:
    job = ExportJob(
        "discovery", "discovery:us-east-1:e1", "e1", "us-east-1", State.RUNNING, "X",
        details={"agent_ids": ["a"]}, raw={"exportId": "e1"},
    )  # fmt: skip
    same = ExportJob(**{**vars(job), "details": {"agent_ids": ["a"]}})
    other = ExportJob(**{**vars(job), "ref": "discovery:us-east-1:e2", "id": "e2"})
    # dataclass's own hash took every field, the dicts too: TypeError.
    assert {job, same, other} == {job, other} and len({job, same, other}) == 2
    assert {job: 1}[same] == 1
