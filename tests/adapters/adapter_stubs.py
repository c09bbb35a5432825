"""Shared pieces of the adapter tests: stubbed clients, sample jobs, model-driven shapes.

Every client these tests create points at a closed port on 127.0.0.1 and makes one
attempt, so a call that no Stubber answers fails fast instead of reaching AWS.
"""

from __future__ import annotations

import itertools
import json
import socket
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Any

import botocore.session
from botocore.awsrequest import AWSResponse
from botocore.model import OperationModel, ServiceModel, Shape
from botocore.stub import Stubber

from exportctl.aws.clients import AwsSettings, Clients
from exportctl.domain.timeutil import iso
from exportctl.ops.jobs import Jobs
from exportctl.services import service_names, spec_for

ACCOUNT = "123456789012"
REGION = "us-east-1"
OTHER_REGION = "eu-west-1"
WHEN = datetime(2026, 11, 1, 8, 30, tzinfo=timezone.utc)
# The services the shared tables of these tests go through one by one (states, required
# members, every member kept, errors, creates): the first four. Each service after
# them has a test file of its own, test_adapter_NAME.py, that does the same for it;
# ``raw_job`` makes a job of every service, for the tests of every service at once.
SERVICES = ("backupsearch", "discovery", "personalize", "pinpoint")


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def make_jobs(**settings: Any) -> Jobs:
    values: dict[str, Any] = {
        "region": REGION,
        "access_key": "x",
        "secret_key": "x",
        "endpoint_url": f"http://127.0.0.1:{closed_port()}",
        "max_attempts": 1,
        "connect_timeout": 1.0,
        "read_timeout": 1.0,
    }
    values.update(settings)
    jobs = Jobs(Clients(AwsSettings(**values)))
    # A Stubber answers in the order it was told: one parent's listing at a time, one
    # summary described at a time (their concurrency is tested over real HTTP,
    # against the sandbox).
    jobs.parent_concurrency = 1
    jobs.summaries.concurrency = 1
    return jobs


class Stubs:
    """Stubbers on the very clients ``Jobs`` uses, one per (service, region)."""

    def __init__(self, jobs: Jobs) -> None:
        self.jobs = jobs
        self._stubbers: dict[tuple[str, str], Stubber] = {}

    def __call__(self, service: str, region: str = REGION) -> Stubber:
        key = (service, region)
        if key not in self._stubbers:
            client = self.jobs.clients.client(spec_for(service).client, region)
            stubber = Stubber(client)
            stubber.activate()
            self._stubbers[key] = stubber
        return self._stubbers[key]

    def every_service(self, region: str = REGION) -> None:
        """Activate a Stubber on every service, so an unplanned call fails loudly."""
        for service in service_names():
            self(service, region)

    def close(self, check: bool = True) -> None:
        try:
            if check:
                for stubber in self._stubbers.values():
                    stubber.assert_no_pending_responses()
        finally:
            for stubber in self._stubbers.values():
                stubber.deactivate()


# -- Sample jobs, as each service's model shapes them ------------------------------


def arn(service: str, job_id: str, region: str = REGION) -> str:
    kind = {"backupsearch": "backup-search", "personalize": "personalize", "dynamodb": "dynamodb"}
    resource = {
        "backupsearch": "search-export-job",
        "personalize": "dataset-export-job",
        "dynamodb": "table/orders/export",
    }
    return f"arn:aws:{kind[service]}:{region}:{ACCOUNT}:{resource[service]}/{job_id}"


def job_id(service: str, i: int) -> str:
    return {
        "backupsearch": f"9e8d7c6b-0000-4000-8000-{i:012d}",
        "pinpoint": f"{i:032x}",
        "personalize": f"export-{i}",
        "discovery": f"export-{i:04d}",
        "dynamodb": f"{1790000000000 + i:014d}-{i:08x}",
        "rds": f"orders-{i}",
        "logs": f"7d1c2b3a-0000-4000-a000-{i:012d}",
        "ec2": f"export-ami-{i:017x}",
    }[service]


APP = "a1b2c3d4e5f60718293a4b5c6d7e8f90"


def raw_job(
    service: str, i: int, status: str, region: str = REGION, app: str = APP
) -> dict[str, Any]:
    """A full job as the get operation returns it (without the response wrapper)."""
    jid = job_id(service, i)
    created = WHEN + timedelta(minutes=i)
    if service in _NEWER:
        return _NEWER[service](jid, i, status, region, created)
    if service == "backupsearch":
        return {
            "ExportJobIdentifier": jid,
            "ExportJobArn": arn(service, jid, region),
            "Status": status,
            "CreationTime": created,
            "CompletionTime": created + timedelta(minutes=5),
            "StatusMessage": f"message {i}",
            "ExportSpecification": {
                "s3ExportSpecification": {
                    "DestinationBucket": "results",
                    "DestinationPrefix": f"exports/{i}/",
                }
            },
            "SearchJobArn": f"arn:aws:backup-search:{region}:{ACCOUNT}:search-job/s-{i}",
        }
    if service == "pinpoint":
        return {
            "ApplicationId": app,
            "Id": jid,
            "JobStatus": status,
            "CreationDate": iso(created),
            "CompletionDate": iso(created + timedelta(minutes=5)),
            "Type": "EXPORT",
            "Definition": {
                "RoleArn": f"arn:aws:iam::{ACCOUNT}:role/pinpoint-export",
                "S3UrlPrefix": f"s3://pinpoint-out/{i}/",
                "SegmentId": f"seg-{i}",
                "SegmentVersion": 3,
            },
            "CompletedPieces": 2,
            "TotalPieces": 4,
            "FailedPieces": 1,
            "TotalProcessed": 900,
            "TotalFailures": 3,
            "Failures": [f"piece {i} failed", "another"],
        }
    if service == "personalize":
        return {
            "jobName": jid,
            "datasetExportJobArn": arn(service, jid, region),
            "datasetArn": f"arn:aws:personalize:{region}:{ACCOUNT}:dataset/shop/INTERACTIONS",
            "ingestionMode": "BULK",
            "roleArn": f"arn:aws:iam::{ACCOUNT}:role/personalize-export",
            "status": status,
            "jobOutput": {
                "s3DataDestination": {"path": f"s3://personalize-out/{i}/", "kmsKeyArn": "k"}
            },
            "creationDateTime": created,
            "lastUpdatedDateTime": created + timedelta(minutes=5),
            "failureReason": f"reason {i}",
        }
    return {
        "exportId": jid,
        "exportStatus": status,
        "statusMessage": f"message {i}",
        "configurationsDownloadUrl": f"https://discovery-exports.example/{jid}.zip",
        "exportRequestTime": created,
        "isTruncated": False,
        "requestedStartTime": created - timedelta(days=1),
        "requestedEndTime": created,
    }


def _dynamodb(jid: str, i: int, status: str, region: str, created: datetime) -> dict[str, Any]:
    export: dict[str, Any] = {
        "ExportArn": arn("dynamodb", jid, region),
        "ExportStatus": status,
        "StartTime": created,
        "TableArn": f"arn:aws:dynamodb:{region}:{ACCOUNT}:table/orders",
        "ExportTime": created,
        "S3Bucket": "dynamodb-out",
        "S3Prefix": f"exports/{i}/",
        "ExportFormat": "DYNAMODB_JSON",
        "ExportType": "FULL_EXPORT",
    }
    if status != "IN_PROGRESS":
        export["EndTime"] = created + timedelta(minutes=5)
    if status == "FAILED":
        export |= {"FailureCode": "S3AccessDenied", "FailureMessage": f"message {i}"}
    return export


def _rds(jid: str, i: int, status: str, region: str, created: datetime) -> dict[str, Any]:
    task: dict[str, Any] = {
        "ExportTaskIdentifier": jid,
        "SourceArn": f"arn:aws:rds:{region}:{ACCOUNT}:snapshot:orders-{i}",
        "S3Bucket": "rds-out",
        "S3Prefix": f"exports/{i}",
        "IamRoleArn": f"arn:aws:iam::{ACCOUNT}:role/rds-export",
        "KmsKeyId": "alias/exports",
        "Status": status,
        "SourceType": "SNAPSHOT",
        "FailureCause": f"message {i}",
    }
    # A task still STARTING has no time yet.
    if status != "STARTING":
        task["TaskStartTime"] = created
    if status in ("COMPLETE", "FAILED", "CANCELED"):
        task["TaskEndTime"] = created + timedelta(minutes=5)
    return task


def _logs(jid: str, i: int, status: str, region: str, created: datetime) -> dict[str, Any]:
    ms = int(created.timestamp() * 1000)
    task: dict[str, Any] = {
        "taskId": jid,
        "taskName": f"task {i}",
        "logGroupName": "/ecs/web",
        "from": ms - 86_400_000,
        "to": ms,
        "destination": "logs-out",
        "destinationPrefix": f"exports/{i}",
        "status": {"code": status, "message": f"message {i}"},
        "executionInfo": {"creationTime": ms},
    }
    if status in ("COMPLETED", "FAILED", "CANCELLED"):
        task["executionInfo"]["completionTime"] = ms + 300_000
    return task


def _ec2(jid: str, i: int, status: str, region: str, created: datetime) -> dict[str, Any]:
    # An image export; neither kind of EC2 export has a creation time.
    return {
        "ExportImageTaskId": jid,
        "ImageId": f"ami-{i:017x}",
        "Description": f"image {i}",
        "Status": status,
        "StatusMessage": f"message {i}",
        "S3ExportLocation": {"S3Bucket": "ec2-out", "S3Prefix": f"amis/{i}/"},
    }


# The services after the first four, each made by its function.
_NEWER = {"dynamodb": _dynamodb, "rds": _rds, "logs": _logs, "ec2": _ec2}


_SUMMARY_MEMBERS = {
    "backupsearch": (
        "ExportJobIdentifier", "ExportJobArn", "Status", "CreationTime", "CompletionTime",
        "StatusMessage", "SearchJobArn",
    ),
    "personalize": (
        "datasetExportJobArn", "jobName", "status", "creationDateTime", "lastUpdatedDateTime",
        "failureReason",
    ),
    "dynamodb": ("ExportArn", "ExportStatus", "ExportType"),
}  # fmt: skip


def summary(service: str, i: int, status: str, region: str = REGION) -> dict[str, Any]:
    """A job as the list operation returns it."""
    raw = raw_job(service, i, status, region)
    members = _SUMMARY_MEMBERS.get(service)
    return {k: v for k, v in raw.items() if k in members} if members else raw


def get_response(service: str, raw: Mapping[str, Any]) -> dict[str, Any]:
    wrapper = {
        "backupsearch": None,
        "pinpoint": "ExportJobResponse",
        "personalize": "datasetExportJob",
        "discovery": "exportsInfo",
        "dynamodb": "ExportDescription",
        "rds": "ExportTasks",
        "logs": "exportTasks",
        "ec2": "ExportImageTasks",
    }[service]
    if wrapper is None:
        return dict(raw)
    if service in ("discovery", "rds", "logs", "ec2"):
        return {wrapper: [dict(raw)]}
    return {wrapper: dict(raw)}


def naming(response: dict[str, Any], service: str, job_id: str) -> dict[str, Any]:
    """``response`` (a filled answer of the service's get) about the job ``job_id``: a
    get answered about another job is a broken answer."""
    from exportctl.services import spec_for

    spec = spec_for(service)
    assert isinstance(spec.fields.id, str)
    *path, member = f"{spec.get.item}.{spec.fields.id}".lstrip(".").split(".")
    target: Any = response
    for part in path:
        target = target[int(part)] if part.isdigit() else target[part]
    target[member] = job_id
    return response


# -- Shapes of the installed botocore models -----------------------------------------

_SESSION = botocore.session.get_session()


def service_model(service: str) -> ServiceModel:
    return _SESSION.get_service_model(service)


def operation(service: str, name: str) -> OperationModel:
    return service_model(service).operation_model(name)


def shape_at(shape: Shape, path: str) -> Shape:
    """The shape of the value at a dotted path ('exportsInfo.0.exportStatus')."""
    for part in path.split(".") if path else ():
        shape = shape.member if shape.type_name == "list" else shape.members[part]
    return shape


def model_statuses(service: str) -> tuple[str, ...]:
    """The status enum of a service's get operation, from the installed model."""
    spec = spec_for(service)
    assert isinstance(spec.fields.status, str)
    path = ".".join(p for p in (spec.get.item, spec.fields.status) if p)
    output = operation(spec.client, spec.get.operation).output_shape
    assert output is not None
    return tuple(getattr(shape_at(output, path), "enum", None) or ())


class Filler:
    """A type-correct value for every member of a shape, each leaf value distinct."""

    def __init__(self, required_only: bool = False, keep: frozenset[str] = frozenset()) -> None:
        self.required_only = required_only
        self.keep = keep
        self._n = itertools.count(1)
        self.leaves: list[tuple[str, Any]] = []

    def fill(self, shape: Shape, path: str = "") -> Any:
        def at(name: str) -> str:
            return f"{path}.{name}" if path else name

        kind = shape.type_name
        if kind == "structure":
            members: Mapping[str, Shape] = shape.members
            required = set(shape.required_members)
            if shape.metadata.get("union"):
                name = next(iter(members))
                return {name: self.fill(members[name], at(name))}
            return {
                name: self.fill(member, at(name))
                for name, member in members.items()
                if not self.required_only or name in required or name in self.keep
            }
        if kind == "list":
            return [self.fill(shape.member, at("0"))]
        if kind == "map":
            key = f"key{next(self._n)}"
            return {key: self.fill(shape.value, at(key))}
        return self._leaf(shape, path)

    def _leaf(self, shape: Shape, path: str) -> Any:
        n = next(self._n)
        kind = shape.type_name
        value: Any
        if kind == "string":
            enum = getattr(shape, "enum", None)
            if enum:
                value = enum[0]
            elif path.endswith("Date"):
                # Pinpoint's dates are ISO 8601 strings.
                value = iso(WHEN + timedelta(minutes=n))
            else:
                value = f"{path.rsplit('.', 1)[-1]}-{n}"
        elif kind in ("integer", "long"):
            value = 1000 + n
        elif kind in ("float", "double"):
            value = 1000.5 + n
        elif kind == "boolean":
            value = True
        elif kind == "timestamp":
            value = WHEN + timedelta(hours=n)
        elif kind == "blob":
            value = f"blob-{n}".encode()
        else:  # pragma: no cover - every type the models use is above
            raise AssertionError(f"unexpected shape type {kind} at {path}")
        self.leaves.append((path, value))
        return value


def member_names(shape: Shape, seen: frozenset[str] = frozenset()) -> set[str]:
    """Every member name at any depth of a shape."""
    names: set[str] = set()
    if shape.name in seen:
        return names
    seen = seen | {shape.name}
    if shape.type_name == "structure":
        for name, member in shape.members.items():
            names.add(name)
            names |= member_names(member, seen)
    elif shape.type_name == "list":
        names |= member_names(shape.member, seen)
    elif shape.type_name == "map":
        names |= member_names(shape.value, seen)
    return names


def leaves(value: Any) -> list[Any]:
    """Every scalar inside a JSON-like value."""
    if isinstance(value, Mapping):
        return [leaf for v in value.values() for leaf in leaves(v)]
    if isinstance(value, (list, tuple)):
        return [leaf for v in value for leaf in leaves(v)]
    return [value]


# -- Raw HTTP answers, through botocore's own parser ----------------------------------


class _Body:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body


@contextmanager
def raw_http(client: Any, body: Mapping[str, Any], status: int = 200) -> Iterator[None]:
    """Answer the client's next requests with this JSON body, as the service would.

    Stubber validates responses against the model, so it cannot return what a newer
    service version may send (a status word the model does not list, a union member
    it does not know). Answering at the HTTP layer instead lets botocore's parser
    produce exactly what a real client would hand exportctl.
    """

    def answer(request: Any, **_: Any) -> AWSResponse:
        headers = {"content-type": "application/json", "x-amzn-requestid": "r-1"}
        return AWSResponse(request.url, status, headers, _Body(json.dumps(body).encode()))

    client.meta.events.register("before-send", answer)
    try:
        yield
    finally:
        client.meta.events.unregister("before-send", answer)
