"""The API's client for event loops: :class:`exportctl.api.Client`'s methods as
coroutines, none of which blocks the loop (an Airflow deferrable trigger polls
from one), with no dependency beyond the standard library's asyncio."""

from __future__ import annotations

import asyncio
import builtins
import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from exportctl.api.client import Client
from exportctl.api.errors import ApiError
from exportctl.api.options import Ref
from exportctl.api.waiting import failed, outcome, run_rounds
from exportctl.aws.deadlines import deadline
from exportctl.domain.errors import ExportctlError
from exportctl.domain.model import ExportJob, State
from exportctl.ops.download.records import Reporter, Summary
from exportctl.ops.polling.timing import TIMING
from exportctl.ops.start.request import StartPlan
from exportctl.ops.start.starter import Started

if TYPE_CHECKING:
    from typing_extensions import Self

    from exportctl.api.listing import Listing


class AsyncClient:
    """:class:`Client`'s methods as coroutines, taking the same arguments; those that
    hand out an engine or an iterator that blocks (``waiting``, ``watching``,
    ``backups``), and those that send no call (``default_region``, ``home_region``,
    ``estimator``), are the :class:`Client`'s alone (``.client``).

    A call's botocore work runs off the loop (``asyncio.to_thread``). A wait polls
    from the loop: each round is one batched refresh of the jobs still pending run
    off the loop (jobs a service describes together in one call, a parent's from
    its listing, the others on a bounded pool), and between rounds the loop sleeps
    (``asyncio.sleep``): a hundred jobs take a few threads for the length of a
    round, never a thread each, and many waits share one loop.
    """

    def __init__(
        self,
        *,
        region: str | Iterable[str] | None = None,
        profile: str | Iterable[str] | None = None,
        org_role: str | None = None,
        accounts: str | Iterable[str] | None = None,
        endpoint_url: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
    ) -> None:
        # The same configuration, checked the same way: nothing is sent yet.
        self.client = Client(
            region=region,
            profile=profile,
            org_role=org_role,
            accounts=accounts,
            endpoint_url=endpoint_url,
            access_key_id=access_key_id,
            secret_access_key=secret_access_key,
        )

    def __repr__(self) -> str:
        return f"Async{self.client!r}"

    def close(self) -> None:
        """:meth:`Client.close`: closes the botocore clients (and their connections)
        at once; the calls then raise :class:`BadInput`."""
        self.client.close()

    async def aclose(self) -> None:
        """:meth:`close`, off the loop."""
        await asyncio.to_thread(self.client.close)

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def get(self, ref: Ref, *, service: str | None = None) -> ExportJob:
        return await asyncio.to_thread(self.client.get, ref, service=service)

    async def wait(
        self,
        refs: Ref | Iterable[Ref],
        *,
        until: str | State = "COMPLETED",
        timeout: float | timedelta | None = None,
        interval: float | timedelta = 5.0,
        max_interval: float | timedelta | None = None,
        service: str | None = None,
    ) -> builtins.list[ExportJob]:
        """:meth:`Client.wait`, the loop free between rounds; cancelling the task
        ends the wait (a round's calls then end on their own, off the loop)."""
        # Parsing references and the first use of the configuration read files.
        wait = await asyncio.to_thread(
            self.client._plan, refs, until, timeout, interval, max_interval, service
        )
        # The wait's timeout bounds its calls, in this task's context (which
        # asyncio.to_thread hands on): the loop's other tasks' calls are not held to it.
        limit = wait.waiter.timeout
        with deadline(None if limit is None else time.monotonic() + limit):
            try:
                result = await run_rounds(
                    wait, pause=TIMING.pause or asyncio.sleep, off_loop=asyncio.to_thread
                )
            except ExportctlError as exc:
                raise failed(wait, exc) from exc
        return outcome(wait, result)

    async def get_many(
        self, refs: Ref | Iterable[Ref], *, service: str | None = None
    ) -> builtins.list[ExportJob | ApiError]:
        return await asyncio.to_thread(self.client.get_many, refs, service=service)

    async def start(
        self,
        service: str,
        /,
        *,
        region: str | None = None,
        queue: bool = False,
        timeout: float | timedelta | None = None,
        **options: Any,
    ) -> ExportJob:
        """:meth:`Client.start`; cancelling the task ends a queue's wait for a slot
        (:meth:`submit`)."""
        plan = await self.plan_start(service, region=region, **options)
        return await self.job_of(await self.submit(plan, queue=queue, timeout=timeout))

    async def rerun(
        self,
        ref: Ref,
        *,
        service: str | None = None,
        queue: bool = False,
        timeout: float | timedelta | None = None,
    ) -> ExportJob:
        """:meth:`Client.rerun`; cancelling the task ends a queue's wait for a slot
        (:meth:`submit`)."""
        plan = await self.plan_rerun(ref, service=service)
        return await self.job_of(await self.submit(plan, queue=queue, timeout=timeout))

    async def plan_start(
        self, service: str, /, *, region: str | None = None, **options: Any
    ) -> StartPlan:
        return await asyncio.to_thread(self.client.plan_start, service, region=region, **options)

    async def plan_rerun(self, ref: Ref, *, service: str | None = None) -> StartPlan:
        return await asyncio.to_thread(self.client.plan_rerun, ref, service=service)

    async def placed(self, plan: StartPlan) -> StartPlan:
        return await asyncio.to_thread(self.client.placed, plan)

    async def submit(
        self,
        plan: StartPlan,
        *,
        queue: bool = False,
        timeout: float | timedelta | None = None,
        interval: float | timedelta = 5.0,
        max_interval: float | timedelta | None = None,
        on_waiting: Callable[[builtins.list[ExportJob]], None] | None = None,
        on_retrying: Callable[[str], None] | None = None,
    ) -> Started:
        """:meth:`Client.submit`, off the loop. Cancelling the task ends it: a queue
        stops between its polls and sends no create; a create already sent ends on
        its own, and the job it may make is the caller's to find."""
        # asyncio cannot stop the thread; the queue's poll loop stops on this.
        stop = threading.Event()
        try:
            return await asyncio.to_thread(
                self.client._submit,
                plan,
                queue,
                timeout,
                interval,
                max_interval,
                on_waiting,
                stop,
                on_retrying,
            )
        except asyncio.CancelledError:
            stop.set()
            raise

    async def job_of(self, started: Started) -> ExportJob:
        return await asyncio.to_thread(self.client.job_of, started)

    async def cancel(self, ref: Ref, *, service: str | None = None) -> ExportJob:
        return await asyncio.to_thread(self.client.cancel, ref, service=service)

    async def cancel_many(
        self, refs: Ref | Iterable[Ref], *, service: str | None = None
    ) -> builtins.list[ExportJob | ApiError]:
        return await asyncio.to_thread(self.client.cancel_many, refs, service=service)

    async def download(
        self,
        ref: Ref,
        dest: str | Path | None = None,
        *,
        service: str | None = None,
        force: bool = False,
        dry_run: bool = False,
        concurrency: int = 8,
        progress: Reporter | None = None,
    ) -> Summary:
        return await asyncio.to_thread(
            self.client.download,
            ref,
            dest,
            service=service,
            force=force,
            dry_run=dry_run,
            concurrency=concurrency,
            progress=progress,
        )

    async def list(
        self,
        services: str | Iterable[str] | None = None,
        *,
        states: State | str | Iterable[State | str] | None = None,
        since: datetime | timedelta | str | None = None,
        limit: int | None = None,
        regions: str | Iterable[str] | None = None,
        profiles: str | Iterable[str] | None = None,
        org_role: str | None = None,
        accounts: str | Iterable[str] | None = None,
        **scope: Any,
    ) -> builtins.list[ExportJob]:
        """:meth:`Client.list`, read whole off the loop: the jobs newest first.
        Cancelling the task closes the listing: its reading ends (its calls in
        progress end on their own)."""
        cancelled = threading.Event()
        made: builtins.list[Listing] = []

        def read() -> builtins.list[ExportJob]:
            listing = self.client.list(
                services,
                states=states,
                since=since,
                limit=limit,
                regions=regions,
                profiles=profiles,
                org_role=org_role,
                accounts=accounts,
                **scope,
            )
            made.append(listing)
            # Cancelled while it was being made: the canceller may not have seen it.
            if cancelled.is_set():
                listing.close()
            return builtins.list(listing)

        try:
            return await asyncio.to_thread(read)
        except asyncio.CancelledError:
            # asyncio cannot stop the thread; a closed listing ends its reading.
            cancelled.set()
            for listing in made:
                listing.close()
            raise
