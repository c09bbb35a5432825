"""`exportctl wait`: until every job meets a condition, one ends otherwise, or time runs out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from exportctl.cli.complete import complete_ref, complete_until
from exportctl.cli.context import AppContext, pass_app
from exportctl.cli.estimates import ETA_FIELDS
from exportctl.cli.events import exec_option
from exportctl.cli.examples import epilog
from exportctl.cli.options import Folder, check_intervals, duration_option, service_option
from exportctl.cli.output import check_headers, one_per_ref, output_options
from exportctl.cli.servicehelp import DescribedCommand
from exportctl.domain.errors import ExitCode
from exportctl.output.outputspec import JOB_RECORD_FIELDS, OutputSpec

if TYPE_CHECKING:
    from exportctl.domain.model import ExportJob, State
    from exportctl.services.refs import JobKey


def _help_text() -> str:
    from exportctl.cli.servicehelp import in_prose_order, joined
    from exportctl.ops.conditions import NORMALISED, accepted_words, fold

    # Each service's own words of ended jobs (those --until takes besides the states'),
    # and the statuses of running jobs that can no longer end in some states, grouped
    # by the states they rule out, then by service: each said once.
    words: list[tuple[str, str, tuple[str, State]]] = []
    doomed: dict[str, dict[str, list[str]]] = {}
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
            doomed.setdefault(wanted, {}).setdefault(spec.short_title, []).append(status)
    ruled_out = "".join(
        f", or for {wanted}: " + ", ".join(f"{name} {joined(said)}" for name, said in by.items())
        for wanted, by in doomed.items()
    )
    listed = ": " + ", ".join(f"{said} ({name})" for said, name, _ in words) if words else ""
    example = f" ({words[0][2][0]}: {words[0][2][1].value})" if words else ""
    accepted = [w for w in accepted_words() if w in ("terminal", *NORMALISED)]
    accepted[0] += " (default)"
    return f"""Wait until export jobs are COMPLETED (or --until another state).

    The first check is at once, then every --interval, growing by half each round
    up to --max-interval, never past --timeout. Throttling, server and network
    errors are retried; refused credentials end the wait (exit 4).

    --until {", ".join(accepted[:-1])} or {accepted[-1]} (the normalised states;
    terminal: any ended one), or a vendor word{listed}.
    A vendor word means that exact status for jobs of its service and its
    normalised state{example} for jobs of the others. A job that can no longer
    meet the condition (ended otherwise{ruled_out}) ends the wait for it at once.

    Exit codes: 0 every job met the condition; 1 a job ended otherwise or
    disappeared (each is named, with its status and message); 3 a job was not
    found at the first check; 124 --timeout ran out (pending jobs are listed);
    130 interrupted (131 on Ctrl-\\, 143 on SIGTERM, 129 on SIGHUP). With --json,
    one REF prints one object (null if never read), several REFs an array of the
    jobs read, whatever the exit code. With -o ndjson, one line per change as it
    happens, {{"type": ADDED, MODIFIED, ENDED or DELETED, "job": the record}}, for
    `jq` and log shippers. With --fields or -o
    wide, a table of the jobs as last read follows the live view.
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
    shell_complete=complete_until,
    help="COMPLETED, FAILED, CANCELLED, terminal, or a service's own word (ACTIVE, SUCCEEDED, "
    "CREATE FAILED...), any case.",
)
@duration_option(
    "--timeout", help="Give up after this long (exit 124): 90s, 30m, 2h. Default: no limit."
)
@duration_option(
    "--interval", default="5s", help="First delay between checks; it grows by half each round."
)
@duration_option(
    "--max-interval", help="Longest delay between checks. Default: 60s, or --interval if longer."
)
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
    type=Folder(),
    help="Fetch each job's output as soon as it is COMPLETED: into DEST for one job, "
    "into DEST/SERVICE-ID for several.",
)
@exec_option("ends (meets --until, or can no longer)")
@output_options((*JOB_RECORD_FIELDS, *ETA_FIELDS), one_per_ref)
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
    max_interval: float | None,
    quiet: bool,
    download: Path | None,
    exec_command: str | None,
    out: OutputSpec,
) -> None:
    """Wait for export jobs: its help is _help_text's."""
    from exportctl.services import refs as refmod

    check_output(out)
    check_intervals(ctx)
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
        exec_command=exec_command,
    )
    ctx.exit(int(code))


def check_output(out: OutputSpec) -> None:
    """Refuse what the wait would take and not do, before anything is sent."""
    out.check_fields((*JOB_RECORD_FIELDS, *ETA_FIELDS))
    # The live view is for a person watching, not for a script to cut up.
    check_headers(out, " (the final table)")


def wait_for(
    app: AppContext,
    targets: Sequence[tuple[str, JobKey]],
    *,
    until: str,
    timeout: float | None,
    interval: float,
    max_interval: float | None,
    quiet: bool,
    out: OutputSpec,
    download: Path | None = None,
    exec_command: str | None = None,
    single: bool | None = None,
    timeout_given: float | None = None,
    known: Mapping[str, ExportJob] | None = None,
) -> ExitCode:
    """The wait engine as `wait` runs it (also behind `start --wait` and `rerun --wait`).
    ``single``: one object rather than an array with --json (default: one target).
    ``timeout_given``: the --timeout a timeout names, when ``timeout`` is what is left of it.
    ``known``: a job's record as far as it is known (a started one, one sent a cancel),
    by the reference given, printed should it never be read."""
    wait = app.client.waiting(
        targets, until=until, timeout=timeout, interval=interval, max_interval=max_interval
    )
    waiter = wait.waiter
    fetcher = None
    if download is not None:
        from exportctl.cli.fetching import Fetcher
        from exportctl.ops.download.paths import check_destination

        # Before the wait, not once it has ended.
        check_destination(download)

        several = len({t.key for t in wait.order}) > 1
        fetcher = Fetcher(app, download, several=several, quiet=quiet)
    from exportctl.cli.estimates import Estimates

    estimates = Estimates(app)
    from exportctl.cli.events import EventSink
    from exportctl.cli.waitsession import Session
    from exportctl.output.shaping import shaper

    sink = EventSink(
        app,
        lines=out.format == "ndjson",
        exec_command=exec_command,
        ends_on_decision=True,
        record=estimates.record,
        shape=shaper(out) if out.fields or out.query else None,
    )
    session = Session(
        app,
        waiter,
        out,
        quiet=quiet,
        region=app.client.home_region(),
        single=len(targets) == 1 if single is None else single,
        fetcher=fetcher,
        estimates=estimates,
        sink=sink,
        timeout_given=timeout if timeout_given is None else timeout_given,
        known=known,
    )
    code = session.run()
    # Out of time or interrupted, it does not wait for --exec commands still running.
    ended_early = code in (
        ExitCode.TIMEOUT,
        ExitCode.HUNG_UP,
        ExitCode.INTERRUPTED,
        ExitCode.QUIT,
        ExitCode.TERMINATED,
    )
    try:
        sink.finish(0.0 if ended_early else None)
    except KeyboardInterrupt:
        # Ended by a signal while its --exec commands run, every job settled: the
        # queued ones are named, and the records still printed, as when it comes
        # during the wait.
        code = session.interrupted()
        sink.finish(0.0)
    session.records(failed=code != ExitCode.OK)
    estimates.learn(t.job for t in waiter.tracked if t.job is not None)
    estimates.save()
    app.debug_calls()
    if fetcher is not None:
        code = fetcher.exit_code(code)
    return code
