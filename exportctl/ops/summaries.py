"""A listing's summaries described (``ServiceSpec.summaries``): several at once, only
those a query keeps, and a job that has ended described once.

Several at once within the listing's caps on calls in flight: read by
:class:`exportctl.ops.listing.fanout.Fanout`, a page's first describe runs on its
target's own slot, each further one on a slot its account and region has free then
(:class:`exportctl.ops.workers.Room`), never more than the spec's ``concurrency``.

A job that has ended does not change, so while its summary says the same status its
description is the one already read: a `watch` that lists every few seconds then
describes only the jobs still running, not every job the listing names.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable

from exportctl.domain.model import State
from exportctl.ops.workers import Room, each
from exportctl.services.engine import resolve
from exportctl.services.spec import Raw, ServiceSpec

# (service, region, id) of a job that has ended -> (its status, its description)
_Ended = dict[tuple[str, str, str], tuple[str, Raw]]


class Describer:
    """Describes summaries for one :class:`exportctl.ops.jobs.Jobs`, remembering those
    of jobs that ended."""

    def __init__(self) -> None:
        self._ended: _Ended = {}
        self._lock = threading.Lock()
        # At most this many at once, below what the service's spec allows; None: that.
        self.concurrency: int | None = None

    def describe_all(
        self,
        spec: ServiceSpec,
        region: str,
        states: frozenset[State],
        room: Room | None = None,
    ) -> Callable[[Callable[[Raw], Raw], list[Raw], int], list[Raw]]:
        """What describes one page's summaries of ``spec`` in ``region``, for a query of
        ``states`` (none: every state): a summary it would drop is left as it is. With
        a ``room`` (a listing's caps), only as many at once as it has room for."""
        fields = spec.fields

        def key_of(raw: Raw) -> tuple[tuple[str, str, str], str]:
            return (spec.name, region, str(resolve(raw, fields.id))), str(
                resolve(raw, fields.status)
            )

        def one(describe: Callable[[Raw], Raw], summary: Raw) -> Raw:
            key, status = key_of(summary)
            with self._lock:
                known = self._ended.get(key)
            if known is not None and known[0] == status:
                return known[1]
            raw = describe(summary)
            now, said = key_of(raw)
            # A summary handed back (the job gone) is no description to keep.
            if raw is not summary and now == key and spec.state_of(said).terminal:
                with self._lock:
                    self._ended[key] = (said, raw)
            return raw

        def describe_all(
            describe: Callable[[Raw], Raw], summaries: list[Raw], size: int
        ) -> list[Raw]:
            wanted = [
                i
                for i, raw in enumerate(summaries)
                if not states or spec.state_of(resolve(raw, fields.status)) in states
            ]
            out = list(summaries)
            tasks = [functools.partial(one, describe, summaries[i]) for i in wanted]
            at_once = min(size, self.concurrency or size)
            for index, raw in each(tasks, at_once, f"list-{spec.name}-describe", room):
                out[wanted[index]] = raw
            return out

        return describe_all
