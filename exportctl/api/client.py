"""The API's client: exportctl's commands as Python calls, on the core the commands
use (docs/API.md)."""

from __future__ import annotations

import shlex
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from exportctl.api.boards import Boards
from exportctl.api.errors import ApiError, BadInput, JobFailed, each_result, translated, typed
from exportctl.api.listing import Listing
from exportctl.api.options import (
    Ref,
    check_concurrency,
    check_dest,
    each_ref,
    first_of_each,
    intervals,
    key_of,
    list_keywords,
    list_query,
    located,
    names,
    ref_text,
    refs_of,
    seconds,
    text_of,
)
from exportctl.aws.clients import AwsSettings
from exportctl.aws.usersettings import check_settings, check_url
from exportctl.domain.errors import ExportctlError, UsageError
from exportctl.domain.model import ExportJob, State
from exportctl.ops.connect import Targets, check_targets
from exportctl.ops.polling.timing import TIMING

if TYPE_CHECKING:
    from exportctl.api.backups import Backups
    from exportctl.api.waiting import Wait
    from exportctl.ops.download.records import Reporter, Summary
    from exportctl.ops.polling.watcher import Watcher
    from exportctl.services.refs import JobKey


class Client(Boards):
    """exportctl's commands as methods, each returning jobs (:class:`ExportJob`) or
    raising the API's errors (:class:`ApiError`, each carrying the jobs concerned).

    With no arguments it reads the configuration the ``exportctl`` command reads:
    ``AWS_REGION`` (then ``AWS_DEFAULT_REGION``, then the profile's), ``AWS_PROFILE``
    or the environment's keys, ``AWS_ENDPOINT_URL``, ``AWS_MAX_ATTEMPTS``. The
    arguments are the command's global options: ``region`` (a name, ``"a,b"``, a
    list, or ``"all"``), ``profile`` (one or several), ``org_role`` and ``accounts``
    (every account of an AWS Organization, through that role), ``endpoint_url``;
    ``access_key_id`` and ``secret_access_key`` replace botocore's credential chain.

    Nothing is sent and botocore is not imported before the first call. A client is
    safe to share between threads; its botocore clients are made once and reused.
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
        with translated():
            self._spans = (names(region), names(profile), org_role, names(accounts))
            self._targets = Targets.parse(*self._spans, named=self.named)
            if (access_key_id is None) != (secret_access_key is None):
                raise UsageError("access_key_id and secret_access_key go together")
            if endpoint_url is not None:
                check_url(self.named("endpoint-url"), endpoint_url)
            base = AwsSettings(
                endpoint_url=endpoint_url,
                access_key=access_key_id,
                secret_key=secret_access_key,
                named=self.named,
            )
            check_settings(base)
        self._base = base
        self._start_boards()

    def __repr__(self) -> str:
        region, profile, org_role, accounts = self._spans
        given = {
            "region": _as_given(region),
            "profile": _as_given(profile),
            "org_role": org_role,
            "accounts": _as_given(accounts),
        }
        shown = ", ".join(f"{k}={v!r}" for k, v in given.items() if v)
        return f"Client({shown})"

    def commanded(self, words: str) -> str:
        # Run as printed, the command reads where this client does: its profiles,
        # organization and endpoint as the command line's options. Never its keys
        # (the command takes the environment's), nor its region: what is advised
        # names the job's own, as the command line's advice does.
        _, profiles, org_role, accounts = self._spans
        args: list[str] = []
        for name, given in (("profile", profiles), ("accounts", accounts)):
            for value in given:
                args += [f"--{name}", value]
        if org_role is not None:
            args += ["--org-role", org_role]
        if self._base.endpoint_url is not None:
            args += ["--endpoint-url", self._base.endpoint_url]
        return shlex.join(["exportctl", *args]) + f" {words}"

    # -- reading ----------------------------------------------------------------------

    def get(self, ref: Ref, *, service: str | None = None) -> ExportJob:
        """The job ``ref`` names (an ARN, a reference ``list`` gives, or a job),
        as read now; ``service`` for a bare id."""
        with translated(refs=[ref_text(ref)]):
            # The reference before the client: bad input says so before anything starts.
            key = key_of(ref, service, self.named)
            return self.board().get(key)

    def get_many(
        self, refs: Ref | Iterable[Ref], *, service: str | None = None
    ) -> list[ExportJob | ApiError]:
        """Each job of ``refs`` (one or several) as read now, in the order given, each
        once (a job named twice is read once, where it was first named): the job, or
        the error that kept it from being read (``.refs``: its reference), so that one
        job out of reach hides none of the others. A reference that cannot be one is
        :class:`BadInput`, raised before anything is sent."""
        listed = each_ref(refs)
        with translated():
            keys = [key_of(ref, service, self.named) for ref in listed]
            board = self.board()
            first = first_of_each(keys, board)
            # Read as given (not in the default region), so that a job not found is said
            # as it was named.
            results = board.get_many([keys[i] for i in first])
        return each_result([ref_text(listed[i]) for i in first], results)

    def backups(self, ref: Ref, *, service: str | None = None) -> Backups:
        """The backups a search job included, as ``exportctl backups`` shows them: for
        ``ref``, the search job or an export job of its results. ``.report`` says the
        search job and whether its results are final (read now); iterating reads the
        backups page by page (:class:`BadInput` once this client is closed)."""
        from exportctl.api.backups import Backups
        from exportctl.ops import backups as core

        with translated(refs=[str(ref_text(ref))]):
            text = text_of(ref)
            reader = core.SearchBackups(self.board())
            report = reader.describe(
                reader.resolve(core.parse_search_ref(text, service, self.named))
            )
        return self._track(Backups(reader, report))

    # -- waiting ----------------------------------------------------------------------

    def wait(
        self,
        refs: Ref | Iterable[Ref],
        *,
        until: str | State = "COMPLETED",
        timeout: float | timedelta | None = None,
        interval: float | timedelta = 5.0,
        max_interval: float | timedelta | None = None,
        service: str | None = None,
    ) -> list[ExportJob]:
        """Wait as ``exportctl wait`` does: until every job is ``until`` (COMPLETED,
        FAILED, CANCELLED, terminal, or a service's own word); the jobs as last
        read, in the order given. A job that ends otherwise is :class:`JobFailed`, one
        not found or that disappears :class:`JobNotFound`, and ``timeout`` (seconds)
        running out :class:`WaitTimeout`: each raised once every job is decided,
        carrying the jobs concerned (``.results``: every job as last read)."""
        from exportctl.api.waiting import failed, outcome

        wait = self._plan(refs, until, timeout, interval, max_interval, service)
        try:
            result = wait.waiter.run()
        except ExportctlError as exc:
            raise failed(wait, exc) from exc
        return outcome(wait, result)

    def _plan(
        self,
        refs: Ref | Iterable[Ref],
        until: str | State,
        timeout: float | timedelta | None,
        interval: float | timedelta,
        max_interval: float | timedelta | None,
        service: str | None,
    ) -> Wait:
        with translated():
            # In the command's order: the times, the client, the references.
            seconds("timeout", timeout, positive=False)
            intervals(interval, max_interval, self.named)
            self.board()
            targets = [(ref_text(ref), key_of(ref, service, self.named)) for ref in refs_of(refs)]
        return self.waiting(
            targets,
            until=until.value if isinstance(until, State) else until,
            timeout=timeout,
            interval=interval,
            max_interval=max_interval,
        )

    def waiting(
        self,
        targets: Sequence[tuple[str, JobKey]],
        *,
        until: str = "COMPLETED",
        timeout: float | timedelta | None = None,
        interval: float | timedelta = 5.0,
        max_interval: float | timedelta | None = None,
    ) -> Wait:
        """The wait :meth:`wait` runs, for jobs already identified (each its reference
        as given and its key, as :meth:`submit` gives them), planned and not run: its
        ``waiter`` runs the rounds (``run()``, telling its ``on_event`` of each change),
        as the command line runs it under its live view."""
        from exportctl.api.waiting import plan_keys

        with translated():
            board = self.board()
            return plan_keys(
                board,
                targets,
                until=until,
                timeout=timeout,
                interval=interval,
                max_interval=max_interval,
                many_regions=board.regions.many,
                clock=TIMING.clock,
                sleep=TIMING.sleep,
                rng=TIMING.rng(),
                named=self.named,
            )

    def watching(
        self,
        services: str | Iterable[str] | None = None,
        *,
        states: State | str | Iterable[State | str] | None = None,
        since: datetime | timedelta | str | None = None,
        keep: float | timedelta = 600.0,
        interval: float | timedelta = 5.0,
        **scope: Any,
    ) -> Watcher:
        """A watch of the jobs :meth:`list` would list, as ``exportctl watch`` runs it,
        planned and not run: ``run()`` lists again every ``interval`` until
        interrupted, telling its ``on_event`` of each job seen, changed, ended (kept
        ``keep`` seconds) or gone, and of each round; closing the client ends it with
        :class:`BadInput`."""
        from exportctl.api.waiting import TypedWatcher
        from exportctl.ops.polling.schedule import Backoff

        with translated():
            query = list_query(services, states, since, None, scope, self.named)
            every = seconds("interval", interval) or 0.0
            return self._track(
                TypedWatcher(
                    self.board(),
                    query,
                    keep=seconds("keep", keep) or 0.0,
                    backoff=Backoff(interval=every, cap=every, factor=1.0),
                    clock=TIMING.clock,
                    sleep=TIMING.sleep,
                    rng=TIMING.rng(),
                )
            )

    # -- fetching -------------------------------------------------------------------------

    def download(
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
        """Fetch what the COMPLETED job ``ref`` exported into ``dest`` (default
        ``./SERVICE-ID``; an empty one is :class:`BadInput`, as the command refuses
        it), as ``exportctl download`` does (a job given as read
        COMPLETED, and telling its output, is not read again): files already there are
        skipped, a different one in the way is :class:`BadInput` unless ``force``.
        ``progress``: told of the files planned, each one's bytes as they arrive and
        each file done (:class:`exportctl.ops.download.records.Reporter`). What was
        fetched (``dry_run``: what would be)."""
        from exportctl.ops.download.job import fetch_job
        from exportctl.ops.download.records import NullReporter
        from exportctl.services.locations import NotCompletedError, default_dirname

        check_concurrency(concurrency)
        check_dest(dest)
        # A job already read COMPLETED has its output where it will stay, if the read
        # told it: the listings of some services (Personalize, Backup Search) do not.
        if isinstance(ref, ExportJob) and ref.state is State.COMPLETED and located(ref):
            job = ref
        else:
            job = self.get(ref, service=service)
        with translated(jobs=[job], refs=[job.ref]):
            destination = Path(dest) if dest is not None else Path(default_dirname(job))
            try:
                return fetch_job(
                    # The S3 of the account the job is in, with its credentials.
                    self.board().owner(job).clients,
                    job,
                    destination,
                    progress or NullReporter(),
                    force=force,
                    dry_run=dry_run,
                    concurrency=concurrency,
                    named=self.named,
                )
            except NotCompletedError as exc:
                # Nothing to fetch: from a job that ended otherwise, or not yet.
                kind = JobFailed if job.terminal else BadInput
                raise typed(exc, jobs=[job], refs=[job.ref], kind=kind) from exc

    # Last in the class: a method named "list" hides the builtin in annotations below it.
    def list(
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
        stream: bool = False,
        strict: bool = True,
        progress: Callable[[str | None], None] | None = None,
        on_wait: Callable[[], None] | None = None,
        on_notice: Callable[[ApiError], None] | None = None,
        **scope: Any,
    ) -> Listing:
        """Export jobs, as ``exportctl list`` lists them: every service by default,
        newest first (``stream=True``: as the pages arrive); ``limit`` keeps the N
        newest. ``states``, ``since`` (a datetime, a timedelta or ``"2d"``) filter;
        ``regions``, ``profiles``, ``org_role`` and ``accounts`` span other regions
        and accounts than the client's; ``scope`` takes the services' own filters
        (``search_job="..."``, as ``--search-job``). Read when first iterated;
        ``strict``, ``progress``, ``on_wait`` and ``on_notice`` are the
        :class:`Listing`'s."""
        with translated():
            query = list_query(services, states, since, limit, scope, self.named)
            spans, named = self._targets, None
            if (regions, profiles, org_role, accounts) != (None, None, None, None):
                region0, profile0, role0, accounts0 = self._spans
                named = list_keywords(self.named)
                spans = Targets.parse(
                    names(regions) if regions is not None else region0,
                    names(profiles) if profiles is not None else profile0,
                    org_role if org_role is not None else role0,
                    names(accounts) if accounts is not None else accounts0,
                    named,
                )
                check_targets(spans, named)
            return self._track(
                Listing(
                    self.board(spans, named),
                    query,
                    stream=stream,
                    strict=strict,
                    progress=progress,
                    on_wait=on_wait,
                    on_notice=on_notice,
                )
            )


def _as_given(values: tuple[str, ...]) -> str | list[str] | None:
    """Names as the keyword takes them (the tuple they are kept in is not what the
    user wrote): one as its string (``"a,b"`` included), several as a list."""
    if not values:
        return None
    return values[0] if len(values) == 1 else list(values)
