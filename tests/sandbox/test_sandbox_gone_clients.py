"""A client that leaves mid-request (a command ended by Ctrl-C or `| head`) makes the
sandbox print nothing: in `--sandbox` it shares the user's terminal."""

from __future__ import annotations

import socket
import struct

import pytest

from exportctl.sandbox import Sandbox

REQUEST = (
    b"POST / HTTP/1.1\r\nHost: sandbox\r\n"
    b"X-Amz-Target: AWSPoseidonService_V2015_11_01.DescribeExportTasks\r\n"
    b"Content-Length: 1000\r\n\r\n{"
)


def test_a_connection_reset_mid_request_prints_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    with Sandbox(port=0, clock=lambda: 0.0) as sandbox:
        for _ in range(3):
            client = socket.create_connection(("127.0.0.1", sandbox.port))
            client.sendall(REQUEST)
            # Closed with a reset, as a process that is killed leaves its connections.
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            client.close()
        # A request that completes after them: the server is still serving.
        answered = socket.create_connection(("127.0.0.1", sandbox.port))
        answered.sendall(
            b"GET /_sandbox/state HTTP/1.1\r\nHost: sandbox\r\nConnection: close\r\n\r\n"
        )
        reply = answered.makefile("rb").read()
        answered.close()
    assert reply.startswith(b"HTTP/1.")
    assert capsys.readouterr().err == ""
