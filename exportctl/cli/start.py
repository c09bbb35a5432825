"""`exportctl start SERVICE`: create an export job, then optionally wait and fetch it."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from exportctl.cli import servicehelp
from exportctl.cli.complete import complete_until
from exportctl.cli.context import AppContext, pass_app
from exportctl.cli.estimates import ETA_FIELDS
from exportctl.cli.examples import epilog
from exportctl.cli.globalopts import GlobalsCommand, GlobalsGroup
from exportctl.cli.options import (
    Folder,
    check_intervals,
    duration_option,
    first_given,
)
from exportctl.cli.output import check_headers, json_on_failure, output_options, print_job_table
from exportctl.cli.startoptions import click_option
from exportctl.cli.stdout import OutputError
from exportctl.cli.suggestions import SuggestingGroup
from exportctl.domain.errors import ExportctlError, Interrupted, UsageError, clip, then
from exportctl.output.outputspec import JOB_DEFAULT_FIELDS, JOB_RECORD_FIELDS, OutputSpec

if TYPE_CHECKING:
    from exportctl.domain.model import ExportJob
    from exportctl.ops.start.request import StartPlan
    from exportctl.ops.start.starter import Started
    from exportctl.services.spec import ServiceSpec

F = TypeVar("F", bound=Callable[..., Any])


def lifecycle_options(fn: F) -> F:
    """What start and rerun share: --dry-run, --wait and its settings, --download."""
    for option in (
        click.option(
            "--download",
            metavar="DEST",
            type=Folder(),
            help="Once the job is COMPLETED, fetch its output into DEST (implies --wait).",
        ),
        duration_option(
            "--max-interval",
            help="Longest delay between checks. Default: 60s, or --interval if longer.",
        ),
        duration_option("--interval", default="5s", help="First delay between checks (--wait)."),
        duration_option(
            "--timeout", help="With --wait: give up after this long (exit 124). Default: no limit."
        ),
        click.option(
            "--until",
            default="COMPLETED",
            show_default=True,
            metavar="STATE",
            shell_complete=complete_until,
            help="With --wait: the state to wait for, as in `exportctl wait`.",
        ),
        click.option(
            "--quiet",
            "-q",
            is_flag=True,
            help="With --wait: no live view; prints only the new job's reference, and the exit "
            "code says how the wait ended.",
        ),
        click.option(
            "--wait",
            "wait_",
            is_flag=True,
            help="Wait for the job as `exportctl wait` does, with its exit codes.",
        ),
        click.option(
            "--dry-run", is_flag=True, help="Print the request that would be sent; send nothing."
        ),
    ):
        fn = option(fn)
    return output_options((*JOB_RECORD_FIELDS, *ETA_FIELDS))(fn)


def _service_command(spec: ServiceSpec) -> click.Command:
    assert spec.create is not None
    queues = spec.create.active_limit is not None

    @lifecycle_options
    @pass_app
    @click.pass_context
    def command(ctx: click.Context, app: AppContext, /, **values: Any) -> None:
        from exportctl.ops.start import request

        launch = _pop_lifecycle(values)
        queue = bool(values.pop("queue", False))
        check_waiting(ctx, launch, queue, queues=queues)
        if app.many_regions:
            raise UsageError(request.one_region())
        region = _region(app)
        # --region given, not a default (the environment's, the profile's, a sandbox's).
        chosen = bool(app.targets.get("region"))
        plan = request.plan(spec, values, region, chosen=chosen)
        ctx.exit(run(app, plan, queue=queue, **launch))

    limit = spec.create.active_limit
    if limit is not None:
        command = queue_option(f"{limit.says}: when no slot is free, wait for one")(command)
    from exportctl.services.forms import start_forms, start_options

    forms = start_forms(spec)
    for option in reversed(start_options(spec)):
        command = click_option(option)(command)
    # A service that starts several kinds of job: each form's call, and what chooses it.
    calls = ", ".join(
        f"{kind.create.operation} with --{by.name}" if by else kind.create.operation
        for kind, by in forms
        if kind.create
    )
    examples = [e for kind, _ in forms if kind.create for e in kind.create.examples]
    return click.command(
        name=spec.name,
        cls=GlobalsCommand,
        help=f"Start an export job of {spec.title} ({calls}).\n\n"
        "Prints the new job's reference (-o json: its record; --fields or -o wide: a "
        "one-row table). Every option is checked "
        "against the service's model before anything is sent. A retried request never "
        "makes a second job.",
        epilog=epilog(*examples) if examples else None,
    )(command)


def queue_option(limit: str) -> Callable[[F], F]:
    """--queue, for services that run so many jobs at once (``limit``, a sentence)."""
    return click.option(
        "--queue",
        is_flag=True,
        help=f"{limit}, then start (checking as --wait does; --timeout bounds the "
        "wait for the slot too).",
    )


class StartGroup(GlobalsGroup, SuggestingGroup):
    """One subcommand per service that can start jobs, built from the adapters' data."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """Examples made of the adapters' service names, so none is written here; only
        when help is asked for, as listing the services imports the adapters."""
        from exportctl.services import all_specs

        startable = [(spec.name, create) for spec in all_specs() if (create := spec.create)]
        # A service that needs no option can be started as written, in the sandbox.
        free = [name for name, create in startable if not any(o.required for o in create.options)]
        examples = [f"exportctl start {startable[0][0]} --help"] if startable else []
        examples += [f"exportctl --sandbox start {name} --dry-run" for name in free[:2]]
        self.epilog = epilog(*examples)
        super().format_epilog(ctx, formatter)

    def list_commands(self, ctx: click.Context) -> list[str]:
        """Every name a service is started by, as -s takes them: Tab offers them all."""
        return servicehelp.start_names()

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        servicehelp.write_start_commands(self, ctx, formatter)

    def find_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        from exportctl.services import all_specs

        for spec in all_specs():
            if spec.create and cmd_name.lower() in (spec.name, *spec.aliases):
                return _service_command(spec)
        return None


@click.group(cls=StartGroup)
def start() -> None:
    """Start an export job: `exportctl start SERVICE --help` lists each service's options.

    --dry-run prints the request and exits 0. --wait waits as `exportctl wait`
    does (same --until, --timeout, exit codes); --download DEST then fetches the
    output as `exportctl download` does.
    """


def _pop_lifecycle(values: dict[str, Any]) -> dict[str, Any]:
    names = (
        "dry_run", "wait_", "until", "timeout", "interval", "max_interval", "download", "out",
        "quiet",
    )  # fmt: skip
    return {name: values.pop(name) for name in names}


def check_waiting(ctx: click.Context, launch: dict[str, Any], queue: bool, *, queues: bool) -> None:
    """Refuse the settings of a wait given to a start that waits for nothing (they
    would be taken and ignored): --until is --wait's or --download's, --timeout and
    the intervals theirs or --queue's (``queues``: the service has a limit of
    active jobs, and so --queue). A dry run is refused alike: it is the check of
    the real run."""
    if not (launch["wait_"] or launch["download"] is not None):
        paced = ("timeout", "interval", "max_interval")
        names = ("until", "timeout", "interval", "max_interval", "quiet")
        option = first_given(ctx, [n for n in names if not (queue and n in paced)])
        if option is not None:
            paces = queues and option[2:].replace("-", "_") in paced
            users = " (or --queue)" if paces else ""
            raise UsageError(
                f"{option} is for --wait or --download{users}: add one, or leave {option} out"
            )
    check_intervals(ctx)


def _region(app: AppContext) -> str | None:
    try:
        return app.client.default_region()
    except UsageError:
        return None


def check_output(out: OutputSpec, *, dry_run: bool, waits: bool) -> None:
    """Refuse the output options a start would take and not honour, before anything
    is read or sent; ``waits``: --wait or --download."""
    if waits:
        from exportctl.cli.wait import check_output as check_waits

        check_waits(out)
    else:
        out.check_fields((*JOB_RECORD_FIELDS, *ETA_FIELDS))
        if not dry_run:
            check_headers(out)
    # The table by default only: -o table given asks for the job's record as one.
    table = out.format == "table" and not first_given(click.get_current_context(), ["output"])
    if dry_run and (
        out.fields or out.query or not out.headers or not (table or out.format == "json")
    ):
        # What it prints is the request, not a job: none of them has a meaning there.
        raise UsageError(
            "--dry-run prints the request as JSON: -o, --fields, --query and "
            "--no-headers are for the job's record; drop them or --dry-run"
        )


def run(
    app: AppContext,
    plan: StartPlan,
    *,
    dry_run: bool,
    wait_: bool,
    until: str,
    timeout: float | None,
    interval: float,
    max_interval: float | None,
    download: Path | None,
    out: OutputSpec,
    queue: bool = False,
    quiet: bool = False,
) -> int:
    """Send the plan (or show it), then wait and fetch as asked; the exit code.

    ``queue``: where the service limits its active jobs and none is free, wait for
    a slot (within ``timeout``, which then bounds the wait for the job too)."""
    check_output(out, dry_run=dry_run, waits=wait_ or download is not None)
    if download is not None:
        from exportctl.ops.download.paths import check_destination

        # Before the job is made and paid for, not once it has run.
        check_destination(download)
    if wait_ or download is not None:
        from exportctl.ops.conditions import parse_until

        # The word the wait would refuse, refused before the job is made and paid
        # for (and by the dry run, which never waits).
        parse_until(until, {plan.spec.name}, app.client.named)
    if dry_run:
        import json

        # Where it goes, settled as for sending it: a dry run refuses what the real run would.
        click.echo(json.dumps(app.client.placed(plan).to_dict(), indent=2))
        return 0
    from exportctl.ops.polling.timing import TIMING

    began = TIMING.clock()
    given = timeout
    with json_on_failure(out):
        started = app.client.submit(
            plan,
            queue=queue,
            timeout=timeout,
            interval=interval,
            max_interval=max_interval,
            on_waiting=lambda holders: _waiting(app, holders),
            # In the words `wait` says its rounds' failures with (--quiet: none).
            on_retrying=None if quiet else lambda said: app.notice(f"retrying after: {said}"),
        )
    if timeout is not None:
        timeout = max(0.0, timeout - (TIMING.clock() - began))
    if wait_ or download is not None:
        from exportctl.cli.wait import wait_for

        if quiet and not (out.machine or out.fields or out.wide):
            # No lines name it: its reference does, as a start without --wait prints it.
            click.echo(started.ref)
        code = wait_for(
            app,
            [(started.ref, started.key)],
            until=until,
            timeout=timeout,
            interval=interval,
            max_interval=max_interval,
            quiet=quiet,
            out=out,
            download=download,
            timeout_given=given,
            known={started.ref: started.known()},
        )
        return int(code)
    job = started.job
    try:
        if out.machine or out.fields or out.wide:
            job = _read(app, out, started)
            _emit(app, out, job)
        else:
            click.echo(started.ref)
        sys.stdout.flush()
    except OutputError:
        # The job is made all the same (a full disk took its line): never unnamed.
        app.notice(f"the job was started: {started.ref}")
        raise
    if job is not None:
        from exportctl.ops import refcache

        refcache.remember_jobs(
            [job],
            app.client.home_region(),
            accounts=app.many_accounts,
            where=app.credentials_named(),
        )
    app.debug_calls()
    return 0


def _read(app: AppContext, out: OutputSpec, started: Started) -> ExportJob:
    """The new job's record. A read that fails (or Ctrl-C during it) leaves the job
    made all the same: what is known of it is printed as its record (state UNKNOWN),
    and stderr names it, never a `null` that would invite a second start."""
    try:
        return app.client.job_of(started)
    except (ExportctlError, KeyboardInterrupt) as exc:
        _emit(app, out, started.known())
        app.notice(f"the job was started: {started.ref}")
        unread = f"the job was started ({started.ref}) but its record was not read"
        if isinstance(exc, ExportctlError):
            exc.reword(then(exc.message, unread))
            raise
        raise Interrupted(unread) from exc


def _emit(app: AppContext, out: OutputSpec, job: ExportJob) -> None:
    from exportctl.cli.estimates import Estimates
    from exportctl.output.formats import emit
    from exportctl.output.outputspec import Records

    estimates = Estimates(app)
    emit(
        out,
        Records(
            [job],
            to_dict=estimates.record,
            table=lambda jobs, fields: print_job_table(app, jobs, out, estimates),
            default_fields=JOB_DEFAULT_FIELDS,
            single=True,
            known_fields=(*JOB_RECORD_FIELDS, *ETA_FIELDS),
        ),
    )


def _waiting(app: AppContext, holders: list[ExportJob]) -> None:
    names = ", ".join(f"{clip(job.ref)} ({clip(job.status)})" for job in holders[:3])
    app.notice(f"waiting for a free slot (--queue): {names} still active")
