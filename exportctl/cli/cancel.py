"""`exportctl cancel`: stop running export jobs, for the services that have a cancel call."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

from exportctl.cli.complete import refs_where
from exportctl.cli.context import AppContext, pass_app
from exportctl.cli.examples import epilog
from exportctl.cli.options import check_intervals, duration_option, first_given, service_option
from exportctl.cli.output import json_on_failure, one_per_ref, output_options, print_jobs
from exportctl.cli.servicehelp import DescribedCommand
from exportctl.domain.errors import UsageError
from exportctl.domain.model import ExportJob
from exportctl.output.formats import emit
from exportctl.output.outputspec import JOB_DEFAULT_FIELDS, JOB_RECORD_FIELDS, OutputSpec, Records

if TYPE_CHECKING:
    from exportctl.api.errors import ApiError
    from exportctl.services.spec import ServiceSpec


def _help_text() -> str:
    from exportctl.cli.servicehelp import in_prose_order, joined

    able = [spec.short_title for spec in in_prose_order() if spec.cancel is not None]
    unable = [spec.short_title for spec in in_prose_order() if spec.cancel is None]
    can = joined(able) if able else "no service"
    cannot = (
        f" {joined(unable)} {'has' if len(unable) == 1 else 'have'} no cancel call: "
        "a reference to one of their jobs is refused (exit 2) before anything is sent."
        if unable
        else ""
    )
    return f"""Cancel running export jobs, of the services that have a cancel call.

    Those are {can}.{cannot}

    Each job is read first: one that has already ended is named and left alone
    (exit 1; one already CANCELLED is shown, exit 0). Then its service's cancel call
    is sent, and the job is shown as read after it, in its service's word for a
    cancel under way. With --wait, the wait goes on until every job is CANCELLED, as
    `wait --until CANCELLED` would.

    Exit codes: 0 every cancel was sent or under way, or the job already CANCELLED
    (with --wait: every job is CANCELLED); 1 a job had already ended otherwise (with
    --wait: ended otherwise, e.g. COMPLETED before the cancel took); 2 a service
    cannot cancel; 3 a job was not found; 124 --timeout ran out; 130 interrupted.
    """


class CancelCommand(DescribedCommand):
    """Its examples name a service that can cancel, from the specs, when shown."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from exportctl.cli.servicehelp import in_prose_order

        able = [spec.name for spec in in_prose_order() if spec.cancel is not None]
        examples = [
            f"exportctl --sandbox cancel $(exportctl \\\n"
            f"    --sandbox list --service {name} --status running \\\n"
            "    -o text --fields ref)"
            for name in able[:1]
        ]
        examples.append("exportctl cancel --wait --timeout 10m REF")
        self.epilog = epilog(*examples)
        super().format_epilog(ctx, formatter)


def _cancels(spec: ServiceSpec) -> bool:
    """What Tab offers (references, --service names): the services that can cancel;
    the others are taken, to be refused in cancel's own words."""
    return spec.cancel is not None


@click.command(cls=CancelCommand, describe=_help_text)
@click.argument(
    "refs", nargs=-1, required=True, metavar="REF...", shell_complete=refs_where(_cancels)
)
@service_option(
    multiple=False,
    help="Service of bare ids (ARNs and prefixed refs need none).",
    offer=_cancels,
)
@click.option("--wait", "and_wait", is_flag=True, help="Then wait until every job is CANCELLED.")
@duration_option(
    "--timeout", help="With --wait: give up after this long (exit 124). Default: no limit."
)
@duration_option(
    "--interval", default="5s", help="With --wait: first delay between checks; grows by half."
)
@duration_option(
    "--max-interval",
    help="With --wait: longest delay between checks. Default: 60s, or --interval if longer.",
)
@click.option(
    "--quiet", "-q", is_flag=True, help="With --wait: no live view; the exit code speaks."
)
@output_options(JOB_RECORD_FIELDS, one_per_ref)
@pass_app
@click.pass_context
def cancel(
    ctx: click.Context,
    app: AppContext,
    refs: tuple[str, ...],
    service: str | None,
    and_wait: bool,
    timeout: float | None,
    interval: float,
    max_interval: float | None,
    quiet: bool,
    out: OutputSpec,
) -> None:
    """Cancel export jobs: its help is _help_text's."""
    from exportctl.cli.wait import check_output, wait_for
    from exportctl.ops.cancel import CancelInterrupted
    from exportctl.services import refs as refmod

    check_output(out)
    if not and_wait:
        _check_no_wait(ctx)
    check_intervals(ctx)
    # Through the document's writing without --wait: a signal while the error lines
    # go to a slow stderr still leaves the document of nothing, where none was begun.
    with json_on_failure(out, "null" if len(refs) == 1 else "[]", unbegun=True):
        try:
            results = app.client.cancel_many(refs, service=service)
        except CancelInterrupted as exc:
            # The jobs sent a cancel before the signal, or that may have been: the
            # document of nothing would say they were not; the last words name them.
            _print_sent(app, out, list(exc.jobs), refs, 1)
            raise
        if not quiet:
            _say_cancelled(app, results)
        code = app.report([r for r in results if not isinstance(r, ExportJob)])
        jobs = [_sent(r) for r in results]
        sent = [(ref, refmod.parse(ref, service)) for ref, job in zip(refs, jobs, strict=True)
                if job is not None]  # fmt: skip
        # Those whose read after the cancel failed, as read before it.
        unread = {ref: job for ref, r, job in zip(refs, results, jobs, strict=True)
                  if job is not None and not isinstance(r, ExportJob)}  # fmt: skip
        if not (and_wait and sent):
            # Without --wait, or with nothing to wait for: the jobs sent a cancel (none,
            # the document of nothing).
            _print_sent(app, out, [job for job in jobs if job is not None], refs, code)
            ctx.exit(code)
    waited = wait_for(
        app,
        sent,
        until="CANCELLED",
        timeout=timeout,
        interval=interval,
        max_interval=max_interval,
        quiet=quiet,
        out=out,
        # The document's shape is the command line's, not the count of jobs sent a cancel.
        single=len(refs) == 1,
        known=unread,
    )
    ctx.exit(max(code, int(waited)))


def _say_cancelled(app: AppContext, results: Sequence[ExportJob | ApiError]) -> None:
    """The jobs found CANCELLED already: no cancel was needed, and none is an error."""
    from exportctl.domain.errors import clip
    from exportctl.domain.model import State

    for job in results:
        if isinstance(job, ExportJob) and job.state is State.CANCELLED:
            app.notice(f"{clip(job.ref)}: already {job.said_state}: nothing to cancel")


def _sent(result: ExportJob | ApiError) -> ExportJob | None:
    """The job of a cancel that was sent: as read after it, or, where that read
    failed, as read just before it (its error names it, and it had not ended: a job
    that had is named by a cancel refused, never sent)."""
    if isinstance(result, ExportJob):
        return result
    return next((job for job in result.jobs if not job.state.terminal), None)


def _print_sent(
    app: AppContext, out: OutputSpec, jobs: list[ExportJob], refs: tuple[str, ...], code: int
) -> None:
    """The jobs sent a cancel, in the format asked for."""

    def table(found: Sequence[ExportJob], fields: tuple[str, ...]) -> None:
        if found:
            print_jobs(app, found, out, app.client.home_region())

    emit(
        out,
        Records(
            jobs,
            to_dict=ExportJob.to_dict,
            table=table,
            default_fields=JOB_DEFAULT_FIELDS,
            single=len(refs) == 1,
            known_fields=JOB_RECORD_FIELDS,
            failed=lambda: code != 0,
        ),
    )


def _check_no_wait(ctx: click.Context) -> None:
    """The settings of a wait, given to a cancel that waits for nothing, are refused
    before anything is sent, as start refuses them: not taken and ignored."""
    option = first_given(ctx, ("timeout", "interval", "max_interval", "quiet"))
    if option is not None:
        raise UsageError(f"{option} is for --wait: add it, or leave {option} out")
