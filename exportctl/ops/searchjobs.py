"""A search job: its key, what GetSearchJob says of it, and where it is found.

A key that names its region is read there; one that names none is looked for in
each region of the command (and each account), as an export job by reference is
(:mod:`exportctl.ops.lookup`): found in one, it is that one; in several, which is
meant is the user's to say (exit 2); in none, "not found" names where it looked.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from exportctl.domain.errors import (
    ExitCode,
    ExportctlError,
    NotFoundError,
    RoleUnavailable,
    UsageError,
    clip,
    of_service,
)
from exportctl.domain.timeutil import as_utc, iso, jsonable
from exportctl.ops.core import Board
from exportctl.ops.credentials import Reach
from exportctl.ops.jobs import Jobs
from exportctl.ops.lookup import Failure, Place, ask_everywhere, pick
from exportctl.ops.notfound import counted, places_of, unread_names, unread_notices
from exportctl.services import engine as eng
from exportctl.services import search_spec, searchrefs, snakecase
from exportctl.services.spec import SearchJobs, ServiceSpec


def search_service() -> ServiceSpec:
    """The service whose search jobs these are."""
    spec = search_spec()
    if spec is None:
        raise UsageError("no service has search jobs: there are no backups to show")
    return spec


def searches() -> SearchJobs:
    """What its spec says of its search jobs."""
    declared = search_service().searches
    assert declared is not None
    return declared


def search_arn(text: str) -> searchrefs.SearchRef | None:
    """``text`` as a search job's ARN, or None."""
    try:
        found = searchrefs.parse(text, searches().arn)
    except searchrefs.BadSearchRef:
        return None
    return found if found and found.arn else None


@dataclass(frozen=True)
class SearchJobKey:
    id: str
    region: str | None = None
    arn: str | None = None
    # The account it is in, when known (its ARN's, its export job's): where the
    # command spans several, it is read with that account's credentials.
    account: str | None = None
    # A bare id no export job had: why, said too when no search job has it either.
    not_export: NotFoundError | None = field(default=None, compare=False)

    @property
    def display(self) -> str:
        return self.arn or self.id


@dataclass(frozen=True)
class SearchJob:
    """A search job as its get describes it: how far it got, and whether it is done."""

    id: str
    region: str
    status: str
    arn: str | None = None
    name: str | None = None
    status_message: str | None = None
    created: datetime | None = None
    completed: datetime | None = None
    # How far it got, and what it has to search (``SearchMembers``), snake_case.
    progress: Mapping[str, Any] = field(default_factory=dict)
    scope_summary: Mapping[str, Any] = field(default_factory=dict)
    # Every other member (search scope, item filters, key), snake_case; tag names kept.
    details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def account(self) -> str | None:
        """The account its ARN names."""
        found = search_arn(self.arn or "")
        return found.account if found else None

    @property
    def final(self) -> bool:
        """Its backups are all listed: nothing more will be searched."""
        return self.status == searches().final

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "arn": self.arn,
            "region": self.region,
            "name": self.name,
            "status": self.status,
            "status_message": self.status_message,
            "created": iso(self.created),
            "completed": iso(self.completed),
            "progress": jsonable(self.progress),
            "scope_summary": jsonable(self.scope_summary),
            "details": jsonable(self.details),
        }


def search_job_from_raw(raw: Mapping[str, Any], region: str) -> SearchJob:
    declared = searches()
    m, keys = declared.members, snakecase.key_plan(declared.maps)  # map keys are data: kept
    return SearchJob(
        id=str(raw.get(m.id) or ""),
        region=region,
        status=str(raw.get(m.status) or ""),
        arn=raw.get(m.arn),
        name=raw.get(m.name) or None,
        status_message=raw.get(m.message) or None,
        created=as_utc(raw.get(m.created)),
        completed=as_utc(raw.get(m.completed)),
        progress=snakecase.snake_member(raw, m.progress, keys) or {},
        scope_summary=snakecase.snake_member(raw, m.scope_summary, keys) or {},
        # botocore's ResponseMetadata is no member of the service's.
        details=snakecase.snake_members(raw, keys, m.own() | {"ResponseMetadata"}),
    )


def read(jobs: Jobs, region: str, search: SearchJobKey) -> SearchJob:
    """The search job, with ``jobs``' credentials in ``region`` (GetSearchJob)."""
    spec, declared = search_service(), searches()
    call, named = jobs.caller(spec, region), jobs.clients.named_for(spec.client)
    raw, m = call(declared.get, {declared.param: search.id}), declared.members
    # The model requires both: without them (a proxy's page, a cut body) the
    # answer is no search job's, and nothing about the search may be said.
    for member in (m.id, m.status):
        if not isinstance(raw.get(member), str) or not raw[member]:
            raise of_service(eng.broken(declared.get, f"the {member}", raw), spec, named)
    if not eng.same_job((search.id,), (raw[m.id], raw.get(m.arn))):
        said = f"the search job asked for (it describes '{clip(raw[m.id])}')"
        raise of_service(eng.broken(declared.get, said, raw), spec, named)
    return search_job_from_raw(raw, region)


def find(jobs: Jobs, search: SearchJobKey) -> tuple[Jobs, SearchJob]:
    """The search job, and the core of the credentials that read it: in the region
    its key names, else (the default region's alone when the command has but one)
    in each region and account of the command."""
    if search.region is None and isinstance(jobs, Board) and jobs.multi:
        return _everywhere(jobs, search)
    here = jobs.for_account(search.account)
    return here, read(here, search.region or here.clients.default_region, search)


def _everywhere(board: Board, search: SearchJobKey) -> tuple[Jobs, SearchJob]:
    spec = search_service()
    asks = [
        (reach, region)
        for reach, regions in board.places(spec, search.account, None)
        for region in regions
    ]

    def ask(place: Place) -> SearchJob | ExportctlError:
        try:
            return read(place[0].jobs, place[1], search)
        except ExportctlError as exc:
            return exc

    found: list[tuple[Reach, SearchJob]] = []
    failures: list[Failure] = []
    for (reach, region), answer in zip(asks, ask_everywhere(asks, ask), strict=True):
        if isinstance(answer, ExportctlError):
            failures.append((reach, region, answer))
        # Two profiles of one account (--profile ro,admin) read the same search job.
        elif all((answer.arn, answer.region) != (job.arn, job.region) for _, job in found):
            found.append((reach, answer))

    def several(many: Sequence[tuple[Reach, SearchJob]]) -> ExportctlError:
        arns = ", ".join(clip(job.arn or job.id) for _, job in many)
        return UsageError(
            f"{spec.title}: {clip(search.id)} names {len(many)} search jobs, in "
            f"{places_of([job for _, job in many])}: give the ARN of the one meant ({arns})",
            service=spec.name,
        )

    def missing(places: list[Place], unread: list[Failure]) -> ExportctlError:
        return _missing(board, search, places, unread)

    picked = pick(found, failures, several=several, missing=missing)
    if isinstance(picked, ExportctlError):
        raise picked
    return picked[0].jobs, picked[1]


def _missing(
    board: Board, search: SearchJobKey, places: list[Place], unread: list[Failure]
) -> NotFoundError:
    """No search job of that id where it was looked for, saying where (as an export
    job's reference says it), and what could not be read there."""
    spec, span = search_service(), board.span()
    regions = list(dict.fromkeys(region for _, region in places))
    where = counted(regions, "region", bare=True)
    text = f"{spec.title}: no search job {clip(search.id)} in {where}"
    if len({id(reach) for reach, _ in places}) > 1:
        text += f" (looked in {len(places)} account and region pairs)"
    names = unread_names(places, unread)
    if names:
        text += f"; not read (see the notices): {', '.join(names)}"
    error = NotFoundError(text, service=spec.name)
    error.notices = tuple(
        unread_notices(unread, accounts=span.many_accounts, regions=span.regions.many)
    )
    # As an export job not found: a place out of reach may hold it (its exit code),
    # unless a role not assumed in an account not named is a notice only.
    error.exit_code = max(
        (
            e.exit_code
            for reach, _, e in unread
            if reach.named or not isinstance(e, RoleUnavailable)
        ),
        default=ExitCode.NOT_FOUND,
    )
    return error
