"""`exportctl backups`: the backups a search job looked at (``ServiceSpec.searches``)."""

from __future__ import annotations

from collections.abc import Sequence
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

    from exportctl.ops.backups import Backup

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
    # failed,stopped as two words, as --service takes a,b (no status holds a comma).
    wanted = {w.strip().upper() for s in statuses for w in s.split(",") if w.strip()}
    # The backups are read as they are iterated: a page refused or Ctrl-C then is
    # a failure of the command as much as one of the search job's read.
    with json_on_failure(out):
        included = app.client.backups(ref, service=service)
        found = [b for b in included if not wanted or b.status.upper() in wanted]
    report = included.report
    search = report.search
    if out.machine and report.final is not True:
        from exportctl.output.backuptable import not_final

        app.notice(f"search job {search.display}: {not_final(report)}")

    def table(items: Sequence[Backup], fields: tuple[str, ...]) -> None:
        from exportctl.output.backuptable import print_backups
        from exportctl.output.console import table_width

        width = table_width(app.out)
        print_backups(
            app.out,
            report,
            items,
            fields,
            width,
            wide=out.wide,
            headers=out.headers,
            filtered=bool(wanted),
        )

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
