"""The clients exportctl creates: botocore's own, with exportctl's timestamp parser."""

from __future__ import annotations

from datetime import timezone

import pytest
from adapter_stubs import REGION, make_jobs, raw_http

from exportctl.domain.timeutil import iso


@pytest.mark.parametrize(
    ("service", "operation", "body", "path"),
    [
        (
            "discovery",
            "describe_export_tasks",
            {
                "exportsInfo": [
                    {
                        "exportId": "export-1",
                        "exportStatus": "FAILED",
                        "statusMessage": "m",
                        "exportRequestTime": 1763863915.171,
                    }
                ]
            },
            ("exportsInfo", 0, "exportRequestTime"),
        ),
        (
            "personalize",
            "list_dataset_export_jobs",
            {"datasetExportJobs": [{"jobName": "j", "creationDateTime": 1763863915}]},
            ("datasetExportJobs", 0, "creationDateTime"),
        ),
    ],
)
def test_timestamps_arrive_as_aware_utc_without_dateutil(
    service: str, operation: str, body: dict[str, object], path: tuple[object, ...]
) -> None:
    client = make_jobs().clients.client(service, REGION)
    with raw_http(client, body):
        answer = getattr(client, operation)()
    value = answer
    for step in path:
        value = value[step]
    # botocore's default parser gives dateutil's tzutc(); ours the stdlib's UTC.
    assert value.tzinfo is timezone.utc
    expected = "2025-11-23T02:11:55.171000Z" if service == "discovery" else "2025-11-23T02:11:55Z"
    assert iso(value) == expected


def test_clients_come_from_one_botocore_session() -> None:
    clients = make_jobs().clients
    first = clients.client("discovery", REGION)
    assert clients.client("discovery", REGION) is first
    assert type(clients.session).__module__ == "botocore.session"
