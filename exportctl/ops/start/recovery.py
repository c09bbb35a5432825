"""Finding the job an earlier attempt of a start may have made, whose answer was lost:
by its name, or in the listing; and, when it cannot be found, how a user finds it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

from exportctl.domain.errors import ExportctlError, NotFoundError, of_service, raise_said
from exportctl.domain.model import ExportJob, State
from exportctl.domain.naming import Commanded, command
from exportctl.domain.timeutil import now
from exportctl.ops.start.outcomes import not_found_named
from exportctl.ops.start.request import StartPlan, token_shown
from exportctl.services import engine as eng
from exportctl.services.refs import JobKey

if TYPE_CHECKING:
    from exportctl.ops.jobs import Jobs

Sleep = Callable[[float], None]

# How far back the listing is read for jobs that may be ours (clock skew included).
LISTING_WINDOW = timedelta(minutes=15)
# A job created this long before the command started may still be its own (the
# service's clock and this machine's may differ); one created earlier never is.
CLOCK_SKEW = timedelta(minutes=1)
# After an attempt whose outcome is unknown, the listing is read at these delays
# (60 s in all) before the create is sent again: a listing can lag behind a create.
LOOKS = (0.0, 2.0, 4.0, 8.0, 16.0, 30.0)


@dataclass
class Run:
    """One start: the plan, where it is sent, and what its attempts left behind."""

    plan: StartPlan
    region: str
    began: datetime
    # The refs of the jobs with the plan's parameters before the first attempt.
    before: set[str] = field(default_factory=set)
    # A create is on the wire: a signal now leaves its outcome unknown.
    in_flight: bool = False
    # An attempt may have made the job (its outcome is unknown, or it answered).
    maybe_made: bool = False
    # The attempts whose outcome is unknown (since the last look that found nothing):
    # the job found is one of theirs, which one the notice of its recovery says.
    lost: list[int] = field(default_factory=list)
    # How far the service's clock is ahead of this machine's (behind: negative), as
    # the Date of its last answer read here said; None before one was read.
    offset: timedelta | None = None


class Finder:
    """Looks for the job one start's attempts may have made."""

    def __init__(self, jobs: Jobs, run: Run, sleep: Sleep) -> None:
        self.jobs = jobs
        self.run = run
        self.sleep = sleep

    def note_before(self) -> None:
        """The jobs with the plan's parameters already there: none of them is ours."""
        self.run.before = {job.ref for job in self.listed()}

    def named(self, delays: tuple[float, ...]) -> ExportJob | None:
        """The job holding this plan's name, read once per delay until it is found."""
        for delay in delays:
            if delay:
                self.sleep(delay)
            try:
                return self.jobs.get(_named_key(self.run.plan, self.run.region))
            except NotFoundError:
                continue
            except ExportctlError:
                if delay == delays[-1]:
                    return None
        return None

    def look(self, delays: tuple[float, ...]) -> ExportJob | None:
        """The job an earlier attempt made, looked for once per delay: by its name, or
        in the listing (a job with this plan's parameters, created since the command
        started, that was not there before)."""
        run = self.run
        create = run.plan.create
        if create.name:
            job = self.named(delays)
            return job if job is not None and self.is_ours(job) else None
        if create.idempotency == "token":
            return self._by_token(delays)
        listed: list[ExportJob] = []
        for delay in delays:
            if delay:
                self.sleep(delay)
            # A service that tells no creation time (EC2's instance exports): what was
            # not there before the first attempt is new.
            listed = self.listed()
            found = [
                job
                for job in listed
                if job.ref not in run.before and (job.created is None or self.is_recent(job))
            ]
            if found:
                return min(found, key=lambda j: j.created or now())
        # None is this command's: the next attempt's job is none of them either.
        run.before |= {job.ref for job in listed}
        return None

    def _by_token(self, delays: tuple[float, ...]) -> ExportJob | None:
        """The job whose record shows this plan's client token; None at once where
        the service's records never show it (nothing could match)."""
        plan = self.run.plan
        shown = token_shown(plan.spec)
        if shown is None or plan.create.token is None:
            return None
        token = plan.request[plan.create.token]
        for delay in delays:
            if delay:
                self.sleep(delay)
            try:
                listed = self.listed()
            except ExportctlError:
                # A look that cannot read is no answer: the create's own error stands.
                continue
            found = [job for job in listed if job.details.get(shown) == token]
            if found:
                return found[0]
        return None

    def is_ours(self, job: ExportJob) -> bool:
        plan = self.run.plan
        return self.is_recent(job) and eng.matches(plan.create, plan.values, job.to_dict())

    def is_recent(self, job: ExportJob) -> bool:
        # Only a job created since the command started can be its own.
        if job.created is None:
            # Services that stamp a job's time when it starts leave a job that has
            # not started yet without one: as new as a job can be, not an old one.
            return job.state is State.PENDING
        # The command's start on the service's clock, where its answers told it: a
        # machine minutes fast would otherwise take its own job for an older one.
        began = self.run.began + (self.run.offset or timedelta(0))
        return job.created >= began - CLOCK_SKEW

    def listed(self) -> list[ExportJob]:
        """Recent jobs in the listing with this plan's parameters."""
        plan, region = self.run.plan, self.run.region
        create = plan.create
        scope = create.listing_scope(plan.request) if create.listing_scope else {}
        since = now() - LISTING_WINDOW
        found: list[ExportJob] = []
        spec = plan.spec
        caller = self.jobs.caller(spec, region)

        def call(operation: str, params: dict[str, Any]) -> dict[str, Any]:
            response = caller(operation, params)
            said = service_time(response)
            if said is not None:
                self.run.offset = said - now()
            return response

        def walk() -> None:
            for raw in eng.list_raw(spec, call, scope):
                job = eng.normalise(spec, raw, region)
                if job.created is not None and job.created < since:
                    continue
                if eng.matches(create, plan.values, job.to_dict()):
                    found.append(job)

        try:
            walk()
        except ExportctlError as exc:
            # Pinpoint's jobs are its application's: a listing that finds no
            # application says which option named it.
            said = of_service(exc, spec, self.jobs.clients.named_for(spec.client))
            named = not_found_named(plan, said, spec.list.operation, scope)
            raise_said(named, exc)
        return found


def service_time(response: Any) -> datetime | None:
    """The time the service said it answered (its HTTP Date), in UTC; None unsaid."""
    meta = response.get("ResponseMetadata") if isinstance(response, dict) else None
    headers = meta.get("HTTPHeaders") if isinstance(meta, dict) else None
    said = headers.get("date") if isinstance(headers, dict) else None
    if not isinstance(said, str):
        return None
    try:
        when = parsedate_to_datetime(said)
    except (TypeError, ValueError):
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=timezone.utc)


def whereabouts(run: Run, commanded: Commanded = command) -> str:
    """How to find the job an attempt may have made; ``commanded``: how the caller's
    user runs a command (the region is the advice's own)."""
    plan, region = run.plan, run.region
    spec, create = plan.spec, plan.create
    listing = commanded(f"list -s {spec.name} --region {region} --since 1h")
    if create.name:
        # The name makes its reference: status reads it, where a listing would be searched.
        ref = eng.key_ref(spec, _named_key(plan, region), region)
        return f"it is named {plan.request[create.name]!r}: {commanded(f'status {ref}')}"
    if create.token:
        token = plan.request[create.token]
        shown = token_shown(spec)
        if shown is not None:
            mine = f"the one whose client token (details.{shown}) is {token}"
            return f"look for {mine}: {listing} -o json"
        # Sent, but in no record the service gives back: the parameters are what show.
        return (
            f"look for a job with these parameters (its client token, {token}, is in "
            f"no record the service gives): {listing}"
        )
    return f"look for a job with these parameters: {listing}"


def _named_key(plan: StartPlan, region: str) -> JobKey:
    create = plan.create
    assert create.name is not None
    name = str(plan.request[create.name])
    arn = create.arn_of(plan.request) if create.arn_of else None
    return JobKey(plan.spec.name, name, region, arn=arn)
