"""Shared by the sandbox tests: the output-shape validator, the operation list, and a
client of a sandbox of a test's own."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from botocore.model import Shape

from exportctl.sandbox import Sandbox

ClientFactory = Callable[..., Any]
# Starts a sandbox going on with the world kept in a folder, or with none kept.
SandboxFactory = Callable[[Path | None], Sandbox]

OPERATION_SERVICES = {
    "backupsearch": (
        "GetSearchResultExportJob",
        "ListSearchResultExportJobs",
        "GetSearchJob",
        "ListSearchJobBackups",
    ),
    "pinpoint": ("GetApps", "GetExportJobs", "GetExportJob"),
    "personalize": ("DescribeDatasetExportJob", "ListDatasetExportJobs"),
    "discovery": ("DescribeExportTasks",),
}


def sandbox_client(
    boto_session: Any, sandbox: Sandbox, service: str, region: str = "us-east-1"
) -> Any:
    """A botocore client of ``service`` pointed at ``sandbox`` (one the test made itself,
    which the ``client`` fixture's shared sandbox is not)."""
    return boto_session.client(
        service,
        endpoint_url=sandbox.url,
        region_name=region,
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )


def check_shape(
    shape: Shape,
    value: Any,
    path: str = "$",
    unknown_enums: frozenset[str] = frozenset(),
) -> None:
    """Fail unless ``value`` (as parsed by botocore) fits ``shape`` exactly."""
    kind = shape.type_name
    if kind == "structure":
        assert isinstance(value, dict), f"{path}: expected object, got {value!r}"
        extra = set(value) - set(shape.members) - {"ResponseMetadata"}
        assert not extra, f"{path}: members not in {shape.name}: {sorted(extra)}"
        missing = [m for m in shape.required_members if m not in value]
        assert not missing, f"{path}: required members missing: {missing}"
        for name, item in value.items():
            if name != "ResponseMetadata":
                check_shape(shape.members[name], item, f"{path}.{name}", unknown_enums)
    elif kind == "list":
        assert isinstance(value, list), f"{path}: expected list, got {value!r}"
        for i, item in enumerate(value):
            check_shape(shape.member, item, f"{path}[{i}]", unknown_enums)
    elif kind == "map":
        assert isinstance(value, dict), f"{path}: expected map, got {value!r}"
        for key, item in value.items():
            check_shape(shape.key, key, f"{path}<key>", unknown_enums)
            check_shape(shape.value, item, f"{path}[{key}]", unknown_enums)
    elif kind == "string":
        assert isinstance(value, str), f"{path}: expected string, got {value!r}"
        enum = shape.enum
        if enum and value not in unknown_enums:
            assert value in enum, f"{path}: {value!r} not in {shape.name} {enum}"
    elif kind in ("integer", "long"):
        assert isinstance(value, int) and not isinstance(value, bool), f"{path}: {value!r}"
    elif kind == "boolean":
        assert isinstance(value, bool), f"{path}: expected boolean, got {value!r}"
    elif kind == "timestamp":
        assert isinstance(value, datetime), f"{path}: expected timestamp, got {value!r}"
        assert value.tzinfo is not None, f"{path}: naive timestamp"
    elif kind in ("float", "double"):
        assert isinstance(value, (int, float)), f"{path}: {value!r}"
    else:  # pragma: no cover - the four services use nothing else in these outputs
        raise AssertionError(f"{path}: unhandled shape type {kind}")
