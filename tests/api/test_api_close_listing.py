"""Closing a client while a listing of it is read: the listing stops reading, and
whoever reads it is told (BadInput), never given what looks like the whole listing.

The calls left in flight at the close are on a sandbox of the test's own
(``own_sandbox``), which ends them when the test ends."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from background_reads import read_in_a_thread

from exportctl import AsyncClient, BadInput, Client, ExportJob, Listing
from exportctl.ops.polling.timing import TIMING, interruptible_sleep
from exportctl.testing import SandboxHandle

REGIONS = ["us-east-1", "us-west-2"]


@dataclass
class Made:
    """What the process's botocore did: requests sent and answered, clients made."""

    sent: int = 0
    answered: int = 0
    clients: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def bump(self, name: str) -> None:
        with self.lock:
            setattr(self, name, getattr(self, name) + 1)

    def now(self) -> tuple[int, int]:
        with self.lock:
            return self.sent, self.clients

    def settled(self, quiet: float = 0.3, within: float = 30.0) -> None:
        """Until nothing new was sent nor made for ``quiet`` seconds: every call
        the listing had started is in flight (the sandbox holds each a while)."""
        deadline = time.monotonic() + within
        last, since = self.now(), time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.02)
            if self.now() != last:
                last, since = self.now(), time.monotonic()
            elif self.sent and time.monotonic() - since >= quiet:
                return
        raise AssertionError("the listing never settled")

    def drained(self, within: float = 30.0) -> None:
        """Until every request sent has been answered (the calls in flight ended)."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            with self.lock:
                if self.answered >= self.sent:
                    return
            time.sleep(0.02)
        raise AssertionError("calls in flight never ended")


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> Made:
    import botocore.endpoint
    import botocore.session

    counts = Made()
    send = botocore.endpoint.Endpoint._send
    create = botocore.session.Session.create_client

    def counted_send(self: Any, request: Any) -> Any:
        counts.bump("sent")
        try:
            return send(self, request)
        finally:
            counts.bump("answered")

    def counted_create(self: Any, *args: Any, **kwargs: Any) -> Any:
        counts.bump("clients")
        return create(self, *args, **kwargs)

    monkeypatch.setattr(botocore.endpoint.Endpoint, "_send", counted_send)
    monkeypatch.setattr(botocore.session.Session, "create_client", counted_create)
    return counts


@pytest.fixture
def slow(own_sandbox: SandboxHandle, monkeypatch: pytest.MonkeyPatch) -> Iterator[SandboxHandle]:
    """The test's own sandbox, answering each call a second late."""
    monkeypatch.setattr(own_sandbox.sandbox.faults, "latency", 1.0)
    yield own_sandbox


@pytest.mark.parametrize("stream", [True, False])
def test_a_listing_waiting_for_a_page_when_its_client_is_closed_is_told(
    slow: SandboxHandle, made: Made, stream: bool
) -> None:
    client = Client(region=REGIONS)
    listing = client.list(stream=stream)
    reader, read = read_in_a_thread(listing)
    made.settled()
    sent, clients = made.now()
    client.close()
    reader.join(10)
    assert not reader.is_alive(), "the reader went on waiting after the close"
    assert read and isinstance(read[-1], BadInput), read
    assert "closed while" in str(read[-1])
    assert all(isinstance(job, ExportJob) for job in read[:-1])
    # The calls in flight end on their own; none is sent after them, no client made.
    made.drained()
    assert made.now() == (sent, clients)
    with pytest.raises(BadInput, match="closed while"):
        next(listing)


def test_a_half_read_listing_resumed_after_its_client_is_closed_is_told(
    slow: SandboxHandle, made: Made
) -> None:
    client = Client(region=REGIONS)
    listing = client.list(stream=True)
    first = next(listing)
    assert isinstance(first, ExportJob)
    made.settled()
    sent, clients = made.now()
    client.close()
    with pytest.raises(BadInput, match=r"Client\(region=.*\) was closed while"):
        next(listing)
    made.drained()
    assert made.now() == (sent, clients)
    # Told again, not given the rest.
    with pytest.raises(BadInput):
        list(listing)


def test_a_listing_read_whole_before_its_client_is_closed_is_unaffected(
    exportctl_sandbox: SandboxHandle,
) -> None:
    client = Client(region=REGIONS)
    whole = client.list(stream=True)
    jobs = list(whole)
    # Read whole (sorted) but not yet iterated: its jobs are all in hand.
    sorted_first = client.list()
    newest = next(sorted_first)
    client.close()
    assert jobs and list(whole) == []
    assert whole.failures == ()
    assert sorted(j.ref for j in [newest, *sorted_first]) == sorted(j.ref for j in jobs)


def test_a_listing_never_started_when_its_client_is_closed_is_told(
    exportctl_sandbox: SandboxHandle, made: Made
) -> None:
    client = Client()
    listing = client.list()
    sent, clients = made.now()
    client.close()
    with pytest.raises(BadInput, match="closed while"):
        next(listing)
    assert made.now() == (sent, clients)


def test_an_async_listing_whose_client_is_closed_is_told(slow: SandboxHandle, made: Made) -> None:
    aclient = AsyncClient(region=REGIONS)

    async def main() -> None:
        listing = asyncio.create_task(aclient.list())
        await asyncio.to_thread(made.settled)
        sent, clients = made.now()
        await aclient.aclose()
        with pytest.raises(BadInput, match="closed while"):
            await asyncio.wait_for(listing, 10)
        await asyncio.to_thread(made.drained)
        assert made.now() == (sent, clients)

    asyncio.run(main())


def test_a_watch_whose_client_is_closed_ends_and_says_so(
    slow: SandboxHandle, made: Made, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Between two rounds (an hour apart), and while a round lists: either way the
    # watch ends at once with BadInput, its listing stopped, no client made again.
    monkeypatch.setattr(TIMING, "sleep", interruptible_sleep)
    monkeypatch.setattr(TIMING, "clock", time.monotonic)
    for between_rounds in (True, False):
        client = Client(region=REGIONS)
        watcher = client.watching(interval=3600)
        rounds: list[Any] = []
        ended: list[BaseException] = []

        def told(event: Any, rounds: list[Any] = rounds) -> None:
            if event.kind == "round":
                rounds.append(event)

        watcher.on_event = told

        def run(watcher: Any = watcher, ended: list[BaseException] = ended) -> None:
            try:
                watcher.run()
            except BaseException as exc:
                ended.append(exc)

        runner = threading.Thread(target=run, daemon=True)
        runner.start()
        made.settled()
        if between_rounds:
            deadline = time.monotonic() + 60
            while not rounds and time.monotonic() < deadline:
                time.sleep(0.02)
            assert rounds, "the watch never ended its first round"
        sent, clients = made.now()
        client.close()
        runner.join(10)
        assert not runner.is_alive(), "the watch went on after its client was closed"
        assert ended and isinstance(ended[0], BadInput), ended
        assert "closed while" in str(ended[0])
        made.drained()
        assert made.now() == (sent, clients)


def _backups_of_a_search(own: SandboxHandle) -> tuple[Client, str]:
    """A client, and an export job of a search whose backups come a page each."""
    client = Client()
    export = next(iter(client.list("backupsearch", limit=1)))
    own.sandbox.faults.page_size = 1
    assert len(list(client.backups(export))) > 2, "the search needs backups on several pages"
    return client, export.ref


def test_backups_half_read_when_their_client_is_closed_are_told(
    own_sandbox: SandboxHandle, made: Made
) -> None:
    client, ref = _backups_of_a_search(own_sandbox)
    backups = client.backups(ref)
    next(backups)
    sent, clients = made.now()
    client.close()
    with pytest.raises(BadInput, match=r"Client\(\) was closed while its backups were read"):
        next(backups)
    # No page asked for after the close, no client made again.
    assert made.now() == (sent, clients)
    with pytest.raises(BadInput):
        list(backups)


def test_backups_waiting_for_a_page_when_their_client_is_closed_are_told(
    own_sandbox: SandboxHandle, made: Made, monkeypatch: pytest.MonkeyPatch
) -> None:
    client, ref = _backups_of_a_search(own_sandbox)
    backups = client.backups(ref)
    monkeypatch.setattr(own_sandbox.sandbox.faults, "latency", 1.0)
    reader, read = read_in_a_thread(backups)
    made.settled()
    sent, clients = made.now()
    client.close()
    reader.join(10)
    assert not reader.is_alive()
    assert read and isinstance(read[-1], BadInput), read
    made.drained()
    assert made.now() == (sent, clients)


def test_backups_read_whole_or_never_begun_when_their_client_is_closed(
    own_sandbox: SandboxHandle, made: Made
) -> None:
    client, ref = _backups_of_a_search(own_sandbox)
    whole, unread = client.backups(ref), client.backups(ref)
    assert list(whole)
    sent, clients = made.now()
    client.close()
    assert list(whole) == []
    with pytest.raises(BadInput, match="closed while"):
        next(unread)
    assert made.now() == (sent, clients)


ORG_ROLE = "OrganizationAccountAccessRole"
# Where the reader is held while the listing is closed: as its open() makes the
# fan-out (before, after), or as it lists the organization's accounts (the one call
# that settling the targets sends), which is then refused by the closed client.
SETTLING = {
    "before-the-fanout": ("fanout", False, {"region": REGIONS}),
    "after-the-fanout": ("fanout", True, {"region": REGIONS}),
    "in-the-accounts-call": ("reaches", False, {"org_role": ORG_ROLE}),
}


def _settling(
    listing: Listing, monkeypatch: pytest.MonkeyPatch, where: str
) -> tuple[threading.Event, threading.Event]:
    """Events to hold ``listing``'s reader where SETTLING says: it is there once the
    first is set, and goes on once the second is."""
    name, after, _ = SETTLING[where]
    board = listing._board
    call = getattr(board, name)
    inside, go_on = threading.Event(), threading.Event()

    def held(*args: Any, **kwargs: Any) -> Any:
        if not after:
            inside.set()
            go_on.wait(10)
        result = call(*args, **kwargs)
        if after:
            inside.set()
            go_on.wait(10)
        return result

    monkeypatch.setattr(board, name, held)
    return inside, go_on


@pytest.mark.parametrize("where", list(SETTLING))
@pytest.mark.parametrize("stream", [True, False])
def test_a_listing_closed_while_its_targets_are_settled_reads_nothing(
    exportctl_sandbox: SandboxHandle,
    made: Made,
    monkeypatch: pytest.MonkeyPatch,
    where: str,
    stream: bool,
) -> None:
    client = Client(**SETTLING[where][2])
    listing = client.list(stream=stream, strict=False)
    inside, go_on = _settling(listing, monkeypatch, where)
    reader, read = read_in_a_thread(listing)
    assert inside.wait(10)
    listing.close()
    go_on.set()
    reader.join(10)
    assert not reader.is_alive()
    sent = made.now()[0]
    # Only the accounts' call held over the close is sent: no target is read.
    assert read == [] and sent == (1 if where == "in-the-accounts-call" else 0)
    assert (listing.failures, listing.notices) == ((), ())
    client.close()


@pytest.mark.parametrize("where", list(SETTLING))
@pytest.mark.parametrize("strict", [True, False])
def test_a_listing_whose_client_is_closed_while_its_targets_are_settled_is_told(
    exportctl_sandbox: SandboxHandle,
    made: Made,
    monkeypatch: pytest.MonkeyPatch,
    where: str,
    strict: bool,
) -> None:
    client = Client(**SETTLING[where][2])
    listing = client.list(strict=strict)
    inside, go_on = _settling(listing, monkeypatch, where)
    reader, read = read_in_a_thread(listing)
    assert inside.wait(10)
    client.close()
    go_on.set()
    reader.join(10)
    assert not reader.is_alive()
    assert len(read) == 1 and isinstance(read[0], BadInput), read
    assert str(read[0]) == f"{client!r} was closed while this listing was read: it is not whole"
    assert (listing.failures, listing.notices) == ((), ())
    assert made.now()[0] == 0, "a call was sent after the close"
