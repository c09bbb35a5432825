"""The create sent exactly once: retried with backoff, each attempt whose outcome is
unknown followed by a look for the job it may have made."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from exportctl.aws.translate import answer_of
from exportctl.aws.usersettings import asked_attempts
from exportctl.domain.errors import (
    AwsError,
    BrokenAnswerError,
    ConflictError,
    ExportctlError,
    Interrupted,
    UsageError,
    of_service,
    raise_said,
    then,
)
from exportctl.domain.model import ExportJob, State
from exportctl.domain.naming import Commanded, command
from exportctl.domain.timeutil import now
from exportctl.ops.polling.events import Told
from exportctl.ops.polling.timing import interruptible_sleep
from exportctl.ops.start.outcomes import failed, given_up, name_taken, outcome_of
from exportctl.ops.start.recovery import LOOKS, Finder, Run, Sleep, whereabouts
from exportctl.ops.start.request import StartPlan
from exportctl.ops.start.slots import (
    Queue,
    Stopped,
    out_of_time,
    refused,
    stoppable,
    take_slot,
)
from exportctl.services import engine as eng
from exportctl.services.forms import Named, flag
from exportctl.services.refs import JobKey

if TYPE_CHECKING:
    from exportctl.ops.jobs import Jobs

# Attempts of a create where the user asks for none (AWS_MAX_ATTEMPTS, max_attempts).
ATTEMPTS = 10


@dataclass(frozen=True)
class Started:
    key: JobKey
    ref: str
    # The new job as the create answer described it, when it did (Pinpoint).
    job: ExportJob | None
    attempts: int
    # An earlier attempt's outcome was unknown and the job it made was found.
    recovered: bool = False
    # The attempts (counted from 1) whose outcome was unknown, one of which made it.
    lost: tuple[int, ...] = ()

    def recovery(self) -> str:
        """What the notice of a recovered job says of the attempts that may have made it."""
        made = "this is the job it made"
        if not self.lost:
            return f"an earlier attempt's answer was lost; {made}"
        if len(self.lost) == 1:
            return f"the {_ordinal(self.lost[0])} attempt's answer was lost; {made}"
        *most, last = (_ordinal(n) for n in self.lost)
        return (
            f"the answers of the {', '.join(most)} and {last} attempts were lost; "
            "this is the job one of them made"
        )

    def known(self) -> ExportJob:
        """The new job as far as it is known without reading it: the create's answer
        where it described the job, else its reference and what that names, in the
        state UNKNOWN (a record for a caller whose read of the job failed)."""
        if self.job is not None:
            return self.job
        key = self.key
        arn = key.arn
        account = key.account or (arn.split(":")[4] if arn and arn.count(":") >= 5 else None)
        return ExportJob(
            service=key.service,
            ref=self.ref,
            id=key.id,
            region=key.region or "",
            state=State.UNKNOWN,
            status="",
            arn=arn,
            account=account or None,
        )


class Starter:
    """Sends one plan's create, retrying it without ever making two jobs.

    Whatever ends the command after an attempt that may have made the job (an
    error, the retries used up, Ctrl-C), its last words say how to find that job.
    ``attempts``: the user's max attempts by default, else :data:`ATTEMPTS`;
    ``on_retry`` is told why before each retry, once while a failure lasts (as `wait`
    tells its rounds').
    """

    def __init__(
        self,
        jobs: Jobs,
        *,
        attempts: int | None = None,
        sleep: Sleep = interruptible_sleep,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.monotonic,
        queue: Queue | None = None,
        account: str | None = None,
        named: Named = flag,
        stop: threading.Event | None = None,
        commanded: Commanded = command,
        on_retry: Callable[[str], None] | None = None,
        closed: Callable[[], str | None] | None = None,
    ) -> None:
        self.jobs = jobs
        # What the caller's client says once closed (from another thread), None before:
        # its clients then refuse every call, and this start ends saying why.
        self.closed = closed
        # How the caller's user runs a command, in the advice that finds a job or
        # cancels the one holding a slot.
        self.commanded = commanded
        # Set from another thread when the caller is gone (an event loop's cancelled
        # task): the queue stops between its polls, and no create is sent after.
        self.stop = stop
        # How the caller's user gives an option, in messages (``request.plan``'s).
        self.named = named
        # The account the job is started in, of several: the slots' holders name it.
        self.account = account
        # Where the service limits its active jobs: wait for a slot instead of failing.
        self.queue = queue
        self.attempts = attempts
        self.sleep = stoppable(sleep, stop)
        self.rng = rng or random.Random()
        self.clock = clock
        self.on_retry = on_retry

    def start(self, plan: StartPlan) -> Started:
        """The job ``plan`` made: made now, or by an earlier start of the same plan."""
        with plan.made.lock:
            if isinstance(plan.made.started, Started):
                return plan.made.started
            started = self._start(plan)
            plan.made.started = started
            return started

    def _start(self, plan: StartPlan) -> Started:
        run = Run(plan, plan.region or self.jobs.clients.default_region, now())
        try:
            return self._attempts(run, Finder(self.jobs, run, self.sleep))
        except KeyboardInterrupt as exc:
            if run.in_flight or run.maybe_made:
                where = whereabouts(run, self.commanded)
                said = f"an attempt may have made the job before the end; {where}"
                raise Interrupted(said) from exc
            raise
        except ExportctlError as exc:
            # Once the client is closed, what failed (a read refused, the create's
            # client) failed by the close.
            err = self._closed(run) or of_service(exc, plan.spec, self.named)
            if run.maybe_made:
                err = _noted(err, whereabouts(run, self.commanded))
            raise_said(err, exc)

    def _attempts(self, run: Run, finder: Finder) -> Started:
        plan, region = run.plan, run.region
        spec, create = plan.spec, plan.create
        call = self.jobs.once_caller(spec, region)
        # As many as the user's max attempts say, as for every other call (botocore's).
        asked, setting = asked_attempts(self.jobs.clients.session)
        most = self.attempts or asked or ATTEMPTS
        told = Told()
        if create.active_limit is not None:
            self._slot(run)
        if create.idempotency == "listing":
            finder.note_before()
        began = self.clock()
        # Creates sent, and those of them a full slot refused while --queue waits: a
        # round of the queue's, not one of the create's attempts.
        attempt, lagged = 0, 0
        while attempt - lagged < most:
            attempt += 1
            if run.maybe_made and create.idempotency == "listing":
                # Before creating again: a job the last attempt made may not be listed yet.
                found = finder.look(LOOKS)
                if found is not None:
                    return _recovered(found, attempt - 1, run)
                # Looked for long enough: that attempt made nothing. A full slot now is
                # another's (a round of the queue's wait), and what the look last listed
                # is not this command's (another command's alike, made meanwhile).
                run.maybe_made = False
                run.lost.clear()
            if self.stop is not None and self.stop.is_set():
                raise Stopped
            # Taken again for each attempt: a client closed meanwhile sends nothing.
            call = self.jobs.once_caller(spec, region)
            try:
                run.in_flight = True
                response = call(create.operation, plan.request)
                # An answer that does not name the new job counts as none (read again).
                started = self._started(plan, region, response, attempt)
            except Exception as exc:
                run.in_flight = False
                said = answer_of(exc)
                if said is not None and name_taken(said.code) and create.name:
                    return self._existing(run, finder, attempt, exc)
                outcome = outcome_of(exc, create.quotas)
                full = create.active_limit and said is not None and said.code in create.quotas
                if full and said is not None and not run.maybe_made:
                    if self.queue is not None:
                        # Another job took the slot between the count and the create,
                        # or holds it unlisted yet (the listing lags behind the
                        # service): wait for it at the queue's pace.
                        lagged += 1
                        self._slot(run)
                        self._pause(run, lagged, began, exc)
                        # Its create is sent now: a job made while it waited for the
                        # slot (another command's alike) is not its own.
                        run.began = now()
                        continue
                    raise refused(
                        self.jobs, spec, region, said, self.account, self.named, self.commanded
                    ) from exc
                run.maybe_made = run.maybe_made or outcome == "unknown"
                if outcome == "unknown":
                    run.lost.append(attempt)
                if outcome == "final" or attempt - lagged == most:
                    found = finder.look((0.0,)) if run.maybe_made else None
                    if found is not None:
                        return _recovered(found, attempt, run)
                    seconds = self.clock() - began
                    named = self.jobs.clients.named_for(spec.client)
                    bounded = None if self.attempts else setting
                    raise given_up(
                        plan, exc, attempt, outcome, seconds, named, bounded, self.commanded
                    ) from exc
                if self.on_retry is not None:
                    for message in told.update([failed(plan, exc)]):
                        self.on_retry(message)
                self.sleep(self._delay(attempt - lagged))
                continue
            run.in_flight = False
            run.maybe_made = True
            return started
        raise AssertionError("unreachable")

    def _closed(self, run: Run) -> ExportctlError | None:
        said = self.closed() if self.closed is not None else None
        if said is None:
            return None
        made = ", and an attempt before it may have made the job" if run.maybe_made else ""
        return UsageError(f"{said} while this start ran: no create was sent after it{made}")

    def _slot(self, run: Run) -> None:
        take_slot(
            self.jobs,
            run.plan.spec,
            run.region,
            self.queue,
            account=self.account,
            clock=self.clock,
            sleep=self.sleep,
            rng=self.rng,
            named=self.named,
            stop=self.stop,
            commanded=self.commanded,
        )

    def _pause(self, run: Run, rounds: int, began: float, refusal: Exception) -> None:
        """A round of the queue's pace before the create is sent again, within its
        --timeout: the slot the listing shows free is not free yet."""
        assert self.queue is not None
        delay = self.queue.backoff.delay(rounds, self.rng)
        timeout = self.queue.timeout
        if timeout is not None and self.clock() - began + delay > timeout:
            raise out_of_time(run.plan.spec, timeout, [], self.named) from refusal
        self.sleep(delay)

    def _delay(self, attempt: int) -> float:
        # Full jitter, as botocore's standard mode: 0..min(20, 2**attempt / 2) seconds.
        return self.rng.uniform(0, min(20.0, 2.0 ** (attempt - 1)))

    def _started(
        self, plan: StartPlan, region: str, response: Mapping[str, Any], attempts: int
    ) -> Started:
        spec, create = plan.spec, plan.create
        job = None
        if create.item:
            item = eng.lookup(response, create.item)
            if not isinstance(item, Mapping):
                raise BrokenAnswerError(
                    f"{create.operation} answered without the new job ({create.item})"
                )
            job = eng.normalise(spec, item, region)
        key = eng.created_key(spec, response, region, plan.request)
        ref = job.ref if job else eng.key_ref(spec, key, region)
        return Started(key, ref, job, attempts)

    def _existing(self, run: Run, finder: Finder, attempt: int, exc: Exception) -> Started:
        plan = run.plan
        spec, create = plan.spec, plan.create
        assert create.name is not None
        name = str(plan.request[create.name])
        # The job that holds the name may be ours: an earlier attempt's answer was lost.
        job = finder.named(LOOKS if run.maybe_made else (0.0,))
        where = f" ({job.ref})" if job else ""
        said = self.named("name")
        if run.maybe_made:
            if job is None:
                # The last words name it (whereabouts), once.
                raise AwsError(
                    f"{spec.title}: the name is taken by a job that could not be read: it "
                    "may be the one an earlier attempt of this command made",
                    service=spec.name,
                ) from exc
            if finder.is_ours(job):
                return _recovered(job, attempt, run)
            why = (
                f"{where} was created before this command started"
                if not finder.is_recent(job)
                else f" exists{where} with other parameters than this command's"
            )
            raise ConflictError(
                f"{spec.title}: a job named {name!r}{why}: it was not made by this command",
                f"choose another {said}",
            ) from exc
        raise ConflictError(
            f"{spec.title}: a job named {name!r} already exists{where}",
            f"choose another {said}, or leave {said} out for a generated one",
        ) from exc


def _noted(err: ExportctlError, note: str) -> ExportctlError:
    err.reword(then(err.message, note))
    return err


def _recovered(job: ExportJob, attempts: int, run: Run) -> Started:
    return Started(_key(job), job.ref, job, attempts, recovered=True, lost=tuple(run.lost))


# In words up to the tenth, the last of the attempts made where the user asks for no
# number; a max_attempts up to 100 is said in figures beyond (11th, 22nd).
_WORDS = (
    "first", "second", "third", "fourth", "fifth",
    "sixth", "seventh", "eighth", "ninth", "tenth",
)  # fmt: skip


def _ordinal(n: int) -> str:
    if n <= len(_WORDS):
        return _WORDS[n - 1]
    suffix = "th" if n % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _key(job: ExportJob) -> JobKey:
    from exportctl.services.refs import parse

    return parse(job.ref)
