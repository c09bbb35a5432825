"""A listing of some states narrowed by the service itself (``Page.status_filter``).

The filter only ever saves pages: the states are still applied to every job read
(``ops.jobs.Jobs.iter_pages``), so what is sent must keep every job they keep. It
names every word of the service that can give one of the states asked for (a word
``Fields.state`` may read as another state too, EC2's ``deleted``, included), and
is not sent at all when one of those words is not one the filter takes, when
UNKNOWN is asked for (a word no mapping knows, which no filter can name), or when
a filter of one word a call would need several: several listings would hand the
streamed formats the jobs in another order than the service's one listing.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from exportctl.domain.model import State
from exportctl.services.spec import ServiceSpec


def words_of(spec: ServiceSpec, states: Collection[State]) -> tuple[str, ...]:
    """The service's words that can give one of ``states`` to a job of this listing."""
    flt = spec.list.status_filter
    not_listed = flt.not_listed if flt else frozenset()
    known = {**spec.documented_statuses, **spec.statuses}
    return tuple(
        word
        for word in known
        if word not in not_listed
        and ({spec.state_of(word), *spec.fields.other_states.get(word, ())} & set(states))
    )


def words_for(spec: ServiceSpec, states: Collection[State]) -> tuple[str, ...] | None:
    """The status words to send for a listing of ``states``; None: send none."""
    flt = spec.list.status_filter
    if flt is None or not states or State.UNKNOWN in states:
        return None
    wanted = words_of(spec, states)
    if not wanted or not set(wanted) <= flt.words or (not flt.named and len(wanted) > 1):
        return None
    return wanted


def request(spec: ServiceSpec, states: Collection[State]) -> dict[str, Any]:
    """The request members that send ``states``' words to the listing (none: every page)."""
    words = words_for(spec, states)
    flt = spec.list.status_filter
    if words is None or flt is None:
        return {}
    values = [flt.value(word) if flt.value else word for word in words]
    if flt.named:
        return {"Filters": [{"Name": flt.param, "Values": values}]}
    return {flt.param: values[0]}
