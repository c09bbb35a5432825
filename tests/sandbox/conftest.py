"""Fixtures for the sandbox tests: a frozen-clock server per test and real boto3 clients."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config
from sandbox_helpers import ClientFactory, SandboxFactory, check_shape

from exportctl.sandbox import Faults, Sandbox
from exportctl.sandbox.worldfile import WorldFile


@pytest.fixture(scope="session")
def boto_session() -> boto3.session.Session:
    return boto3.session.Session()


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    # A frozen source: time moves only through advance(), so nothing in these tests sleeps.
    sb = Sandbox(port=0, faults=Faults(), seed=7, clock=lambda: 0.0)
    sb.start()
    try:
        yield sb
    finally:
        sb.stop()


@pytest.fixture
def sandboxes() -> Iterator[SandboxFactory]:
    """Started frozen-clock sandboxes, as many as the test asks for, each going on
    with the world kept in the folder given (as ``--sandbox`` commands do), or with
    none kept; all stopped after the test."""
    started: list[Sandbox] = []

    def start(kept_in: Path | None) -> Sandbox:
        sb = Sandbox(port=0, clock=lambda: 0.0)
        if kept_in is not None:
            sb.kept = WorldFile.open(sb.worlds, sb.clock, sb.lock, seed=sb.seed, where=kept_in)
            assert sb.kept is not None
        started.append(sb.start())
        return sb

    yield start
    for sb in started:
        sb.stop()


@pytest.fixture
def client(sandbox: Sandbox, boto_session: boto3.session.Session) -> ClientFactory:
    def make(
        service: str,
        region: str = "us-east-1",
        access_key: str = "x",
        retries: dict[str, Any] | None = None,
        **config: Any,
    ) -> Any:
        return boto_session.client(
            service,
            endpoint_url=sandbox.url,
            region_name=region,
            aws_access_key_id=access_key,
            aws_secret_access_key="x",
            config=Config(
                retries=retries or {"mode": "standard", "total_max_attempts": 1},
                connect_timeout=5,
                read_timeout=10,
                **config,
            ),
        )

    return make


@pytest.fixture
def validate() -> Callable[..., None]:
    def run(
        client: Any, operation: str, response: dict[str, Any], unknown: frozenset[str] = frozenset()
    ) -> None:
        output = client.meta.service_model.operation_model(operation).output_shape
        check_shape(output, response, operation, unknown)

    return run
