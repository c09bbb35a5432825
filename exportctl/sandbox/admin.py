"""The ``/_sandbox/`` control endpoints: the HTTP face of the Python control API."""

from __future__ import annotations

import json
import threading
from typing import Any, Protocol
from urllib.parse import parse_qs, urlsplit

from exportctl.sandbox.accounts import MANAGEMENT
from exportctl.sandbox.catalog import WORLDS
from exportctl.sandbox.clock import SandboxClock
from exportctl.sandbox.faults import Faults
from exportctl.sandbox.jobs import Job, OutputLocation
from exportctl.sandbox.protocols import HttpResponse
from exportctl.sandbox.scenario import Scenario
from exportctl.sandbox.services import ANSWERED, emulated_operations

PREFIX = "/_sandbox"


class Controlled(Protocol):
    """What the control endpoints reach in the server that routes to them.

    The server imports this module, not the other way round.
    """

    scenario: Scenario
    clock: SandboxClock
    faults: Faults
    lock: threading.RLock

    def state(self) -> dict[str, Any]: ...
    def advance(self, seconds: float) -> float: ...
    def calls_report(self) -> dict[str, Any]: ...
    def reset_calls(self) -> None: ...
    def jobs(
        self, service: str | None = ..., region: str | None = ..., account: str | None = ...
    ) -> list[dict[str, Any]]: ...
    def set_status(self, service: str, job_id: str, status: str) -> None: ...
    def delete_job(self, service: str, job_id: str) -> None: ...
    def output_locations(self) -> list[OutputLocation]: ...


def _json(status: int, data: Any) -> HttpResponse:
    body = json.dumps(data, indent=2, sort_keys=True).encode()
    return HttpResponse(status, body, {"Content-Type": "application/json"})


def handle(sandbox: Controlled, method: str, raw_path: str, body: bytes) -> HttpResponse:
    split = urlsplit(raw_path)
    path = split.path[len(PREFIX) :].rstrip("/") or "/"
    query = {k: v[-1] for k, v in parse_qs(split.query).items()}
    try:
        payload = json.loads(body) if body else {}
        if not isinstance(payload, dict):
            raise ValueError("the request body must be a JSON object")
        return _dispatch(sandbox, method, path, query, payload)
    except RecursionError:
        # JSON nested thousands deep: no request the sandbox answers is.
        return _json(400, {"error": "ValueError", "message": "the body nests too deep"})
    except (ValueError, KeyError, TypeError) as exc:
        return _json(400, {"error": type(exc).__name__, "message": str(exc)})
    except LookupError as exc:
        return _json(404, {"error": "NotFound", "message": str(exc)})


def _dispatch(
    sb: Controlled, method: str, path: str, query: dict[str, str], payload: dict[str, Any]
) -> HttpResponse:
    if path.startswith("/downloads/") and method in ("GET", "HEAD"):
        return _download(sb, path.removeprefix("/downloads/"))
    route = (method, path)
    if route in (("GET", "/"), ("GET", "/state")):
        return _json(200, sb.state())
    if route == ("GET", "/accounts"):
        return _json(200, {"accounts": sb.state()["accounts"]})
    if route == ("GET", "/clock"):
        return _json(200, {"elapsed": sb.clock.elapsed(), "now": sb.clock.now_epoch()})
    if route == ("POST", "/clock/advance"):
        given = payload.get("seconds", query.get("seconds", 0))
        if isinstance(given, bool) or not isinstance(given, (int, float, str)):
            raise ValueError(f"seconds: a number, not {given!r}")
        return _json(200, {"elapsed": sb.advance(float(given))})
    if route == ("GET", "/faults"):
        return _json(200, sb.faults.to_dict())
    if method in ("POST", "PUT", "PATCH") and path == "/faults":
        with sb.lock:
            sb.faults.update(payload, services=ANSWERED, operations=emulated_operations())
        return _json(200, sb.faults.to_dict())
    if route == ("GET", "/calls"):
        return _json(200, sb.calls_report())
    if route in (("POST", "/calls/reset"), ("DELETE", "/calls")):
        sb.reset_calls()
        return _json(200, sb.calls_report())
    if route == ("GET", "/jobs"):
        # "*" is every one, for each of them.
        service, region, account = (
            None if value == "*" else value
            for value in (
                query.get("service"),
                query.get("region"),
                query.get("account", MANAGEMENT),
            )
        )
        jobs = sb.jobs(service, region, account)
        return _json(200, {"jobs": jobs})
    if route == ("POST", "/jobs/status"):
        sb.set_status(_text(payload, "service"), _text(payload, "job_id"), _text(payload, "status"))
        return _json(200, {"ok": True})
    if route == ("POST", "/jobs/delete"):
        sb.delete_job(_text(payload, "service"), _text(payload, "job_id"))
        return _json(200, {"ok": True})
    if route == ("GET", "/outputs"):
        return _json(200, {"outputs": [vars(o) for o in sb.output_locations()]})
    return _json(404, {"error": "NotFound", "message": f"no sandbox endpoint {method} {path}"})


def _text(payload: dict[str, Any], key: str) -> str:
    # str() made null the status "None", and a number a job id.
    if key not in payload:
        raise TypeError(f"{key}: missing (a string)")
    value = payload[key]
    if not isinstance(value, str):
        raise TypeError(f"{key}: a string, not {json.dumps(value)}")
    return value


def _download(sb: Controlled, name: str) -> HttpResponse:
    for world in WORLDS:
        download = world.download
        if download is None:
            continue
        export_id = name.removesuffix(download.suffix)
        job: Job | None = sb.scenario.find(world.name, export_id, download.kind)
        if job is None or job.state(sb.clock.elapsed())[0] != world.completed:
            continue
        return HttpResponse(
            200,
            download.archive(export_id),
            {
                "Content-Type": download.content_type,
                "Content-Disposition": f'attachment; filename="{export_id}{download.suffix}"',
            },
        )
    # S3 answers a missing pre-signed object with an XML NoSuchKey document.
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchKey</Code>'
        f"<Message>The specified key does not exist.</Message><Key>{name}</Key></Error>"
    )
    return HttpResponse(404, xml.encode(), {"Content-Type": "application/xml"})
