"""The core over several regions and accounts: what the commands call.

With one credential set and one region a :class:`Board` is exactly :class:`Jobs`.
With several (``--region all``, ``--region a,b``, ``--profile a,b``,
``--org-role``) it lists every (account, region, service) target concurrently
(:mod:`exportctl.ops.listing`, the engine of every listing) and finds each job named by
reference in the account and region the reference names, or in each of them when
it names none.
"""

from __future__ import annotations

import functools
import threading
import weakref
from collections.abc import Callable, Sequence
from typing import Any

from exportctl.aws.clients import AwsSettings, Clients
from exportctl.domain.errors import (
    ExportctlError,
    NotFoundError,
    ParentNotFound,
    ServiceUnavailableError,
    UsageError,
    clip,
)
from exportctl.domain.model import ExportJob
from exportctl.ops.callcounter import CallCounter
from exportctl.ops.credentials import Accounts, Reach, Regions
from exportctl.ops.jobs import Jobs, ListQuery, Result, Unit
from exportctl.ops.listing.fanout import Fanout
from exportctl.ops.listing.targets import Span, Target, finish
from exportctl.ops.lookup import Failure, ask_everywhere, pick
from exportctl.ops.notfound import (
    NotFoundThere,
    OtherAccount,
    elsewhere,
    other_account,
    places_of,
    told_as_listed,
    unread_notices,
)
from exportctl.ops.organization import Organization
from exportctl.services import all_specs, spec_for
from exportctl.services.forms import Named, flag
from exportctl.services.refs import JobKey, scoped_region
from exportctl.services.spec import ServiceSpec

Progress = Callable[[str | None], None]


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
        # The fan-outs read through it, held weakly: close() stops those still reading.
        self._fanouts: weakref.WeakSet[Fanout] = weakref.WeakSet()
        self._fanouts_lock = threading.Lock()
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

    def close(self, said: str | None = None) -> None:
        """Close every client made, of every credential set (their connections with
        them); the board makes others if used again; ``said``: what a call after it
        is refused with (``Clients.close``'s words by default). Its fan-outs still
        reading stop first (as :meth:`Fanout.close`): the clients their readers hold
        would call on after their close, botocore opening new connections that nobody
        closes."""
        with self._fanouts_lock:
            fanouts = list(self._fanouts)
        for stream in fanouts:
            stream.close()
        self.clients.close(said)
        for reach in self._spans or ():
            reach.clients.close(said)
        if self._org is not None:
            self._org.close(said)

    @property
    def settings(self) -> AwsSettings:
        """What its calls go with, as :func:`exportctl.ops.connect.connect` settled them."""
        return self.clients.settings

    @property
    def multi(self) -> bool:
        return self.regions.many or self.accounts.many

    def span(self, query: ListQuery | None = None) -> Span:
        return Span(
            self.regions,
            self.accounts.many,
            named_services=bool(query and query.services),
            option=self.clients.settings.named,
        )

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
        # A filter's ARN names the one region its jobs are in.
        scoped = {spec.name: scoped_region(spec, query.scope) for spec in specs}
        out = [
            Target(reach, spec, region)
            for reach in reaches
            for spec in specs
            for region in self._regions_of(spec, reach, scoped[spec.name])
        ]
        order = {id(reach): n for n, reach in enumerate(reaches)}
        home = self.clients.default_region
        # Started in this order: the default region first (where jobs usually are), then
        # region by region (in each, Fanout starts the services with a chain of calls first).
        out.sort(key=lambda t: (t.region != home, t.region, order[id(t.reach)]))
        return out

    def _regions_of(self, spec: ServiceSpec, reach: Reach, scoped: str | None) -> list[str]:
        return [scoped] if scoped else list(self.regions.of(spec, reach))

    def fanout(
        self,
        query: ListQuery,
        *,
        idle: Callable[[], None] = lambda: None,
        on_progress: Progress | None = None,
        once: bool = False,
    ) -> Fanout:
        if not self.multi:
            stream = super().fanout(query, idle=idle, on_progress=on_progress, once=once)
        else:
            stream = Fanout(
                self.targets(query),
                query,
                self.span(query),
                idle=idle,
                on_progress=on_progress,
                once=once,
            )
        with self._fanouts_lock:
            self._fanouts.add(stream)
        return stream

    # -- jobs by reference -----------------------------------------------------------

    def get(self, key: JobKey) -> ExportJob:
        if not self.multi:
            try:
                job = super().get(key)
            except NotFoundError as exc:
                raise NotFoundThere(
                    key,
                    [(self.base, self.region_of(key))],
                    regions_given=self.regions.given,
                    parent=isinstance(exc, ParentNotFound),
                ) from exc
            except ServiceUnavailableError as exc:
                other = elsewhere(key, self.base)
                if other is None:
                    raise
                raise other from exc
            mismatch = other_account(key, job, self.base)
            if mismatch is not None:
                raise mismatch
            return job
        result = self.get_many([key])[0]
        if isinstance(result, ExportctlError):
            raise result
        return result

    def get_many(self, keys: Sequence[JobKey]) -> list[ExportJob | ExportctlError]:
        if not self.multi:
            return self._all_placed(keys, super().get_many(keys))
        return self._lookup(keys, refresh=False)

    def refresh(self, keys: Sequence[JobKey]) -> list[ExportJob | ExportctlError]:
        if not self.multi:
            return self._all_placed(keys, super().refresh(keys))
        return self._lookup(keys, refresh=True)

    def refresh_units(self, keys: Sequence[JobKey]) -> list[tuple[list[int], Unit]]:
        if not self.multi:
            return [
                (indexes, functools.partial(self._unit_placed, keys, unit))
                for indexes, unit in super().refresh_units(keys)
            ]
        # Every account and region is asked together: one piece of work for them all.
        return [(list(range(len(keys))), lambda: dict(enumerate(self.refresh(keys))))]

    def _placed(self, key: JobKey, result: Result) -> Result:
        """One region's answer for ``key``, saying where it looked when it found nothing."""
        if isinstance(result, (NotFoundThere, OtherAccount)):
            # Jobs.get_many reads each job through get, which placed it already.
            return result
        if isinstance(result, NotFoundError):
            return NotFoundThere(
                key,
                [(self.base, self.region_of(key))],
                regions_given=self.regions.given,
                parent=isinstance(result, ParentNotFound),
            )
        if isinstance(result, ExportJob):
            return other_account(key, result, self.base) or result
        if isinstance(result, ServiceUnavailableError):
            return elsewhere(key, self.base) or result
        return result

    def _all_placed(self, keys: Sequence[JobKey], results: Sequence[Result]) -> list[Result]:
        return [self._placed(k, r) for k, r in zip(keys, results, strict=True)]

    def _unit_placed(self, keys: Sequence[JobKey], unit: Unit) -> dict[int, Result]:
        return {i: self._placed(keys[i], r) for i, r in unit().items()}

    def places(
        self, spec: ServiceSpec, account: str | None, region: str | None
    ) -> list[tuple[Reach, tuple[str, ...]]]:
        """Where a job of ``spec`` may be: each credential set of ``account`` (of the
        command, when None) with ``region``, or every region of the command there."""
        reaches = self.reaches() if account is None else self._reaches_in(account)
        return [(reach, (region,) if region else self.regions.of(spec, reach)) for reach in reaches]

    def _lookup(self, keys: Sequence[JobKey], *, refresh: bool) -> list[ExportJob | ExportctlError]:
        """Each key in every (account, region) it may be in; the first found wins."""
        results: dict[int, ExportJob | ExportctlError] = {}
        asks: dict[int, list[tuple[int, JobKey]]] = {}
        by_reach: dict[int, Reach] = {}
        if self._org is not None:
            self._org.name_regions(key.region for key in keys if key.region)
        for index, key in enumerate(keys):
            try:
                # A key without its region, with no default region, fails alone.
                places = self.places(spec_for(key.service), key.account, key.region)
            except ExportctlError as exc:
                results[index] = exc
                continue
            for reach, regions in places:
                by_reach[id(reach)] = reach
                for region in regions:
                    asks.setdefault(id(reach), []).append((index, key.in_region(region)))

        def ask(reach_id: int) -> list[tuple[int, Reach, str, ExportJob | ExportctlError]]:
            reach = by_reach[reach_id]
            wanted = asks[reach_id]
            read = reach.jobs.refresh if refresh else reach.jobs.get_many
            answers = read([k for _, k in wanted])
            return [(i, reach, str(k.region), a) for (i, k), a in zip(wanted, answers, strict=True)]

        found: dict[int, list[tuple[Reach, str, ExportJob | ExportctlError]]] = {}
        for batch in ask_everywhere(list(asks), ask):
            for index, reach, region, answer in batch:
                found.setdefault(index, []).append((reach, region, answer))
        span = self.span()
        told_as_listed(found, keys, span)
        for index, answers in found.items():
            results[index] = self._pick(keys[index], answers, span)
        return [results[i] for i in range(len(keys))]

    def _pick(
        self,
        key: JobKey,
        answers: list[tuple[Reach, str, ExportJob | ExportctlError]],
        span: Span,
    ) -> ExportJob | ExportctlError:
        found: list[ExportJob] = []
        for reach, _, answer in answers:
            if isinstance(answer, ExportJob):
                try:
                    job = finish(answer, reach, span)
                except ExportctlError as exc:
                    return exc
                mismatch = other_account(key, job, reach)
                if mismatch is not None:
                    return mismatch
                # Two profiles of one account (--profile ro,admin) read the same job.
                if all(job.ref != seen.ref for seen in found):
                    found.append(job)
        errors = [(r, region, a) for r, region, a in answers if isinstance(a, ExportctlError)]

        def several(jobs: Sequence[ExportJob]) -> ExportctlError:
            refs = ", ".join(clip(job.ref) for job in jobs)
            return UsageError(
                f"{clip(key.id)} names {len(jobs)} jobs, in {places_of(jobs)}: give the "
                f"reference of the one meant ({refs})",
                service=key.service,
            )

        def missing(places: list[tuple[Reach, str]], unread: list[Failure]) -> ExportctlError:
            notices = unread_notices(unread, accounts=span.many_accounts, regions=span.regions.many)
            gone = [a for _, _, a in errors if isinstance(a, NotFoundError)]
            return NotFoundThere(
                key,
                places,
                regions_given=self.regions.given,
                unread=unread,
                notices=notices,
                # The parent the reference names exists nowhere it was looked for.
                parent=bool(gone) and all(isinstance(a, ParentNotFound) for a in gone),
            )

        return pick(found, errors, several=several, missing=missing)

    def for_account(self, account: str | None) -> Jobs:
        """The core whose credentials reach ``account`` (a role's in an organization, a
        profile's of several): not the default credentials, which may reach another
        account holding a job of the same id; this one, of one account."""
        if not self.accounts.many or account is None:
            return self
        return self._reaches_in(account)[0].jobs

    def start_account(self, named: Named = flag) -> str | None:
        """The one account a job is started in, where the command spans several:
        ``--org-role`` with one ``--accounts`` names it; otherwise there is none to
        guess (None: the default credentials', of one account). ``named``: how the
        caller's user gives those options, in messages."""
        if not self.accounts.many:
            return None
        if self.accounts.org_role and len(self.accounts.only) == 1:
            return self.accounts.only[0]
        raise UsageError(
            f"a job is started in one account: with {named('org-role')}, name it with "
            f"{named('accounts')} ID; of several {named('profile')}, give one"
        )

    def _reaches_in(self, account: str) -> list[Reach]:
        """The credential sets that reach ``account``: its role's, or the profiles in it."""
        if self._org is not None:
            return [self._org.reach(account, named=True)]
        if self._spans is not None and len(self._spans) > 1:
            matching = [r for r in self._spans if r.account() == account]
            if not matching:
                names = ", ".join(r.label for r in self._spans)
                raise UsageError(f"no credentials for account {account}: none of {names} is in it")
            return matching
        return [self.base]
