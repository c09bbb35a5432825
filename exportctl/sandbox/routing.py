"""From an HTTP request to (service, operation, region, parameters), model-driven."""

from __future__ import annotations

import contextlib
import functools
import json
import re
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlsplit

import botocore.session
from botocore.model import OperationModel, ServiceModel, Shape

from exportctl.sandbox import jsonmembers
from exportctl.sandbox.catalog import BY_NAME, NAMES, WORLDS
from exportctl.sandbox.errors import ApiError

if TYPE_CHECKING:
    from exportctl.aws.loader import Pruning

SERVICES = NAMES
# Who is calling, and which accounts there are: sts (query protocol) and organizations.
IDENTITY_SERVICES = ("sts", "organizations")
DEFAULT_REGION = "us-east-1"

_CREDENTIAL = re.compile(
    r"Credential=(?P<akid>[^/,\s]+)/(?P<date>\d{8})/(?P<region>[^/]+)/(?P<service>[^/]+)/aws4_request"
)
_LABEL = re.compile(r"\{([^}]+)\}")


class RouteError(ApiError):
    """A request the router could not place; ``service`` is set when it got that far."""

    def __init__(self, err: ApiError, service: str | None) -> None:
        super().__init__(err.code, err.message, err.status)
        self.service = service


@dataclass
class Call:
    service: str
    operation: OperationModel
    region: str
    access_key: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class _RestRoute:
    service: str
    method: str
    pattern: re.Pattern[str]
    labels: tuple[str, ...]
    operation: str
    literal_length: int


@dataclass(frozen=True)
class Scope:
    access_key: str
    region: str
    signing_service: str | None


def parse_scope(authorization: str | None) -> Scope:
    match = _CREDENTIAL.search(authorization or "")
    if match is None:
        return Scope("", DEFAULT_REGION, None)
    return Scope(match["akid"], match["region"], match["service"])


# Form-encoded services whose models are large (EC2's alone takes ~95 ms to read):
# read at their first request, not at every start. What routing needs of them
# before that, (signing name, protocol), is checked against the models by a test.
DEFERRED: dict[str, tuple[str, str]] = {w.name: w.deferred for w in WORLDS if w.deferred}


Emulated = Mapping[str, frozenset[str]]


class Models(Mapping[str, ServiceModel]):
    """The services' botocore models, each read when first needed; with
    ``operations``, pruned to those of each service named there."""

    def __init__(self, services: tuple[str, ...], operations: Emulated | None = None) -> None:
        self._names = services
        self._pruning: Pruning = frozenset((operations or {}).items())

    def __getitem__(self, service: str) -> ServiceModel:
        if service not in self._names:
            raise KeyError(service)
        return _load_model(service, self._pruning)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


class Router:
    """Requests routed on models pruned to the operations the sandbox emulates
    (``emulated``; each a few kilobytes from the cache, where EC2's whole model
    takes ~95 ms to read); a request those do not place is routed again on the
    whole models, read at the first such request, so that it is answered as it
    always was (an operation the sandbox does not emulate, an unknown path)."""

    def __init__(
        self,
        emulated: Emulated | None = None,
        services: tuple[str, ...] = SERVICES + IDENTITY_SERVICES,
    ) -> None:
        self._services = services
        self._emulated = Routes(Models(services, emulated))
        self.models = self._emulated.models
        self._pruned = bool(emulated)
        self._whole: Routes | None = None
        self._whole_lock = threading.Lock()

    def protocol(self, service: str) -> str:
        return self._emulated.protocol(service)

    @property
    def whole_models_read(self) -> bool:
        """Whether a request has needed the whole models (one not emulated)."""
        return self._whole is not None

    def route(self, method: str, raw_path: str, headers: Mapping[str, str], body: bytes) -> Call:
        try:
            return self._emulated.route(method, raw_path, headers, body)
        except RouteError:
            if not self._pruned:
                raise
        with self._whole_lock:
            if self._whole is None:
                self._whole = Routes(Models(self._services))
        return self._whole.route(method, raw_path, headers, body)


class Routes:
    """Where each request goes among the operations of ``models``."""

    def __init__(self, models: Models) -> None:
        self.models = models
        services = tuple(models)
        eager = {name: self.models[name] for name in services if name not in DEFERRED}
        self._by_signing_name = {m.signing_name: name for name, m in eager.items()}
        self._by_signing_name.update(
            {DEFERRED[name][0]: name for name in services if name in DEFERRED}
        )
        self._forms = [n for n in services if self._protocol_of(n) in ("query", "ec2")]
        self._by_target = {
            m.metadata["targetPrefix"]: name for name, m in eager.items() if m.protocol == "json"
        }
        self._rest_routes = [
            route
            for name, model in eager.items()
            if model.protocol == "rest-json"
            for route in _rest_routes(name, model)
        ]
        # Literal-heavy templates first, so "/a/b/export" wins over "/a/{x}/{y}".
        self._rest_routes.sort(key=lambda r: -r.literal_length)

    def protocol(self, service: str) -> str:
        return self._protocol_of(service)

    def _protocol_of(self, service: str) -> str:
        deferred = DEFERRED.get(service)
        return deferred[1] if deferred else str(self.models[service].protocol)

    def route(self, method: str, raw_path: str, headers: Mapping[str, str], body: bytes) -> Call:
        scope = parse_scope(headers.get("Authorization"))
        signed_for = self._by_signing_name.get(scope.signing_service or "")
        target = headers.get("X-Amz-Target")
        if target:
            return self._route_json(target, scope, body)
        split = urlsplit(raw_path)
        query_service = self._query_service(signed_for, method, split.path, headers, body)
        if query_service is not None:
            return self._route_query(query_service, scope, body)
        # The signing service stands in for the host name AWS would route on.
        candidates = [r for r in self._rest_routes if r.service == signed_for] or self._rest_routes
        for route in candidates:
            match = route.pattern.fullmatch(split.path)
            if match is None or route.method != method:
                continue
            operation = self.models[route.service].operation_model(route.operation)
            labels = {
                label: unquote(value)
                for label, value in zip(route.labels, match.groups(), strict=True)
            }
            params = _rest_params(operation, labels, parse_qs(split.query), route.service)
            params.update(_rest_body(operation, body, route.service))
            return Call(route.service, operation, scope.region, scope.access_key, params)
        raise RouteError(
            ApiError("UnknownOperationException", f"No operation matches {method} {split.path}"),
            signed_for,
        )

    def _query_service(
        self,
        signed_for: str | None,
        method: str,
        path: str,
        headers: Mapping[str, str],
        body: bytes,
    ) -> str | None:
        """The query-protocol service a form-encoded POST to / is meant for."""
        if method != "POST" or path not in ("", "/"):
            return None
        content_type = headers.get("Content-Type") or ""
        if not content_type.startswith("application/x-www-form-urlencoded"):
            return None
        forms = self._forms
        if signed_for in forms:
            return signed_for
        # Unsigned: the one query-protocol service with that Action (STS's AssumeRole).
        action = parse_qs(body.decode("utf-8", "replace")).get("Action", [""])[-1]
        queries = [
            n
            for n in forms
            if self._protocol_of(n) == "query" and action in self.models[n].operation_names
        ]
        return queries[0] if len(queries) == 1 else None

    def _route_query(self, service: str, scope: Scope, body: bytes) -> Call:
        form = {k: v[-1] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        name = form.pop("Action", "")
        form.pop("Version", None)
        model = self.models[service]
        if name not in model.operation_names:
            raise RouteError(
                ApiError("InvalidAction", f"Could not find operation {name or '(none)'}", 400),
                service,
            )
        unfit = next((k for k, v in form.items() if _NOT_XML.search(v)), None)
        if unfit is not None:
            # Its answer is XML, which cannot hold them: refused as EC2 and RDS do,
            # rather than kept to break every later answer naming the job.
            raise RouteError(
                ApiError(
                    "InvalidParameterValue",
                    f"Value for parameter {unfit} contains characters that are not valid",
                    400,
                ),
                service,
            )
        operation = model.operation_model(name)
        params: dict[str, Any] = form
        if model.protocol == "ec2" and operation.input_shape is not None:
            params = _ec2_params(operation.input_shape, form, "", service) or {}
        elif model.protocol == "query" and operation.input_shape is not None:
            params = _query_params(operation.input_shape, form, "") or {}
        return Call(service, operation, scope.region, scope.access_key, params)

    def _route_json(self, target: str, scope: Scope, body: bytes) -> Call:
        prefix, _, name = target.rpartition(".")
        service = self._by_target.get(prefix)
        if service is None:
            raise RouteError(
                ApiError("UnknownOperationException", f"Unknown target {target}"), None
            )
        model = self.models[service]
        if name not in model.operation_names:
            raise RouteError(
                ApiError("UnknownOperationException", f"Unknown operation {name}"), service
            )
        params = _json_object(body or b"{}", service)
        operation = model.operation_model(name)
        try:
            # The JSON protocols' own codes, whatever the service: AWS answers these
            # before the request reaches it.
            jsonmembers.check(
                operation.input_shape,
                params,
                mistyped="SerializationException",
                missing=("ValidationException", 400),
            )
        except ApiError as exc:
            raise RouteError(exc, service) from None
        return Call(service, operation, scope.region, scope.access_key, params)


# What XML 1.0 cannot hold, escaped or not: C0 controls but tab, newline and
# carriage return; surrogates; U+FFFE and U+FFFF.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@functools.cache
def _load_model(service: str, pruning: Pruning) -> ServiceModel:
    # Parsing the JSON models dominates start-up; every Sandbox in a process shares them.
    return _session(pruning).get_service_model(service)


@functools.cache
def _session(pruning: Pruning) -> botocore.session.Session:
    # The loaders of exportctl's own clients: an embedded sandbox and the command
    # that runs it decode each model file once between them.
    from exportctl.aws.clients import PROCESS_LOADERS
    from exportctl.aws.loader import models_session, use_service_loader

    session = models_session()
    use_service_loader(session, PROCESS_LOADERS, dict(pruning))
    return session


def _rest_routes(service: str, model: ServiceModel) -> list[_RestRoute]:
    routes = []
    for name in model.operation_names:
        operation = model.operation_model(name)
        template = operation.http["requestUri"].split("?", 1)[0]
        labels: list[str] = []
        regex = ""
        pos = 0
        for match in _LABEL.finditer(template):
            regex += re.escape(template[pos : match.start()])
            label = match.group(1)
            greedy = label.endswith("+")
            labels.append(label.rstrip("+"))
            regex += "(.+)" if greedy else "([^/]+)"
            pos = match.end()
        regex += re.escape(template[pos:])
        literal = len(_LABEL.sub("", template))
        routes.append(
            _RestRoute(
                service,
                operation.http["method"],
                re.compile(regex),
                tuple(labels),
                name,
                literal,
            )
        )
    return routes


def _rest_params(
    operation: OperationModel,
    labels: dict[str, str],
    query: dict[str, list[str]],
    service: str,
) -> dict[str, Any]:
    params: dict[str, Any] = {}
    shape = operation.input_shape
    if shape is None:
        return params
    for member_name, member in shape.members.items():
        location = member.serialization.get("location")
        wire_name = member.serialization.get("name", member_name)
        if location == "uri" and wire_name in labels:
            params[member_name] = labels[wire_name]
        elif location == "querystring" and wire_name in query:
            params[member_name] = _scalar(member, query[wire_name][-1], wire_name, service)
    return params


def _json_object(body: bytes, service: str) -> dict[str, Any]:
    """A JSON request's body, the object it must be; one it cannot read is the
    client's fault, as AWS answers it."""
    try:
        document = json.loads(body)
    except ValueError as exc:
        raise RouteError(
            ApiError("SerializationException", f"Malformed JSON: {exc}"), service
        ) from None
    except RecursionError:
        # Nested deeper than the parser goes: no request of any service is.
        raise RouteError(
            ApiError("SerializationException", "Malformed JSON: nested too deep"), service
        ) from None
    if not isinstance(document, dict):
        raise RouteError(ApiError("SerializationException", "Expected a JSON object"), service)
    return document


def _rest_body(operation: OperationModel, body: bytes, service: str) -> dict[str, Any]:
    """The members a rest-json request carries in its JSON body (or its payload member)."""
    shape = operation.input_shape
    if shape is None:
        return {}
    document = _json_object(body, service) if body.strip() else {}
    payload = shape.serialization.get("payload")
    # REST-JSON services answer in their own code for input they refuse.
    invalid = (
        BY_NAME[service].errors.invalid if service in BY_NAME else ("ValidationException", 400)
    )
    try:
        if payload:
            if body.strip() or payload in shape.required_members:
                jsonmembers.check(
                    shape.members[payload], document, mistyped=invalid[0], missing=invalid
                )
            return {payload: document} if body.strip() else {}
        jsonmembers.check(shape, document, mistyped=invalid[0], missing=invalid, body_only=True)
    except ApiError as exc:
        raise RouteError(exc, service) from None
    by_wire = {
        m.serialization.get("name", name): name
        for name, m in shape.members.items()
        if "location" not in m.serialization
    }
    return {by_wire[k]: v for k, v in document.items() if k in by_wire}


def _scalar(shape: Shape, raw: str, wire_name: str, service: str) -> Any:
    if shape.type_name in ("integer", "long"):
        try:
            return int(raw)
        except ValueError:
            raise RouteError(
                ApiError("ValidationException", f"Value '{raw}' at '{wire_name}' is not a number"),
                service,
            ) from None
    return raw


def _ec2_name(shape: Shape, member_name: str) -> str:
    # What botocore's EC2Serializer writes: queryName, else the capitalised locationName.
    if "queryName" in shape.serialization:
        return str(shape.serialization["queryName"])
    name = shape.serialization.get("name")
    return f"{name[0].upper()}{name[1:]}" if name else member_name


def _ec2_params(shape: Shape, form: Mapping[str, str], prefix: str, service: str) -> Any:
    """The value an ec2-protocol form holds for ``shape`` at ``prefix``: members by their
    wire names, list items numbered from 1 (``Filter.1.Value.2``); None when absent."""
    kind = shape.type_name
    below = prefix + "."
    if prefix and kind in ("structure", "list") and not any(k.startswith(below) for k in form):
        # Nothing below: also what ends the walk of a recursive shape.
        return None
    if kind == "structure":
        out = {}
        for name, member in shape.members.items():
            wire = _ec2_name(member, name)
            value = _ec2_params(member, form, f"{prefix}.{wire}" if prefix else wire, service)
            if value is not None:
                out[name] = value
        return out or None
    if kind == "list":
        head = prefix + "."
        numbers = {k[len(head) :].split(".", 1)[0] for k in form if k.startswith(head)}
        items = (
            _ec2_params(shape.member, form, f"{head}{n}", service)
            for n in sorted((n for n in numbers if n.isdigit()), key=int)
        )
        return [item for item in items if item is not None] or None
    raw = form.get(prefix)
    if raw is None:
        return None
    if shape.type_name in ("integer", "long"):
        try:
            return int(raw)
        except ValueError:
            raise RouteError(
                ApiError(
                    "InvalidParameterValue", f"Value ({raw}) for parameter {prefix} is invalid."
                ),
                service,
            ) from None
    if shape.type_name == "boolean":
        return raw.lower() == "true"
    if shape.type_name in ("float", "double"):
        return float(raw)
    return raw


def _query_params(shape: Shape, form: Mapping[str, str], prefix: str) -> Any:
    """The value a query-protocol form holds for ``shape`` at ``prefix``, as botocore's
    QuerySerializer writes it: members by locationName, list items under the member's
    name (``ExportOnly.member.1``, ``Filters.Filter.1.Values.Value.2``), flattened lists
    without it; None when absent. Scalars that do not parse stay text, for the handler's
    own validation error."""
    kind = shape.type_name
    if prefix and kind == "structure" and not any(k.startswith(prefix + ".") for k in form):
        # Nothing below: also what ends the walk of a recursive shape.
        return None
    if kind == "structure":
        out = {}
        for name, member in shape.members.items():
            wire = member.serialization.get("name", name)
            value = _query_params(member, form, f"{prefix}.{wire}" if prefix else wire)
            if value is not None:
                out[name] = value
        return out or None
    if kind == "list":
        item_name = shape.member.serialization.get("name")
        if not shape.serialization.get("flattened"):
            head = f"{prefix}.{item_name or 'member'}"
        elif item_name:
            head = ".".join([*prefix.split(".")[:-1], item_name])
        else:
            head = prefix
        items: list[Any] = []
        while (item := _query_params(shape.member, form, f"{head}.{len(items) + 1}")) is not None:
            items.append(item)
        return items or None
    raw = form.get(prefix)
    if raw is None:
        return None
    with contextlib.suppress(ValueError):
        if kind in ("integer", "long"):
            return int(raw)
        if kind in ("float", "double"):
            return float(raw)
    if kind == "boolean" and raw in ("true", "false"):
        return raw == "true"
    return raw
