"""What an operation handler gets: the world, the clock, the caller's region, the model."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from botocore.model import ServiceModel

from exportctl.sandbox import paging
from exportctl.sandbox.clock import SandboxClock
from exportctl.sandbox.downloads import render_url
from exportctl.sandbox.errors import ServiceErrors
from exportctl.sandbox.jobs import At, DownloadUrl, Job
from exportctl.sandbox.registry import Registry


@functools.lru_cache(maxsize=256)
def _members(model: ServiceModel, shape_name: str) -> frozenset[str]:
    # botocore builds a new Shape, members and all, on every shape_for call.
    return frozenset(model.shape_for(shape_name).members)


@dataclass
class Context:
    scenario: Registry
    clock: SandboxClock
    elapsed: float
    region: str
    base_url: str
    page_cap: int | None
    errors: ServiceErrors
    model: ServiceModel
    # See Faults.listing_lag.
    listing_lag: float = 0.0
    # What the service's downloads are named after the job id (``Download.suffix``).
    download_suffix: str = ""

    def listed(self, jobs: list[Job]) -> list[Job]:
        """What a listing shows of ``jobs``: those created at least ``listing_lag`` ago."""
        if self.listing_lag <= 0:
            return jobs
        horizon = self.elapsed - self.listing_lag
        return [job for job in jobs if job.created <= horizon]

    def render(self, value: Any, iso: bool = False) -> Any:
        """Resolve scenario placeholders; keys starting with ``_`` stay inside the sandbox."""
        if isinstance(value, At):
            epoch = self.clock.to_epoch(value.seconds)
            if iso:
                stamp = datetime.fromtimestamp(epoch, timezone.utc)
                return stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")
            return epoch
        if isinstance(value, DownloadUrl):
            return render_url(value, self.base_url, self.download_suffix)
        if isinstance(value, dict):
            return {k: self.render(v, iso) for k, v in value.items() if not str(k).startswith("_")}
        if isinstance(value, list):
            return [self.render(v, iso) for v in value]
        return value

    def view(self, job: Job, status_key: str, iso: bool = False) -> dict[str, Any]:
        status, fields = job.state(self.elapsed)
        data = {**job.attrs, **fields, status_key: status}
        rendered: dict[str, Any] = self.render(data, iso)
        return rendered

    def pick(self, shape_name: str, data: dict[str, Any]) -> dict[str, Any]:
        members = _members(self.model, shape_name)
        return {k: v for k, v in data.items() if k in members}

    def page(
        self, items: list[Any], token: str | None, size: int | None, scope: str
    ) -> tuple[list[Any], str | None]:
        return paging.page(items, token, size, self.page_cap, scope, self.errors.invalid_token)
