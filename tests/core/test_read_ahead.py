"""A listing reads its next page while the last one is turned into records."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from exportctl.ops.workers import read_ahead


def test_items_come_in_order_and_the_producer_runs_ahead() -> None:
    produced: list[int] = []
    ahead = threading.Event()

    def pages() -> Iterator[int]:
        for n in range(5):
            produced.append(n)
            if n == 2:
                ahead.set()
            yield n

    reader = read_ahead(pages(), depth=2)
    assert next(reader) == 0
    # While the caller holds page 0, the next pages are already being read.
    assert ahead.wait(5)
    assert list(reader) == [1, 2, 3, 4]
    assert produced == [0, 1, 2, 3, 4]


def test_an_error_comes_after_the_items_before_it() -> None:
    def pages() -> Iterator[str]:
        yield "a"
        yield "b"
        raise ValueError("page 3 broke")

    got: list[str] = []
    with pytest.raises(ValueError, match="page 3 broke"):
        for item in read_ahead(pages()):
            got.append(item)
    assert got == ["a", "b"]


def test_leaving_early_lets_the_reading_thread_go() -> None:
    def pages() -> Iterator[int]:
        n = 0
        while True:
            yield n
            n += 1

    reader = read_ahead(pages(), depth=1, name="test-read-ahead")
    assert next(reader) == 0
    reader.close()
    # The thread stops at its next hand-over instead of reading forever.
    for _ in range(100):
        if not any(t.name == "test-read-ahead" for t in threading.enumerate()):
            break
        threading.Event().wait(0.05)
    assert not any(t.name == "test-read-ahead" for t in threading.enumerate())


def test_each_ahead_runs_items_at_once_and_gives_each_items_results_together() -> None:
    from exportctl.ops.workers import each_ahead

    started = threading.Barrier(3, timeout=5)

    def work(item: str) -> Iterator[str]:
        # All three are running before any of them goes on: they run at once.
        started.wait()
        yield f"{item}1"
        yield f"{item}2"

    got = list(each_ahead(["a", "b", "c"], work, size=3))
    assert sorted(got) == ["a1", "a2", "b1", "b2", "c1", "c2"]
    # One item's results come together, in their order.
    for item in "abc":
        at = got.index(f"{item}1")
        assert got[at + 1] == f"{item}2"


def test_each_ahead_of_one_reads_in_turn_on_the_callers_thread() -> None:
    from exportctl.ops.workers import each_ahead

    order: list[str] = []
    me = threading.current_thread()

    def items() -> Iterator[str]:
        for item in "ab":
            order.append(f"next {item}")
            yield item

    def work(item: str) -> Iterator[str]:
        assert threading.current_thread() is me
        order.append(f"work {item}")
        yield item

    assert list(each_ahead(items(), work, size=1)) == ["a", "b"]
    assert order == ["next a", "work a", "next b", "work b"]


def test_each_ahead_raises_what_an_item_raised() -> None:
    from exportctl.ops.workers import each_ahead

    def work(item: int) -> Iterator[int]:
        if item == 2:
            raise ValueError("item 2 failed")
        yield item

    with pytest.raises(ValueError, match="item 2 failed"):
        list(each_ahead([1, 2, 3], work, size=2))


class _Signalled(Exception):
    pass


def test_a_signal_another_thread_took_still_ends_the_wait_for_the_next_item() -> None:
    # The kernel gives a signal sent to the process to any thread; Python runs its
    # handler in the main thread, which a wait on a lock does not leave for a signal
    # another thread took: Ctrl-C waited for the next page (a call that hung).
    import signal

    if threading.current_thread() is not threading.main_thread():
        pytest.skip("signal handlers are the main thread's")
    released, answered = threading.Event(), threading.Event()
    seen: list[bool] = []

    def pages() -> Iterator[int]:
        yield 1
        released.wait(10)  # a call that hangs, for ten seconds at most
        answered.set()
        yield 2

    def handler(signum: int, frame: object) -> None:
        # Whether the hanging call had to end first.
        seen.append(answered.is_set())
        raise _Signalled

    def signal_from_here() -> None:
        # Delivered to this thread, not the main one, once the main one waits.
        threading.Event().wait(0.3)
        signal.pthread_kill(threading.get_ident(), signal.SIGUSR1)

    before = signal.signal(signal.SIGUSR1, handler)
    try:
        reader = read_ahead(pages())
        assert next(reader) == 1
        threading.Thread(target=signal_from_here).start()
        with pytest.raises(_Signalled):
            next(reader)
    finally:
        released.set()
        signal.signal(signal.SIGUSR1, before)
    assert seen == [False]
