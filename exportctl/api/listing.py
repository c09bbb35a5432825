"""A listing as the API hands it out: an iterator of jobs, with what it settled
(notices, failures) once used up."""

from __future__ import annotations

import dataclasses
import heapq
import inspect
import logging
import threading
import weakref
from collections.abc import Callable, Generator, Iterator

from exportctl.api.errors import ApiError, BadInput, translated, typed
from exportctl.domain.errors import ExportctlError, then
from exportctl.domain.model import ExportJob, newest_first, newest_key
from exportctl.ops.core import Board
from exportctl.ops.jobs import ListQuery
from exportctl.ops.listing.fanout import Fanout

log = logging.getLogger("exportctl")


class Listing(Iterator[ExportJob]):
    """The jobs of one :meth:`exportctl.Client.list`, read when first asked for.

    Newest first by default (the whole listing is read first, as the command's
    tables are); with ``stream=True``, each job as its page arrives, services
    interleaved, in constant memory. ``limit`` keeps the N newest either way. Each
    target's clients are let go as the target ends, so that memory stays flat over
    an organization's accounts and regions; the client makes them again when next
    needed.

    Once used up: ``notices`` are the targets out of reach that were not asked for
    by name (a service not enabled in a region), each given to ``on_notice`` (by
    default: a warning of the ``exportctl`` logger); ``failures`` those that failed,
    and ``incomplete`` says which jobs the failed targets had already given; both
    are the API's errors, each made from exportctl's as its ``__cause__``. A
    failure is raised after the last job, as the API's error (``.jobs``: every job
    read, when newest first), unless ``strict`` is false.

    ``progress`` is told, while a listing of many targets runs, a line of how far it
    is (None once it is done); ``on_wait`` runs whenever the next page is awaited (a
    writer of streamed output flushes then).

    Its client closed before it was read whole, it stops reading and raises
    :class:`BadInput` (see :meth:`abandon`).
    """

    def __init__(
        self,
        board: Board,
        query: ListQuery,
        *,
        stream: bool = False,
        strict: bool = True,
        progress: Callable[[str | None], None] | None = None,
        on_wait: Callable[[], None] | None = None,
        on_notice: Callable[[ApiError], None] | None = None,
    ) -> None:
        self._board = board
        self._query = query
        self._stream = stream
        self._strict = strict
        self._progress = progress
        self._on_wait = on_wait or _nothing
        self._on_notice = on_notice or _logged
        self._fanout: Fanout | None = None
        self._jobs: Generator[ExportJob, None, None] | None = None
        self._closed = False
        # Whichever of open() and close() comes second stops the fan-out, from any thread.
        self._lock = threading.Lock()
        # Why it was abandoned (abandon()): what its reader is told instead of a job.
        self._abandoned: str | None = None
        self.notices: tuple[ApiError, ...] = ()
        self.failures: tuple[ApiError, ...] = ()
        self.incomplete: str | None = None

    def __iter__(self) -> Listing:
        return self

    def __next__(self) -> ExportJob:
        if self._abandoned is not None:
            raise BadInput(self._abandoned)
        if self._jobs is None:
            if self._closed:
                raise StopIteration
            # Held weakly by its reading: a listing dropped half read is freed at
            # once, its reading closed with it (its readers stopped, its clients let
            # go), not left in a cycle for the garbage collector to end some time,
            # in whatever thread it runs then.
            self._jobs = _read(weakref.ref(self))
        try:
            return next(self._jobs)
        except StopIteration:
            # Abandoned while this thread waited for a page: its end is no listing's.
            if self._abandoned is not None:
                raise BadInput(self._abandoned) from None
            raise

    def open(self) -> Listing:
        """Settle the targets now (an organization's accounts, their roles), so that
        what keeps the listing from starting is raised here, not at the first job.
        A closed listing settles nothing."""
        if self._fanout is None and not self._closed:
            try:
                with translated():
                    # Every page is read in every order: no service lists newest first.
                    fanout = self._board.fanout(
                        dataclasses.replace(self._query, limit=None),
                        idle=self._on_wait,
                        on_progress=self._progress,
                        once=True,
                    )
            except ApiError as exc:
                # Its client closed while the targets were settled: the call that
                # failed was refused for that, and the reader is told so.
                if self._abandoned is not None:
                    raise BadInput(self._abandoned) from exc
                raise
            with self._lock:
                self._fanout = fanout
                closed = self._closed
            # Closed while the targets were settled: close() found no fan-out to stop.
            if closed:
                fanout.close()
        if self._abandoned is not None:
            raise BadInput(self._abandoned)
        return self

    def close(self) -> None:
        """Stop reading: the listing ends (threads still inside a call end on their
        own). From another thread than the one reading it: that one's loop ends, at
        once if it was waiting for a page; while its targets were being settled
        (:meth:`open`), once that ends, no target read. A listing closed before its
        end says nothing of the targets it did not read: no notices, no failures."""
        with self._lock:
            self._closed = True
            fanout = self._fanout
        if fanout is not None:
            fanout.close()
        jobs = self._jobs
        if jobs is not None:
            try:
                jobs.close()
            except ValueError:
                # Being read in another thread, which the fan-out's close ends.
                if inspect.getgeneratorstate(jobs) != inspect.GEN_RUNNING:
                    raise

    def abandon(self, reason: str) -> None:
        """Stop reading, as :meth:`close` does, and raise :class:`BadInput` (why:
        ``reason``, "Client(...) was closed") from every ``next()`` after, one
        waiting for a page in another thread too, rather than end as if what was
        read were the whole listing. A listing read whole (its jobs all in hand), or
        closed, is left as it is."""
        fanout = self._fanout
        if self._closed or (fanout is not None and fanout.ended and not fanout.stopped):
            return
        # Said before the reading stops, so that a reader woken by the stop is told.
        self._abandoned = f"{reason} while this listing was read: it is not whole"
        self.close()


def _read(ref: weakref.ref[Listing]) -> Generator[ExportJob, None, None]:
    """The jobs of the listing ``ref`` names, which is alive whenever this is resumed
    (through its ``__next__``); between two jobs only its fan-out is held."""
    listing = ref()
    assert listing is not None
    listing.open()
    stream = listing._fanout
    if stream is None:
        return  # closed before its targets were settled: nothing read, nothing said
    limit = listing._query.limit
    streamed, strict, on_notice = listing._stream, listing._strict, listing._on_notice
    del listing
    kept: list[ExportJob] = []
    try:
        with translated():
            if streamed:
                source = (
                    iter(stream)
                    if limit is None
                    else iter(heapq.nlargest(limit, stream, key=newest_key))
                )
            else:
                kept = newest_first(list(stream))[:limit]
                source = iter(kept)
        if stream.stopped:
            return  # closed while it was read whole: what was read is not the listing
        yield from source
    finally:
        stream.close()
    listing = ref()
    assert listing is not None
    # Typed as strict's raise types them: a caller sorting failures by class (and
    # reading .refs) must not depend on whether they were raised or kept.
    listing.notices = _typed_all(stream.notices)
    listing.failures = _typed_all(stream.failures)
    listing.incomplete = stream.incomplete
    for notice in listing.notices:
        on_notice(notice)
    if stream.failures and strict:
        first = stream.failures[0]
        error = typed(first, jobs=kept)
        if stream.incomplete:
            error.reword(then(error.message, stream.incomplete))
        raise error from first


def _typed_all(errors: list[ExportctlError]) -> tuple[ApiError, ...]:
    made = []
    for error in errors:
        api_error = typed(error)
        if api_error is not error:
            api_error.__cause__ = error
        made.append(api_error)
    return tuple(made)


def _nothing() -> None:
    pass


def _logged(notice: ApiError) -> None:
    log.warning("%s", notice.message)
