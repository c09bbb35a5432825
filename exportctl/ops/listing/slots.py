"""The calls a listing has in flight, under its two caps: so many in all, and so many
of one account in one region (a *place*: AWS throttles per account and region).

A target holds one slot from its start to its end: it makes one call at a time,
page after page (the read-ahead of its next page is that same call, made sooner).
A call a target makes beside that one (a describe of a listed summary, beyond the
first) takes a slot of its own while it is in flight, and only when its place and
the listing have one free (:class:`PlaceRoom`): so the caps count calls, whatever
the services make of a page.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Hashable


class Slots:
    """Calls in flight, at most ``overall`` in all and ``per_place`` in one place.

    ``cond`` guards the counts; whoever waits for a slot waits on it, and it is
    notified whenever one is given back.
    """

    def __init__(self, overall: int, per_place: int) -> None:
        self.cond = threading.Condition()
        self._overall = overall
        self._per_place = per_place
        self._in_flight = 0
        self._by_place: Counter[Hashable] = Counter()

    def free(self, place: Hashable) -> bool:
        """Whether one more call of ``place`` fits; the caller holds :attr:`cond`."""
        return self._in_flight < self._overall and self._by_place[place] < self._per_place

    def take(self, place: Hashable) -> None:
        """A slot of ``place``, once :meth:`free` said so; the caller holds :attr:`cond`."""
        self._in_flight += 1
        self._by_place[place] += 1

    def in_flight(self, place: Hashable) -> int:
        with self.cond:
            return self._by_place[place]

    def give(self, place: Hashable) -> None:
        with self.cond:
            self._in_flight -= 1
            self._by_place[place] -= 1
            self.cond.notify_all()

    def room(self, place: Hashable) -> PlaceRoom:
        return PlaceRoom(self, place)


class PlaceRoom:
    """The slots a target's own further calls may take: one at a time, never waited
    for (the target's own slot keeps it going meanwhile)."""

    def __init__(self, slots: Slots, place: Hashable) -> None:
        self._slots = slots
        self._place = place

    def take(self) -> bool:
        with self._slots.cond:
            if not self._slots.free(self._place):
                return False
            self._slots.take(self._place)
            return True

    def give(self) -> None:
        self._slots.give(self._place)
