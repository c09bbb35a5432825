"""The plugin's client of the sandbox: its calls run pointed at the sandbox, and so
do the reads of what it hands out (listings, waits, watches, backups)."""

from __future__ import annotations

import contextlib
import functools
import threading
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any, cast

from exportctl.api.client import Client
from exportctl.api.listing import Listing
from exportctl.api.waiting import Wait
from exportctl.domain.model import ExportJob


@dataclass(frozen=True)
class Calls:
    """How the plugin's handle points the process at its sandbox for its client's
    calls: ``enter()`` before one, ``leave()`` after it, from any thread."""

    enter: Callable[[], None]
    leave: Callable[[], None]

    @contextlib.contextmanager
    def pointed(self) -> Iterator[None]:
        self.enter()
        try:
            yield
        finally:
            self.leave()


# The client's methods that call (and so may back off) or wait, run pointed at the sandbox.
_CLOCKED = ("wait", "start", "rerun", "plan_start", "plan_rerun", "placed", "submit", "job_of",
            "get", "get_many", "cancel", "cancel_many", "download")  # fmt: skip
# Those that hand out what reads after they have returned: its reads run pointed too.
_READERS = ("waiting", "watching", "list", "backups", "estimator")
# Those that read where the calls would go (the regions the sandbox's settings give).
_SETTLED = ("default_region", "home_region")
# What reads, of what they hand out: a wait's or a watch's run(), each page of
# backups, the estimator's reads and writes of the durations file (in the cache the
# sandbox points at) and of each service's endpoint.
_READS = ("run", "__next__", "of", "record", "learn", "observe", "save")


def clocked_client(calls: Calls, **options: Any) -> Client:
    class SandboxClient(Client):
        pass

    def on_the_clock(name: str) -> Callable[..., Any]:
        method = getattr(Client, name)

        def run(self: Client, *args: Any, **kwargs: Any) -> Any:
            with calls.pointed():
                made = method(self, *args, **kwargs)
            return _reading_pointed(made, calls) if name in _READERS else made

        run.__name__ = run.__qualname__ = name
        run.__doc__ = method.__doc__
        return run

    for name in (*_CLOCKED, *_READERS, *_SETTLED):
        setattr(SandboxClient, name, on_the_clock(name))
    client = SandboxClient(**options)
    # Past any proxy the machine names to 127.0.0.1, as the embedded sandbox's clients
    # go, for the clients it makes outside the calls above (a listing being read).
    client._base = replace(client._base, direct=True)
    return client


def _reading_pointed(made: Any, calls: Calls) -> Any:
    """What a reader method made (a listing, a wait, a watch, backups), its reads
    pointed at the sandbox: of a class of its class's, whose reading runs pointed."""
    reader: Any = made.waiter if isinstance(made, Wait) else made
    if isinstance(reader, Listing):
        reader.__class__ = _PointedListing
        hold = cast("_PointedListing", reader)._hold = _Hold(calls)
        # A listing dropped half read lets go of its pointing with it.
        weakref.finalize(reader, hold.release)
    else:
        reader.__class__ = _pointed_class(reader.__class__)
        reader._sandbox_calls = calls
    return made


@functools.cache
def _pointed_class(cls: type) -> type:
    def pointed(method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def run(self: Any, *args: Any, **kwargs: Any) -> Any:
            with self._sandbox_calls.pointed():
                return method(self, *args, **kwargs)

        return run

    reading = [name for name in _READS if hasattr(cls, name)]
    return type(cls.__name__, (cls,), {name: pointed(getattr(cls, name)) for name in reading})


class _PointedListing(Listing):
    """Pointed from its first read to its end, not only in next(): its pages are
    read ahead between two jobs, in threads of its own."""

    _hold: _Hold

    def open(self) -> Listing:
        self._hold.take()
        try:
            return super().open()
        except BaseException:
            self._hold.release()
            raise

    def __next__(self) -> ExportJob:
        self._hold.take()
        try:
            return super().__next__()
        except BaseException:
            # Its end: used up, failed, closed or abandoned.
            self._hold.release()
            raise

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._hold.release()


class _Hold:
    """The pointing of the client's calls, held by one reader until let go (at most
    once at a time; let go from the garbage collector too: reentrant)."""

    def __init__(self, calls: Calls) -> None:
        self._calls = calls
        self._held = False
        self._lock = threading.RLock()

    def take(self) -> None:
        with self._lock:
            if not self._held:
                self._calls.enter()
                self._held = True

    def release(self) -> None:
        with self._lock:
            if self._held:
                self._held = False
                self._calls.leave()
