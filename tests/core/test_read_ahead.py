"""A listing reads its next page while the last one is turned into records."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from exportctl.workers import read_ahead


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
