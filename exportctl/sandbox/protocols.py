"""Wire formats: how json and rest-json responses and errors look on the wire.

Output is produced from the botocore model, so a member name the model does
not know is a bug in the sandbox and fails loudly instead of reaching clients.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from botocore.model import OperationModel, ServiceModel, Shape

from exportctl.sandbox.errors import ApiError

JSON_CONTENT_TYPE = {"json": "application/x-amz-json-1.1", "rest-json": "application/json"}


@dataclass
class HttpResponse:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def to_wire(shape: Shape, value: Any) -> Any:
    """Convert a plain value into the JSON value the model expects for ``shape``."""
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            raise TypeError(f"{shape.name} needs a dict, got {type(value).__name__}")
        members = shape.members
        out: dict[str, Any] = {}
        for name, item in value.items():
            if item is None:
                continue
            if name not in members:
                raise KeyError(f"{shape.name} has no member {name!r}")
            member = members[name]
            out[member.serialization.get("name", name)] = to_wire(member, item)
        return out
    if kind == "list":
        return [to_wire(shape.member, item) for item in value]
    if kind == "map":
        return {str(k): to_wire(shape.value, v) for k, v in value.items()}
    if kind == "timestamp":
        return _timestamp(shape, value)
    if kind in ("integer", "long"):
        return int(value)
    if kind in ("float", "double"):
        return float(value)
    if kind == "boolean":
        return bool(value)
    return value


def _timestamp(shape: Shape, value: Any) -> Any:
    epoch = value.timestamp() if isinstance(value, datetime) else float(value)
    # json and rest-json bodies default to epoch seconds; only an explicit trait changes that.
    fmt = shape.serialization.get("timestampFormat") or shape.metadata.get("timestampFormat")
    if fmt == "iso8601":
        return datetime.fromtimestamp(epoch, timezone.utc).isoformat().replace("+00:00", "Z")
    return round(epoch, 3)


def success(model: ServiceModel, operation: OperationModel, output: dict[str, Any]) -> HttpResponse:
    shape = operation.output_shape
    headers = {"Content-Type": JSON_CONTENT_TYPE[model.protocol]}
    status = int(operation.http.get("responseCode", 200))
    if shape is None:
        return HttpResponse(status, b"{}", headers)
    payload = shape.serialization.get("payload")
    if model.protocol == "rest-json" and payload:
        body = to_wire(shape.members[payload], output.get(payload, {}))
    elif model.protocol == "rest-json":
        body_members = {
            k: v for k, v in output.items() if "location" not in shape.members[k].serialization
        }
        for name, member in shape.members.items():
            if member.serialization.get("location") == "header" and output.get(name) is not None:
                headers[member.serialization.get("name", name)] = str(output[name])
        body = to_wire(shape, body_members)
    else:
        body = to_wire(shape, output)
    return HttpResponse(status, json.dumps(body).encode(), headers)


def garble(response: HttpResponse, mode: str) -> None:
    """Spoil a successful answer in place (see ``Faults.garble``)."""
    if mode == "html":
        response.body = b"<html><head><title>Sign in</title></head><body>Wi-Fi login</body></html>"
        response.headers["Content-Type"] = "text/html; charset=utf-8"
    elif mode == "empty":
        response.body = b""
    elif mode == "truncated":
        response.body = response.body[: max(1, len(response.body) // 2)]
    elif mode == "shape":
        response.body = json.dumps(_respell(json.loads(response.body), None)).encode()
    elif mode.startswith("drop:"):
        response.body = json.dumps(_respell(json.loads(response.body), mode[5:])).encode()


def _respell(value: Any, drop: str | None) -> Any:
    """Lists become strings (``drop`` None), or member ``drop`` goes, at any depth."""
    if isinstance(value, dict):
        return {k: _respell(v, drop) for k, v in value.items() if k != drop}
    if isinstance(value, list):
        if drop is None:
            return "not a list"
        return [_respell(v, drop) for v in value]
    return value


def error(
    model: ServiceModel | None, protocol: str, err: ApiError, request_id: str
) -> HttpResponse:
    """Render ``err`` so botocore's parser for ``protocol`` yields ``err.code``."""
    shape = _error_shape(model, err.code)
    if protocol == "json":
        status = err.status or 400
        body: dict[str, Any] = {"__type": err.code, "message": err.message}
        headers = {"Content-Type": JSON_CONTENT_TYPE["json"]}
        return HttpResponse(status, json.dumps(body).encode(), headers)
    status = err.status or 400
    if shape is not None and "error" in shape.metadata:
        status = int(shape.metadata["error"].get("httpStatusCode", status))
    if shape is not None and "Message" in shape.members:
        # Pinpoint capitalises its error members and echoes the request id.
        body = {"Message": err.message, "RequestID": request_id}
    else:
        body = {"message": err.message}
    headers = {"Content-Type": JSON_CONTENT_TYPE["rest-json"], "x-amzn-ErrorType": err.code}
    return HttpResponse(status, json.dumps(body).encode(), headers)


def _error_shape(model: ServiceModel | None, code: str) -> Shape | None:
    if model is None or code not in model.shape_names:
        return None
    return model.shape_for(code)
