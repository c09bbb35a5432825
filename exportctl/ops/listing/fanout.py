"""Reading the targets of a listing, each page handed on as it arrives.

Targets are started by one dispatcher under two caps on the calls in flight
(:mod:`.slots`): at most ``GLOBAL_CAP`` in all, and at most ``PER_PLACE_CAP`` of one
account in one region (AWS throttles per account and region, so a throttled account
holds only its own slots and botocore's retries there do not hold back the others).
A target holds a slot while it is read, for the one call it makes at a time; the
describes of its listed summaries (``ServiceSpec.summaries``) beyond the first take
further slots of its place while they are in flight, only those free (never waited
for: the first describe runs on the target's own), so a lone DynamoDB listing
describes ``PER_PLACE_CAP`` at once, and one beside other targets of its place as
many as they leave free. (One exception: over one account and region, Pinpoint's
applications are listed ``Jobs.parent_concurrency`` at once within their target's
one slot; over several, one after another.) They start place by place
in the order given, and within a place the services that take a chain of calls
first (Pinpoint: its applications, then each one's jobs), since the listing lasts
as long as its longest chain. Each page is handed on as it arrives through a
bounded queue, so streamed formats print their first line before the last page
is asked for and memory stays flat however many jobs there are; a lone target is
read on the caller's own thread. ``idle`` runs whenever the reader is about to
wait for a page: the place to flush what was written.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from exportctl.domain.errors import ExportctlError, ParentNotFound
from exportctl.domain.model import ExportJob
from exportctl.ops.listing.failures import Failure, classify, incomplete, settle
from exportctl.ops.listing.progress import Progress
from exportctl.ops.listing.slots import Slots
from exportctl.ops.listing.targets import Span, Target, finish
from exportctl.ops.workers import hand_on, next_item, start_ticker

GLOBAL_CAP = 64
PER_PLACE_CAP = 4
# Pages in flight between the reading threads and the writer: a bound, so a slow
# reader (a pipe into less) holds the threads back instead of filling memory.
PAGES_IN_FLIGHT = 20


class Fanout:
    """The jobs of every target, each page yielded as soon as it arrives (every
    job: ``query.limit`` is for the caller, who alone knows the order it wants).

    ``failures`` and ``notices`` are known once the iteration ends, settled by the
    failure rule (:mod:`exportctl.ops.listing.failures`); ``read`` (the jobs of
    each failed target read before it failed) makes :attr:`incomplete`. ``once``:
    the listing is read once (``list``), so each target's client is let go as the
    target ends, and memory stays flat however many accounts and regions there
    are; a listing made again and again (``watch``) keeps them.
    """

    def __init__(
        self,
        targets: Sequence[Target],
        query: Any,
        span: Span,
        *,
        idle: Callable[[], None] = lambda: None,
        on_progress: Callable[[str | None], None] | None = None,
        global_cap: int = GLOBAL_CAP,
        per_place_cap: int = PER_PLACE_CAP,
        once: bool = False,
    ) -> None:
        self.targets = list(targets)
        self._once = once
        # Targets held (``once``) whose reading has not started: whoever takes one
        # from here lets its clients go, its reader as it ends or the listing as it
        # ends first (stopped early, its reader never started).
        self._unstarted: dict[int, Target] = {}
        self._unstarted_lock = threading.RLock()  # reentrant, as Clients' lock
        self.query = query
        self.span = span
        self._idle = idle
        self._on_progress = on_progress
        self._queue: queue.Queue[tuple[str, Target | None, Any]] = queue.Queue(PAGES_IN_FLIGHT)
        self._stop = threading.Event()
        # Calls in flight: the targets' own and their describes (see the module's doc).
        self._slots = Slots(global_cap, per_place_cap)
        self._cond = self._slots.cond
        self._progress = Progress(self.targets, span)
        self._answered: set[int] = set()
        # (credential set, service) pairs that answered in at least one region.
        self._served: set[tuple[int, str]] = set()
        self.failures: list[ExportctlError] = []
        self.notices: list[ExportctlError] = []
        # As ListResult.read: failed targets and the jobs they gave first.
        self.read: dict[str, int] = {}
        # Closed before its end (close()): its iteration ended there, nothing settled.
        self.stopped = False
        # Its iteration has ended, whole (not ``stopped``) or not.
        self.ended = False

    @property
    def incomplete(self) -> str | None:
        return incomplete(self.read)

    @property
    def answered(self) -> bool:
        """Some target answered: read whole, however few its jobs."""
        return bool(self._answered)

    def progress(self) -> str:
        """How far the listing is, for a progress line (see :class:`Progress`)."""
        return self._progress.text()

    def __iter__(self) -> Iterator[ExportJob]:
        failed: list[Failure] = []
        if self._once:
            # Each target releases its clients as it ends: those its credential set
            # shares with others (an organization's) go when the last has ended.
            for target in self.targets:
                target.reach.jobs.hold(target.spec, target.region)
                self._unstarted[id(target)] = target
        if len(self.targets) == 1:
            pages = self._read_here(self.targets[0], failed)
        else:
            pages = self._read_in_threads(failed)
        ticker = start_ticker(self._stop, self._on_progress, self.progress)
        # Two credential sets may reach one account (--profile ro,admin of one account):
        # a job they both read is listed once.
        seen: set[str] | None = set() if len({id(t.reach) for t in self.targets}) > 1 else None
        try:
            for page in pages:
                if seen is None:
                    yield from page
                else:
                    for job in page:
                        if job.ref not in seen:
                            seen.add(job.ref)
                            yield job
                if self._stop.is_set():
                    break
        finally:
            self.stopped = self._stop.is_set()
            self.ended = True
            self.close()
            for target in self._take_unstarted():
                target.reach.jobs.release(target.spec, target.region)
            # Left early, what the readers had queued goes with its queue (a reader
            # blocked on it puts its last page there): a listing kept after it was
            # closed holds no pages, nor the clients its failures' tracebacks hold.
            self._queue = queue.Queue(PAGES_IN_FLIGHT)
            if ticker is not None and ticker is not threading.current_thread():
                # The line is gone before anything else is written. (The ticker's
                # own thread gets here when the collector ends a dropped listing.)
                ticker.join(timeout=1)
        if self.stopped:
            # Closed by whoever reads it: how the targets not read would have gone
            # is not known, so nothing is said of them.
            return
        settled = settle(
            failed, self.targets, self.span, answered=bool(self._answered), served=self._served
        )
        self.read.update(settled.read)
        self.failures = settled.failures
        self.notices = settled.notices

    def _pages(
        self, target: Target, fail: Callable[[Failure], object]
    ) -> Iterator[list[ExportJob]]:
        """``target``'s pages as they arrive. A failure is handed to ``fail``; an
        exception that is no failure of AWS's (a bug) is raised."""
        if self._once and not self._take_unstarted(target):
            return  # the listing has ended and let its clients go
        if self._stop.is_set():
            return  # closed as it was started: no call after the close
        got = 0
        room = self._slots.room(self._place(target))
        try:
            for page in target.reach.jobs.iter_pages(
                target.spec, self.query, target.region, room=room, cancel=self._stop
            ):
                if self.span.many:
                    page = [finish(job, target.reach, self.span) for job in page]
                got += len(page)
                self._progress.read(len(page))
                yield page
        except Exception as exc:
            failure = classify(target, exc, self.span)
            failure.got = got
            if isinstance(exc, ParentNotFound):
                # A parent that does not exist hides no job: the rest was read whole.
                failure.got = 0
                if not self.span.regions.many:  # over several, the region is said before
                    exc.placed(target.region)
            fail(failure)
            return
        finally:
            if self._once:
                target.reach.jobs.release(target.spec, target.region)
        if self._stop.is_set():
            return  # closed while it was read: it proved nothing
        with self._cond:
            self._answered.add(id(target))
            self._served.add((id(target.reach), target.spec.name))
        target.reach.proven = True

    def _read_here(self, target: Target, failed: list[Failure]) -> Iterator[list[ExportJob]]:
        """The one target, on the caller's thread: no queue, no thread to hand over to."""
        # Under the caps too: its describes take what its place has left.
        with self._cond:
            self._slots.take(self._place(target))
        try:
            for page in self._pages(target, failed.append):
                yield page
                if self._stop.is_set():
                    return
                # What this page wrote is out before the next one is waited for.
                self._idle()
        finally:
            self._slots.give(self._place(target))
            self._ended(target)

    def _read_in_threads(self, failed: list[Failure]) -> Iterator[list[ExportJob]]:
        threading.Thread(target=self._dispatch, name="fanout", daemon=True).start()
        remaining = len(self.targets)
        # Closed from another thread: a stop put in the queue wakes this loop when it
        # waits; when the queue was full, the loop sees the stop at its next item.
        while remaining and not self._stop.is_set():
            if self._queue.empty():
                self._idle()
            taken = next_item(self._queue)
            assert taken is not None  # never cancelled: a stop is an item
            kind, _, payload = taken
            if kind == "stop":
                return
            if kind == "page":
                yield payload
            elif kind == "error":
                failed.append(payload)
            elif kind == "crash":
                raise payload
            else:
                remaining -= 1

    def _dispatch(self) -> None:
        pending = self._start_order()
        while pending and not self._stop.is_set():
            with self._cond:
                chosen = None
                for index, target in enumerate(pending):
                    if self._slots.free(self._place(target)):
                        chosen = pending.pop(index)
                        break
                if chosen is None:
                    self._cond.wait(0.1)
                    continue
                self._slots.take(self._place(chosen))
            threading.Thread(
                target=self._run, args=(chosen,), name=f"read-{chosen.spec.name}", daemon=True
            ).start()

    def _start_order(self) -> list[Target]:
        """Place by place as given; in each, the services that take a chain of calls first."""
        places: dict[tuple[int, str], int] = {}
        for target in self.targets:
            places.setdefault(self._place(target), len(places))
        return sorted(self.targets, key=lambda t: (places[self._place(t)], t.spec.fan_out is None))

    def _take_unstarted(self, target: Target | None = None) -> list[Target]:
        """``target`` (or every one) taken from those held and not started: the
        caller lets their clients go."""
        with self._unstarted_lock:
            if target is None:
                taken = list(self._unstarted.values())
                self._unstarted.clear()
                return taken
            found = self._unstarted.pop(id(target), None)
            return [] if found is None else [found]

    @staticmethod
    def _place(target: Target) -> tuple[int, str]:
        return (id(target.reach), target.region)

    def _run(self, target: Target) -> None:
        """One target on a thread of its own: its pages, then how it ended, into the queue."""
        try:
            for page in self._pages(target, lambda f: self._put(("error", target, f))):
                if self._stop.is_set() or not self._put(("page", target, page)):
                    return
        except Exception as unexpected:
            self._put(("crash", target, unexpected))
        finally:
            self._slots.give(self._place(target))
            self._ended(target)
            self._put(("done", target, None))

    def _ended(self, target: Target) -> None:
        self._progress.ended(target)
        # The dispatcher waits for a slot on this condition.
        with self._cond:
            self._cond.notify_all()

    def _put(self, item: tuple[str, Target | None, Any]) -> bool:
        return hand_on(self._queue, item, self._stop)

    def close(self) -> None:
        """Let the reading threads go: they stop at their next page. From another
        thread than the one iterating: that one's iteration ends, at once if it was
        waiting for a page, else after the page it is given."""
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
        with contextlib.suppress(queue.Full):  # full: the iteration is not waiting
            self._queue.put_nowait(("stop", None, None))
