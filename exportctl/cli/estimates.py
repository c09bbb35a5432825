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
        self._app = app
        # By service: each may have an endpoint of its own.
        self._scopes: dict[str, str] = {}

    def scope(self, service: str) -> str:
        """The history a job of ``service`` is estimated from (the embedded sandbox is
        one endpoint, whatever port it got)."""
        found = self._scopes.get(service)
        if found is None:
            app = self._app
            found = "sandbox" if app.sandbox else eta.scope(app.jobs.clients, service)
            self._scopes[service] = found
        return found

    def learn(self, jobs: Iterable[ExportJob]) -> None:
        for job in jobs:
            self.history.learn((job,), self.scope(job.service))

    def observe(self, before: ExportJob | None, job: ExportJob) -> None:
        self.history.observe(before, job, self.scope(job.service), now())

    def of(self, job: ExportJob, reference: datetime | None = None) -> eta.Estimate:
        return self.history.estimate(job, self.scope(job.service), reference)

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
