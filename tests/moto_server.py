"""moto's own server on 127.0.0.1, for the tests that read moto's implementations of
the services' APIs, and a boto3 client of it."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3

REGION = "us-east-1"


@contextmanager
def moto_server() -> Iterator[str]:
    """moto's server, started and stopped: its URL."""
    from moto.server import ThreadedMotoServer

    # moto's server logs the traceback of each 500 it answers: not a test's output.
    logging.getLogger("werkzeug").setLevel(logging.CRITICAL)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def moto_client(url: str, service: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=url,
        region_name=REGION,
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )
