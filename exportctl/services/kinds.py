"""The kinds of a service's jobs (``ServiceSpec.kinds``), each served as a spec of its own.

A service whose jobs come from several listings (EC2: image exports and instance
exports) is one service to the commands: ``list`` reads every kind's listing in
turn, a job is read with the get of the kind its id is of, and ``start SERVICE``
takes each kind's options, the kind chosen by its own required option.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache

from exportctl.services.spec import ServiceSpec


@cache
def kinds_of(spec: ServiceSpec) -> tuple[ServiceSpec, ...]:
    """Each kind of the service's jobs as a spec of its own, the service's own kind
    first; a service without kinds is its one kind."""
    if not spec.kinds:
        return (spec,)
    own = replace(spec, kinds=())
    others = (
        replace(own, fields=k.fields, get=k.get, list=k.list, create=k.create, batch=k.batch)
        for k in spec.kinds
    )
    return (own, *others)


def kind_for(spec: ServiceSpec, job_id: str) -> ServiceSpec:
    """The spec of the kind of job ``job_id`` is (``Kind.id_prefix``)."""
    kinds = kinds_of(spec)
    for kind, served in zip(spec.kinds, kinds[1:], strict=True):
        if job_id.startswith(kind.id_prefix):
            return served
    return kinds[0]
