"""`exportctl rerun REF`: a new job with a finished job's parameters."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from exportctl.cli.complete import complete_ref
from exportctl.cli.context import AppContext, pass_app
from exportctl.cli.examples import epilog
from exportctl.cli.options import service_option
from exportctl.cli.output import json_on_failure
from exportctl.cli.servicehelp import DescribedCommand, joined
from exportctl.cli.start import lifecycle_options, queue_option
from exportctl.output.outputspec import OutputSpec

if TYPE_CHECKING:
    from exportctl.domain.errors import ConflictError
    from exportctl.services.spec import ServiceSpec

# What a rerun's new job gets afresh, by how its service tells a retried create
# apart (``Create.idempotency``), in the order the help names them.
_FRESH = {"name": "name", "token": "client token"}
_FRESH_ORDER = ("name", "token", "listing")


def _help_text() -> str:
    from exportctl.cli.servicehelp import in_prose_order, jobs_named

    # Each kind of job a service starts (``ServiceSpec.kinds``) has its own create,
    # and is named apart by its create's label, as README.md names it.
    creates = [
        (name, kind.create)
        for spec in in_prose_order()
        for name, kind in jobs_named(spec)
        if kind.create
    ]
    said = [f"Reused: {'; '.join(create.reused for _, create in creates if create.reused)}."]
    # Grouped by how a retry is told apart, in the order the sentence on fresh names
    # and tokens names them; kinds alike in that, in the help's order of services.
    groups: dict[str, list[str]] = {}
    for name, create in sorted(creates, key=lambda p: _FRESH_ORDER.index(p[1].idempotency)):
        if create.idempotency in _FRESH:
            groups.setdefault(_FRESH[create.idempotency], []).append(name)
    if groups:
        fresh = " or ".join(f"{word} ({', '.join(names)})" for word, names in groups.items())
        said.append(f"The new job gets a fresh {fresh}.")
    said.extend(create.not_reused for _, create in creates if create.not_reused)
    return f"""Start a new export job with the parameters of job REF (typically one that failed).

    {" ".join(said)}

    --dry-run, --wait, --download as for `exportctl start`.
    """


@click.command(
    cls=DescribedCommand,
    describe=_help_text,
    epilog=epilog(
        "exportctl --sandbox rerun --dry-run $(exportctl \\\n"
        "    --sandbox list --status failed --limit 1 \\\n"
        "    -o text --fields ref)",
        "exportctl rerun --dry-run --sandbox $(exportctl \\\n"
        "    list --sandbox --status failed --limit 1 \\\n"
        "    -o text --fields ref) --region us-east-1",
    ),
)
@click.argument("ref", metavar="REF", shell_complete=complete_ref)
@service_option(multiple=False, help="Service of a bare id (ARNs and prefixed refs need none).")
@queue_option(
    "Where the job's service runs only so many jobs at once: when no slot is free, wait for one"
)
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
    max_interval: float | None,
    download: Path | None,
    out: OutputSpec,
    queue: bool,
    quiet: bool,
) -> None:
    """Rerun a finished job: its help is _help_text's."""
    from exportctl.cli.start import check_output, check_waiting, run

    # Before the job is read: what would not be honoured is refused first.
    check_output(out, dry_run=dry_run, waits=wait_ or download is not None)
    launch = {"wait_": wait_, "download": download, "dry_run": dry_run}
    check_waiting(ctx, launch, queue, queues=_queues(ref, service))
    if download is not None:
        from exportctl.ops.download.paths import check_destination

        # A DEST that cannot take the files is said before the job is read, as start
        # says it before the job is made.
        check_destination(download)
    with json_on_failure(out):
        plan = app.client.plan_rerun(ref, service=service)
        if queue and plan.create.active_limit is None:
            # start offers --queue only where a slot can be full; taken here, it would
            # wait for nothing and let --timeout bound nothing. Found in the job read.
            raise _unqueued(plan.spec)
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
            queue=queue,
            quiet=quiet,
        )
    )


def _unqueued(spec: ServiceSpec) -> ConflictError:
    """--queue for a rerun of a service whose active jobs exportctl does not count:
    what queues instead, and the service's limit where it has one (said when met)."""
    from exportctl.domain.errors import ConflictError
    from exportctl.services import all_specs

    create = spec.create
    limits = sorted(set(create.quotas.values())) if create else []
    said = f" ({limits[0]}: a create that meets it is refused after one call)" if limits else ""
    queuing = [s.title for s in all_specs() if s.create and s.create.active_limit is not None]
    return ConflictError(
        f"--queue: {spec.title} has no slot exportctl counts and waits for{said}; only the "
        f"jobs of {joined(queuing)} queue",
        "leave --queue out",
    )


def _queues(ref: str, service: str | None) -> bool:
    """Whether the service of the job ``ref`` names limits its active jobs (--queue
    has a meaning), told from the reference alone, before anything is read."""
    from exportctl.domain.errors import UsageError
    from exportctl.services import refs as refmod
    from exportctl.services import spec_for

    try:
        create = spec_for(refmod.parse(ref, service).service).create
    except UsageError:
        # The reference's own error is said where it is read.
        return True
    return create is not None and create.active_limit is not None
