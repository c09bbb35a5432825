"""A service's limit on the jobs it runs at once (``Create.active_limit``): counted
before a create is sent, said with the jobs that hold the slots when there is none,
and, with ``--queue``, waited out with the rounds of ``wait`` (tenacity, the same
backoff and deadline)."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from exportctl.aws.translate import Answer
from exportctl.domain.errors import (
    AwsError,
    ExitCode,
    ExportctlError,
    clip,
    of_service,
    raise_said,
)
from exportctl.domain.model import ExportJob
from exportctl.domain.naming import Commanded, command
from exportctl.domain.timeutil import human_duration
from exportctl.ops.polling.schedule import Backoff, repeat
from exportctl.ops.polling.timing import Clock, Sleep, interruptible_sleep
from exportctl.ops.polling.waiter import transient
from exportctl.services import engine as eng
from exportctl.services.forms import Named, flag, switch
from exportctl.services.refs import in_account
from exportctl.services.spec import ActiveLimit, ServiceSpec

if TYPE_CHECKING:
    from exportctl.ops.jobs import Jobs

# The holders a message names; more are counted.
NAMED = 3


class NoSlot(AwsError):
    """The service's limit on active jobs is reached: a create would be refused. Its
    exit code is that of a refusal by the service (5)."""

    def __init__(self, message: str, *, service: str, holders: Sequence[ExportJob]) -> None:
        super().__init__(message, service=service)
        self.holders = list(holders)


class QueueTimeout(ExportctlError):
    """``--queue`` waited until ``--timeout`` and no slot came free; ``holders``: the
    jobs its message names as holding the slots, as last listed."""

    exit_code = ExitCode.TIMEOUT

    def __init__(self, message: str, *, service: str, holders: Sequence[ExportJob]) -> None:
        super().__init__(message, service=service)
        self.holders = list(holders)


class Stopped(Exception):
    """The queue's stop signal came (its caller is gone: an event loop's task was
    cancelled): no create is sent. Not exportctl's error: no one is there to read it."""


def stoppable(sleep: Sleep, stop: threading.Event | None) -> Sleep:
    """``sleep``, cut short by ``stop`` and raising :class:`Stopped` once it is set."""
    if stop is None:
        return sleep

    def pause(seconds: float) -> None:
        if sleep is interruptible_sleep:
            interruptible_sleep(seconds, until=stop)
        else:
            sleep(seconds)
        if stop.is_set():
            raise Stopped

    return pause


def _no_one(holders: list[ExportJob]) -> None:
    return None


@dataclass(frozen=True)
class Queue:
    """``--queue``: wait for a free slot instead of failing. ``on_wait`` is told the
    jobs holding the slots whenever they change (first, when the waiting starts)."""

    backoff: Backoff = field(default_factory=Backoff)
    timeout: float | None = None
    on_wait: Callable[[list[ExportJob]], None] = _no_one


def limit_of(spec: ServiceSpec) -> ActiveLimit:
    assert spec.create is not None and spec.create.active_limit is not None
    return spec.create.active_limit


def holders(
    jobs: Jobs, spec: ServiceSpec, region: str, account: str | None = None
) -> list[ExportJob]:
    """The jobs holding the slots of ``spec``'s limit in ``region``, oldest first;
    ``account``: the one the command starts in, of several, written in their refs."""
    limit = limit_of(spec)
    call = jobs.caller(spec, region)
    required = eng.required_of(spec)
    found: dict[str, ExportJob] = {}
    try:
        if limit.filter:
            raws = [
                raw
                for word in limit.statuses
                for raw in eng.items(call, spec.list, {limit.filter: word}, required)
            ]
        else:
            raws = list(eng.list_raw(spec, call, {}))
    except ExportctlError as exc:
        raise_said(of_service(exc, spec, jobs.clients.named_for(spec.client)), exc)
    for raw in raws:
        job = eng.normalise(spec, raw, region)
        # Only those words: a listing may answer more than its filter asked for.
        if job.status in limit.statuses:
            if account is not None:
                job = in_account(job, account)
            found.setdefault(job.ref, job)
    return sorted(found.values(), key=lambda j: (j.created is None, j.created, j.ref))


def _named(held: Sequence[ExportJob]) -> str:
    names = [f"{clip(job.ref)} ({clip(job.status)})" for job in held[:NAMED]]
    more = len(held) - len(names)
    text = ", ".join(names) + (f" and {more} more" if more else "")
    return f"{text} {'is' if len(held) == 1 else 'are'} active"


def no_slot(
    spec: ServiceSpec,
    held: Sequence[ExportJob],
    refused: Answer | None = None,
    named: Named = flag,
    commanded: Commanded = command,
) -> NoSlot:
    """The error of a start with no free slot: the limit, the jobs that hold it, and
    what to do; ``refused``: the service's own refusal, when it was asked; ``named``:
    how the caller's user turns the queue on (``request.plan``'s); ``commanded``: how
    they run a command (the cancel it advises)."""
    limit = limit_of(spec)
    assert spec.create is not None
    said = (
        f"{spec.create.operation} was refused ({refused.code}: {refused.message}): "
        if refused
        else "not started: "
    )
    queue = switch(named, "queue")
    if held:
        first = clip(held[0].ref)
        them = "it" if len(held) == 1 else "them"
        advice = (
            f"; wait for {them} to end, cancel {them} "
            f"({commanded(f'cancel {first}')}), or pass {queue} to start once a slot is free"
        )
        who = f", and {_named(held)}"
    else:
        # Refused, yet nothing listed as active: the listing lags behind the service.
        advice = f"; pass {queue} to start once a slot is free"
        who = ", and a job not listed yet is active"
    return NoSlot(f"{spec.title}: {said}{limit.says}{who}{advice}", service=spec.name, holders=held)


def refused(
    jobs: Jobs,
    spec: ServiceSpec,
    region: str,
    said: Answer,
    account: str | None = None,
    named: Named = flag,
    commanded: Commanded = command,
) -> ExportctlError:
    """The service's refusal by its limit, said with the jobs that hold the slots."""
    try:
        held = holders(jobs, spec, region, account)
    except ExportctlError:
        held = []
    return no_slot(spec, held, said, named, commanded)


def take_slot(
    jobs: Jobs,
    spec: ServiceSpec,
    region: str,
    queue: Queue | None,
    *,
    account: str | None = None,
    clock: Clock = time.monotonic,
    sleep: Sleep = interruptible_sleep,
    rng: random.Random | None = None,
    named: Named = flag,
    stop: threading.Event | None = None,
    commanded: Commanded = command,
) -> None:
    """Return once ``spec`` has a free slot in ``region``. Without ``queue`` a full
    limit is :class:`NoSlot`; with one, its rounds go on until a slot is free, or
    :class:`QueueTimeout` at its timeout (``named``, ``commanded``: as
    :func:`no_slot`'s), or :class:`Stopped` between them once ``stop`` is set."""
    limit = limit_of(spec)
    held = holders(jobs, spec, region, account)
    if len(held) < limit.count:
        return
    if queue is None:
        raise no_slot(spec, held, named=named, commanded=commanded)
    queue.on_wait(held)
    last = [held]
    first = [True]

    def round_() -> bool:
        if first[0]:
            # The check above was this round's: its answer is not asked twice.
            first[0] = False
            return False
        if stop is not None and stop.is_set():
            raise Stopped
        try:
            now_held = holders(jobs, spec, region, account)
        except ExportctlError as exc:
            if transient(exc):
                return False
            raise
        if len(now_held) < limit.count:
            return True
        if [j.ref for j in now_held] != [j.ref for j in last[0]]:
            queue.on_wait(now_held)
        last[0] = now_held
        return False

    if not repeat(
        round_,
        backoff=queue.backoff,
        timeout=queue.timeout,
        clock=clock,
        sleep=stoppable(sleep, stop),
        rng=rng,
    ):
        raise out_of_time(spec, queue.timeout or 0.0, last[0], named)


def out_of_time(
    spec: ServiceSpec, timeout: float, held: Sequence[ExportJob], named: Named = flag
) -> QueueTimeout:
    """--queue's --timeout ran out; ``held``: the jobs listed as holding the slots
    (none: the service refused a create that the listing showed a slot free for)."""
    who = _named(held) if held else "a job not listed yet is active"
    return QueueTimeout(
        f"{spec.title}: no slot came free in {human_duration(timeout)} ({named('timeout')}): "
        f"{limit_of(spec).says}, and {who}",
        service=spec.name,
        holders=held,
    )
