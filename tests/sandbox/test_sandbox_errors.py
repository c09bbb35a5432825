"""Error paths: each service's own code and HTTP status, as botocore raises them."""

from __future__ import annotations

import base64
import json
import logging
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from sandbox_helpers import ClientFactory

from exportctl.sandbox import Sandbox


def _error(call: Callable[[], Any]) -> tuple[str, int, dict[str, Any]]:
    with pytest.raises(ClientError) as info:
        call()
    response = info.value.response
    assert response["ResponseMetadata"]["RequestId"]
    return response["Error"]["Code"], response["ResponseMetadata"]["HTTPStatusCode"], response


def test_not_found_per_service(client: ClientFactory) -> None:
    bs, pp = client("backupsearch"), client("pinpoint")
    pz, ds = client("personalize"), client("discovery")
    assert _error(lambda: bs.get_search_result_export_job(ExportJobIdentifier="nope"))[:2] == (
        "ResourceNotFoundException",
        404,
    )
    assert _error(lambda: bs.get_search_job(SearchJobIdentifier="nope"))[:2] == (
        "ResourceNotFoundException",
        404,
    )
    assert _error(lambda: bs.list_search_job_backups(SearchJobIdentifier="nope"))[:2] == (
        "ResourceNotFoundException",
        404,
    )
    app = pp.get_apps()["ApplicationsResponse"]["Item"][0]["Id"]
    code, status, response = _error(lambda: pp.get_export_job(ApplicationId=app, JobId="0" * 32))
    assert (code, status) == ("NotFoundException", 404)
    assert response["Error"]["Message"] == "Resource not found"
    assert _error(lambda: pp.get_export_jobs(ApplicationId="f" * 32))[:2] == (
        "NotFoundException",
        404,
    )
    arn = "arn:aws:personalize:us-east-1:123456789012:dataset-export-job/missing"
    assert _error(lambda: pz.describe_dataset_export_job(datasetExportJobArn=arn))[:2] == (
        "ResourceNotFoundException",
        400,
    )
    assert ds.describe_export_tasks(exportIds=["export-nope"])["exportsInfo"] == []


def test_jobs_of_another_region_are_not_found(client: ClientFactory) -> None:
    east = client("backupsearch", "us-east-1").list_search_result_export_jobs()["ExportJobs"][0]
    west = client("backupsearch", "eu-west-1")
    ident = east["ExportJobIdentifier"]
    code = _error(lambda: west.get_search_result_export_job(ExportJobIdentifier=ident))[0]
    assert code == "ResourceNotFoundException"


def test_discovery_outside_home_region(client: ClientFactory) -> None:
    for region in ("eu-west-1", "ap-southeast-2"):
        ds = client("discovery", region)
        code, status, _ = _error(ds.describe_export_tasks)
        assert (code, status) == ("HomeRegionNotSetException", 400)
        with pytest.raises(ds.exceptions.HomeRegionNotSetException):
            ds.describe_export_tasks()


def test_modeled_exception_classes_match(client: ClientFactory) -> None:
    bs, pz = client("backupsearch"), client("personalize")
    with pytest.raises(bs.exceptions.ResourceNotFoundException):
        bs.get_search_job(SearchJobIdentifier="x")
    with pytest.raises(pz.exceptions.ResourceNotFoundException):
        pz.describe_dataset_export_job(
            datasetExportJobArn="arn:aws:personalize:us-east-1:123456789012:dataset-export-job/x"
        )


def test_invalid_input(client: ClientFactory) -> None:
    bs, pp = client("backupsearch"), client("pinpoint")
    pz, ds = client("personalize"), client("discovery")
    assert _error(lambda: bs.list_search_result_export_jobs(NextToken="garbage"))[:2] == (
        "ValidationException",
        400,
    )
    assert _error(lambda: pp.get_apps(PageSize="many"))[:2] == ("BadRequestException", 400)
    assert _error(lambda: pp.get_apps(Token="garbage"))[:2] == ("BadRequestException", 400)
    assert _error(lambda: pz.list_dataset_export_jobs(nextToken="garbage"))[:2] == (
        "InvalidNextTokenException",
        400,
    )
    assert _error(lambda: pz.list_dataset_export_jobs(maxResults=500))[:2] == (
        "ValidationException",
        400,
    )
    too_many = [f"export-{i}" for i in range(101)]
    assert _error(lambda: ds.describe_export_tasks(exportIds=too_many))[:2] == (
        "InvalidParameterValueException",
        400,
    )
    bad_filter = [{"name": "serverIds", "values": ["x"], "condition": "EQUALS"}]
    assert _error(lambda: ds.describe_export_tasks(filters=bad_filter))[0] == (
        "InvalidParameterValueException"
    )


def test_token_from_another_listing_is_rejected(client: ClientFactory) -> None:
    pz = client("personalize")
    token = pz.list_dataset_export_jobs(maxResults=1)["nextToken"]
    west = client("personalize", "eu-west-1")
    code = _error(lambda: west.list_dataset_export_jobs(nextToken=token))[0]
    assert code == "InvalidNextTokenException"


DENIED = {
    "backupsearch": ("AccessDeniedException", 403),
    "pinpoint": ("ForbiddenException", 403),
    "personalize": ("AccessDeniedException", 400),
    "discovery": ("AuthorizationErrorException", 400),
}
CALLS: dict[str, Callable[[Any], Any]] = {
    "backupsearch": lambda c: c.list_search_result_export_jobs(),
    "pinpoint": lambda c: c.get_apps(),
    "personalize": lambda c: c.list_dataset_export_jobs(),
    "discovery": lambda c: c.describe_export_tasks(),
}


@pytest.mark.parametrize("service", sorted(DENIED))
def test_denied_access_key(client: ClientFactory, service: str) -> None:
    denied = client(service, access_key="DENIED")
    assert _error(lambda: CALLS[service](denied))[:2] == DENIED[service]
    CALLS[service](client(service))


@pytest.mark.parametrize("service", sorted(DENIED))
def test_deny_switch(sandbox: Sandbox, client: ClientFactory, service: str) -> None:
    sandbox.faults.deny = {service}
    assert _error(lambda: CALLS[service](client(service)))[:2] == DENIED[service]
    other = next(s for s in sorted(DENIED) if s != service)
    CALLS[other](client(other))
    sandbox.faults.deny = {"*"}
    assert _error(lambda: CALLS[other](client(other)))[:2] == DENIED[other]


THROTTLED = {
    "backupsearch": ("ThrottlingException", 429),
    "pinpoint": ("TooManyRequestsException", 429),
    "personalize": ("ThrottlingException", 400),
    "discovery": ("ThrottlingException", 400),
}
INTERNAL = {
    "backupsearch": ("InternalServerException", 500),
    "pinpoint": ("InternalServerErrorException", 500),
    "personalize": ("InternalFailure", 500),
    "discovery": ("ServerInternalErrorException", 500),
}


@pytest.mark.parametrize("service", sorted(THROTTLED))
def test_forced_throttling_and_server_errors(
    sandbox: Sandbox, client: ClientFactory, service: str
) -> None:
    c = client(service)
    sandbox.faults.throttle_rate = 1.0
    assert _error(lambda: CALLS[service](c))[:2] == THROTTLED[service]
    sandbox.faults.throttle_rate = 0.0
    sandbox.faults.error_rate = 1.0
    assert _error(lambda: CALLS[service](c))[:2] == INTERNAL[service]


def test_unimplemented_operation_of_a_known_service(client: ClientFactory) -> None:
    pp = client("pinpoint")
    code, status, _ = _error(lambda: pp.get_app(ApplicationId="a" * 32))
    assert (code, status) == ("UnknownOperationException", 404)
    pz = client("personalize")
    code, status, _ = _error(lambda: pz.list_datasets())
    assert (code, status) == ("UnknownOperationException", 404)


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/no/such/route", {}),
        ("/", {"X-Amz-Target": "Nope_20200101.Anything"}),
        ("/", {"X-Amz-Target": "AmazonPersonalize.NoSuchOperation"}),
    ],
)
def test_unknown_routes_answer_json_errors(
    sandbox: Sandbox, path: str, headers: dict[str, str]
) -> None:
    request = urllib.request.Request(sandbox.url + path, data=b"{}", headers=headers)
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(request, timeout=5)
    assert info.value.code in (400, 404)
    body = json.loads(info.value.read())
    assert "UnknownOperationException" in (
        body.get("__type"),
        info.value.headers["x-amzn-ErrorType"],
    )
    assert "Traceback" not in json.dumps(body)
    assert info.value.headers["x-amzn-RequestId"]


def test_malformed_json_body(sandbox: Sandbox) -> None:
    request = urllib.request.Request(
        sandbox.url + "/",
        data=b"{not json",
        headers={"X-Amz-Target": "AmazonPersonalize.ListDatasetExportJobs"},
    )
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(request, timeout=5)
    assert info.value.code == 400
    assert json.loads(info.value.read())["__type"] == "SerializationException"


# JSON nested deeper than Python's parser goes: a body no service can read.
DEEP = b"[" * 100000 + b"]" * 100000


@pytest.mark.parametrize(
    ("path", "headers", "body"),
    [
        # The JSON protocol.
        ("/", {"X-Amz-Target": "AmazonPersonalize.ListDatasetExportJobs"}, DEEP),
        # The JSON protocol, a page token of such JSON.
        (
            "/",
            {"X-Amz-Target": "AmazonPersonalize.ListDatasetExportJobs"},
            json.dumps({"nextToken": base64.urlsafe_b64encode(DEEP).decode()}).encode(),
        ),
        # REST-JSON: a body of its own.
        ("/v1/apps/" + "f" * 32 + "/jobs/export", {"Authorization": "mobiletargeting"}, DEEP),
    ],
)
def test_json_nested_too_deep_is_a_400_not_a_sandbox_failure(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture, path: str, headers: dict[str, str],
    body: bytes,
) -> None:  # fmt: skip
    # A 500 "sandbox failure", a RecursionError's traceback on stderr.
    caplog.set_level(logging.ERROR)
    if "Authorization" in headers:
        headers = _signed(headers["Authorization"])
    request = urllib.request.Request(sandbox.url + path, data=body, headers=headers)
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(request, timeout=10)
    said = json.loads(info.value.read())
    code = said.get("__type") or info.value.headers["x-amzn-ErrorType"]
    assert info.value.code == 400, said
    assert code in ("SerializationException", "InvalidNextTokenException")
    assert not caplog.records


def _signed(service: str, region: str = "us-east-1") -> dict[str, str]:
    scope = f"AKIDEXAMPLE/20260101/{region}/{service}/aws4_request"
    return {
        "Authorization": f"AWS4-HMAC-SHA256 Credential={scope}, SignedHeaders=host, Signature=0"
    }


def test_signing_service_decides_the_route(sandbox: Sandbox) -> None:
    ok = urllib.request.Request(sandbox.url + "/v1/apps", headers=_signed("mobiletargeting"))
    with urllib.request.urlopen(ok, timeout=5) as response:
        assert json.loads(response.read())["Item"]
    wrong = urllib.request.Request(sandbox.url + "/v1/apps", headers=_signed("backup-search"))
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(wrong, timeout=5)
    assert info.value.headers["x-amzn-ErrorType"] == "UnknownOperationException"


def test_rest_json_error_wire_format(sandbox: Sandbox) -> None:
    missing = urllib.request.Request(
        sandbox.url + "/v1/apps/" + "f" * 32 + "/jobs/export", headers=_signed("mobiletargeting")
    )
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(missing, timeout=5)
    assert info.value.code == 404
    assert info.value.headers["x-amzn-ErrorType"] == "NotFoundException"
    body = json.loads(info.value.read())
    assert body == {
        "Message": "Resource not found",
        "RequestID": info.value.headers["x-amzn-RequestId"],
    }
    search = urllib.request.Request(
        sandbox.url + "/search-jobs/nope", headers=_signed("backup-search", "eu-west-1")
    )
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(search, timeout=5)
    assert info.value.headers["x-amzn-ErrorType"] == "ResourceNotFoundException"
    assert set(json.loads(info.value.read())) == {"message"}


PERSONALIZE = {"X-Amz-Target": "AmazonPersonalize.DescribeDatasetExportJob"}
PINPOINT_EXPORT = "/v1/apps/" + "f" * 32 + "/jobs/export"


@pytest.mark.parametrize(
    ("path", "headers", "document", "code"),
    [
        # The JSON protocol: a member of another type than its shape's.
        ("/", PERSONALIZE, {"datasetExportJobArn": ["arn"]}, "SerializationException"),
        ("/", PERSONALIZE, {"datasetExportJobArn": {"a": 1}}, "SerializationException"),
        ("/", PERSONALIZE, {"datasetExportJobArn": 5}, "SerializationException"),
        (
            "/",
            {"X-Amz-Target": "AmazonPersonalize.ListDatasetExportJobs"},
            {"maxResults": "ten"},
            "SerializationException",
        ),
        (
            "/",
            {"X-Amz-Target": "AmazonPersonalize.ListDatasetExportJobs"},
            {"maxResults": True},
            "SerializationException",
        ),
        # A required member missing, or null.
        ("/", PERSONALIZE, {}, "ValidationException"),
        ("/", PERSONALIZE, {"datasetExportJobArn": None}, "ValidationException"),
        # REST-JSON: the payload's members, nested.
        (
            PINPOINT_EXPORT,
            {"Authorization": "mobiletargeting"},
            {"RoleArn": "arn:aws:iam::123456789012:role/r", "S3UrlPrefix": ["s3://b/"]},
            "BadRequestException",
        ),
        (
            PINPOINT_EXPORT,
            {"Authorization": "mobiletargeting"},
            {"RoleArn": "arn:aws:iam::123456789012:role/r"},
            "BadRequestException",
        ),
    ],
)
def test_members_of_the_wrong_type_or_missing_are_a_400_as_aws_answers(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture, path: str, headers: dict[str, str],
    document: dict[str, Any], code: str,
) -> None:  # fmt: skip
    # Were 500 "sandbox failures" (a handler met a list where its model says a
    # string) or a handler's own answer (ResourceNotFound for an ARN never sent).
    caplog.set_level(logging.ERROR)
    if "Authorization" in headers:
        headers = _signed(headers["Authorization"])
    request = urllib.request.Request(
        sandbox.url + path, data=json.dumps(document).encode(), headers=headers
    )
    with pytest.raises(urllib.error.HTTPError) as info:
        urllib.request.urlopen(request, timeout=10)
    said = json.loads(info.value.read())
    assert info.value.code == 400, said
    assert (said.get("__type") or info.value.headers["x-amzn-ErrorType"]) == code
    message = said.get("message") or said.get("Message")
    assert "Traceback" not in message
    assert not caplog.records
