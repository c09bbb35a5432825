"""`exportctl status`: one or more jobs by reference."""

from __future__ import annotations

from collections.abc import Sequence

import click

from exportctl.cli.complete import complete_ref
from exportctl.cli.context import AppContext, one_shot, pass_app
from exportctl.cli.estimates import ETA_FIELDS, Estimates
from exportctl.cli.examples import epilog
from exportctl.cli.globalopts import GlobalsCommand
from exportctl.cli.options import service_option
from exportctl.cli.output import (
    check_headers,
    json_on_failure,
    one_per_ref,
    output_options,
    print_job_table,
)
from exportctl.domain.model import ExportJob
from exportctl.output.formats import emit
from exportctl.output.outputspec import JOB_DEFAULT_FIELDS, JOB_RECORD_FIELDS, OutputSpec, Records


@click.command(
    cls=GlobalsCommand,
    epilog=epilog(
        "exportctl --sandbox status $(exportctl --sandbox \\\n"
        "    list --status failed -o text --fields ref)",
        "exportctl --sandbox status --json $(exportctl \\\n"
        "    --sandbox list --limit 2 -o text --fields ref)",
    ),
)
@click.argument("refs", nargs=-1, required=True, metavar="REF...", shell_complete=complete_ref)
@service_option(multiple=False, help="Service of bare ids (ARNs and prefixed refs need none).")
@output_options((*JOB_RECORD_FIELDS, *ETA_FIELDS), one_per_ref)
@pass_app
@click.pass_context
def status(
    ctx: click.Context, app: AppContext, refs: tuple[str, ...], service: str | None, out: OutputSpec
) -> None:
    """Show export jobs by reference: an ARN, a compact ref from `list`, or an id.

    With --json, one REF prints one object (null if it could not be read) and
    several REFs print an array of the jobs found; errors go to stderr.
    """
    out.check_fields((*JOB_RECORD_FIELDS, *ETA_FIELDS))
    check_headers(out)
    one_shot()

    def table(found: Sequence[ExportJob], fields: tuple[str, ...]) -> None:
        from exportctl.output import jobpanel

        if not found:
            return
        if fields or out.wide:
            print_job_table(app, found, out, estimates)
        else:
            jobpanel.print_panels(app.out, found, eta=estimates.long)
            from exportctl.services import search_spec

            searched = search_spec()
            for job in found:
                if searched is not None and job.service == searched.name:
                    # An export job of a search's results: why the search missed a
                    # backup is in its backups (`backups`), not in the export job. Run
                    # as printed, it reads where this command did (--sandbox, --profile).
                    backups = app.client.commanded(f"backups {job.ref}")
                    app.out.print(
                        f"Backups its search included: {backups}",
                        markup=False,
                        soft_wrap=True,
                    )

    # Through the document's writing: a signal while the error lines go to a slow
    # stderr, or while the estimates are read, still leaves the document of nothing.
    with json_on_failure(out, "null" if len(refs) == 1 else "[]"):
        results = app.client.get_many(refs, service=service)
        jobs = [r for r in results if isinstance(r, ExportJob)]
        code = app.report([r for r in results if not isinstance(r, ExportJob)])
        estimates = Estimates(app)
        estimates.learn(jobs)
        emit(
            out,
            Records(
                jobs,
                to_dict=estimates.record,
                table=table,
                default_fields=JOB_DEFAULT_FIELDS,
                single=len(refs) == 1,
                known_fields=(*JOB_RECORD_FIELDS, *ETA_FIELDS),
                failed=lambda: code != 0,
            ),
        )
    estimates.save()
    if jobs:
        from exportctl.ops import refcache

        refcache.remember_jobs(
            jobs,
            app.client.home_region(),
            accounts=app.many_accounts,
            where=app.credentials_named(),
        )
    app.debug_calls()
    ctx.exit(code)
