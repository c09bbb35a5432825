"""What exportctl's deadlines ask of botocore beyond its documented API: the standard
retry handler, registered under botocore's own id (``retry-config-SERVICE``), taken
off and wrapped, and a per-request read timeout (``request.context["read_timeout"]``).
Each test fails, rather than a deadline be ignored in silence, should botocore change
either (both hold from the oldest botocore pyproject.toml allows)."""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import botocore.exceptions
import pytest
from botocore.config import Config

from exportctl.aws.deadlines import BACKOFFS, bound_by_deadlines, deadline
from exportctl.aws.sessions import new_session


class _Throttling(BaseHTTPRequestHandler):
    calls = 0

    def do_POST(self) -> None:
        type(self).calls += 1
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = b'{"__type": "ThrottlingException", "message": "Rate exceeded"}'
        self.send_response(400)
        self.send_header("Content-Type", "application/x-amz-json-1.1")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def throttling() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Throttling)
    _Throttling.calls = 0
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def _client(url: str, attempts: int, read_timeout: float = 60) -> object:
    return new_session().create_client(
        "logs",
        region_name="us-east-1",
        endpoint_url=url,
        aws_access_key_id="x",
        aws_secret_access_key="x",
        config=Config(
            retries={"mode": "standard", "total_max_attempts": attempts},
            read_timeout=read_timeout,
        ),
    )


def test_the_retries_are_decided_by_the_wrapped_handler_alone(
    throttling: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    slept: list[float] = []
    monkeypatch.setattr(BACKOFFS, "sleep", slept.append)
    client = _client(throttling, attempts=3)
    bound_by_deadlines(client, 60)
    with pytest.raises(botocore.exceptions.ClientError, match="ThrottlingException"):
        client.describe_export_tasks()  # type: ignore[attr-defined]
    assert _Throttling.calls == 3
    assert len(slept) == 2
    # No time left for a backoff: the wrapped handler retries no more. Were botocore's
    # own still registered (its id renamed), it would answer first and retry.
    _Throttling.calls = 0
    with deadline(time.monotonic() + 0.2), pytest.raises(botocore.exceptions.ClientError):
        client.describe_export_tasks()  # type: ignore[attr-defined]
    assert _Throttling.calls == 1


def test_a_call_reads_no_longer_than_its_deadline_leaves() -> None:
    # A server that takes the connection and never answers.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        client = _client(f"http://127.0.0.1:{silent.getsockname()[1]}", attempts=1)
        bound_by_deadlines(client, 60)
        with (
            deadline(time.monotonic() + 0.5),
            pytest.raises(botocore.exceptions.ReadTimeoutError) as caught,
        ):
            client.describe_export_tasks()  # type: ignore[attr-defined]
    # urllib3 says the read timeout it was given: the deadline's, not the client's 60 s.
    said = re.search(r"read timeout=([0-9.]+)", str(caught.value.kwargs.get("error")))
    assert said is not None, caught.value.kwargs
    assert float(said.group(1)) <= 0.5
