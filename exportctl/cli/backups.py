"""`exportctl backups`: the backups a Backup Search search job looked at."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from exportctl.cli.complete import complete_ref
from exportctl.cli.context import AppContext, pass_app
from exportctl.cli.options import service_option
from exportctl.cli.output import OutputSpec, emit, output_options

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem
    from rich.console import RenderableType

    from exportctl.backups import Backup

# Kept here rather than imported, so --help does not load the adapters. Offered by
# completion; --status takes any word, since a status AWS adds later is shown as it is.
BACKUP_STATUSES = ("RUNNING", "COMPLETED", "STOPPING", "STOPPED", "FAILED")
STATUS_STYLES = {
    "COMPLETED": "green",
    "RUNNING": "cyan",
    "STOPPING": "yellow",
    "STOPPED": "bold yellow",
    "FAILED": "bold red",
}
# The names of a backup record (exportctl.backups.RECORD_FIELDS; a test checks).
BACKUP_RECORD_FIELDS = (
    "status",
    "resource_type",
    "backup_resource_arn",
    "source_resource_arn",
    "backup_creation_time",
    "index_creation_time",
    "status_message",
    "search_job_arn",
)


def _complete_status(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    from click.shell_completion import CompletionItem

    return [CompletionItem(s) for s in BACKUP_STATUSES if s.startswith(incomplete.upper())]


@click.command()
@click.argument("ref", metavar="REF", shell_complete=complete_ref)
@click.option(
    "--status",
    "statuses",
    multiple=True,
    metavar="WORD",
    shell_complete=_complete_status,
    help="Only backups in this status, any word, any case (repeatable): "
    + ", ".join(BACKUP_STATUSES)
    + ", or another the service reports.",
)
@service_option(
    multiple=False, only="backupsearch", help="Service of a bare id: backupsearch (the only one)."
)
@output_options(BACKUP_RECORD_FIELDS)
@pass_app
def backups(
    app: AppContext,
    ref: str,
    statuses: tuple[str, ...],
    service: str | None,
    out: OutputSpec,
) -> None:
    """Show every backup a Backup Search search job included, and how each went.

    REF is a search result export job (ARN, backupsearch:[REGION:]ID, or an id)
    or its search job (arn:aws:backup-search:REGION:ACCOUNT:search-job/ID or
    search-job:[REGION:]ID). A bare id is tried as an export job, then as a
    search job.

    FAILED and STOPPED backups were not searched: their messages say why a
    search did not show an expected backup.
    """
    from exportctl import backups as core

    out.check_fields(core.RECORD_FIELDS)
    reader = core.SearchBackups(app.jobs)
    search = reader.resolve(core.parse_search_ref(ref, service))
    wanted = {s.strip().upper() for s in statuses}
    found = [b for b in reader.iter_backups(search) if not wanted or b.status.upper() in wanted]

    def table(items: Sequence[Backup], fields: tuple[str, ...]) -> None:
        from exportctl import render
        from exportctl.console import table_width

        if fields:
            app.out.print(
                render.record_table([b.to_dict() for b in items], fields, headers=out.headers),
                soft_wrap=True,
            )
        elif items:
            app.out.print(_table(items, out, table_width(app.out)), soft_wrap=True)
        _explain(app, search.display, items, filtered=bool(wanted))

    emit(
        out,
        found,
        to_dict=lambda b: b.to_dict(),
        table=table,
        default_fields=core.DEFAULT_FIELDS,
        known_fields=core.RECORD_FIELDS,
    )
    app.debug_calls()


def _table(items: Sequence[Backup], out: OutputSpec, width: int | None) -> RenderableType:
    from exportctl.columns import Column, Step, choose
    from exportctl.render import Lines, styled_lines
    from exportctl.timeutil import local

    columns = [
        Column("STATUS", [b.status for b in items]),
        Column("TYPE", [b.resource_type or "" for b in items]),
        Column("BACKUP", [b.backup_resource_arn or "" for b in items]),
        Column("SOURCE", [b.source_resource_arn or "" for b in items]),
        Column(
            "BACKED UP",
            [local(b.backup_creation_time) if b.backup_creation_time else "" for b in items],
        ),
        Column(
            "INDEXED",
            [local(b.index_creation_time) if b.index_creation_time else "" for b in items],
        ),
    ]
    if out.wide:
        # Elsewhere the messages are printed in full below the table, where they have room.
        messages = [" ".join((b.status_message or "").split()) for b in items]
        columns.append(Column("MESSAGE", messages, always=False))
    # The ARNs are never cut: they are what people copy.
    steps = [Step("drop", n) for n in ("INDEXED", "TYPE", "BACKED UP", "SOURCE")]
    layout = choose(columns, None if out.wide else width, steps, key="BACKUP", wide=out.wide)
    styles = {"STATUS": [STATUS_STYLES.get(b.status, "magenta") for b in items]}
    return Lines(list(styled_lines(layout, len(items), styles, headers=out.headers)))


def _explain(app: AppContext, search: str, items: Sequence[Backup], *, filtered: bool) -> None:
    """The counts by status, then each backup that was not searched, and why."""
    from exportctl.backups import summary

    counts = summary(list(items))
    word = "backup" if len(items) == 1 else "backups"
    parts = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    scope = " matching --status" if filtered else ""
    app.out.print(
        f"{len(items)} {word}{scope} in search job {search}" + (f": {parts}" if parts else ""),
        markup=False,
        soft_wrap=True,
    )
    problems = [b for b in items if b.problem]
    notes = [b for b in items if not b.problem and b.status_message]
    for title, rows in (("Not searched:", problems), ("Messages:", notes)):
        if rows:
            app.out.print(title, style="bold", markup=False)
        for b in rows:
            app.out.print(
                f"  {b.status} {b.backup_resource_arn or '?'}: {b.status_message or 'no message'}",
                style=STATUS_STYLES.get(b.status, "") if b.problem else "",
                markup=False,
                soft_wrap=True,
            )
