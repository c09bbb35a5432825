"""`exportctl list`: every export job of every service, newest first.

Tables and json collect every job, then sort them newest first. ndjson and csv
stream instead: each service is read by its own thread, and every job is written
as soon as its page arrives, in arrival order, so the first line comes before the
last page and memory stays flat however many jobs there are.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING

import click

from exportctl.cli.context import AppContext, one_shot_gc, pass_app
from exportctl.cli.options import filter_options, service_option
from exportctl.cli.output import (
    JOB_DEFAULT_FIELDS,
    JOB_RECORD_FIELDS,
    OutputSpec,
    emit,
    output_options,
)
from exportctl.model import ExportJob

if TYPE_CHECKING:
    from exportctl.jobs import ListQuery


@click.command("list")
@service_option(multiple=True, help="Only this service (repeatable; default: every service).")
@filter_options
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    help="The N newest jobs, in every format (streamed formats write them at the end).",
)
@output_options(JOB_RECORD_FIELDS)
@pass_app
@click.pass_context
def list_jobs(
    ctx: click.Context,
    app: AppContext,
    services: tuple[str, ...],
    states: tuple[str, ...],
    since: object,
    limit: int | None,
    application_id: tuple[str, ...],
    dataset_arn: str | None,
    search_job: str | None,
    out: OutputSpec,
) -> None:
    """List export jobs, every service by default, queried concurrently.

    A service this account cannot use (not enabled, no home region, access denied,
    past its end of support) is a notice on stderr unless asked for with --service.

    \b
    table, wide and json: every job, newest first.
    ndjson, csv and text: each job as its page arrives (arrival order, services
    interleaved), in constant memory.
    --limit N keeps the N newest in every format; streamed formats then read
    every page and write the N newest first, once the listing ends.
    """
    from datetime import datetime

    from exportctl import refcache
    from exportctl.jobs import ListQuery
    from exportctl.model import State

    out.check_fields(JOB_RECORD_FIELDS)
    one_shot_gc()
    query = ListQuery(
        services=tuple(dict.fromkeys(services)),
        states=frozenset(State(s.upper()) for s in states),
        since=since if isinstance(since, datetime) else None,
        limit=limit,
        scope={
            "application_id": application_id,
            "dataset_arn": dataset_arn,
            "search_job": search_job,
        },
    )
    if out.streams:
        ctx.exit(_stream(app, query, out))

    from exportctl.cli.progress import progress_line

    result = app.jobs.list(query, on_progress=progress_line())
    for notice in result.notices:
        app.notice(notice.message)
    code = app.report(result.failures)

    def table(jobs: Sequence[ExportJob], fields: tuple[str, ...]) -> None:
        from exportctl import render

        if not jobs:
            if not result.failures:
                app.err.print("No export jobs found.", markup=False)
        elif fields:
            app.out.print(
                render.record_table([j.to_dict() for j in jobs], fields, headers=out.headers),
                soft_wrap=True,
            )
        else:
            from exportctl.console import table_width

            width = None if out.wide else table_width(app.out)
            render.print_jobs_table(
                app.out,
                jobs,
                app.jobs.clients.default_region,
                width=width,
                wide=out.wide,
                headers=out.headers,
            )

    emit(
        out,
        result.jobs,
        to_dict=ExportJob.to_dict,
        table=table,
        default_fields=JOB_DEFAULT_FIELDS,
        known_fields=JOB_RECORD_FIELDS,
    )
    if result.jobs:
        refcache.remember_jobs(result.jobs, app.jobs.clients.default_region)
        from exportctl.cli.estimates import Estimates

        # Completed jobs are the history that status, wait and watch estimate from.
        estimates = Estimates(app)
        estimates.learn(result.jobs)
        estimates.save()
    app.debug_calls()
    if result.incomplete:
        app.error(result.incomplete)
    ctx.exit(code)


def _stream(app: AppContext, query: ListQuery, out: OutputSpec) -> int:
    """Write jobs as their pages arrive; the exit code."""
    from exportctl import refcache
    from exportctl.arrivals import Arrivals
    from exportctl.cli.progress import progress_line
    from exportctl.fanout import Fanout

    # --limit means the N newest in every format. No service lists newest first,
    # so every page is read, the N newest kept (memory for N jobs, not all), and
    # they are written newest first once the listing ends.
    limit, query = query.limit, dataclasses.replace(query, limit=None)
    stream: Arrivals | Fanout
    if app.jobs.multi:
        writer = progress_line(streaming_to_terminal=sys.stdout.isatty())
        stream = app.jobs.fanout(query, idle=_flush_stdout, on_progress=writer)
    else:
        stream = Arrivals(app.jobs, query, idle=_flush_stdout)
    region = app.jobs.clients.default_region
    printed: list[ExportJob] = []

    def kept(jobs: Iterator[ExportJob]) -> Iterator[ExportJob]:
        for job in jobs:
            if len(printed) < refcache.MAX_ENTRIES:
                printed.append(job)
            yield job

    try:
        emit(
            out,
            kept(iter(stream) if limit is None else _newest(stream, limit)),
            to_dict=ExportJob.to_dict,
            table=_no_table,
            default_fields=JOB_DEFAULT_FIELDS,
            known_fields=JOB_RECORD_FIELDS,
            flush_each=False,
        )
    finally:
        stream.close()
    refcache.remember_jobs(printed, region)
    for notice in stream.notices:
        app.notice(notice.message)
    code = app.report(stream.failures)
    app.debug_calls()
    if stream.incomplete:
        app.error(stream.incomplete)
    return code


def _newest(jobs: Iterable[ExportJob], limit: int) -> Iterator[ExportJob]:
    """The ``limit`` newest of ``jobs``, newest first, holding no more than that many."""
    import heapq

    from exportctl.jobs import newest_first

    heap: list[tuple[tuple[float, str], int, ExportJob]] = []
    for seq, job in enumerate(jobs):
        key = (job.created.timestamp() if job.created else float("-inf"), job.ref)
        if len(heap) < limit:
            heapq.heappush(heap, (key, seq, job))
        elif key > heap[0][0]:
            heapq.heapreplace(heap, (key, seq, job))
    yield from newest_first([job for _, _, job in heap])


def _flush_stdout() -> None:
    sys.stdout.flush()


def _no_table(jobs: Sequence[ExportJob], fields: tuple[str, ...]) -> None:
    raise AssertionError("streamed output is never a table")
