"""The sandbox routes on models pruned to the operations it emulates; anything else
is routed again on the whole models and answered as it always was."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError
from sandbox_helpers import ClientFactory

from exportctl.sandbox import Sandbox
from exportctl.sandbox.routing import IDENTITY_SERVICES, SERVICES, Models, Router, Routes
from exportctl.sandbox.services import emulated_operations

# One operation the sandbox does not emulate for each service, every protocol among them.
NOT_EMULATED: list[tuple[str, str, Callable[[Any], Any]]] = [
    ("backupsearch", "ListSearchJobs", lambda c: c.list_search_jobs()),  # rest-json
    ("pinpoint", "GetImportJobs", lambda c: c.get_import_jobs(ApplicationId="a")),
    ("personalize", "ListDatasets", lambda c: c.list_datasets()),  # json
    ("discovery", "DescribeAgents", lambda c: c.describe_agents()),
    ("dynamodb", "ListTables", lambda c: c.list_tables()),
    ("logs", "DescribeLogGroups", lambda c: c.describe_log_groups()),
    ("organizations", "ListRoots", lambda c: c.list_roots()),
    ("rds", "DescribeDBInstances", lambda c: c.describe_db_instances()),  # query
    ("sts", "GetSessionToken", lambda c: c.get_session_token()),
    ("ec2", "DescribeRegions", lambda c: c.describe_regions()),  # ec2
]


def _answer(call: Callable[[], Any]) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as info:
        call()
    response = info.value.response
    error = response["Error"]
    return error["Code"], error.get("Message", ""), response["ResponseMetadata"]["HTTPStatusCode"]


@pytest.mark.parametrize(
    ("service", "operation", "call"), NOT_EMULATED, ids=[f"{s}-{o}" for s, o, _ in NOT_EMULATED]
)
def test_an_operation_not_emulated_is_answered_as_on_the_whole_models(
    sandbox: Sandbox,
    client: ClientFactory,
    service: str,
    operation: str,
    call: Callable[[Any], Any],
) -> None:
    assert operation not in emulated_operations()[service]
    pruned = _answer(lambda: call(client(service)))
    assert pruned == (
        "UnknownOperationException",
        f"The sandbox does not emulate {operation}.",
        404,
    )
    sandbox.router = Router()  # the whole models alone, as the sandbox routed before
    assert _answer(lambda: call(client(service))) == pruned


def test_emulated_calls_never_read_the_whole_models(
    sandbox: Sandbox, client: ClientFactory
) -> None:
    client("ec2").describe_export_image_tasks()
    client("rds").describe_export_tasks()
    client("pinpoint").get_apps()
    client("backupsearch").list_search_result_export_jobs()
    client("logs").describe_export_tasks()
    assert sandbox.router.whole_models_read is False
    with pytest.raises(ClientError):
        client("ec2").describe_regions()
    assert sandbox.router.whole_models_read is True


def test_each_emulated_rest_operation_routes_as_on_the_whole_models() -> None:
    # A path of an emulated operation could also match a route of the whole models
    # tried before it (more literal text first): none does.
    services = SERVICES + IDENTITY_SERVICES
    whole, pruned = Routes(Models(services)), Routes(Models(services, emulated_operations()))
    checked = 0
    for service, names in emulated_operations().items():
        model = pruned.models[service]
        if model.protocol != "rest-json":
            continue
        for name in sorted(names):
            http = model.operation_model(name).http
            path = http["requestUri"].split("?", 1)[0]
            for label in ("{", "}", "+"):
                path = path.replace(label, "")
            headers = {
                "Authorization": f"AWS4-HMAC-SHA256 Credential=x/20261206/us-east-1/"
                f"{model.signing_name}/aws4_request"
            }
            body = json.dumps(_required(model.operation_model(name).input_shape)).encode()
            routed = [
                r.route(http["method"], path, headers, body).operation.name for r in (whole, pruned)
            ]
            assert routed == [name, name], (service, path)
            checked += 1
    assert checked >= 9  # Backup Search and Pinpoint


_FILLER: dict[str, Any] = {"string": "x", "integer": 1, "long": 1, "boolean": True}


def _required(shape: Any) -> Any:
    """The least a request's body carries for ``shape``: its required members, made
    up (the router refuses a body missing them, before any route is taken)."""
    if shape is None or shape.type_name != "structure":
        return _FILLER.get(shape.type_name, [] if shape.type_name == "list" else {})
    payload = shape.serialization.get("payload")
    if payload:
        return _required(shape.members[payload])
    return {
        member.serialization.get("name", name): _required(member)
        for name, member in shape.members.items()
        if name in shape.required_members and "location" not in member.serialization
    }
