"""The listing engine: every listing of jobs, over one target or many, page by page.

A *target* is one service of one account in one region. ``list`` and ``watch``
read through :class:`Fanout` whatever they span: one account and one region is a
fan-out of one target per service (:meth:`exportctl.ops.jobs.Jobs.fanout`); several
regions, profiles or an organization's accounts give a target per (account,
region, service) (:meth:`exportctl.ops.core.Board.fanout`).

Reading. Targets are started by one dispatcher under two caps: at most
``GLOBAL_CAP`` read at once, and at most ``PER_PLACE_CAP`` of one account in one
region (AWS throttles per account and region, so a throttled account holds only
its own slots and botocore's retries there do not hold back the others). They
start place by place in the order given, and within a place the services that
take a chain of calls first (Pinpoint: its applications, then each one's jobs),
since the listing lasts as long as its longest chain. Each page is handed on as
it arrives through a bounded queue, so streamed formats print their first line
before the last page is asked for and memory stays flat however many jobs there
are; a lone target is read on the caller's own thread. ``idle`` runs whenever
the reader is about to wait for a page: the place to flush what was written.

The failure rule, one for every listing:

- A target out of reach (the service denied as a whole, not enabled or past its
  end of support; no Migration Hub home region; an opt-in region the account has
  not enabled; a role that cannot be assumed) is a notice, unless what made it
  unreachable was asked for by name (``--service``, ``--region``,
  ``--accounts``): then it is an error, with its exit code.
- Any other failure (refused credentials, throttling, 5xx, the network, a
  broken answer, a request AWS rejects) is an error.
- When no target answered at all, there is no partial view: the notices are
  errors too, and the exit code is theirs with the others' (the highest). An
  opt-in region that is not enabled is not the cause when something else is
  (every call denied stays exit 4, not exit 5), so it stays a notice then.
- Nothing else counts: the same outage is told the same way over one region or
  several. A service that answers in its home region only (Discovery) is no
  notice elsewhere when that region answered, and a service asked for by name
  need answer in one region of an account, not in each.

Over several targets, notices and errors of one account that differ only by
region are told once, naming the regions, then counted; over one account in one
region each is told as it is, in the order of the services asked for.
"""

from __future__ import annotations

import queue
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from exportctl.domain.errors import (
    ANSWERS_ELSEWHERE_CODES,
    CredentialsError,
    ExitCode,
    ExportctlError,
    RoleUnavailable,
    ServiceUnavailableError,
    answer_of,
    recognised,
    translate,
)
from exportctl.domain.model import ExportJob
from exportctl.ops.workers import hand_on, start_ticker
from exportctl.services.refs import with_account
from exportctl.services.spec import ServiceSpec

GLOBAL_CAP = 64
PER_PLACE_CAP = 4
# Pages in flight between the reading threads and the writer: a bound, so a slow
# reader (a pipe into less) holds the threads back instead of filling memory.
PAGES_IN_FLIGHT = 20
# What AWS answers with valid credentials in an opt-in region the account has not enabled.
TOKEN_CODES = frozenset({"UnrecognizedClientException", "InvalidClientTokenId"})


class Pages(Protocol):
    """What reads one service's jobs in one region a page at a time: a Jobs."""

    def iter_pages(
        self, spec: ServiceSpec, query: Any, region: str | None = None
    ) -> Iterator[list[ExportJob]]: ...

    def release(self, spec: ServiceSpec, region: str) -> None: ...


class Credentials(Protocol):
    """One credential set whose jobs are read: :class:`exportctl.ops.credentials.Reach`, or
    :class:`Here` for a listing of one account and one region."""

    label: str
    # Asked for by name (--accounts, one of several profiles): out of reach is an error.
    named: bool
    # AWS recognised these credentials: see Reach.proven.
    proven: bool
    # Why the account could not be learned, when the jobs go on without it.
    unknown_account: ExportctlError | None

    @property
    def jobs(self) -> Pages: ...

    def account_if_learned(self) -> str | None: ...


class Here:
    """The command's own credentials, for a listing of one account and one region.

    Their account is never asked for: a job's account is learned only for a
    command that spans several regions or accounts (see :func:`finish`).
    """

    def __init__(self, jobs: Pages) -> None:
        self.label = "default credentials"
        self.named = False
        self.proven = False
        self.unknown_account: ExportctlError | None = None
        self._jobs = jobs

    @property
    def jobs(self) -> Pages:
        return self._jobs

    def account_if_learned(self) -> str | None:
        return None


class RegionsAsked(Protocol):
    """What --region asked for, as the failure rule needs it
    (:class:`exportctl.ops.credentials.Regions`)."""

    @property
    def many(self) -> bool: ...

    def named(self, region: str) -> bool: ...


class _OneRegion:
    """The one region of a command that spans one: the default region."""

    @property
    def many(self) -> bool:
        return False

    def named(self, region: str) -> bool:
        return False


@dataclass(frozen=True, eq=False)
class Target:
    reach: Credentials
    spec: ServiceSpec
    region: str


@dataclass(frozen=True)
class Span:
    """What a command spans: for naming things in messages and references."""

    regions: RegionsAsked = field(default_factory=_OneRegion)
    many_accounts: bool = False
    named_services: bool = False

    @property
    def many(self) -> bool:
        return self.many_accounts or self.regions.many


def finish(job: ExportJob, reach: Credentials, span: Span) -> ExportJob:
    """The job with its account, and a reference that names it when accounts are many."""
    account = job.account or reach.account_if_learned()
    ref = job.ref
    if span.many_accounts and not job.arn and account:
        ref = with_account(ref, account)
    if account == job.account and ref == job.ref:
        return job
    return replace(job, account=account, ref=ref)


def incomplete(read: Mapping[str, int]) -> str | None:
    """The closing line of a listing that a failure cut short, or None.

    ``read``: where each failure happened and the jobs read there before it.
    A target that failed after giving some jobs leaves a listing that looks
    whole and is not: that is said last, on stderr, in every format (ndjson and
    csv too), besides the target's error and the non-zero exit code. A target
    that gave nothing is told by its error alone.
    """
    cut = [f"{title} failed after {n} job{'s' if n != 1 else ''}" for title, n in read.items() if n]
    if not cut:
        return None
    return f"this listing is incomplete ({'; '.join(cut)}): more jobs exist than are printed"


@dataclass
class _Failure:
    target: Target
    error: ExportctlError
    kind: str  # "service", "elsewhere", "token", "region", "account", "other"
    # Jobs the target gave before it failed.
    got: int = 0


class Fanout:
    """The jobs of every target, each page yielded as soon as it arrives (every
    job: ``query.limit`` is for the caller, who alone knows the order it wants).

    ``failures`` and ``notices`` are known once the iteration ends, settled by the
    module's rule; ``read`` (the jobs of each failed target read before it
    failed) makes :attr:`incomplete`. ``once``: the listing is read once (``list``),
    so each target's client is let go as the target ends, and memory stays flat
    however many accounts and regions there are; a listing made again and again
    (``watch``) keeps them.
    """

    def __init__(
        self,
        targets: Sequence[Target],
        query: Any,
        span: Span,
        *,
        idle: Callable[[], None] = lambda: None,
        on_progress: Callable[[str | None], None] | None = None,
        global_cap: int = GLOBAL_CAP,
        per_place_cap: int = PER_PLACE_CAP,
        once: bool = False,
    ) -> None:
        self.targets = list(targets)
        self._once = once
        self.query = query
        self.span = span
        self._idle = idle
        self._on_progress = on_progress
        self._global_cap = global_cap
        self._per_place_cap = per_place_cap
        self._queue: queue.Queue[tuple[str, Target, Any]] = queue.Queue(PAGES_IN_FLIGHT)
        self._stop = threading.Event()
        self._cond = threading.Condition()
        self._running: Counter[tuple[int, str]] = Counter()
        self._active = 0
        self._left_by_region: Counter[str] = Counter(t.region for t in self.targets)
        self._left_by_account: Counter[int] = Counter(id(t.reach) for t in self.targets)
        self._read = 0
        self._answered: set[int] = set()
        # (credential set, service) pairs that answered in at least one region.
        self._served: set[tuple[int, str]] = set()
        self.failures: list[ExportctlError] = []
        self.notices: list[ExportctlError] = []
        # As ListResult.read: failed targets and the jobs they gave first.
        self.read: dict[str, int] = {}

    @property
    def incomplete(self) -> str | None:
        return incomplete(self.read)

    # -- reading -----------------------------------------------------------------

    def __iter__(self) -> Iterator[ExportJob]:
        failed: list[_Failure] = []
        if len(self.targets) == 1:
            pages = self._read_here(self.targets[0], failed)
        else:
            pages = self._read_in_threads(failed)
        ticker = start_ticker(self._stop, self._on_progress, self.progress)
        try:
            for page in pages:
                yield from page
                if self._stop.is_set():
                    break
        finally:
            self.close()
            if ticker is not None:
                # The line is gone before anything else is written.
                ticker.join(timeout=1)
        self._settle(failed)

    def _pages(
        self, target: Target, fail: Callable[[_Failure], object]
    ) -> Iterator[list[ExportJob]]:
        """``target``'s pages as they arrive. A failure is handed to ``fail``; an
        exception that is no failure of AWS's (a bug) is raised."""
        got = 0
        try:
            for page in target.reach.jobs.iter_pages(target.spec, self.query, target.region):
                if self.span.many:
                    page = [finish(job, target.reach, self.span) for job in page]
                got += len(page)
                with self._cond:
                    self._read += len(page)
                yield page
        except Exception as exc:
            failure = self._classify(target, exc)
            failure.got = got
            fail(failure)
            return
        finally:
            if self._once:
                target.reach.jobs.release(target.spec, target.region)
        with self._cond:
            self._answered.add(id(target))
            self._served.add((id(target.reach), target.spec.name))
        target.reach.proven = True

    def _read_here(self, target: Target, failed: list[_Failure]) -> Iterator[list[ExportJob]]:
        """The one target, on the caller's thread: no queue, no thread to hand over to."""
        try:
            for page in self._pages(target, failed.append):
                yield page
                if self._stop.is_set():
                    return
                # What this page wrote is out before the next one is waited for.
                self._idle()
        finally:
            self._ended(target)

    def _read_in_threads(self, failed: list[_Failure]) -> Iterator[list[ExportJob]]:
        threading.Thread(target=self._dispatch, name="fanout", daemon=True).start()
        remaining = len(self.targets)
        while remaining:
            if self._queue.empty():
                self._idle()
            kind, _, payload = self._queue.get()
            if kind == "page":
                yield payload
            elif kind == "error":
                failed.append(payload)
            elif kind == "crash":
                raise payload
            else:
                remaining -= 1

    def _dispatch(self) -> None:
        pending = self._start_order()
        while pending and not self._stop.is_set():
            with self._cond:
                chosen = None
                if self._active < self._global_cap:
                    for index, target in enumerate(pending):
                        if self._running[self._place(target)] < self._per_place_cap:
                            chosen = pending.pop(index)
                            break
                if chosen is None:
                    self._cond.wait(0.1)
                    continue
                self._active += 1
                self._running[self._place(chosen)] += 1
            threading.Thread(
                target=self._run, args=(chosen,), name=f"read-{chosen.spec.name}", daemon=True
            ).start()

    def _start_order(self) -> list[Target]:
        """Place by place as given; in each, the services that take a chain of calls first."""
        places: dict[tuple[int, str], int] = {}
        for target in self.targets:
            places.setdefault(self._place(target), len(places))
        return sorted(self.targets, key=lambda t: (places[self._place(t)], t.spec.fan_out is None))

    @staticmethod
    def _place(target: Target) -> tuple[int, str]:
        return (id(target.reach), target.region)

    def _run(self, target: Target) -> None:
        """One target on a thread of its own: its pages, then how it ended, into the queue."""
        try:
            for page in self._pages(target, lambda f: self._put(("error", target, f))):
                if self._stop.is_set() or not self._put(("page", target, page)):
                    return
        except Exception as unexpected:
            self._put(("crash", target, unexpected))
        finally:
            with self._cond:
                self._active -= 1
                self._running[self._place(target)] -= 1
            self._ended(target)
            self._put(("done", target, None))

    def _ended(self, target: Target) -> None:
        with self._cond:
            self._left_by_region[target.region] -= 1
            self._left_by_account[id(target.reach)] -= 1
            self._cond.notify_all()

    def _put(self, item: tuple[str, Target, Any]) -> bool:
        return hand_on(self._queue, item, self._stop)

    def close(self) -> None:
        """Let the reading threads go: they stop at their next page."""
        self._stop.set()
        with self._cond:
            self._cond.notify_all()

    # -- failures ------------------------------------------------------------------

    def _classify(self, target: Target, exc: BaseException) -> _Failure:
        if isinstance(exc, RoleUnavailable):
            return _Failure(target, exc, "account")
        # The call translates botocore's error; what AWS said is its cause.
        said = answer_of(exc) or answer_of(exc.__cause__)
        if recognised(said):
            # An account whose every service refuses it (an SCP) still answered with
            # these credentials: its opt-in regions are then "not enabled", not refusals.
            target.reach.proven = True
        error = translate(exc, target.spec)
        if said is not None and said.code in TOKEN_CODES and self.span.regions.many:
            return _Failure(target, error, "token")
        if said is not None and said.code in ANSWERS_ELSEWHERE_CODES:
            return _Failure(target, error, "elsewhere")
        if isinstance(error, ServiceUnavailableError):
            return _Failure(target, error, "service")
        return _Failure(target, error, "other")

    def _settle(self, failed: list[_Failure]) -> None:
        """The failures of the listing, as errors and notices: the module's rule."""
        notices: list[_Failure] = []
        failures: list[_Failure] = []
        for f in failed:
            if f.kind == "token":
                if not f.target.reach.proven:
                    f.kind = "other"
                else:
                    f.kind = "region"
                    f.error = ServiceUnavailableError(
                        "the region is not enabled for this account (an opt-in region): "
                        "enable it in the account settings, or leave it out of --region",
                        service=f.target.spec.name,
                        exit_code=ExitCode.AWS,
                    )
            served = (id(f.target.reach), f.target.spec.name) in self._served
            if f.kind == "elsewhere":
                if served:
                    # It answered in its home region, also listed: nothing is missing.
                    continue
                f.kind = "service"
            named = {
                "account": f.target.reach.named,
                "region": self.span.regions.named(f.target.region),
                # A service asked for by name need not answer in every region (Discovery
                # answers in its home region only), but in one at least.
                "service": self.span.named_services and not (self.span.regions.many and served),
            }.get(f.kind, True)
            (failures if named else notices).append(f)
        if notices and not self._answered:
            # Nothing answered: what kept the targets out of reach is the failure. A
            # region not enabled is not its cause when something else is (every call
            # denied must stay exit 4, not become exit 5), so it stays a notice then.
            failures += [f for f in notices if f.kind != "region"]
            regions = [f for f in notices if f.kind == "region"]
            failures, notices = (failures, regions) if failures else (regions, [])
        if not self.span.many:
            # One account in one region: told in the order of the services asked for.
            order = {id(t): n for n, t in enumerate(self.targets)}
            failures.sort(key=lambda f: order[id(f.target)])
            notices.sort(key=lambda f: order[id(f.target)])
        for f in failures:
            if f.got:
                where = [f.target.spec.title]
                if self.span.many_accounts:
                    where.append(f.target.reach.label)
                if self.span.regions.many:
                    where.append(f.target.region)
                self.read[", ".join(where)] = f.got
        self.failures = self._told(failures)
        self.notices = self._unknown_accounts() + self._told(notices)
        if notices and len(self.targets) > 1 and self.span.many:
            self.notices.append(
                ExportctlError(
                    f"{len(notices)} of {len(self.targets)} (account, region, service) "
                    "targets could not be read"
                )
            )

    def _told(self, failed: list[_Failure]) -> list[ExportctlError]:
        """What is said of ``failed``: over several targets, grouped (see :meth:`_grouped`);
        over one account in one region, each error as it is."""
        if self.span.many:
            return self._grouped(failed)
        return [f.error for f in failed]

    def _unknown_accounts(self) -> list[ExportctlError]:
        """One notice per credential set whose account could not be learned."""
        out: list[ExportctlError] = []
        for reach in dict.fromkeys(t.reach for t in self.targets):
            why = reach.unknown_account
            if why is None:
                continue
            who = f"{reach.label}: " if self.span.many_accounts else ""
            out.append(
                ExportctlError(
                    f"{who}the account could not be learned, so jobs without an ARN "
                    f"are shown without it: {why.message}"
                )
            )
        return out

    def _grouped(self, failed: list[_Failure]) -> list[ExportctlError]:
        """One error per account and message, naming the regions it happened in."""
        regions: dict[tuple[str, str], list[str]] = defaultdict(list)
        first: dict[tuple[str, str], ExportctlError] = {}
        for f in failed:
            key = (f.target.reach.label, f.error.message)
            first.setdefault(key, f.error)
            if f.target.region not in regions[key] and f.kind != "account":
                regions[key].append(f.target.region)
        out: list[ExportctlError] = []
        for (label, message), error in sorted(first.items(), key=lambda item: item[0]):
            where = []
            if self.span.many_accounts:
                where.append(label)
            places = sorted(regions[(label, message)])
            if places and self.span.regions.many:
                where.append(("region " if len(places) == 1 else "regions ") + ", ".join(places))
            text = f"{'; '.join(where)}: {message}" if where else message
            grouped = _like(error, text)
            out.append(grouped)
        return out

    # -- progress ------------------------------------------------------------------

    def progress(self) -> str:
        """How far the listing is, for a progress line: ``jobs 3,400``, and over
        several targets the regions (and accounts) done first."""
        with self._cond:
            regions = len(self._left_by_region)
            regions_done = sum(1 for n in self._left_by_region.values() if n == 0)
            accounts = len(self._left_by_account)
            accounts_done = sum(1 for n in self._left_by_account.values() if n == 0)
            read = self._read
        if not self.span.many:
            return f"jobs {read:,}"
        parts = [f"regions {regions_done}/{regions}"]
        if accounts > 1:
            parts.append(f"accounts {accounts_done}/{accounts}")
        parts.append(f"jobs {read:,}")
        return ", ".join(parts)


def _like(error: ExportctlError, message: str) -> ExportctlError:
    """``error`` with another message, keeping its kind and exit code."""
    if isinstance(error, ServiceUnavailableError):
        return ServiceUnavailableError(message, service=error.service, exit_code=error.exit_code)
    if isinstance(error, CredentialsError):
        return CredentialsError(message, service=error.service)
    copy = type(error)(message, service=error.service)
    copy.exit_code = error.exit_code
    return copy
