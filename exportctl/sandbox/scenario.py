"""The seeded world the sandbox serves: jobs of every service it emulates, in two regions.

Times are scenario seconds relative to server start (negative = before it).
A job is a list of phases; the phase in force is the last one whose start is
not after the clock, so some jobs finish while a session is running:

====================  ==========================================================
Backup Search         export ``RUNNING`` -> ``COMPLETED`` at +30 s, another
                      ``RUNNING`` -> ``FAILED`` at +50 s, search job
                      ``RUNNING`` -> ``COMPLETED`` at +45 s (us-east-1)
Pinpoint              ``PROCESSING`` 3/12 -> 12/12 ``COMPLETING`` +30 s ->
                      ``COMPLETED`` +40 s; ``CREATED`` -> ... -> ``COMPLETED`` +60 s;
                      ``FAILING`` -> ``FAILED`` +35 s (us-east-1, app exportctl-demo)
Personalize           ``CREATE PENDING`` -> ``CREATE IN_PROGRESS`` +20 s ->
                      ``ACTIVE`` +60 s; ``CREATE IN_PROGRESS`` -> ``ACTIVE`` +30 s
Discovery             ``IN_PROGRESS`` -> ``SUCCEEDED`` +25 s (us-east-1 only)
EC2                   image export ``active`` -> ``completed`` +40 s, instance export
                      ``active`` -> ``completed`` +30 s (both regions); see world/ec2.py
RDS                   ``IN_PROGRESS`` 40 % -> ``COMPLETE`` +60 s (cluster export,
                      us-east-1); ``STARTING`` -> ``IN_PROGRESS`` +260 s -> ``COMPLETE``
                      +860 s; eu-west-1 ``IN_PROGRESS`` -> ``COMPLETE`` +20 min;
                      see world/rds.py
====================  ==========================================================
"""

from __future__ import annotations

import logging
from typing import Any

from exportctl.sandbox.downloads import export_archive, render_url
from exportctl.sandbox.jobs import (
    ACCOUNT,
    COMPLETED_STATUS,
    HOME_REGION,
    REGIONS,
    At,
    DownloadUrl,
    Job,
    OutputLocation,
    Phase,
)
from exportctl.sandbox.registry import Registry
from exportctl.sandbox.world import (
    backupsearch,
    discovery,
    dynamodb,
    ec2,
    logs,
    personalize,
    pinpoint,
    rds,
)

__all__ = [
    "ACCOUNT",
    "COMPLETED_STATUS",
    "HOME_REGION",
    "REGIONS",
    "At",
    "DownloadUrl",
    "Job",
    "OutputLocation",
    "Phase",
    "Scenario",
    "export_archive",
    "render_url",
]

log = logging.getLogger(__name__)


class Scenario(Registry):
    """The seeded world: every service's jobs, and where completed ones put their output."""

    def __init__(
        self,
        seed: int = 7,
        discovery_tasks: int | None = None,
        logs_tasks: int | None = None,
        rds_tasks: int | None = None,
        ec2_tasks: int | None = None,
        *,
        account: str = ACCOUNT,
        regions: tuple[str, ...] = REGIONS,
        home_region: str | None = HOME_REGION,
    ) -> None:
        super().__init__(
            seed,
            account=account,
            primary=regions[0] if regions else "",
            home_region=home_region,
        )
        for region in regions:
            backupsearch.populate(self, region)
            pinpoint.populate(self, region)
            personalize.populate(self, region)
        if home_region:
            discovery.populate(self)
            if discovery_tasks:
                discovery.populate_bulk(self, discovery_tasks)
        for region in regions:
            ec2.populate(self, region)
        for region in regions:
            rds.populate(self, region)
        for region in regions:
            dynamodb.populate(self, region)
            logs.populate(self, region)
        # Last, so that the seeded jobs keep the ids they have without them.
        if logs_tasks and regions:
            logs.populate_bulk(self, self.primary, logs_tasks)
        if rds_tasks and regions:
            rds.populate_bulk(self, self.primary, rds_tasks)
        if ec2_tasks and regions:
            ec2.populate_bulk(self, self.primary, ec2_tasks)

    def output_locations(self, elapsed: float, base_url: str) -> list[OutputLocation]:
        out = []
        for job in self.jobs:
            kinds = ("export", "dataset-export-job", "export-task", *ec2.OUTPUT_KINDS)
            if job.deleted or job.kind not in kinds:
                continue
            status, fields = job.state(elapsed)
            if status != COMPLETED_STATUS[job.service]:
                continue
            try:
                uri = self._uri(job, fields, base_url)
            except (KeyError, TypeError, ValueError):
                # A job whose request names its output oddly has none: one job never
                # stops the sandbox answering for every other.
                log.exception("sandbox: no output for %s job %s", job.service, job.id)
                continue
            out.append(OutputLocation(job.service, job.region, job.id, uri))
        return out

    @staticmethod
    def _uri(job: Job, fields: dict[str, Any], base_url: str) -> str:
        if isinstance(job.attrs.get("_output_uri"), str):
            return str(job.attrs["_output_uri"])
        if job.service == "backupsearch":
            spec = job.attrs["ExportSpecification"]["s3ExportSpecification"]
            return f"s3://{spec['DestinationBucket']}/{spec.get('DestinationPrefix') or ''}"
        if job.service == "pinpoint":
            return str(job.attrs["Definition"]["S3UrlPrefix"])
        if job.service == "ec2":
            return ec2.output_uri(job)
        if job.service == "rds":
            return rds.output_uri(job)
        if job.service == "personalize":
            return str(job.attrs["jobOutput"]["s3DataDestination"]["path"])
        url = fields.get("configurationsDownloadUrl")
        return render_url(url, base_url) if isinstance(url, DownloadUrl) else ""
