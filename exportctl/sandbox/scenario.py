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
from collections.abc import Mapping
from typing import Any

from exportctl.sandbox.catalog import BY_NAME, GROWN_LAST, ROUNDS
from exportctl.sandbox.jobs import (
    ACCOUNT,
    HOME_REGION,
    REGIONS,
    At,
    DownloadUrl,
    Job,
    OutputLocation,
    Phase,
)
from exportctl.sandbox.registry import Registry

__all__ = [
    "ACCOUNT",
    "HOME_REGION",
    "REGIONS",
    "At",
    "DownloadUrl",
    "Job",
    "OutputLocation",
    "Phase",
    "Scenario",
]

log = logging.getLogger(__name__)


class Scenario(Registry):
    """The seeded world: every service's jobs, and where completed ones put their output.

    ``scale`` holds the counts of generated jobs by their keyword (``Bulk.keyword``
    of a service's record)."""

    def __init__(
        self,
        seed: int = 7,
        *,
        account: str = ACCOUNT,
        regions: tuple[str, ...] = REGIONS,
        home_region: str | None = HOME_REGION,
        scale: Mapping[str, int | None] | None = None,
    ) -> None:
        super().__init__(
            seed,
            account=account,
            primary=regions[0] if regions else "",
            home_region=home_region,
        )
        scale = scale or {}
        grown = {world.bulk.keyword for round_ in ROUNDS for world in round_ if world.bulk}
        unknown = sorted(set(scale) - grown)
        if unknown:
            raise TypeError(f"unknown scale keywords {unknown}; expected some of {sorted(grown)}")
        # In the catalog's order, which the ids depend on (see catalog.py).
        for round_ in ROUNDS:
            home = round_[0].home_only
            places = ((home_region,) if home_region else ()) if home else regions
            for region in places:
                for world in round_:
                    world.populate(self, region)
            for world in round_:
                count = scale.get(world.bulk.keyword) if world.bulk else None
                if world.bulk and world.bulk.first and count and places:
                    world.bulk.grow(self, places[0] if home else self.primary, count)
        # Last, so that the seeded jobs keep the ids they have without them.
        for world in GROWN_LAST:
            count = scale.get(world.bulk.keyword) if world.bulk else None
            if world.bulk and count and regions:
                world.bulk.grow(self, self.primary, count)

    def output_locations(self, elapsed: float, base_url: str) -> list[OutputLocation]:
        out = []
        for job in self.jobs:
            world = BY_NAME.get(job.service)
            if job.deleted or world is None or job.kind not in world.output_kinds:
                continue
            status, fields = job.state(elapsed)
            if status != world.completed:
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
        output_uri = BY_NAME[job.service].output_uri
        return output_uri(job, fields, base_url) if output_uri else ""
