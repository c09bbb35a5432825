"""The core over several regions and accounts: what the commands call.

With one credential set and one region a :class:`Board` is exactly :class:`Jobs`.
With several (``--region all``, ``--region a,b``, ``--profile a,b``,
``--org-role``) it lists every (account, region, service) target concurrently
(:mod:`exportctl.fanout`) and finds each job named by reference in the account
and region the reference names, or in each of them when it names none.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from exportctl.adapters import all_specs, spec_for
from exportctl.aws import Clients
from exportctl.errors import ExportctlError, NotFoundError, UsageError
from exportctl.fanout import Fanout, Span, Target, finish
from exportctl.jobs import CallCounter, Jobs, ListQuery, ListResult, Unit, newest_first
from exportctl.model import ExportJob
from exportctl.reach import Accounts, Organization, Reach, Regions
from exportctl.refs import JobKey

Progress = Callable[[str | None], None]
LOOKUP_CONCURRENCY = 16


class Board(Jobs):
    def __init__(
        self,
        clients: Clients,
        calls: CallCounter | None = None,
        *,
        regions: Regions | None = None,
        accounts: Accounts | None = None,
        make_clients: Callable[[Any], Clients] | None = None,
    ) -> None:
        super().__init__(clients, calls)
        self.regions = regions or Regions()
        self.accounts = accounts or Accounts()
        # Its own single-region core: the board's methods span regions and accounts.
        self.base = Reach("default credentials", clients, self.calls)
        self._spans: list[Reach] | None = None
        self._org: Organization | None = None
        if self.accounts.org_role:
            self._org = Organization(
                self.base, self.accounts.org_role, self.accounts.only, self.calls
            )
        elif len(self.accounts.profiles) > 1:
            from dataclasses import replace

            assert make_clients is not None
            self._spans = [
                Reach(
                    f"profile {name}",
                    make_clients(
                        replace(clients.settings, profile=name, access_key=None, secret_key=None)
                    ),
                    self.calls,
                    named=True,
                )
                for name in self.accounts.profiles
            ]

    @property
    def multi(self) -> bool:
        return self.regions.many or self.accounts.many

    def span(self, query: ListQuery | None = None) -> Span:
        return Span(self.regions, self.accounts.many, named_services=bool(query and query.services))

    def reaches(self) -> list[Reach]:
        """Every credential set the command spans (the organization's accounts are
        listed once per process)."""
        if self._spans is None:
            if self._org is not None:
                only = set(self.accounts.only)
                self._spans = [
                    self._org.reach(account, named=account in only)
                    for account in self._org.accounts()
                ]
            else:
                self._spans = [self.base]
        return self._spans

    # -- listing -----------------------------------------------------------------

    def targets(self, query: ListQuery) -> list[Target]:
        specs = tuple(spec_for(s) for s in query.services) or all_specs()
        reaches = self.reaches()
        out = [
            Target(reach, spec, region)
            for reach in reaches
            for spec in specs
            for region in self.regions.of(spec, reach)
        ]
        order = {reach: n for n, reach in enumerate(reaches)}
        home = self.clients.default_region
        # Started in this order: the default region first (where jobs usually are), then
        # region by region, and in each the services that take a chain of calls first.
        out.sort(key=lambda t: (t.region != home, t.region, order[t.reach], t.spec.fan_out is None))
        return out

    def fanout(
        self,
        query: ListQuery,
        *,
        idle: Callable[[], None] = lambda: None,
        on_progress: Progress | None = None,
    ) -> Fanout:
        return Fanout(
            self.targets(query), query, self.span(query), idle=idle, on_progress=on_progress
        )

    # -- jobs by reference -----------------------------------------------------------

    def get(self, key: JobKey) -> ExportJob:
        if not self.multi:
            return super().get(key)
        result = self.get_many([key])[0]
        if isinstance(result, ExportctlError):
            raise result
        return result

    def get_many(self, keys: Sequence[JobKey]) -> list[ExportJob | ExportctlError]:
        if not self.multi:
            return super().get_many(keys)
        return self._lookup(keys, refresh=False)

    def refresh(self, keys: Sequence[JobKey]) -> list[ExportJob | ExportctlError]:
        if not self.multi:
            return super().refresh(keys)
        return self._lookup(keys, refresh=True)

    def refresh_units(self, keys: Sequence[JobKey]) -> list[tuple[list[int], Unit]]:
        if not self.multi:
            return super().refresh_units(keys)
        # Every account and region is asked together: one piece of work for them all.
        return [(list(range(len(keys))), lambda: dict(enumerate(self.refresh(keys))))]

    def _lookup(self, keys: Sequence[JobKey], *, refresh: bool) -> list[ExportJob | ExportctlError]:
        """Each key in every (account, region) it may be in; the first found wins."""
        results: dict[int, ExportJob | ExportctlError] = {}
        asks: dict[int, list[tuple[int, JobKey]]] = {}
        by_reach: dict[int, Reach] = {}
        for index, key in enumerate(keys):
            try:
                reaches = self._reaches_of(key)
            except ExportctlError as exc:
                results[index] = exc
                continue
            spec = spec_for(key.service)
            for reach in reaches:
                by_reach[id(reach)] = reach
                regions = (key.region,) if key.region else self.regions.of(spec, reach)
                for region in regions:
                    asks.setdefault(id(reach), []).append((index, key.in_region(region)))

        def ask(reach_id: int) -> list[tuple[int, Reach, ExportJob | ExportctlError]]:
            reach = by_reach[reach_id]
            wanted = asks[reach_id]
            read = reach.jobs.refresh if refresh else reach.jobs.get_many
            answers = read([k for _, k in wanted])
            return [(i, reach, a) for (i, _), a in zip(wanted, answers, strict=True)]

        found: dict[int, list[tuple[Reach, ExportJob | ExportctlError]]] = {}
        if asks:
            workers = min(LOOKUP_CONCURRENCY, len(asks))
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(max_workers=workers) as pool:
                for batch in pool.map(ask, list(asks)):
                    for index, reach, answer in batch:
                        found.setdefault(index, []).append((reach, answer))
        span = self.span()
        for index, answers in found.items():
            results[index] = self._pick(answers, span)
        return [results[i] for i in range(len(keys))]

    def _pick(
        self, answers: list[tuple[Reach, ExportJob | ExportctlError]], span: Span
    ) -> ExportJob | ExportctlError:
        errors: list[ExportctlError] = []
        for reach, answer in answers:
            if isinstance(answer, ExportJob):
                try:
                    return finish(answer, reach, span)
                except ExportctlError as exc:
                    return exc
            errors.append(answer)
        # Not found anywhere is "not found"; any other failure says more than that.
        others = [e for e in errors if not isinstance(e, NotFoundError)]
        if len(answers) > 1 and not others:
            first = errors[0]
            return NotFoundError(
                f"{first.message} (looked in {len(answers)} account and region pairs)",
                service=first.service,
            )
        return (others or errors)[0]

    def _reaches_of(self, key: JobKey) -> list[Reach]:
        if key.account is None:
            return self.reaches()
        if self._org is not None:
            return [self._org.reach(key.account, named=True)]
        if self._spans is not None and len(self._spans) > 1:
            matching = [r for r in self._spans if r.account() == key.account]
            if not matching:
                names = ", ".join(r.label for r in self._spans)
                raise UsageError(
                    f"no credentials for account {key.account}: none of {names} is in it"
                )
            return matching
        return [self.base]

    # Last in the class: a method named "list" hides the builtin in annotations below it.
    def list(self, query: ListQuery, on_progress: Progress | None = None) -> ListResult:
        if not self.multi:
            return super().list(query)
        from dataclasses import replace

        stream = self.fanout(replace(query, limit=None), on_progress=on_progress)
        jobs = newest_first(list(stream))
        if query.limit is not None:
            jobs = jobs[: query.limit]
        return ListResult(
            jobs=jobs, failures=stream.failures, notices=stream.notices, read=stream.read
        )
