"""`exportctl list`: every export job of every service, newest first."""

from __future__ import annotations

from collections.abc import Sequence

import click

from exportctl.cli.context import AppContext, pass_app
from exportctl.cli.options import STATE_NAMES, service_option
from exportctl.cli.output import OutputSpec, emit, output_options
from exportctl.model import ExportJob
from exportctl.render import JOB_FIELDS


def _since(ctx: click.Context, param: click.Parameter, value: str | None) -> object:
    if value is None:
        return None
    from exportctl.timeutil import parse_since

    try:
        return parse_since(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


@click.command("list")
@service_option(multiple=True, help="Only this service (repeatable; default: every service).")
@click.option(
    "--status",
    "states",
    multiple=True,
    type=click.Choice(STATE_NAMES, case_sensitive=False),
    help="Only jobs in this normalised state (repeatable).",
)
@click.option(
    "--since",
    callback=_since,
    metavar="DURATION|DATE",
    help="Only jobs created since then: 2h, 7d, 2026-11-01, 2026-11-01T08:00Z.",
)
@click.option("--limit", type=click.IntRange(min=1), help="At most N jobs (the newest).")
@click.option(
    "--application-id",
    "application_id",
    multiple=True,
    help="Pinpoint: only this application (repeatable; default: every application).",
)
@click.option("--dataset-arn", help="Personalize: only the export jobs of this dataset.")
@click.option("--search-job", help="Backup Search: only the export jobs of this search job.")
@output_options
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
    """
    from datetime import datetime

    from exportctl.jobs import ListQuery
    from exportctl.model import State

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
    result = app.jobs.list(query)
    for notice in result.notices:
        app.notice(notice.message)
    code = app.report(result.failures)

    def table(jobs: Sequence[ExportJob], fields: tuple[str, ...]) -> None:
        from exportctl import render

        if not jobs:
            if not result.failures:
                app.err.print("No export jobs found.", markup=False)
        elif fields:
            app.out.print(render.record_table([j.to_dict() for j in jobs], fields))
        else:
            app.out.print(
                render.jobs_table(jobs, app.jobs.clients.default_region, width=app.out.width)
            )

    emit(out, result.jobs, to_dict=ExportJob.to_dict, table=table, default_fields=JOB_FIELDS)
    app.debug_calls()
    ctx.exit(code)
