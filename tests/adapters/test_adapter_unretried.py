"""Answers botocore would not retry on its own, retried as the failures they are: a
body cut short of its Content-Length, an XML service's 5xx whose body is no XML."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from adapter_stubs import make_jobs
from botocore.awsrequest import AWSResponse

RDS_EMPTY = (
    b'<DescribeExportTasksResponse xmlns="http://rds.amazonaws.com/doc/2014-10-31/">'
    b"<DescribeExportTasksResult><ExportTasks></ExportTasks></DescribeExportTasksResult>"
    b"<ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata>"
    b"</DescribeExportTasksResponse>"
)


class _Body:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    from botocore.retries import standard

    monkeypatch.setattr(standard.ExponentialBackoff, "delay_amount", lambda self, context: 0.0)


def answering(client: Any, answers: list[tuple[int, dict[str, str], bytes]]) -> list[int]:
    """The client's next calls answered with ``answers`` in turn; the attempts made."""
    made: list[int] = []

    def answer(request: Any, **_: Any) -> AWSResponse:
        status, headers, body = answers[min(len(made), len(answers) - 1)]
        made.append(1)
        return AWSResponse(request.url, status, {"x-amzn-requestid": "r-1", **headers}, _Body(body))

    client.meta.events.register("before-send", answer)
    return made


def test_a_body_cut_short_of_its_length_is_asked_for_again() -> None:
    client = make_jobs(max_attempts=3).clients.client("discovery", "us-east-1")
    whole = b'{"exportsInfo": []}'
    json = {"content-type": "application/x-amz-json-1.1"}
    made = answering(
        client,
        [(200, {**json, "content-length": str(len(whole) + 40)}, whole[:9]),
         (200, {**json, "content-length": str(len(whole))}, whole)],
    )  # fmt: skip
    assert client.describe_export_tasks()["exportsInfo"] == []
    assert len(made) == 2


@pytest.mark.parametrize("body", [b"Service Unavailable", b'{"message": "busy"}'])
def test_an_xml_services_5xx_in_plain_words_is_retried_as_a_5xx(body: bytes) -> None:
    client = make_jobs(max_attempts=3).clients.client("rds", "us-east-1")
    made = answering(client, [(503, {"content-type": "text/plain"}, body), (200, {}, RDS_EMPTY)])
    assert client.describe_export_tasks()["ExportTasks"] == []
    assert len(made) == 2


def test_such_a_5xx_to_the_end_is_said_with_its_status() -> None:
    from exportctl.domain.errors import AwsError

    client = make_jobs(max_attempts=3).clients.client("rds", "us-east-1")
    made = answering(client, [(502, {"content-type": "text/plain"}, b"Bad Gateway")])
    with pytest.raises(AwsError) as caught:
        client.describe_export_tasks()
    assert "HTTP 502" in caught.value.message and "failed 3 times" in caught.value.message
    assert len(made) == 3
