"""Wire formats: how json, rest-json, query and ec2 responses and errors look on the wire.

Output is produced from the botocore model, so a member name the model does
not know is a bug in the sandbox and fails loudly instead of reaching clients.
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from xml.sax.saxutils import escape

from botocore.model import OperationModel, ServiceModel, Shape

from exportctl.sandbox.errors import ApiError

JSON_CONTENT_TYPE = {"json": "application/x-amz-json-1.1", "rest-json": "application/json"}
XML_CONTENT_TYPE = "text/xml"


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


def success(
    model: ServiceModel, operation: OperationModel, output: dict[str, Any], request_id: str = ""
) -> HttpResponse:
    if model.protocol == "query":
        return _query_success(model, operation, output, request_id)
    if model.protocol == "ec2":
        return _ec2_success(model, operation, output, request_id)
    shape = operation.output_shape
    kind = _json_type(model) if model.protocol == "json" else JSON_CONTENT_TYPE[model.protocol]
    headers = {"Content-Type": kind}
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
    elif mode == "gzip":
        response.body = gzip.compress(response.body, mtime=0)
    elif response.headers.get("Content-Type") == XML_CONTENT_TYPE:
        response.body = _respell_xml(response.body, mode[5:] if mode.startswith("drop:") else None)
    elif mode == "shape":
        response.body = json.dumps(_respell(json.loads(response.body), None)).encode()
    elif mode.startswith("drop:"):
        response.body = json.dumps(_respell(json.loads(response.body), mode[5:])).encode()


def _respell_xml(body: bytes, drop: str | None) -> bytes:
    """As :func:`_respell` for the query protocol's XML: a value becomes an element
    where the model has text (``drop`` None), or element ``drop`` goes."""
    if drop is None:
        return re.sub(rb">([^<>]+)</", rb"><member>\1</member></", body)
    name = re.escape(drop.encode())
    return re.sub(rb"<" + name + rb">.*?</" + name + rb">", b"", body, flags=re.DOTALL)


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
    if protocol == "query":
        return _query_error(model, err, request_id)
    if protocol == "ec2":
        return _ec2_error(err, request_id)
    if protocol == "json":
        status = err.status or 400
        body: dict[str, Any] = {"__type": err.code, "message": err.message}
        headers = {"Content-Type": _json_type(model)}
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


def _json_type(model: ServiceModel | None) -> str:
    # The json protocol's version is the model's: 1.0 for DynamoDB, 1.1 for most.
    version = model.metadata.get("jsonVersion", "1.1") if model is not None else "1.1"
    return f"application/x-amz-json-{version}"


def _error_shape(model: ServiceModel | None, code: str) -> Shape | None:
    if model is None or code not in model.shape_names:
        return None
    return model.shape_for(code)


# -- query protocol (STS): form-encoded requests, XML answers ----------------------------


def _query_success(
    model: ServiceModel, operation: OperationModel, output: dict[str, Any], request_id: str
) -> HttpResponse:
    name = operation.name
    shape = operation.output_shape
    result = ""
    if shape is not None:
        wrapper = shape.serialization.get("resultWrapper", f"{name}Result")
        result = _xml(shape, output, wrapper)
    body = (
        f'<{name}Response xmlns="{model.metadata.get("xmlNamespace", "")}">'
        f"{result}<ResponseMetadata><RequestId>{escape(request_id)}</RequestId></ResponseMetadata>"
        f"</{name}Response>"
    )
    return HttpResponse(200, body.encode(), {"Content-Type": XML_CONTENT_TYPE})


def _query_error(model: ServiceModel | None, err: ApiError, request_id: str) -> HttpResponse:
    namespace = model.metadata.get("xmlNamespace", "") if model is not None else ""
    kind = "Receiver" if (err.status or 400) >= 500 else "Sender"
    body = (
        f'<ErrorResponse xmlns="{namespace}"><Error><Type>{kind}</Type>'
        f"<Code>{escape(err.code)}</Code><Message>{escape(err.message)}</Message></Error>"
        f"<RequestId>{escape(request_id)}</RequestId></ErrorResponse>"
    )
    return HttpResponse(err.status or 400, body.encode(), {"Content-Type": XML_CONTENT_TYPE})


# -- ec2 protocol: query-like requests, XML answers without a result wrapper --------------


def _ec2_success(
    model: ServiceModel, operation: OperationModel, output: dict[str, Any], request_id: str
) -> HttpResponse:
    name = operation.name
    namespace = str(model.metadata.get("xmlNamespace", ""))
    namespace += "" if namespace.endswith("/") else "/"
    shape = operation.output_shape
    # An action without output members answers <return>true</return>, as EC2 does.
    members = "<return>true</return>" if shape is None else _xml_members(shape, output)
    body = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<{name}Response xmlns="{namespace}">'
        f"<requestId>{escape(request_id)}</requestId>{members}</{name}Response>"
    )
    return HttpResponse(200, body.encode(), {"Content-Type": XML_CONTENT_TYPE})


def _ec2_error(err: ApiError, request_id: str) -> HttpResponse:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error>'
        f"<Code>{escape(err.code)}</Code><Message>{escape(err.message)}</Message>"
        f"</Error></Errors><RequestID>{escape(request_id)}</RequestID></Response>"
    )
    return HttpResponse(err.status or 400, body.encode(), {"Content-Type": XML_CONTENT_TYPE})


def _xml_members(shape: Shape, value: Any) -> str:
    if not isinstance(value, dict):
        raise TypeError(f"{shape.name} needs a dict, got {type(value).__name__}")
    inner = []
    for member_name, item in value.items():
        if item is None:
            continue
        if member_name not in shape.members:
            raise KeyError(f"{shape.name} has no member {member_name!r}")
        member = shape.members[member_name]
        inner.append(_xml(member, item, member.serialization.get("name", member_name)))
    return "".join(inner)


def _xml(shape: Shape, value: Any, name: str) -> str:
    kind = shape.type_name
    if kind == "structure":
        return f"<{name}>{_xml_members(shape, value)}</{name}>"
    if kind == "list":
        # Items by the member's locationName (EC2's <item>), else query's <member>.
        tag = shape.member.serialization.get("name", "member")
        items = "".join(_xml(shape.member, item, tag) for item in value)
        return f"<{name}>{items}</{name}>"
    if kind == "timestamp":
        stamp = (
            value if isinstance(value, datetime) else datetime.fromtimestamp(value, timezone.utc)
        )
        text = stamp.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
    elif kind == "boolean":
        text = "true" if value else "false"
    else:
        text = str(value)
    return f"<{name}>{escape(text)}</{name}>"
