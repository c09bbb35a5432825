"""The client's calls that change jobs: start, rerun (and their plans, submit and
job_of), cancel; a part of :class:`exportctl.api.Client`, which is one of these."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from exportctl.api.errors import ApiError, each_result, translated
from exportctl.api.options import (
    Ref,
    each_ref,
    intervals,
    key_of,
    keyword,
    ref_text,
    seconds,
    start_values,
)
from exportctl.domain.errors import ConflictError, NotFoundError, UsageError
from exportctl.domain.model import ExportJob
from exportctl.domain.naming import Named, command
from exportctl.ops.connect import Targets
from exportctl.ops.polling.timing import TIMING

if TYPE_CHECKING:
    from exportctl.ops.core import Board
    from exportctl.ops.start.request import StartPlan
    from exportctl.ops.start.starter import Started

log = logging.getLogger("exportctl")

# Pauses between the reads of a job just created, which its service may not know
# everywhere yet (a read after the last one's "not found" is the error).
_FRESH_READS = (1.0, 2.0, 4.0)


class Changes:
    """Start, rerun and cancel, on the core :meth:`board` gives (the Client's)."""

    def board(self, targets: Targets | None = None, named: Named | None = None) -> Board:
        raise NotImplementedError

    @property
    def closed(self) -> bool:
        raise NotImplementedError

    def named(self, option: str) -> str:
        """An option (``to``, ``start-time``, ``region``, ``timeout``) as this client's
        caller gives it, in messages: a Python caller, the keyword argument."""
        return keyword(option)

    def commanded(self, words: str) -> str:
        """An exportctl command (``list -s rds``) as a message advises it: as the
        command line's user runs it, with the options that say where."""
        return command(words)

    def start(
        self,
        service: str,
        /,
        *,
        region: str | None = None,
        queue: bool = False,
        timeout: float | timedelta | None = None,
        **options: Any,
    ) -> ExportJob:
        """Start an export job as ``exportctl start SERVICE`` does, with its options
        as keyword arguments (``--table ARN`` is ``table="ARN"``; a repeatable one
        takes a list): checked against the service's model before anything is sent,
        and sent once whatever the retries. ``queue``: where the service runs so many
        jobs at once and none is free, wait for a slot (``timeout`` bounds that).
        The new job, as read after the create."""
        plan = self.plan_start(service, region=region, **options)
        return self.job_of(self.submit(plan, queue=queue, timeout=timeout))

    def rerun(
        self,
        ref: Ref,
        *,
        service: str | None = None,
        queue: bool = False,
        timeout: float | timedelta | None = None,
    ) -> ExportJob:
        """A new job with the parameters of the finished job ``ref``, as ``exportctl
        rerun`` starts it; the new job."""
        plan = self.plan_rerun(ref, service=service)
        return self.job_of(self.submit(plan, queue=queue, timeout=timeout))

    def plan_start(
        self, service: str, /, *, region: str | None = None, **options: Any
    ) -> StartPlan:
        """The request :meth:`start` would send, checked against the service's model;
        nothing is sent (``.to_dict()``: what ``exportctl start --dry-run`` prints)."""
        from exportctl.ops.start import request
        from exportctl.ops.start.rerun import creatable
        from exportctl.services.forms import start_options

        with translated(creating=True):
            spec = creatable(service)
            values = start_values(spec, start_options(spec), options)
            board = self.board()
            if region is not None:
                from exportctl.aws.regions import check_regions

                asked = Targets.parse((region,), named=self.named).regions
                check_regions(asked.names, source=self.named("region"))
                if asked.single is None:
                    # "a,b" or "all": botocore would refuse it as a region's name.
                    raise UsageError(request.one_region(self.named))
                region = asked.single
            elif board.regions.many:
                raise UsageError(request.one_region(self.named))
            return request.plan(
                spec,
                values,
                region or board.clients.default_region,
                chosen=region is not None,
                named=self.named,
            )

    def plan_rerun(self, ref: Ref, *, service: str | None = None) -> StartPlan:
        """The request :meth:`rerun` would send for the finished job ``ref`` (read
        now); nothing is sent."""
        from exportctl.ops.start import request
        from exportctl.ops.start.rerun import creatable, values_of

        with translated(refs=[ref_text(ref)]):
            key = key_of(ref, service, self.named)
            spec = creatable(key.service)
            job = self.board().get(key)
        with translated(jobs=[job], refs=[job.ref], creating=True):
            if not job.terminal:
                raise ConflictError(
                    f"{job.ref} is {job.said_state}", "rerun a job once it has finished"
                )
            planned = request.plan(
                spec, values_of(spec, job, self.named), job.region, named=self.named
            )
            # Where the command spans accounts: in the account of the job it reruns.
            many = self.board().accounts.many
            return replace(planned, account=job.account) if many else planned

    def placed(self, plan: StartPlan) -> StartPlan:
        """``plan`` with where :meth:`submit` sends it settled: its region (the
        client's when it names none) and its account (of a client spanning several,
        the one it names); each error :meth:`submit` raises about them, raised now.
        Nothing is sent (what ``--dry-run`` prints)."""
        with translated(creating=True):
            board = self.board()
            # The session, made as for the create: an unknown profile fails here.
            board.clients.session  # noqa: B018
            region = plan.region or board.clients.default_region
            account = plan.account if plan.account is not None else board.start_account(self.named)
        return replace(plan, region=region, account=account)

    def submit(
        self,
        plan: StartPlan,
        *,
        queue: bool = False,
        timeout: float | timedelta | None = None,
        interval: float | timedelta = 5.0,
        max_interval: float | timedelta | None = None,
        on_waiting: Callable[[list[ExportJob]], None] | None = None,
        on_retrying: Callable[[str], None] | None = None,
    ) -> Started:
        """Send a plan's create (:meth:`plan_start`, :meth:`plan_rerun`), once whatever
        the retries: a lost answer is recovered by finding the job it made (a warning
        of the ``exportctl`` logger says so). ``queue``: wait for a free slot first,
        checking every ``interval`` growing to ``max_interval``, within ``timeout``;
        ``on_waiting`` is told the jobs holding the slots at each check (default: an
        info line of the logger). The create is tried as many times as
        ``AWS_MAX_ATTEMPTS`` or the profile's ``max_attempts`` say (10 without either);
        ``on_retrying`` is told why before a retry, once while a failure lasts
        (default: an info line of the logger); none is sent once this client is
        closed (from another thread: :class:`BadInput`, saying how to find a job an
        attempt before may have made). The job's reference and key, and the job
        itself when the create's answer describes it (:class:`Started`); nothing is
        read."""
        return self._submit(
            plan, queue, timeout, interval, max_interval, on_waiting, on_retrying=on_retrying
        )

    def _submit(
        self,
        plan: StartPlan,
        queue: bool,
        timeout: float | timedelta | None,
        interval: float | timedelta,
        max_interval: float | timedelta | None,
        on_waiting: Callable[[list[ExportJob]], None] | None,
        stop: threading.Event | None = None,
        on_retrying: Callable[[str], None] | None = None,
    ) -> Started:
        """:meth:`submit`; ``stop``, set from another thread, ends its queue between
        polls and keeps its create from being sent (:class:`Stopped`)."""
        from exportctl.ops.polling.schedule import Backoff
        from exportctl.ops.start.slots import Queue
        from exportctl.ops.start.starter import Starter
        from exportctl.services.refs import in_account, with_account

        def logged(holders: list[ExportJob]) -> None:
            log.info("waiting for a free slot: %s still active", ", ".join(j.ref for j in holders))

        def retrying(message: str) -> None:
            log.info("retrying after: %s", message)

        with translated(creating=True):
            first, cap = intervals(interval, max_interval, self.named)
            slots = Queue(
                Backoff(interval=first, cap=cap),
                seconds("timeout", timeout, positive=False),
                on_waiting or logged,
            )
            board = self.board()
            plan = self.placed(plan)
            account = plan.account
            starter = Starter(
                board.for_account(account),
                sleep=TIMING.sleep,
                clock=TIMING.clock,
                queue=slots if queue else None,
                account=account,
                named=self.named,
                stop=stop,
                commanded=self.commanded,
                on_retry=on_retrying or retrying,
                # Closed from another thread while the create is retried: none is sent after.
                closed=lambda: f"{self!r} was closed" if self.closed else None,
            )
            started = starter.start(plan)
            if account is not None:
                # Said and read back in that account, not looked for in every one.
                job = started.job
                started = replace(
                    started,
                    key=started.key.in_account(account),
                    ref=with_account(started.ref, account),
                    # As the create's answer described it (EC2, Pinpoint): in that account.
                    job=job if job is None else in_account(job, account),
                )
        if started.recovered:
            log.warning("%s: %s", started.ref, started.recovery())
        return started

    def job_of(self, started: Started) -> ExportJob:
        """The job :meth:`submit` made: as the create's answer described it, or read
        now (a job the service does not know everywhere yet is read again after 1, 2
        and 4 seconds)."""
        if started.job is not None:
            return started.job
        # Made: what keeps it from being read now is about the job, not the request.
        with translated(refs=[started.ref]):
            for delay in (*_FRESH_READS, None):
                try:
                    return self.board().get(started.key)
                except NotFoundError:
                    # A job just made may be read before the service knows it everywhere.
                    if delay is None:
                        raise
                    TIMING.sleep(delay)
        raise AssertionError("unreachable")

    def cancel(self, ref: Ref, *, service: str | None = None) -> ExportJob:
        """Send the job its service's cancel call, as ``exportctl cancel`` does (its
        help names the services that have one); the job as read after it, in its
        service's word for a cancel under way. A job that has already ended
        otherwise than CANCELLED is :class:`RequestRefused` (``.jobs``: that job), one
        already CANCELLED is returned as read; a service without a cancel call is
        :class:`BadInput`, before anything is sent."""
        from exportctl.ops.cancel import cancel

        with translated(refs=[ref_text(ref)]):
            key = key_of(ref, service, self.named)
            return cancel(self.board(), key, self.commanded)

    def cancel_many(
        self, refs: Ref | Iterable[Ref], *, service: str | None = None
    ) -> list[ExportJob | ApiError]:
        """:meth:`cancel` for each job of ``refs`` (one or several), in the order
        given: the job as read after its cancel, or the error that kept it from one (a
        job that had already ended otherwise than CANCELLED is :class:`RequestRefused`).
        A reference that cannot be one, or one of a service without a cancel call, is
        :class:`BadInput`, before anything is sent (``.also``: those of the other
        services without one)."""
        from exportctl.ops.cancel import cancel_many

        listed = each_ref(refs)
        with translated():
            keys = [key_of(ref, service, self.named) for ref in listed]
            results = cancel_many(self.board(), keys, self.commanded)
        return each_result([ref_text(ref) for ref in listed], results)
