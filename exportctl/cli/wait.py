"""`exportctl wait`: until every job meets a condition, one ends otherwise, or time runs out."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from exportctl.cli.complete import complete_ref
from exportctl.cli.context import AppContext, pass_app
from exportctl.cli.estimates import ETA_FIELDS
from exportctl.cli.examples import epilog
from exportctl.cli.options import duration_option, service_option
from exportctl.cli.output import output_options
from exportctl.cli.servicehelp import DescribedCommand
from exportctl.domain.errors import ExitCode, ExportctlError
from exportctl.domain.model import ExportJob
from exportctl.output.formats import emit
from exportctl.output.outputspec import JOB_DEFAULT_FIELDS, JOB_RECORD_FIELDS, OutputSpec, Records

if TYPE_CHECKING:
    from exportctl.cli.estimates import Estimates
    from exportctl.cli.fetching import Fetcher
    from exportctl.ops.polling.events import Event
    from exportctl.ops.polling.outcome import Tracked, WaitResult
    from exportctl.ops.polling.waiter import Waiter
    from exportctl.services.refs import JobKey


def _help_text() -> str:
    from exportctl.cli.servicehelp import in_prose_order
    from exportctl.ops.conditions import NORMALISED, fold

    # Each service's own words of ended jobs (those --until takes besides the states'),
    # and the statuses of running jobs that can no longer end in some states.
    words, doomed = [], []
    for spec in in_prose_order():
        own = [
            (status, state)
            for status, state in {**spec.documented_statuses, **spec.statuses}.items()
            if state.terminal and fold(status) not in NORMALISED
        ]
        if own:
            words.append((", ".join(status for status, _ in own), spec.short_title, own[0]))
        for status, states in spec.doomed.items():
            wanted = " or ".join(sorted(state.value for state in states))
            doomed.append(f", or {spec.short_title} {status} for {wanted}")
    listed = ": " + ", ".join(f"{said} ({name})" for said, name, _ in words) if words else ""
    example = f" ({words[0][2][0]}: {words[0][2][1].value})" if words else ""
    return f"""Wait until export jobs are COMPLETED (or --until another state).

    The first check is at once, then every --interval, growing by half each round
    up to --max-interval, never past --timeout. Throttling, server and network
    errors are retried; refused credentials end the wait (exit 4).

    --until COMPLETED (default), FAILED, terminal (either), or a vendor word{listed}.
    A vendor word means that exact status for jobs of its service and its
    normalised state{example} for jobs of the others. A job that can no longer
    meet the condition (ended otherwise{"".join(doomed)}) ends the wait for it at once.

    Exit codes: 0 every job met the condition; 1 a job ended otherwise or
    disappeared (each is named, with its status and message); 3 a job was not
    found at the first check; 124 --timeout ran out (pending jobs are listed);
    130 interrupted (143 on SIGTERM). With --json, one REF prints one object (null if never
    read), several REFs an array of the jobs read, whatever the exit code. With
    --fields or -o wide, a table of the jobs as last read follows the live view.
    """


@click.command(
    cls=DescribedCommand,
    describe=_help_text,
    epilog=epilog(
        "exportctl --sandbox wait --timeout 5m \\\n"
        "    $(exportctl --sandbox list --status completed \\\n"
        "    -o text --fields ref)",
        "exportctl --sandbox wait --until terminal -q \\\n"
        "    $(exportctl --sandbox list --status failed \\\n"
        "    -o text --fields ref)",
    ),
)
@click.argument("refs", nargs=-1, required=True, metavar="REF...", shell_complete=complete_ref)
@service_option(multiple=False, help="Service of bare ids (ARNs and prefixed refs need none).")
@click.option(
    "--until",
    default="COMPLETED",
    show_default=True,
    metavar="STATE",
    help="COMPLETED, FAILED, terminal, or a service's own word (ACTIVE, SUCCEEDED, "
    "CREATE FAILED...), any case.",
)
@duration_option(
    "--timeout", help="Give up after this long (exit 124): 90s, 30m, 2h. Default: no limit."
)
@duration_option(
    "--interval", default="5s", help="First delay between checks; it grows by half each round."
)
@duration_option("--max-interval", default="60s", help="Longest delay between checks.")
@click.option(
    "--quiet",
    "-q",
    is_flag=True,
    help="No progress and no messages: the exit code speaks (--json still prints records, "
    "--fields and -o wide their table).",
)
@click.option(
    "--download",
    metavar="DEST",
    type=click.Path(path_type=Path),
    help="Fetch each job's output as soon as it is COMPLETED: into DEST for one job, "
    "into DEST/SERVICE-ID for several.",
)
@output_options((*JOB_RECORD_FIELDS, *ETA_FIELDS))
@pass_app
@click.pass_context
def wait(
    ctx: click.Context,
    app: AppContext,
    refs: tuple[str, ...],
    service: str | None,
    until: str,
    timeout: float | None,
    interval: float,
    max_interval: float,
    quiet: bool,
    download: Path | None,
    out: OutputSpec,
) -> None:
    """Wait for export jobs: its help is _help_text's."""
    from exportctl.services import refs as refmod

    check_output(out)
    parsed = [refmod.parse(ref, service) for ref in refs]
    code = wait_for(
        app,
        list(zip(refs, parsed, strict=True)),
        until=until,
        timeout=timeout,
        interval=interval,
        max_interval=max_interval,
        quiet=quiet,
        out=out,
        download=download,
    )
    ctx.exit(int(code))


def check_output(out: OutputSpec) -> None:
    """Refuse what the wait would take and not do, before anything is sent."""
    from exportctl.domain.errors import UsageError

    out.check_fields((*JOB_RECORD_FIELDS, *ETA_FIELDS))
    if not (out.machine or out.fields or out.wide or out.headers):
        # The live view is for a person watching, not for a script to cut up.
        raise UsageError(
            "--no-headers is for tables of records: add --fields or -o wide "
            "(the final table), or use -o csv"
        )


def wait_for(
    app: AppContext,
    targets: Sequence[tuple[str, JobKey]],
    *,
    until: str,
    timeout: float | None,
    interval: float,
    max_interval: float,
    quiet: bool,
    out: OutputSpec,
    download: Path | None = None,
) -> ExitCode:
    """The wait engine as `wait` runs it (also behind `start --wait` and `rerun --wait`)."""
    from exportctl.ops import conditions
    from exportctl.ops.polling.schedule import Backoff
    from exportctl.ops.polling.timing import TIMING
    from exportctl.ops.polling.waiter import Waiter

    if max_interval < interval:
        max_interval = interval
    refs = [ref for ref, _ in targets]
    condition = conditions.parse_until(until, {k.service for _, k in targets})
    region = app.jobs.clients.default_region
    # In its region, a job named twice in two forms (with and without it) is one job;
    # over several regions, a job named without one is looked for in each.
    keys = [key if app.many_regions else key.in_region(region) for _, key in targets]
    waiter = Waiter(
        app.jobs,
        list(zip(refs, keys, strict=True)),
        condition,
        backoff=Backoff(interval=interval, cap=max_interval),
        timeout=timeout,
        clock=TIMING.clock,
        sleep=TIMING.sleep,
        rng=TIMING.rng(),
    )
    fetcher = None
    if download is not None:
        from exportctl.cli.fetching import Fetcher

        fetcher = Fetcher(app, download, several=len(set(keys)) > 1, quiet=quiet)
    from exportctl.cli.estimates import Estimates

    estimates = Estimates(app)
    session = _Session(
        app,
        waiter,
        out,
        quiet=quiet,
        region=app.jobs.clients.home_region,
        single=len(refs) == 1,
        fetcher=fetcher,
        estimates=estimates,
    )
    code = session.run()
    session.records()
    estimates.learn(t.job for t in waiter.tracked if t.job is not None)
    estimates.save()
    app.debug_calls()
    if fetcher is not None:
        code = fetcher.exit_code(code)
    return code


class _Session:
    """Shows one wait as it goes, and its outcome."""

    def __init__(
        self,
        app: AppContext,
        waiter: Waiter,
        out: OutputSpec,
        *,
        quiet: bool,
        region: str | None,
        single: bool,
        fetcher: Fetcher | None = None,
        estimates: Estimates | None = None,
    ) -> None:
        self.fetcher = fetcher
        self.estimates = estimates
        self.app = app
        self.waiter = waiter
        self.out = out
        self.quiet = quiet
        # The region the references it prints may leave out.
        self.region = region
        self.single = single
        self._printed = False

    def run(self) -> ExitCode:
        from exportctl.output.live import Display, WaitView

        app = self.app
        eta = self.estimates.short if self.estimates else None
        view = (
            None
            if self.quiet or self.out.machine
            else WaitView(self.waiter, self.region, eta, accounts=app.many_accounts)
        )
        console = app.err if self.out.machine else app.out
        display = Display(console, view, self.region, eta)

        def on_event(event: Event) -> None:
            tracked = event.tracked
            if event.kind == "changed" and tracked and tracked.job and self.estimates:
                self.estimates.observe(event.before, tracked.job)
            if event.kind == "round":
                if app.debug:
                    summary = ", ".join(
                        f"{s}.{op}={n}" for (s, op), n in sorted(event.calls.items())
                    )
                    app.err.print(
                        f"exportctl: debug: round {self.waiter.rounds}: API calls: "
                        f"{summary or 'none'}",
                        markup=False,
                        soft_wrap=True,
                    )
                return
            if self.fetcher is not None and event.kind == "met" and event.tracked:
                # Fetched now, while the other jobs are still running.
                if not self.quiet:
                    display.event(event)
                self.fetcher.fetch(event.tracked, display)
                return
            if self.quiet:
                return
            if event.kind == "retrying":
                # On a terminal the live view shows it below the table while it lasts.
                if event.message and not display.is_live:
                    app.notice(f"retrying after: {event.message}")
                return
            display.event(event)

        self.waiter.on_event = on_event
        try:
            with display:
                result = self.waiter.run()
        except KeyboardInterrupt:
            from exportctl.ops import interrupts

            self._pending(interrupts.word(), self.waiter.pending)
            return ExitCode(interrupts.exit_code())
        except ExportctlError:
            # stdout stays valid JSON whatever ends the wait.
            self.records()
            raise
        self._report(result)
        return result.exit_code

    def records(self) -> None:
        """The jobs as last read: in the chosen format, or for people the table
        --fields or -o wide asks for (the live view is the plain table's)."""
        if self._printed:
            return
        self._printed = True
        jobs = [t.job for t in self.waiter.tracked if t.job is not None]
        if not self.out.machine:
            if jobs and (self.out.fields or self.out.wide):
                from exportctl.cli.estimates import Estimates
                from exportctl.cli.output import print_job_table

                estimates = self.estimates or Estimates(self.app)
                print_job_table(self.app, jobs, self.out, estimates)
            return
        emit(
            self.out,
            Records(
                jobs,
                to_dict=self.estimates.record if self.estimates else ExportJob.to_dict,
                table=_no_table,
                default_fields=JOB_DEFAULT_FIELDS,
                single=self.single,
                known_fields=(*JOB_RECORD_FIELDS, *ETA_FIELDS),
            ),
        )
        if jobs:
            from exportctl.ops import refcache

            refcache.remember_jobs(jobs, self.region)

    def _report(self, result: WaitResult) -> None:
        from exportctl.ops.polling.outcome import Outcome

        if self.quiet:
            return
        for tracked in result.tracked:
            if tracked.outcome in (Outcome.MISSED, Outcome.GONE, Outcome.NOT_FOUND):
                self.app.error(_why(tracked, self.waiter.until.describe()))
        if result.timed_out:
            from exportctl.domain.timeutil import human_duration

            after = human_duration(self.waiter.timeout or 0)
            self._pending(f"timed out after {after}", self.waiter.pending)
        elif result.exit_code == ExitCode.OK and not self.out.machine:
            count = len(result.tracked)
            noun = "job" if count == 1 else "jobs"
            word = self.waiter.until.describe()
            outcome = word if word in ("COMPLETED", "FAILED") else f"met --until {word}"
            self.app.out.print(f"{count} {noun} {outcome}", markup=False, soft_wrap=True)

    def _pending(self, what: str, pending: Sequence[Tracked]) -> None:
        if self.quiet:
            return
        names = "; ".join(_now(t) for t in pending) or "none"
        self.app.error(f"{what}; still pending: {names}")


def _now(tracked: Tracked) -> str:
    job = tracked.job
    if job is None:
        return f"{tracked.label} (not read yet)"
    status = f" ({job.status})" if job.status != job.state.value else ""
    return f"{tracked.label} {job.state.value}{status}"


def _why(tracked: Tracked, wanted: str) -> str:
    from exportctl.ops.polling.outcome import Outcome

    job = tracked.job
    if tracked.outcome is Outcome.NOT_FOUND:
        return f"{tracked.ref}: not found: {tracked.error.message if tracked.error else ''}"
    if tracked.outcome is Outcome.GONE:
        return f"{tracked.label}: disappeared while waiting for {wanted}"
    assert job is not None
    message = f": {' '.join(job.message.split())}" if job.message else ""
    if not job.terminal:
        return f"{job.ref}: {job.state.value} ({job.status}) can no longer be {wanted}{message}"
    return f"{job.ref}: ended {job.state.value} ({job.status}), not {wanted}{message}"


def _no_table(jobs: Sequence[ExportJob], fields: tuple[str, ...]) -> None:
    raise AssertionError("wait prints no table of records")
