"""`exportctl rerun REF`: a new job with a finished job's parameters."""

from __future__ import annotations

from pathlib import Path

import click

from exportctl.cli.complete import complete_ref
from exportctl.cli.context import AppContext, pass_app
from exportctl.cli.examples import epilog
from exportctl.cli.options import service_option
from exportctl.cli.output import OutputSpec
from exportctl.cli.start import lifecycle_options


@click.command(
    epilog=epilog(
        "exportctl --sandbox rerun --dry-run $(exportctl \\\n"
        "    --sandbox list --status failed --limit 1 \\\n"
        "    -o text --fields ref)",
        "exportctl rerun --dry-run --sandbox $(exportctl \\\n"
        "    list --sandbox --status failed --limit 1 \\\n"
        "    -o text --fields ref) --region us-east-1",
    )
)
@click.argument("ref", metavar="REF", shell_complete=complete_ref)
@service_option(multiple=False, help="Service of a bare id (ARNs and prefixed refs need none).")
@lifecycle_options
@pass_app
@click.pass_context
def rerun(
    ctx: click.Context,
    app: AppContext,
    ref: str,
    service: str | None,
    dry_run: bool,
    wait_: bool,
    until: str,
    timeout: float | None,
    interval: float,
    max_interval: float,
    download: Path | None,
    out: OutputSpec,
) -> None:
    """Start a new export job with the parameters of job REF (typically one that failed).

    Reused: Personalize dataset, output path, role, ingestion mode, KMS key;
    Backup Search search job and destination; Pinpoint application, segment and
    version, destination, role; Discovery time range. The new job gets a fresh
    name (Personalize) or client token (Backup Search). Discovery does not report
    an export's agent filter, so a rerun exports every agent's data in that range.

    --dry-run, --wait, --download as for `exportctl start`.
    """
    from exportctl import refs as refmod
    from exportctl import starts
    from exportctl.cli.start import run
    from exportctl.errors import UsageError

    key = refmod.parse(ref, service)
    spec = starts.creatable(key.service)
    job = app.jobs.get(key)
    if not job.terminal:
        raise UsageError(
            f"{job.ref} is {job.state.value} ({job.status}): rerun a job once it has finished"
        )
    plan = starts.plan(spec, starts.values_of(spec, job), job.region)
    ctx.exit(
        run(
            app,
            plan,
            dry_run=dry_run,
            wait_=wait_,
            until=until,
            timeout=timeout,
            interval=interval,
            max_interval=max_interval,
            download=download,
            out=out,
        )
    )
