"""The estimates one command shows, and what it teaches the history
(``exportctl.ops.estimates``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from exportctl.cli.context import AppContext
from exportctl.domain.model import ExportJob
from exportctl.domain.timeutil import clock_time, local, now, relative
from exportctl.ops import estimates as eta

ETA_FIELDS = ("eta", "eta_basis")


class Estimates:
    def __init__(self, app: AppContext) -> None:
        self.history = eta.load()
        settings = app.settings
        # Durations are this account's: one history per profile and endpoint (the
        # embedded sandbox is one endpoint, whatever port it got).
        self.scope = (
            "sandbox" if app.sandbox else f"{settings.profile or ''}|{settings.endpoint_url or ''}"
        )

    def learn(self, jobs: Iterable[ExportJob]) -> None:
        self.history.learn(jobs, self.scope)

    def observe(self, before: ExportJob | None, job: ExportJob) -> None:
        self.history.observe(before, job, self.scope, now())

    def of(self, job: ExportJob, reference: datetime | None = None) -> eta.Estimate:
        return self.history.estimate(job, self.scope, reference)

    def record(self, job: ExportJob) -> dict[str, Any]:
        """The job's JSON record with ``eta`` and ``eta_basis``."""
        return {**job.to_dict(), **self.of(job).to_dict()}

    def short(self, job: ExportJob, reference: datetime | None = None) -> str:
        """``eta ~14:32 (estimate)`` for a table cell (``~Dec 10 07:02`` on another
        day); '' without an estimate."""
        estimate = self.of(job, reference)
        if estimate.eta is None:
            return ""
        return f"eta ~{clock_time(estimate.eta, reference)} (estimate)"

    def long(self, job: ExportJob, reference: datetime | None = None) -> str:
        """For a panel: when, how far off, and on what basis; '' without one."""
        estimate = self.of(job, reference)
        if estimate.basis is None:
            return ""
        if estimate.eta is None:
            return f"none ({estimate.basis})"
        return (
            f"{local(estimate.eta)} ({relative(estimate.eta, reference)}; "
            f"estimate: {estimate.basis})"
        )

    def save(self) -> None:
        eta.save(self.history)
