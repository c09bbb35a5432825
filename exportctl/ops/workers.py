"""Work spread over daemon threads, each result handed back as soon as it is ready.

Not :class:`concurrent.futures.ThreadPoolExecutor`: its threads are joined when the
interpreter exits, so a command interrupted while a worker sits in botocore's
retries (or on a socket that never answers) would wait for it. These threads are
daemons: whoever waits for their results may stop waiting (Ctrl-C, a deadline) and
leave; a worker still inside a call is simply abandoned.
"""

from __future__ import annotations

import contextvars
import functools
import queue
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Generic, Protocol, TypeVar

T = TypeVar("T")


class Room(Protocol):
    """Calls one may have in flight beyond one's own, under caps shared with others
    (a listing's place: :class:`exportctl.ops.listing.slots.PlaceRoom`)."""

    def take(self) -> bool:
        """One more call in flight, if the caps leave room for it: False otherwise."""
        ...

    def give(self) -> None:
        """A call :meth:`take` allowed has ended."""
        ...


# How often tasks waiting for room look again, besides whenever one of theirs ends:
# room another's call frees is taken within this, not one whole call later.
ROOM_POLL = 0.05


class Outcome(Generic[T]):
    """What one task gave: its value, or the exception it raised."""

    __slots__ = ("error", "tag", "value")

    def __init__(self, tag: object, value: T | None, error: BaseException | None) -> None:
        self.tag = tag
        self.value = value
        self.error = error

    def result(self) -> T:
        if self.error is not None:
            raise self.error
        return self.value  # type: ignore[return-value]


class Workers(Generic[T]):
    """Up to ``size`` daemon threads running submitted tasks; outcomes come back on
    :meth:`next` in the order they finish."""

    def __init__(self, size: int, name: str = "exportctl-worker") -> None:
        self._size = max(1, size)
        self._name = name
        # None tells a thread to end.
        self._todo: queue.SimpleQueue[tuple[object, Callable[[], T]] | None] = queue.SimpleQueue()
        # A Queue, not a SimpleQueue: its waits can be timed (see next_item).
        self._done: queue.Queue[Outcome[T]] = queue.Queue()
        self._threads: list[threading.Thread] = []
        self._idle = 0
        self._lock = threading.Lock()
        self.running = 0

    def submit(self, tag: object, task: Callable[[], T]) -> None:
        # The task runs in a copy of the submitter's context: the calls it makes are
        # the submitter's, under its deadline (exportctl.aws.deadlines).
        task = functools.partial(contextvars.copy_context().run, task)
        with self._lock:
            self.running += 1
            if self._idle == 0 and len(self._threads) < self._size:
                thread = threading.Thread(
                    target=self._work, name=f"{self._name}-{len(self._threads)}", daemon=True
                )
                self._threads.append(thread)
                thread.start()
            else:
                self._idle -= 1
        self._todo.put((tag, task))

    def next(self, timeout: float | None = None) -> Outcome[T] | None:
        """The next task to finish; None if none did within ``timeout`` seconds."""
        try:
            found = next_item(self._done) if timeout is None else self._done.get(timeout=timeout)
        except queue.Empty:
            return None
        assert found is not None
        outcome = found
        with self._lock:
            self.running -= 1
        return outcome

    def close(self) -> None:
        """Threads end once their task does; nothing waits for them."""
        for _ in self._threads:
            self._todo.put(None)

    def _work(self) -> None:
        while True:
            item = self._todo.get()
            if item is None:
                return
            tag, task = item
            try:
                outcome: Outcome[T] = Outcome(tag, task(), None)
            except BaseException as exc:  # handed to whoever waits, Ctrl-C included
                outcome = Outcome(tag, None, exc)
            with self._lock:
                self._idle += 1
            self._done.put(outcome)


def each(
    tasks: Sequence[Callable[[], T]],
    size: int,
    name: str = "exportctl-worker",
    room: Room | None = None,
) -> Iterator[tuple[int, T]]:
    """Run ``tasks`` on up to ``size`` daemon threads; (index, value) as each finishes.

    With a ``room``, one task runs on the caller's own share of the caps (its thread
    waits meanwhile), and each further one only while ``room.take()`` grants one more
    call, given back as that task ends: the tasks are as concurrent as the caps leave
    room for, at least one at a time.

    A task's exception is raised here, in the caller's thread. Stopping early (an
    exception, Ctrl-C, closing the iterator) waits for no task still running.
    """
    if room is not None:
        yield from _each_in_room(tasks, size, name, room)
        return
    workers: Workers[T] = Workers(min(size, len(tasks)), name)
    try:
        for index, task in enumerate(tasks):
            workers.submit(index, task)
        for _ in range(len(tasks)):
            outcome = workers.next()
            assert outcome is not None
            yield outcome.tag, outcome.result()  # type: ignore[misc]
    finally:
        workers.close()


def _each_in_room(
    tasks: Sequence[Callable[[], T]], size: int, name: str, room: Room
) -> Iterator[tuple[int, T]]:
    workers: Workers[T] = Workers(min(size, len(tasks)), name)
    waiting = deque(enumerate(tasks))
    # Whether the caller's own slot is free for a task: its thread makes no call of
    # its own while it waits here, so one task at a time needs no room.
    own = True
    try:
        while waiting or workers.running:
            while waiting and workers.running < size:
                lent = not own
                if lent and not room.take():
                    break
                own = False
                index, task = waiting.popleft()
                # A lent call is given back by its thread, even once the caller left.
                run = functools.partial(_given_back, task, room) if lent else task
                workers.submit((index, lent), run)
            short = bool(waiting) and workers.running < size
            outcome = workers.next(ROOM_POLL if short else None)
            if outcome is None:
                continue
            index, lent = outcome.tag  # type: ignore[misc]
            own = own or not lent
            yield index, outcome.result()
    finally:
        workers.close()


def _given_back(task: Callable[[], T], room: Room) -> T:
    try:
        return task()
    finally:
        room.give()


A = TypeVar("A")
R = TypeVar("R")


def each_ahead(
    items: Iterable[A],
    work: Callable[[A], Iterable[R]],
    size: int,
    name: str = "exportctl-worker",
) -> Iterator[R]:
    """What ``work`` gives for each item, on up to ``size`` daemon threads at once:
    each item's results together, as soon as that item is done.

    ``items`` is read only when a thread is free for the next one, so with
    ``size`` 1 everything happens in order, on the caller's thread. A failure is
    raised here; items still running are abandoned, as with :func:`each`.
    """
    if size <= 1:
        for item in items:
            yield from work(item)
        return
    workers: Workers[list[R]] = Workers(size, name)
    source = iter(items)
    try:
        while True:
            while workers.running >= size:
                yield from _taken(workers)
            item = next(source, _END)
            if item is _END:
                break
            workers.submit(None, functools.partial(_listed, work, item))
        while workers.running:
            yield from _taken(workers)
    finally:
        workers.close()


def _listed(work: Callable[[A], Iterable[R]], item: A) -> list[R]:
    return list(work(item))


def _taken(workers: Workers[list[R]]) -> list[R]:
    outcome = workers.next()
    assert outcome is not None
    return outcome.result()


_END: Any = object()


def hand_on(into: queue.Queue[T], item: T, stop: threading.Event) -> bool:
    """Put ``item`` in a bounded queue, waiting while it is full, unless ``stop`` is
    set first (the reader left): False then. A producer thread's one way to wait
    for its reader without outliving it."""
    while not stop.is_set():
        try:
            into.put(item, timeout=0.05)
            return True
        except queue.Full:
            continue
    return False


def read_ahead(
    source: Iterator[T],
    depth: int = 2,
    name: str = "exportctl-read-ahead",
    cancel: threading.Event | None = None,
) -> Iterator[T]:
    """The items of ``source``, produced on a daemon thread up to ``depth`` ahead.

    For a paginated listing: the next page is asked for and parsed while the
    caller turns the last one into records, instead of after. Items come in
    order; an exception of ``source`` is raised here once the items before it
    are taken. Leaving early (``close``, an exception, Ctrl-C) lets the thread go
    at its next item; a thread inside a call is abandoned, as with :class:`Workers`.
    ``cancel``, set by another thread, ends the items while the caller waits for
    the next one, without waiting for the call in progress; the thread asks for
    no item after it.
    """
    ready: queue.Queue[tuple[object, BaseException | None]] = queue.Queue(max(1, depth))
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in source:
                # Cancelled: the next item's call is not made.
                if not hand_on(ready, (item, None), stop) or (cancel and cancel.is_set()):
                    return
            hand_on(ready, (_END, None), stop)
        except BaseException as exc:  # handed to the caller, who raises it
            hand_on(ready, (_END, exc), stop)

    # Its calls are the reader's, under the reader's deadline (see Workers.submit).
    context = contextvars.copy_context()
    threading.Thread(target=context.run, args=(produce,), name=name, daemon=True).start()
    try:
        while True:
            taken = next_item(ready, cancel)
            if taken is None:
                return
            item, error = taken
            if item is _END:
                if error is not None:
                    raise error
                return
            yield item  # type: ignore[misc]
    finally:
        stop.set()


# How often a wait for the next item wakes: to see whether it was cancelled, and to
# run a signal's handler. Python runs handlers in the main thread only, and one
# blocked on a lock is woken by a signal the kernel gives it, not by one it gives
# to another thread (any thread may take a signal sent to the process): Ctrl-C would
# wait for the item.
CANCEL_POLL = 0.05


def next_item(items: queue.Queue[T], cancel: threading.Event | None = None) -> T | None:
    """The next of ``items``, waited for in short sleeps; None once ``cancel`` is set."""
    while True:
        try:
            return items.get(timeout=CANCEL_POLL)
        except queue.Empty:
            if cancel is not None and cancel.is_set():
                return None


# How long a listing runs before it shows progress, and how often after.
PROGRESS_AFTER = 1.0
PROGRESS_EVERY = 0.2


def start_ticker(
    stop: threading.Event,
    report: Callable[[str | None], None] | None,
    progress: Callable[[], str],
    *,
    after: float = PROGRESS_AFTER,
    every: float = PROGRESS_EVERY,
) -> threading.Thread | None:
    """Report ``progress()`` every ``every`` seconds once ``after`` have passed,
    until ``stop`` is set; then clear the line (``report(None)``) if one was shown."""
    if report is None:
        return None

    def tick() -> None:
        if stop.wait(after):
            return
        shown = False
        while not stop.is_set():
            report(progress())
            shown = True
            stop.wait(every)
        if shown:
            report(None)

    thread = threading.Thread(target=tick, name="exportctl-progress", daemon=True)
    thread.start()
    return thread
