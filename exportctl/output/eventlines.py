"""Events for pipelines: one JSON line a change, as `kubectl get -w -o json` prints them.

``{"type": TYPE, "job": RECORD}``, RECORD being the job's record as ``-o json``
writes it. ADDED: a job read the first time; MODIFIED: its status changed; ENDED:
it ended (for ``wait``, also a job the wait is done with: it met --until, or can
no longer, a job deleted included); DELETED: it could no longer be found
(``watch``: no longer listed). A change to an ended state is a MODIFIED line,
then an ENDED one; a job a watch lists the first time already ended, after its
first round, an ADDED line, then an ENDED one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from exportctl.domain.model import ExportJob
from exportctl.ops.polling.events import Event
from exportctl.output.formats import dumps

_TYPES = {"seen": "ADDED", "changed": "MODIFIED", "gone": "DELETED"}
# Kinds that mean the wait is done with the job, whatever its state: a job gone
# (deleted) can no longer meet the wait's condition either.
_DECIDED = frozenset({"met", "missed", "gone"})


def event_types(event: Event, *, ends_on_decision: bool) -> Iterator[str]:
    """The types of the lines ``event`` makes, in order (none for rounds and retries).

    ``ends_on_decision``: ENDED comes with met and missed (a wait), rather than
    with a change to an ended state (a watch)."""
    job = event.tracked.job if event.tracked else None
    if job is None:
        return
    kind = _TYPES.get(event.kind)
    if kind is not None:
        yield kind
    if ends_on_decision:
        if event.kind in _DECIDED:
            yield "ENDED"
    elif (
        event.kind in ("changed", "ended")
        and job.terminal
        # Once: a job that moves from one ended state to another ended already.
        and not (event.before is not None and event.before.terminal)
    ):
        yield "ENDED"


def event_lines(
    event: Event,
    record: Callable[[ExportJob], dict[str, Any]],
    *,
    ends_on_decision: bool,
) -> Iterator[tuple[str, str]]:
    """(type, the JSON line) for each line ``event`` makes."""
    job = event.tracked.job if event.tracked else None
    for kind in event_types(event, ends_on_decision=ends_on_decision):
        assert job is not None
        yield kind, dumps({"type": kind, "job": record(job)})
