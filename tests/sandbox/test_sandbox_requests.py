"""Requests a control endpoint cannot read as sent: answered 400, 411 or 413, at once
and in one line, the connection closed; never a hang, a traceback or a setting changed."""

from __future__ import annotations

import json
import logging
import socket
import urllib.error
import urllib.request
from typing import Any

import pytest

from exportctl.sandbox import Sandbox, bodies


def raw(sb: Sandbox, head: str, body: bytes = b"", *, end: bool = False) -> tuple[int, Any]:
    """Send ``head`` (its lines, without the blank line) and ``body`` as they are;
    the status and JSON body of the one answer, read until the sandbox closes."""
    with socket.create_connection(("127.0.0.1", sb.port), timeout=10) as sock:
        sock.sendall(head.replace("\n", "\r\n").encode() + b"\r\n\r\n" + body)
        if end:
            sock.shutdown(socket.SHUT_WR)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    status_line, _, rest = received.partition(b"\r\n")
    answer = rest.partition(b"\r\n\r\n")[2]
    # One answer, the connection closed after it: nothing left read as a request.
    assert received.count(b"HTTP/1.") == 1, received
    return int(status_line.split()[1]), json.loads(answer)


def post(path: str, extra: str = "") -> str:
    return f"POST /_sandbox{path} HTTP/1.1\nHost: 127.0.0.1{extra}"


@pytest.fixture
def errors(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.ERROR)
    return caplog


def test_a_chunked_body_is_refused_not_ignored(sandbox: Sandbox, errors: Any) -> None:
    # Ignored, the request answered 200 unchanged, its chunk then a request of its own.
    body = json.dumps({"latency": 1}).encode()
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)
    status, said = raw(sandbox, post("/faults", "\nTransfer-Encoding: chunked"), chunked)
    assert status == 411 and "not chunked" in said["message"]
    assert sandbox.faults.latency == 0
    assert not errors.records


@pytest.mark.parametrize(
    ("length", "status", "said"),
    [
        ("abc", 400, "Content-Length 'abc' is no length in bytes"),
        ("-1", 400, "Content-Length '-1' is no length in bytes"),
        (str(bodies.MAX_BODY + 1), 413, f"is more than the {bodies.MAX_BODY} read"),
    ],
)
def test_a_content_length_that_is_no_length_is_refused(
    sandbox: Sandbox, errors: Any, length: str, status: int, said: str
) -> None:
    # 'abc' closed with no answer and a traceback; '-1' waited for the client to give up.
    answered, body = raw(sandbox, post("/faults", f"\nContent-Length: {length}"), b"{}")
    assert answered == status and said in body["message"]
    assert not errors.records


def test_a_body_shorter_than_announced_is_refused_not_waited_for(
    sandbox: Sandbox, errors: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    head = post("/faults", "\nContent-Length: 100")
    # The client says it sends no more.
    status, said = raw(sandbox, head, b'{"latency": 1}', end=True)
    assert status == 400 and "ended before the 100 bytes" in said["message"]
    # The client sends no more and waits: answered once the body's time is up.
    monkeypatch.setattr(bodies, "BODY_SECONDS", 0.1)
    status, said = raw(sandbox, head, b'{"latency": 1}')
    assert status == 400 and "ended before the 100 bytes" in said["message"]
    assert sandbox.faults.latency == 0
    assert not errors.records


def ask(sb: Sandbox, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    request = urllib.request.Request(sb.url + "/_sandbox" + path, data=data, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_json_nested_too_deep_is_a_400(sandbox: Sandbox) -> None:
    status, said = ask(sandbox, "POST", "/faults", b"[" * 100000 + b"]" * 100000)
    assert status == 400 and said["message"] == "the body nests too deep"


def test_a_misspelt_service_is_refused_by_the_job_listing_too(sandbox: Sandbox) -> None:
    # /jobs/status refused it; /jobs listed nothing, as if it had no jobs.
    for path in ("/jobs?service=personalise", "/jobs?service=personalise&account=*"):
        status, said = ask(sandbox, "GET", path)
        assert status == 404 and said["message"].startswith("unknown service 'personalise'")
    with pytest.raises(LookupError):
        sandbox.jobs("personalise")


@pytest.mark.parametrize("field", ["service", "job_id", "status"])
def test_a_job_status_that_is_no_string_is_refused(sandbox: Sandbox, field: str) -> None:
    job = sandbox.jobs("personalize")[0]
    body = {"service": "personalize", "job_id": job["id"], "status": "CREATE FAILED"}
    # null was pinned as the status "None".
    status, said = ask(sandbox, "POST", "/jobs/status", {**body, field: None})
    assert status == 400 and said["message"] == f"{field}: a string, not null"
    assert sandbox.jobs("personalize")[0] == job


@pytest.mark.parametrize(
    ("body", "said"),
    [
        # "ok" was read as the fates "o" and "k"; "*" as a list of pairs.
        ({"fates": {"CreateExportJob": "ok"}}, 'fates: {"OPERATION": ["FATE", ...], ...}'),
        ({"fates": ["ok"]}, 'fates: {"OPERATION": ["FATE", ...], ...}'),
        ({"garble": "*"}, 'garble: {"SERVICE": "HOW", ...}'),
    ],
)
def test_a_fault_of_the_wrong_shape_says_the_shape_expected(
    sandbox: Sandbox, body: dict[str, Any], said: str
) -> None:
    before = sandbox.faults.to_dict()
    status, answer = ask(sandbox, "POST", "/faults", body)
    assert status == 400 and answer["message"].startswith(said), answer
    assert sandbox.faults.to_dict() == before


@pytest.mark.parametrize("field", ["service", "job_id", "status"])
def test_a_job_status_missing_a_member_names_it(sandbox: Sandbox, field: str) -> None:
    job = sandbox.jobs("personalize")[0]
    body = {"service": "personalize", "job_id": job["id"], "status": "CREATE FAILED"}
    del body[field]
    # It was a bare KeyError: {"error": "KeyError", "message": "'job_id'"}.
    status, said = ask(sandbox, "POST", "/jobs/status", body)
    assert status == 400 and said["message"] == f"{field}: missing (a string)"
