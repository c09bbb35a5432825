"""The estimates one command shows (the API client's :class:`Estimator`), as text."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from exportctl.cli.context import AppContext
from exportctl.domain.model import ExportJob
from exportctl.domain.timeutil import clock_time, local, relative

if TYPE_CHECKING:
    from exportctl.ops.estimates import Estimate, Estimator

ETA_FIELDS = ("eta", "eta_basis")


class Estimates:
    def __init__(self, app: AppContext) -> None:
        self.estimator: Estimator = app.client.estimator()

    def learn(self, jobs: Iterable[ExportJob]) -> None:
        self.estimator.learn(jobs)

    def observe(self, before: ExportJob | None, job: ExportJob) -> None:
        self.estimator.observe(before, job)

    def of(self, job: ExportJob, reference: datetime | None = None) -> Estimate:
        return self.estimator.of(job, reference)

    def record(self, job: ExportJob) -> dict[str, Any]:
        """The job's JSON record with ``eta`` and ``eta_basis``."""
        return self.estimator.record(job)

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
            f"{local(estimate.eta, reference)} ({relative(estimate.eta, reference)}; "
            f"estimate: {estimate.basis})"
        )

    def save(self) -> None:
        self.estimator.save()
