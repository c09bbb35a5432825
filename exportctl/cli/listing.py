"""`exportctl list`: every export job of every service, newest first.

Every format reads the pages as they arrive, each service on its own thread.
Tables and json keep every job and write them newest first once the last page
is in (json made text as the pages arrive). ndjson and csv stream: every job is
written as soon as its page arrives, in arrival order, so the first line comes
before the last page and memory stays flat however many jobs there are.
"""

from __future__ import annotations

import heapq
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import click

from exportctl.cli.context import AppContext, one_shot, pass_app
from exportctl.cli.examples import epilog
from exportctl.cli.numbers import IntRange
from exportctl.cli.options import (
    ScopedCommand,
    filter_options,
    scope_of,
    service_option,
)
from exportctl.cli.output import json_on_failure, output_options, print_jobs
from exportctl.domain.errors import ExportctlError
from exportctl.domain.model import RECORD_KEYS, ExportJob
from exportctl.output.formats import emit
from exportctl.output.jsontext import RecordTexts
from exportctl.output.outputspec import JOB_DEFAULT_FIELDS, JOB_RECORD_FIELDS, OutputSpec, Records

if TYPE_CHECKING:
    from exportctl.api.listing import Listing
    from exportctl.cli.estimates import Estimates

V = TypeVar("V")

RECORD_TEXTS = RecordTexts(RECORD_KEYS, ExportJob.record_values)


@click.command(
    "list",
    cls=ScopedCommand,
    epilog=epilog(
        "exportctl --sandbox list --status failed --since 2d",
        "exportctl --sandbox list --limit 5 -o json",
        "exportctl list --region all --status running",
    ),
)
@service_option(multiple=True, help="Only this service (repeatable; default: every service).")
@filter_options
@click.option(
    "--limit",
    type=IntRange(min=1),
    metavar="N",
    help="The N newest jobs, in every format (streamed formats write them at the end).",
)
@output_options(JOB_RECORD_FIELDS, "[]")
@pass_app
@click.pass_context
def list_jobs(
    ctx: click.Context,
    app: AppContext,
    /,
    services: tuple[str, ...],
    states: tuple[str, ...],
    since: object,
    limit: int | None,
    out: OutputSpec,
    **scope: Any,
) -> None:
    """List export jobs, every service by default, queried concurrently.

    A service this account cannot use (not enabled, no home region, access denied,
    past its end of support) is a notice on stderr unless asked for with --service.

    table, wide and json: every job, newest first. ndjson, csv and text: each job
    as its page arrives (arrival order, services interleaved), in constant memory.

    --limit N keeps the N newest in every format; streamed formats then read
    every page and write the N newest first, once the listing ends. Jobs whose
    service gives them no creation time come after every dated job, in that
    order too.
    """
    from datetime import datetime

    out.check_fields(JOB_RECORD_FIELDS)
    one_shot()

    def listing(streaming: bool) -> Listing:
        """Each page as it arrives, over every target the command spans; its notices
        and failures said where the command says them."""
        from exportctl.output.progress import progress_line

        return app.client.list(
            services,
            states=states,
            since=since if isinstance(since, datetime) else None,
            stream=True,
            strict=False,
            progress=progress_line(streaming_to_terminal=streaming and sys.stdout.isatty()),
            on_wait=_flush_stdout if streaming else _nothing,
            on_notice=_said_at_the_end,
            **scope_of(scope),
        ).open()

    if out.streams:
        ctx.exit(_stream(app, listing(True), limit, out))
    # The array is written whole at the end: nothing is out before it.
    with json_on_failure(out, "[]"):
        code = _newest_first(app, listing(False), limit, out)
    ctx.exit(code)


def _newest_first(app: AppContext, stream: Listing, limit: int | None, out: OutputSpec) -> int:
    """Tables and json: every job newest first, once the listing ends; the exit code.

    Pages are taken as they arrive, and json is made text then, so that only
    the sorting and the writing wait for the last page.
    """
    from exportctl.domain.model import newest_key
    from exportctl.ops import refcache

    region = _home(app)
    history = _History(app)
    # The references completion offers: those of the newest jobs written, as
    # their entries, not the jobs (a job weighs several times its entry).
    keep = min(limit or refcache.MAX_ENTRIES, refcache.MAX_ENTRIES)
    accounts, where = app.many_accounts, app.credentials_named()
    entries = _Newest(
        keep, lambda job: refcache.entry_for(job, region, accounts=accounts, where=where)
    )
    code = 0

    def taken(jobs: Iterable[ExportJob]) -> Iterator[ExportJob]:
        nonlocal code
        for seen, job in enumerate(jobs):
            if seen == 0 and out.format in ("table", "wide"):
                # rich, while the next pages are on their way instead of after the last.
                from exportctl.output import jobtable, recordtable  # noqa: F401

                app.out  # noqa: B018
            history.learn(job)
            entries.offer(job)
            yield job
        # The last page is in: what the listing has to say comes before what it found.
        for notice in stream.notices:
            app.notice(notice.message)
        code = app.report(stream.failures)

    def table(jobs: Sequence[ExportJob], fields: tuple[str, ...]) -> None:
        if not jobs:
            if not stream.failures:
                app.err.print("No export jobs found.", markup=False)
        else:
            print_jobs(app, jobs, out, region)

    try:
        emit(
            out,
            Records(
                taken(stream),
                to_dict=ExportJob.to_dict,
                table=table,
                default_fields=JOB_DEFAULT_FIELDS,
                known_fields=JOB_RECORD_FIELDS,
                newest=newest_key,
                limit=limit,
                texts=RECORD_TEXTS,
            ),
        )
    finally:
        stream.close()
    refcache.remember(entries.newest())
    history.save()
    app.debug_calls()
    if stream.incomplete:
        app.error(stream.incomplete)
    return code


def _stream(app: AppContext, stream: Listing, limit: int | None, out: OutputSpec) -> int:
    """Write jobs as their pages arrive; the exit code."""
    from exportctl.ops import refcache

    # --limit means the N newest in every format. No service lists newest first,
    # so every page is read, the N newest kept (memory for N jobs, not all), and
    # they are written newest first once the listing ends.
    region = _home(app)
    accounts, where = app.many_accounts, app.credentials_named()
    printed: list[refcache.CachedRef] = []
    history = _History(app)

    def read(jobs: Iterable[ExportJob]) -> Iterator[ExportJob]:
        for job in jobs:
            history.learn(job)
            yield job

    def kept(jobs: Iterator[ExportJob]) -> Iterator[ExportJob]:
        for job in jobs:
            if len(printed) < refcache.MAX_ENTRIES:
                printed.append(refcache.entry_for(job, region, accounts=accounts, where=where))
            yield job

    try:
        # With --limit the jobs are all in hand before the first is written: handed
        # over as a list, so that csv can check its one header against them first.
        jobs: Iterable[ExportJob] = (
            kept(read(stream)) if limit is None else list(kept(_newest(read(stream), limit)))
        )
        emit(
            out,
            Records(
                jobs,
                to_dict=ExportJob.to_dict,
                table=_no_table,
                default_fields=JOB_DEFAULT_FIELDS,
                known_fields=JOB_RECORD_FIELDS,
                flush_each=False,
                texts=RECORD_TEXTS,
                failed=lambda: bool(stream.failures),
            ),
        )
    finally:
        stream.close()
    refcache.remember(printed)
    history.save()
    for notice in stream.notices:
        app.notice(notice.message)
    code = app.report(stream.failures)
    app.debug_calls()
    if stream.incomplete:
        app.error(stream.incomplete)
    return code


def _home(app: AppContext) -> str | None:
    """The region printed references may leave out; a command without any region
    fails here, with its one line, before anything is written."""
    app.client.default_region()
    return app.client.home_region()


class _History:
    """Completed jobs are the history that status, wait and watch estimate from:
    every job a listing reads teaches it. Read and written only when a listing has
    one (never for a service whose jobs report no completion time)."""

    def __init__(self, app: AppContext) -> None:
        self._app = app
        self._estimates: Estimates | None = None

    def learn(self, job: ExportJob) -> None:
        if job.completed is None:
            return
        if self._estimates is None:
            from exportctl.cli.estimates import Estimates

            self._estimates = Estimates(self._app)
        self._estimates.learn((job,))

    def save(self) -> None:
        if self._estimates is not None:
            self._estimates.save()


class _Newest(Generic[V]):
    """The ``size`` newest of the jobs offered (by :func:`exportctl.domain.model.newest_key`,
    the first offered first among equals), each kept as ``keep(job)``: never more
    than ``size`` of them, and ``keep`` called only for a job that is kept."""

    def __init__(self, size: int, keep: Callable[[ExportJob], V]) -> None:
        from exportctl.domain.model import newest_key

        self._size = size
        self._keep = keep
        # Offered once a job: looked up here, not on each of 10,000 calls.
        self._key = newest_key
        self._heap: list[tuple[tuple[tuple[float, str], int], V]] = []
        self._offered = 0

    def offer(self, job: ExportJob) -> None:
        rank = (self._key(job), -self._offered)
        self._offered += 1
        heap = self._heap
        if len(heap) < self._size:
            heapq.heappush(heap, (rank, self._keep(job)))
        elif rank > heap[0][0]:
            heapq.heapreplace(heap, (rank, self._keep(job)))

    def newest(self) -> list[V]:
        """What was kept, newest first."""
        return [kept for _, kept in sorted(self._heap, key=lambda entry: entry[0], reverse=True)]


def _newest(jobs: Iterable[ExportJob], limit: int) -> Iterator[ExportJob]:
    """The ``limit`` newest of ``jobs``, newest first, holding no more than that many."""
    kept: _Newest[ExportJob] = _Newest(limit, lambda job: job)
    for job in jobs:
        kept.offer(job)
    yield from kept.newest()


def _flush_stdout() -> None:
    sys.stdout.flush()


def _nothing() -> None:
    pass


def _said_at_the_end(notice: ExportctlError) -> None:
    """The command says a listing's notices itself, once the last page is in."""


def _no_table(jobs: Sequence[ExportJob], fields: tuple[str, ...]) -> None:
    raise AssertionError("streamed output is never a table")
