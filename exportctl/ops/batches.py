"""Jobs read a batch at a time, where their service, or their kind of its jobs,
describes many ids in one call (``ServiceSpec.batch``, ``Kind.batch``).

Each batch of at most ``Batch.max_ids`` ids is one call, and each of its jobs gets
what that call said of it: its item, "not found" where the answer left it out, or
the call's error. A service that fails the whole call for one id it does not know
or cannot read (``Batch.whole_call_fails``: EC2, whose error names that id) has said
nothing of the others: that batch is read again one call a job, so that each job
gets what its own get gives, its own error included, as when it is read alone.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence

from exportctl.domain.errors import ExportctlError, NotFoundError, UsageError
from exportctl.domain.jobkey import JobKey
from exportctl.domain.model import ExportJob
from exportctl.ops.workers import each
from exportctl.services.projection import normalise
from exportctl.services.spec import Raw, ServiceSpec

Result = ExportJob | ExportctlError
# What one id of a batch can make a service that fails the whole call say.
_ONE_ID_ERRORS = (NotFoundError, UsageError)


def together(spec: ServiceSpec, indexes: Sequence[int]) -> bool:
    """Whether the jobs of ``indexes``, of one kind and region, are read as a batch
    (before any job read alone). A lone job of a service that fails the whole call is
    not: its batch would be its own get, which reads it in its place among the others."""
    batch = spec.batch
    return batch is not None and (len(indexes) > 1 or not batch.whole_call_fails)


def read(
    spec: ServiceSpec,
    region: str,
    wanted: Mapping[int, JobKey],
    described: Callable[[list[str]], dict[str, Raw]],
    alone: Callable[[int], Result],
    concurrency: int,
) -> dict[int, Result]:
    """The jobs of ``wanted`` (by index), all of one kind and one region.

    ``described``: one batch's call, its jobs by id as answered
    (``engine.batch_raw``); ``alone``: a job of ``wanted`` read with its own get,
    up to ``concurrency`` at once."""
    batch = spec.batch
    assert batch is not None
    ids = list(dict.fromkeys(key.id for key in wanted.values()))
    results: dict[int, Result] = {}
    for start in range(0, len(ids), batch.max_ids):
        chunk = ids[start : start + batch.max_ids]
        asked = set(chunk)
        indexes = [i for i, key in wanted.items() if key.id in asked]
        try:
            found = described(chunk)
        except ExportctlError as exc:
            if batch.whole_call_fails and len(chunk) > 1 and isinstance(exc, _ONE_ID_ERRORS):
                tasks = [functools.partial(alone, i) for i in indexes]
                for n, result in each(tasks, concurrency, "exportctl-get"):
                    results[indexes[n]] = result
            else:
                results.update(dict.fromkeys(indexes, exc))
            continue
        for i in indexes:
            raw = found.get(wanted[i].id)
            results[i] = (
                normalise(spec, raw, region)
                if raw is not None
                else NotFoundError(
                    f"{spec.title}: no export job {wanted[i].display}", service=spec.name
                )
            )
    return results
