"""Closing a client: its connections go at once, not when the garbage is collected."""

from __future__ import annotations

import asyncio
import gc
import os
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from exportctl import AsyncClient, BadInput, Client
from exportctl.cli.root import cli
from exportctl.testing import SandboxHandle


def client_sockets(port: int) -> int:
    """This process's sockets connected to ``port`` (the sandbox's own, its side of
    each connection, are not: they end when the sandbox's threads see the close)."""
    inodes = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            link = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if link.startswith("socket:["):
            inodes.add(link[len("socket:[") : -1])
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as rows:
            next(rows)
            for row in rows:
                fields = row.split()
                if fields[9] in inodes and int(fields[2].rsplit(":", 1)[1], 16) == port:
                    count += 1
    return count


@pytest.fixture
def no_collection() -> Iterator[None]:
    """What a client lets go is not collected while the test runs: a closed client
    must have closed its connections itself."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@pytest.fixture
def refs(exportctl_sandbox: SandboxHandle) -> list[str]:
    """Jobs of several services, made before the test counts its sockets."""
    table = "arn:aws:dynamodb:us-east-1:123456789012:table/orders"
    return [
        exportctl_sandbox.add_job("discovery").ref,
        exportctl_sandbox.add_job("dynamodb", table=table, to="s3://exports-bucket/x/").ref,
    ]


def port_of(sandbox: SandboxHandle) -> int:
    port = urlsplit(sandbox.url).port
    assert port is not None
    return port


@pytest.mark.usefixtures("no_collection")
def test_a_closed_client_has_closed_its_connections_and_refuses_calls(
    exportctl_sandbox: SandboxHandle, refs: list[str]
) -> None:
    port = port_of(exportctl_sandbox)
    before = client_sockets(port)
    client = Client()
    assert all(not isinstance(r, Exception) for r in client.get_many(refs))
    assert client_sockets(port) > before
    client.close()
    assert client_sockets(port) == before
    with pytest.raises(BadInput, match="closed"):
        client.get(refs[0])
    with pytest.raises(BadInput, match="closed"):
        client.list()
    client.close()


@pytest.mark.usefixtures("no_collection")
def test_a_client_used_in_a_with_block_is_closed_at_its_end(
    exportctl_sandbox: SandboxHandle, refs: list[str]
) -> None:
    port = port_of(exportctl_sandbox)
    before = client_sockets(port)
    with Client() as client:
        client.get(refs[0])
        assert client_sockets(port) > before
    assert client_sockets(port) == before
    with pytest.raises(BadInput, match="closed"):
        client.get(refs[0])


@pytest.mark.usefixtures("no_collection")
def test_an_async_client_is_closed_by_async_with_and_by_aclose(
    exportctl_sandbox: SandboxHandle, refs: list[str]
) -> None:
    port = port_of(exportctl_sandbox)
    before = client_sockets(port)

    async def main() -> None:
        async with AsyncClient() as client:
            await client.get_many(refs)
            assert client_sockets(port) > before
        assert client_sockets(port) == before
        with pytest.raises(BadInput, match="closed"):
            await client.get(refs[0])
        other = AsyncClient()
        await other.get(refs[0])
        await other.aclose()
        assert client_sockets(port) == before
        other.close()

    asyncio.run(main())


@pytest.mark.usefixtures("no_collection")
def test_a_command_run_in_process_closes_its_clients_when_it_ends(
    exportctl_sandbox: SandboxHandle, refs: list[str]
) -> None:
    port = port_of(exportctl_sandbox)
    before = client_sockets(port)
    for command in (["status", *refs], ["list", "-s", "rds"]):
        done = CliRunner().invoke(cli, command, env=exportctl_sandbox.env)
        assert done.exit_code == 0, done.output
        assert client_sockets(port) == before, command


def test_a_call_running_when_its_client_is_closed_ends_and_makes_no_client(
    exportctl_sandbox: SandboxHandle,
) -> None:
    """A wait on another thread reads again after close(): it ends with BadInput
    rather than make a botocore client no one would close."""
    import threading

    job = exportctl_sandbox.add_job("discovery")
    client = Client()
    client.get(job.ref)
    board = client.board()
    made = threading.Event()
    ended: list[BaseException] = []

    def wait() -> None:
        made.set()
        try:
            client.wait(job.ref, timeout=60, interval=0.2)
        except BaseException as exc:  # what the wait ended with is the test
            ended.append(exc)

    waiting = threading.Thread(target=wait)
    waiting.start()
    made.wait()
    client.close()
    waiting.join(timeout=30)
    assert not waiting.is_alive()
    assert ended and isinstance(ended[0], BadInput), ended
    assert "closed" in str(ended[0])
    assert not board.clients._clients


class Turn:
    """A lock that says when a thread other than its maker's waits for it (its
    client's turn to be made)."""

    def __init__(self, lock: Any) -> None:
        self._lock = lock
        self._maker = threading.current_thread()
        self.waited = threading.Event()

    def __enter__(self) -> None:
        if threading.current_thread() is not self._maker:
            self.waited.set()
        self._lock.acquire()

    def __exit__(self, *exc_info: object) -> None:
        self._lock.release()


def test_a_call_waiting_its_turn_to_make_a_client_when_closed_makes_none(
    exportctl_sandbox: SandboxHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Botocore clients are made one at a time: a call of another thread waiting for
    its turn when the client is closed (a listing's reader among many) makes none
    after the close, as one that had not begun."""
    import botocore.session

    job = exportctl_sandbox.add_job("discovery")
    client = Client()
    clients = client.board().clients
    assert clients.session  # made before: the call waits for its client alone
    made: list[str] = []
    create = botocore.session.Session.create_client

    def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        made.append(args[0])
        return create(self, *args, **kwargs)

    monkeypatch.setattr(botocore.session.Session, "create_client", counted)
    turn = Turn(clients._session_lock)
    monkeypatch.setattr(clients, "_session_lock", turn)
    ended: list[BaseException] = []

    def get() -> None:
        try:
            client.get(job.ref)
        except BaseException as exc:  # what the call ended with is the test
            ended.append(exc)

    with turn:  # another client being made
        getting = threading.Thread(target=get)
        getting.start()
        assert turn.waited.wait(30)
        client.close()
    getting.join(timeout=30)
    assert not getting.is_alive()
    assert ended and isinstance(ended[0], BadInput), ended
    assert str(ended[0]) == f"{client!r} is closed: make another"
    assert made == []


def test_the_fixtures_client_closed_by_a_test_is_made_again(
    exportctl_sandbox: SandboxHandle,
) -> None:
    with exportctl_sandbox.client() as client:
        client.list()
    assert client.closed
    again = exportctl_sandbox.client()
    assert again is not client and not again.closed
    assert exportctl_sandbox.add_job("discovery").ref
