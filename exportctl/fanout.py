"""One listing over many (account, region, service) targets, read concurrently.

Targets are started by one dispatcher under two caps: at most ``GLOBAL_CAP``
read at once, and at most ``PER_PLACE_CAP`` of one account in one region (AWS
throttles per account and region, so a throttled account holds only its own
slots and botocore's retries there do not hold back the others). Each page is
handed on as it arrives, so streamed formats print at the first answer.

A target that cannot be reached (access denied, an opt-in region that is not
enabled, no Migration Hub home region, a role that cannot be assumed) is a
notice unless what made it unreachable was asked for by name; notices of one
account that differ only by region are told once, then counted.
"""

from __future__ import annotations

import queue
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from exportctl.adapters.spec import ServiceSpec
from exportctl.arrivals import PAGES_IN_FLIGHT
from exportctl.errors import (
    ANSWERS_ELSEWHERE_CODES,
    CredentialsError,
    ExitCode,
    ExportctlError,
    ServiceUnavailableError,
    answer_of,
    recognised,
    translate,
)
from exportctl.model import ExportJob
from exportctl.reach import Reach, Regions, RoleUnavailable
from exportctl.refs import with_account
from exportctl.workers import hand_on, start_ticker

GLOBAL_CAP = 64
PER_PLACE_CAP = 4
# What AWS answers with valid credentials in an opt-in region the account has not enabled.
TOKEN_CODES = frozenset({"UnrecognizedClientException", "InvalidClientTokenId"})


@dataclass(frozen=True, eq=False)
class Target:
    reach: Reach
    spec: ServiceSpec
    region: str


@dataclass(frozen=True)
class Span:
    """What a command spans: for naming things in messages and references."""

    regions: Regions
    many_accounts: bool
    named_services: bool = False

    @property
    def many(self) -> bool:
        return self.many_accounts or self.regions.many


def finish(job: ExportJob, reach: Reach, span: Span) -> ExportJob:
    """The job with its account, and a reference that names it when accounts are many."""
    account = job.account or reach.account_if_learned()
    ref = job.ref
    if span.many_accounts and not job.arn and account:
        ref = with_account(ref, account)
    if account == job.account and ref == job.ref:
        return job
    return replace(job, account=account, ref=ref)


@dataclass
class _Failure:
    target: Target
    error: ExportctlError
    kind: str  # "service", "elsewhere", "region", "account", "other"
    # Jobs the target gave before it failed.
    got: int = 0


class Fanout:
    """The jobs of every target, each page yielded as soon as it arrives (every
    job: ``query.limit`` is for the caller, who alone knows the order it wants).

    ``failures`` and ``notices`` are known once the iteration ends.
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
    ) -> None:
        self.targets = list(targets)
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
        from exportctl.jobs import incomplete

        return incomplete(self.read)

    # -- reading -----------------------------------------------------------------

    def __iter__(self) -> Iterator[ExportJob]:
        failed: list[_Failure] = []
        threading.Thread(target=self._dispatch, name="fanout", daemon=True).start()
        ticker = start_ticker(self._stop, self._on_progress, self.progress)
        remaining = len(self.targets)
        try:
            while remaining:
                if self._queue.empty():
                    self._idle()
                kind, _, payload = self._queue.get()
                if kind == "page":
                    yield from payload
                    if self._stop.is_set():
                        break
                elif kind == "error":
                    failed.append(payload)
                elif kind == "crash":
                    raise payload
                else:
                    remaining -= 1
        finally:
            self.close()
            if ticker is not None:
                ticker.join(timeout=1)
        self._settle(failed)

    def _dispatch(self) -> None:
        pending = list(self.targets)
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

    @staticmethod
    def _place(target: Target) -> tuple[int, str]:
        return (id(target.reach), target.region)

    def _run(self, target: Target) -> None:
        got = 0
        try:
            for page in target.reach.jobs.iter_pages(target.spec, self.query, target.region):
                page = [finish(job, target.reach, self.span) for job in page]
                got += len(page)
                with self._cond:
                    self._read += len(page)
                if self._stop.is_set() or not self._put(("page", target, page)):
                    return
            with self._cond:
                self._answered.add(id(target))
                self._served.add((id(target.reach), target.spec.name))
            target.reach.proven = True
        except Exception as exc:
            try:
                failure = self._classify(target, exc)
                failure.got = got
                self._put(("error", target, failure))
            except Exception as unexpected:
                self._put(("crash", target, unexpected))
        finally:
            with self._cond:
                self._active -= 1
                self._running[self._place(target)] -= 1
                self._left_by_region[target.region] -= 1
                self._left_by_account[id(target.reach)] -= 1
                self._cond.notify_all()
            self._put(("done", target, None))

    def _put(self, item: tuple[str, Target, Any]) -> bool:
        return hand_on(self._queue, item, self._stop)

    def close(self) -> None:
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
        for f in failures:
            if f.got:
                where = [f.target.spec.title]
                if self.span.many_accounts:
                    where.append(f.target.reach.label)
                if self.span.regions.many:
                    where.append(f.target.region)
                self.read[", ".join(where)] = f.got
        self.failures = self._grouped(failures)
        self.notices = self._unknown_accounts() + self._grouped(notices)
        if notices and len(self.targets) > 1 and self.span.many:
            self.notices.append(
                ExportctlError(
                    f"{len(notices)} of {len(self.targets)} (account, region, service) "
                    "targets could not be read"
                )
            )

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
        with self._cond:
            regions = len(self._left_by_region)
            regions_done = sum(1 for n in self._left_by_region.values() if n == 0)
            accounts = len(self._left_by_account)
            accounts_done = sum(1 for n in self._left_by_account.values() if n == 0)
            read = self._read
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
