"""What a wait knows of each job it waits on, and how the wait ended."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING

from exportctl.domain.errors import ExitCode, ExportctlError
from exportctl.domain.model import ExportJob

if TYPE_CHECKING:
    from exportctl.services.refs import JobKey


class Outcome(str, enum.Enum):
    PENDING = "pending"
    MET = "met"
    # Ended in a terminal state that is not the one waited for.
    MISSED = "missed"
    # Seen once, then no longer found.
    GONE = "gone"
    # Not found at the first check.
    NOT_FOUND = "not found"


@dataclass
class Tracked:
    """One job being waited on: the reference as given, and what is known of it."""

    ref: str
    key: JobKey
    job: ExportJob | None = None
    outcome: Outcome = Outcome.PENDING
    error: ExportctlError | None = None
    # Clock time of the last change of status, for "how long in this state".
    since: float | None = None
    # Broken answers about it in a row, since its last good one.
    broken: int = 0

    @property
    def decided(self) -> bool:
        return self.outcome is not Outcome.PENDING

    @property
    def label(self) -> str:
        return self.job.ref if self.job else self.ref


@dataclass
class WaitResult:
    tracked: list[Tracked]
    timed_out: bool
    rounds: int

    @property
    def exit_code(self) -> ExitCode:
        if self.timed_out:
            return ExitCode.TIMEOUT
        codes = {
            Outcome.MET: ExitCode.OK,
            Outcome.MISSED: ExitCode.JOB_FAILED,
            Outcome.GONE: ExitCode.JOB_FAILED,
            Outcome.NOT_FOUND: ExitCode.NOT_FOUND,
            Outcome.PENDING: ExitCode.TIMEOUT,
        }
        # A job not found where an account refused the service may be there: that
        # error's code (4), as `status` gives it.
        return max(
            (
                max(codes[t.outcome], t.error.exit_code)
                if t.outcome is Outcome.NOT_FOUND and t.error is not None
                else codes[t.outcome]
                for t in self.tracked
            ),
            default=ExitCode.OK,
        )
