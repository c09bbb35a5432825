"""moto's S3 over real HTTP on 127.0.0.1, one server per module, one bucket per test."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import pytest
from download_support import S3Env

_BUCKETS = itertools.count()


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    import logging

    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def s3env(moto_url: str, tmp_path: Any) -> S3Env:
    env = S3Env(moto_url, f"exportctl-test-{next(_BUCKETS)}", tmp_path / "dest")
    env.client.create_bucket(Bucket=env.bucket)
    return env
