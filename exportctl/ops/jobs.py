"""The core: look jobs up and list them, across services and pages, in one account and region.

Listing is :mod:`exportctl.ops.listing`'s: :meth:`Jobs.fanout` makes each service asked
for a target of its own.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from exportctl.aws.clients import Clients
from exportctl.aws.deadlines import current_deadline, deadline
from exportctl.aws.translatingclient import CallErrors
from exportctl.domain.errors import (
    BrokenAnswerError,
    ExportctlError,
    NotFoundError,
    of_service,
    raise_said,
)
from exportctl.domain.model import ExportJob, State, newest_first
from exportctl.ops import batches
from exportctl.ops.callcounter import CallCounter
from exportctl.ops.listing.failures import incomplete
from exportctl.ops.listing.fanout import Fanout
from exportctl.ops.listing.targets import Here, Span, Target
from exportctl.ops.summaries import Describer
from exportctl.ops.workers import Room, each, each_ahead, read_ahead
from exportctl.services import all_specs, spec_for
from exportctl.services import engine as eng
from exportctl.services.kinds import kind_for
from exportctl.services.projection import projection
from exportctl.services.refs import JobKey, scoped_region
from exportctl.services.spec import ServiceSpec

GET_CONCURRENCY = 8
# Parents of one service whose jobs are listed at once (see Jobs.parent_concurrency).
PARENT_CONCURRENCY = 4
# What a call started at or after its deadline still gets: the check a wait makes at
# its deadline itself has to be able to answer.
LAST_CALL = 0.5

Result = ExportJob | ExportctlError
# Work on some jobs (by index), returning their results.
Unit = Callable[[], dict[int, Result]]
Progress = Callable[[str | None], None]


@dataclass(frozen=True)
class ListQuery:
    services: tuple[str, ...] = ()
    states: frozenset[State] = frozenset()
    since: datetime | None = None
    limit: int | None = None
    scope: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class ListResult:
    """A listing read whole: its jobs newest first, and what :class:`Fanout` settled."""

    jobs: list[ExportJob]
    # What failed: the command exits non-zero.
    failures: list[ExportctlError] = field(default_factory=list)
    # What was out of reach and not asked for by name.
    notices: list[ExportctlError] = field(default_factory=list)
    # Where each failure happened, with the jobs read there before it.
    read: dict[str, int] = field(default_factory=dict)
    # Some target answered (a listing whose every target failed read nothing).
    answered: bool = False

    @property
    def incomplete(self) -> str | None:
        return incomplete(self.read)


class Jobs:
    def __init__(self, clients: Clients, calls: CallCounter | None = None) -> None:
        self.clients = clients
        self.calls = calls or CallCounter()
        # Pages each parent's listing took to hold the jobs last refreshed from it.
        self._parent_pages: dict[tuple[str, str, str], int] = {}
        # Parents whose jobs are listed at once (Pinpoint applications): each is a
        # chain of calls of its own, so a listing takes as long as the longest
        # chain, not their sum.
        self.parent_concurrency = PARENT_CONCURRENCY
        # What describes the summaries of a listing (``ServiceSpec.summaries``).
        self.summaries = Describer()

    # -- plumbing ---------------------------------------------------------------

    def owner(self, job: ExportJob) -> Jobs:
        """The core whose credentials reach the account ``job`` was read in: where a
        call about it (a cancel, its output's S3) goes."""
        return self.for_account(job.account)

    def for_account(self, account: str | None) -> Jobs:
        """The core whose credentials reach ``account``: this one, of one account."""
        return self

    def caller(self, spec: ServiceSpec, region: str) -> eng.CallFn:
        # A parser tripping over JSON of another shape (a string where the model has
        # a list) is a broken answer, not exportctl's bug; a call retried to the end
        # says for how long.
        errors = CallErrors(spec, timed=True, shape_slips=True)
        client = self.clients.client(spec.client, region, errors=errors)

        def call(operation: str, params: dict[str, Any]) -> dict[str, Any]:
            self.calls.add(spec.name, operation)
            # The deadline of the work this call is for (a wait's): the call ends by
            # then, or LAST_CALL after it starts, retries included.
            at = current_deadline()
            if at is not None:
                at = max(at, time.monotonic() + LAST_CALL)
            with deadline(at):
                result: dict[str, Any] = client.call(operation, params)
            return result

        return call

    def once_caller(self, spec: ServiceSpec, region: str) -> eng.CallFn:
        """Like :meth:`caller`, one attempt a call: for creates, which retry on their own."""
        from botocore import xform_name

        # botocore's own errors: a create tells their outcomes apart (exportctl.ops.start).
        client = self.clients.client(spec.client, region, attempts=1).bare

        def call(operation: str, params: dict[str, Any]) -> dict[str, Any]:
            self.calls.add(spec.name, operation)
            result: dict[str, Any] = getattr(client, xform_name(operation))(**params)
            return result

        return call

    def _guard(self, spec: ServiceSpec, fn: Callable[[], Any]) -> Any:
        try:
            return fn()
        except ExportctlError as exc:
            raise_said(of_service(exc, spec, self.clients.named_for(spec.client)), exc)

    # -- one job ----------------------------------------------------------------

    def region_of(self, key: JobKey) -> str:
        return key.region or self.clients.default_region

    def get(self, key: JobKey) -> ExportJob:
        spec = spec_for(key.service)
        region = self.region_of(key)

        def fetch() -> ExportJob:
            call = self.caller(spec, region)
            resolved = key if key.arn or not spec.get.by_arn else self._find_arn(spec, call, key)
            return eng.normalise(spec, eng.get_raw(spec, call, resolved), region)

        job: ExportJob = self._guard(spec, fetch)
        return job

    def _find_arn(self, spec: ServiceSpec, call: eng.CallFn, key: JobKey) -> JobKey:
        for raw in eng.list_raw(spec, call, {}, as_listed=True):
            if str(eng.resolve(raw, spec.fields.id)) == key.id:
                arn = eng.resolve(raw, spec.fields.arn)
                return JobKey(key.service, key.id, key.region, key.parent, arn)
        raise NotFoundError(f"{spec.title}: no export job named {key.id!r}", service=spec.name)

    def get_many(self, keys: Sequence[JobKey]) -> list[ExportJob | ExportctlError]:
        """Each job, or the error that kept it from us, in the order asked.

        Jobs of a service that describes many ids in one call are fetched together;
        the others concurrently, with a bounded pool.
        """
        return self._run(self._get_units(keys, range(len(keys))), len(keys))

    def refresh(self, keys: Sequence[JobKey]) -> list[ExportJob | ExportctlError]:
        """Like :meth:`get_many`, for polling: jobs of one parent are read from its listing.

        The listing is walked for a parent's jobs only when they outnumber the pages
        it took last time (one, before it was ever walked), and for at most one page
        fewer than there are jobs, so it never costs more calls than one get each;
        the jobs it did not reach are then fetched one by one.
        """
        return self._run(self.refresh_units(keys), len(keys))

    def refresh_units(self, keys: Sequence[JobKey]) -> list[tuple[list[int], Unit]]:
        """What :meth:`refresh` does, as independent pieces of work that may run
        concurrently: each covers some of ``keys`` (by index) and returns their results.

        A poller runs them itself, so that one slow piece (a call deep in retries)
        holds back no other job's result.
        """
        units: list[tuple[list[int], Unit]] = []
        groups: dict[tuple[str, str, str], list[int]] = {}
        rest: list[int] = []
        for index, key in enumerate(keys):
            spec = spec_for(key.service)
            if not (spec.refresh_by_parent and spec.fan_out and key.parent):
                rest.append(index)
                continue
            try:
                region = self.region_of(key)
            except ExportctlError as exc:
                units.append(([index], functools.partial(dict, {index: exc})))
                continue
            groups.setdefault((spec.name, region, key.parent), []).append(index)
        for group, indexes in groups.items():
            if len(indexes) <= self._parent_pages.get(group, 1):
                rest.extend(indexes)
                continue
            units.append((indexes, functools.partial(self._from_parent, group, keys, indexes)))
        units.extend(self._get_units(keys, sorted(rest)))
        return units

    def _get_units(
        self, keys: Sequence[JobKey], indexes: Iterable[int]
    ) -> list[tuple[list[int], Unit]]:
        units: list[tuple[list[int], Unit]] = []
        groups: dict[tuple[ServiceSpec, str], list[int]] = {}
        for index in indexes:
            key = keys[index]
            try:
                region = self.region_of(key)
            except ExportctlError as exc:
                units.append(([index], functools.partial(dict, {index: exc})))
                continue
            # Each kind of a service's jobs is described in calls of its own.
            served = kind_for(spec_for(key.service), key.id)
            if served.batch:
                groups.setdefault((served, region), []).append(index)
            units.append(([index], functools.partial(self._one, keys, index)))
        together = {
            at: grouped for at, grouped in groups.items() if batches.together(at[0], grouped)
        }
        batched = {index for grouped in together.values() for index in grouped}
        units = [unit for unit in units if unit[0][0] not in batched]
        for (served, region), grouped in together.items():
            batch = functools.partial(self._batch, served, region, keys, grouped)
            units.insert(0, (grouped, batch))
        return units

    def _run(self, units: Sequence[tuple[list[int], Unit]], count: int) -> list[Result]:
        results: dict[int, Result] = {}
        tasks = [unit for _, unit in units]
        for _, found in each(tasks, GET_CONCURRENCY, "exportctl-get"):
            results.update(found)
        return [results[i] for i in range(count)]

    def _one(self, keys: Sequence[JobKey], index: int) -> dict[int, Result]:
        try:
            return {index: self.get(keys[index])}
        except ExportctlError as exc:
            return {index: exc}

    def _from_parent(
        self, group: tuple[str, str, str], keys: Sequence[JobKey], indexes: list[int]
    ) -> dict[int, Result]:
        """The jobs of ``indexes`` from their parent's listing; those it did not
        reach, one by one."""
        service, region, parent = group
        spec = spec_for(service)
        budget = len(indexes) - 1
        try:
            call = self.caller(spec, region)
            found, read = self._guard(
                spec,
                lambda: eng.parent_raw(spec, call, parent, (keys[i].id for i in indexes), budget),
            )
        except ExportctlError as exc:
            return dict.fromkeys(indexes, exc)
        missing = [i for i in indexes if keys[i].id not in found]
        self._parent_pages[group] = read + 1 if missing else read
        results: dict[int, Result] = {
            i: eng.normalise(spec, found[keys[i].id], region)
            for i in indexes
            if keys[i].id in found
        }
        for i in missing:
            results.update(self._one(keys, i))
        return results

    def _batch(
        self, spec: ServiceSpec, region: str, keys: Sequence[JobKey], indexes: list[int]
    ) -> dict[int, Result]:
        try:
            call = self.caller(spec, region)
        except ExportctlError as exc:
            return dict.fromkeys(indexes, exc)
        return batches.read(
            spec,
            region,
            {i: keys[i] for i in indexes},
            lambda ids: self._guard(spec, lambda: eng.batch_raw(spec, call, ids)),
            lambda index: self._one(keys, index)[index],
            GET_CONCURRENCY,
        )

    # -- listing ----------------------------------------------------------------

    def iter_pages(
        self,
        spec: ServiceSpec,
        query: ListQuery,
        region: str | None = None,
        *,
        room: Room | None = None,
        cancel: threading.Event | None = None,
    ) -> Iterator[list[ExportJob]]:
        """One service's jobs, filtered by state and age, a page at a time. The next
        page is asked for while this one is turned into records: the service's time
        and ours overlap. A listing's describes beyond the first take ``room`` (its
        caps) while in flight; ``cancel``, set by another thread, ends the pages
        without waiting for the call in progress, and no call is sent after it."""
        where = region or self.clients.default_region
        call = self.caller(spec, where)
        if cancel is not None:
            call = unless(cancel, call)
        project = projection(spec).record
        states, since = query.states, query.since
        concurrency = self.parent_concurrency

        def each_parent(
            parents: Iterable[eng.Parent],
            pages_of: Callable[[eng.Parent], Iterator[eng.PageItems]],
        ) -> Iterator[eng.PageItems]:
            return each_ahead(parents, pages_of, concurrency, f"list-{spec.name}-parent")

        describe_all = self.summaries.describe_all(spec, where, states, room)
        # The states are applied below all the same: the service's filter saves pages.
        listed = eng.list_pages(spec, call, query.scope, each_parent, describe_all, states)
        try:
            for page in read_ahead(listed, name=f"list-{spec.name}", cancel=cancel):
                jobs = []
                for raw, parent in page:
                    job = project(raw, where, parent)
                    if states and job.state not in states:
                        continue
                    # A job the service gives no creation time (EC2's, an RDS task still
                    # STARTING) may be new: --since keeps it rather than hide it.
                    if since and job.created is not None and job.created < since:
                        continue
                    jobs.append(job)
                yield jobs
        except BrokenAnswerError as exc:
            raise_said(of_service(exc, spec, self.clients.named_for(spec.client)), exc)

    def fanout(
        self,
        query: ListQuery,
        *,
        idle: Callable[[], None] = lambda: None,
        on_progress: Progress | None = None,
        once: bool = False,
    ) -> Fanout:
        """The listing, each page as it arrives: a target per service asked for (every
        service by default), in the default region, with these credentials. ``once``:
        see :class:`exportctl.ops.listing.fanout.Fanout`."""
        specs = tuple(spec_for(s) for s in query.services) or all_specs()
        here = Here(self)
        region = self.clients.default_region
        return Fanout(
            [Target(here, spec, scoped_region(spec, query.scope) or region) for spec in specs],
            query,
            Span(named_services=bool(query.services)),
            idle=idle,
            on_progress=on_progress,
            once=once,
        )

    def hold(self, spec: ServiceSpec, region: str) -> None:
        self.clients.hold(spec.client, region)

    def release(self, spec: ServiceSpec, region: str) -> None:
        self.clients.release(spec.client, region)

    # Last in the class: a method named "list" hides the builtin in annotations below it.
    def list(self, query: ListQuery, on_progress: Progress | None = None) -> ListResult:
        """The whole listing, newest first, at most ``query.limit`` jobs."""
        stream = self.fanout(replace(query, limit=None), on_progress=on_progress)
        jobs = newest_first(list(stream))
        if query.limit is not None:
            jobs = jobs[: query.limit]
        return ListResult(jobs, stream.failures, stream.notices, stream.read, stream.answered)


def unless(cancel: threading.Event, call: eng.CallFn, closed: str = "the listing") -> eng.CallFn:
    """``call``, refused once ``cancel`` is set: a listing (or what ``closed`` names)
    closed sends nothing more of its chains of calls (a parent's jobs, a page's
    describes, the next page)."""

    def refused(operation: str, params: dict[str, Any]) -> dict[str, Any]:
        if cancel.is_set():
            raise ExportctlError(f"{operation} not sent: {closed} was closed")
        return call(operation, params)

    return refused
