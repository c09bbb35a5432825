"""What one COMPLETED export job wrote, fetched: from S3 (under a prefix, or as its
manifest lists) or from its URL."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from exportctl.domain.errors import ConflictError, NotFoundError
from exportctl.domain.printable import inline
from exportctl.ops.download.files import remove_stale_parts
from exportctl.ops.download.manifest import plan_manifest
from exportctl.ops.download.paths import check_destination
from exportctl.ops.download.pool import CONCURRENCY, FetchOne, run
from exportctl.ops.download.records import Reporter, Summary, total_size
from exportctl.ops.download.s3 import plan_s3, s3_fetcher
from exportctl.ops.download.url import fetch_url
from exportctl.services.forms import Named, flag, switch
from exportctl.services.locations import ManifestLocation, UrlLocation

if TYPE_CHECKING:
    from exportctl.aws.clients import Clients
    from exportctl.domain.model import ExportJob


def fetch_job(
    clients: Clients,
    job: ExportJob,
    destination: Path,
    reporter: Reporter,
    *,
    force: bool = False,
    dry_run: bool = False,
    concurrency: int = CONCURRENCY,
    named: Named = flag,
) -> Summary:
    """Fetch what a COMPLETED export job wrote; ``named``: how the caller's user
    gives an option (``--force``, the API's ``force=True``), in messages."""
    from exportctl.services.locations import default_dirname, output_of

    location = output_of(job)
    if not dry_run:
        remove_stale_parts(destination)
    if isinstance(location, UrlLocation):
        name = location.filename or f"{default_dirname(job)}.zip"
        direct = clients.settings.direct
        return fetch_url(
            location,
            destination,
            name,
            reporter,
            force=force,
            dry_run=dry_run,
            direct=direct,
            named=named,
        )
    # The client of the job's region: botocore follows S3's redirect when the bucket
    # is elsewhere. botocore's own errors: S3's are said with the location (s3_error).
    client = clients.client("s3", job.region).bare
    check_destination(destination)
    fetch_one: FetchOne
    if isinstance(location, ManifestLocation):
        plan, fetch_one = plan_manifest(client, location, destination, force=force, named=named)
    else:
        plan = plan_s3(client, location, destination, force=force, named=named)
        fetch_one = s3_fetcher(client, location, named)
    if not plan.fetch and not plan.present and not plan.conflicts:
        raise NotFoundError(f"S3: no objects of {job.ref} under {inline(location.uri)}")
    if plan.conflicts:
        first, others = inline(str(plan.conflicts[0].path)), len(plan.conflicts) - 1
        said = (
            f"{first} and {others} more already exist and differ"
            if others
            else f"{first} already exists and differs"
        )
        raise ConflictError(
            f"{said} from {inline(location.uri)}",
            f"pass {switch(named, 'force')} to replace {'them' if others else 'it'}",
        )
    if dry_run:
        summary = Summary(plan.source, destination, dry_run=True)
        summary.files = len(plan.fetch)
        summary.bytes = total_size(plan.fetch)
        summary.skipped = len(plan.present)
        summary.skipped_bytes = sum(i.size or 0 for i in plan.present)
        summary.paths = sorted(i.rel for i in plan.fetch)
        return summary
    return run(plan, fetch_one, reporter, concurrency=concurrency)
