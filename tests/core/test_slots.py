"""Tasks run within a listing's caps (``workers.each`` with a room): one on the caller's
own slot, each further one on a slot its place has free, given back as it ends."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from exportctl.ops.listing.slots import Slots
from exportctl.ops.workers import each

PLACE = ("reach", "us-east-1")


class Peak:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.now = self.peak = 0

    def task(self, value: int, seconds: float = 0.03) -> Callable[[], int]:
        def run() -> int:
            with self.lock:
                self.now += 1
                self.peak = max(self.peak, self.now)
            time.sleep(seconds)
            with self.lock:
                self.now -= 1
            return value

        return run


def _held(slots: Slots, place: object = PLACE) -> Slots:
    """``slots`` with the caller's own slot taken, as a target holds it."""
    with slots.cond:
        slots.take(place)
    return slots


@pytest.mark.parametrize(("per_place", "at_once"), [(1, 1), (2, 2), (4, 4), (20, 8)])
def test_tasks_run_as_many_at_once_as_the_place_has_room_for(per_place: int, at_once: int) -> None:
    slots = _held(Slots(64, per_place))
    peak = Peak()
    got = dict(each([peak.task(n) for n in range(12)], 8, "test", slots.room(PLACE)))
    assert got == {n: n for n in range(12)}
    # The caller's own slot and those its place had free, never more than the pool.
    assert peak.peak == at_once
    # Every lent slot is back: the caller's own alone is taken.
    assert slots.in_flight(PLACE) == 1


def test_the_overall_cap_counts_the_tasks_of_every_place() -> None:
    slots = _held(_held(Slots(3, 4)), ("other", "eu-west-1"))
    peak = Peak()
    list(each([peak.task(n) for n in range(6)], 8, "test", slots.room(PLACE)))
    assert peak.peak == 2


def test_room_another_gives_back_is_taken_while_tasks_wait() -> None:
    slots = _held(Slots(64, 2))
    with slots.cond:
        slots.take(PLACE)  # another target of the place holds the second slot
    peak = Peak()
    timer = threading.Timer(0.1, slots.give, (PLACE,))
    timer.start()
    list(each([peak.task(n, 0.05) for n in range(10)], 8, "test", slots.room(PLACE)))
    timer.join()
    # One at a time until the room came, then two: the room was seen while waiting.
    assert peak.peak == 2


def test_a_failing_task_is_raised_and_its_slot_given_back() -> None:
    slots = _held(Slots(64, 3))
    release = threading.Event()

    def fails() -> int:
        release.wait(5)
        raise ValueError("describe failed")

    def slow() -> int:
        release.wait(5)
        return 0

    tasks = [slow, fails, slow]
    threading.Timer(0.05, release.set).start()
    with pytest.raises(ValueError, match="describe failed"):
        list(each(tasks, 8, "test", slots.room(PLACE)))
    # The tasks still running when the caller left give their slots back as they end.
    for _ in range(100):
        if slots.in_flight(PLACE) == 1:
            break
        time.sleep(0.01)
    assert slots.in_flight(PLACE) == 1
