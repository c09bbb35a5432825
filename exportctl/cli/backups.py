"""`exportctl backups`: the backups a search job looked at (``ServiceSpec.searches``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import click

from exportctl.cli.complete import refs_of
from exportctl.cli.context import AppContext, pass_app
from exportctl.cli.examples import epilog
from exportctl.cli.options import service_option
from exportctl.cli.output import json_on_failure, output_options
from exportctl.cli.servicehelp import DescribedCommand
from exportctl.domain.errors import quoted
from exportctl.output.formats import emit
from exportctl.output.outputspec import OutputSpec, Records

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem
    from rich.console import RenderableType

    from exportctl.ops.backups import Backup, SearchReport

STATUS_STYLES = {
    "COMPLETED": "green",
    "RUNNING": "cyan",
    "STOPPING": "yellow",
    "STOPPED": "bold yellow",
    "FAILED": "bold red",
}
# The names of a backup record (exportctl.ops.backups.RECORD_FIELDS; a test checks).
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


def _statuses() -> tuple[str, ...]:
    """The statuses of a backup its service reports: offered by completion; --status
    takes any word, since a status AWS adds later is shown as it is."""
    from exportctl.services import search_spec

    spec = search_spec()
    return spec.searches.backup_statuses if spec and spec.searches else ()


def _service() -> str | None:
    from exportctl.services import search_spec

    spec = search_spec()
    return spec.name if spec else None


def _complete_status(
    ctx: click.Context, param: click.Parameter, incomplete: str
) -> list[CompletionItem]:
    from exportctl.cli.complete import listed

    # After a comma too, as the other options taking a,b complete.
    return listed(_statuses(), incomplete.upper())


class _StatusWords(click.ParamType[str]):
    """A --status value: words, a,b; none at all (an unset "$WANT" in a script, or
    ",") is refused, since every backup shown instead would pass for the filtered."""

    name = "word"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and not any(w.strip() for w in value.split(",")):
            self.fail(f"{quoted(value)} names no status", param, ctx)
        return value


class _StatusOption(click.Option):
    """--status, whose help names the statuses the service reports."""

    @property
    def help(self) -> str | None:
        return (
            "Only backups in this status, any word, any case (repeatable, or a,b): "
            f"{', '.join(_statuses())}, or another the service reports."
        )

    @help.setter
    def help(self, value: str | None) -> None:
        # click sets the help it was given: there is none, the property makes it.
        pass


def _help_text() -> str:
    from exportctl.cli.servicehelp import backups_summary, joined
    from exportctl.ops.backups import SEARCH_PREFIX
    from exportctl.services import search_spec

    spec = search_spec()
    if spec is None or spec.searches is None:
        return f"{backups_summary()}\n\nNo service has search jobs."
    arn = spec.searches.arn
    return f"""{backups_summary()}

    REF is a search result export job (ARN, {spec.prefix or spec.name}:[REGION:]ID, or an id)
    or its search job (arn:aws:{arn.service}:REGION:ACCOUNT:{arn.resource}/ID or
    {SEARCH_PREFIX}:[REGION:]ID). A bare id is tried as an export job, then as a
    search job.

    {joined(spec.searches.problem_statuses)} backups were not searched: their messages
    say why a search did not show an expected backup.

    The search job's status, message and how far it got come first: until
    it is {spec.searches.final} the list is not final. With --json the document is
    an object: {{"search_job": {{...}}, "final": true|false, "backups": [...]}}.
    """


def _service_help() -> str:
    return f"Service of a bare id: {_service() or 'none'} (the only one)."


@click.command(
    cls=DescribedCommand,
    describe=_help_text,
    epilog=epilog(
        "exportctl --sandbox backups \\\n    a7cff00d-796c-4541-a335-b400141212b6",
        "exportctl --sandbox backups --status failed -o json \\\n"
        "    a7cff00d-796c-4541-a335-b400141212b6",
    ),
)
@click.argument("ref", metavar="REF", shell_complete=refs_of(_service))
@click.option(
    "--status",
    "statuses",
    cls=_StatusOption,
    type=_StatusWords(),
    multiple=True,
    metavar="WORD",
    shell_complete=_complete_status,
)
@service_option(multiple=False, only=_service, help=_service_help)
@output_options(BACKUP_RECORD_FIELDS)
@pass_app
def backups(
    app: AppContext,
    ref: str,
    statuses: tuple[str, ...],
    service: str | None,
    out: OutputSpec,
) -> None:
    """Show a search job's backups: its help is _help_text's."""
    from exportctl.ops import backups as core

    out.check_fields(core.RECORD_FIELDS)
    with json_on_failure(out):
        included = app.client.backups(ref, service=service)
    report = included.report
    search = report.search
    # failed,stopped as two words, as --service takes a,b (no status holds a comma).
    wanted = {w.strip().upper() for s in statuses for w in s.split(",") if w.strip()}
    found = [b for b in included if not wanted or b.status.upper() in wanted]
    if out.machine and report.final is not True:
        app.notice(f"search job {search.display}: {_not_final(report)}")

    def table(items: Sequence[Backup], fields: tuple[str, ...]) -> None:
        from exportctl.output import recordtable
        from exportctl.output.console import table_width

        _header(app, report)
        if fields:
            app.out.print(
                recordtable.record_table([b.to_dict() for b in items], fields, headers=out.headers),
                soft_wrap=True,
            )
        elif items:
            app.out.print(_table(items, out, table_width(app.out)), soft_wrap=True)
        _explain(app, search.display, items, filtered=bool(wanted))

    emit(
        out,
        Records(
            found,
            to_dict=lambda b: b.to_dict(),
            table=table,
            default_fields=core.DEFAULT_FIELDS,
            known_fields=core.RECORD_FIELDS,
            document=report.to_dict,
        ),
    )
    app.debug_calls()


def _not_final(report: SearchReport) -> str:
    """Why the list of backups is not (or may not be) final."""
    job = report.job
    if job is None:
        return f"status unknown ({report.unread}); this list may not be final"
    if job.status in ("RUNNING", "STOPPING"):
        return f"the search is {job.status}: this list is not final yet"
    return (
        f"the search is {job.status or 'without a status'}, not COMPLETED: "
        "backups it did not reach are not listed"
    )


def _header(app: AppContext, report: SearchReport) -> None:
    """The search job above its backups: status, progress, message, and whether it is done."""
    from exportctl.domain.timeutil import local, relative

    job = report.job
    title = report.search.display + (f" ({job.name})" if job and job.name else "")
    lines = [f"Search job {title}: {job.status if job else 'status unknown'}"]
    if job is not None:
        when = job.completed or job.created
        if when is not None:
            verb = "completed" if job.completed else "created"
            lines.append(f"  {verb} {local(when)} ({relative(when)})")
        progress = _progress(job.progress, job.scope_summary)
        if progress:
            lines.append(f"  progress: {progress}")
        if job.status_message:
            lines.append(f"  message: {' '.join(job.status_message.split())}")
    if report.final is not True:
        lines.append(f"  not final: {_not_final(report)}")
    for line in lines:
        style = "bold" if line is lines[0] else ("yellow" if "not final:" in line else "")
        app.out.print(line, style=style, markup=False, soft_wrap=True)


def _progress(progress: Mapping[str, Any], scope: Mapping[str, Any]) -> str:
    def count(done: Any, total: Any, what: str) -> str | None:
        if done is None:
            return None
        return f"{done:,} of {total:,} {what}" if total is not None else f"{done:,} {what}"

    parts = [
        count(
            progress.get("recovery_points_scanned_count"),
            scope.get("total_recovery_points_to_scan_count"),
            "backups scanned",
        ),
        count(
            progress.get("items_scanned_count"),
            scope.get("total_items_to_scan_count"),
            "items scanned",
        ),
        count(progress.get("items_matched_count"), None, "items matched"),
    ]
    return ", ".join(p for p in parts if p)


def _table(items: Sequence[Backup], out: OutputSpec, width: int | None) -> RenderableType:
    from exportctl.domain.timeutil import local
    from exportctl.output.columns import Column, Step, choose
    from exportctl.output.styledlines import Lines, styled_lines

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
    from exportctl.ops.backups import summary

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
