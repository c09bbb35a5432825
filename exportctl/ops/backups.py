"""The backups a search job looked at, and why some were not searched.

The search jobs are those of the service whose spec declares them
(``ServiceSpec.searches``, :func:`exportctl.services.search_spec`). A reference is
either a search result export job of that service (its search job is read from
the export job) or the search job itself::

    arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE/ID  (the search job's ARN)
    PREFIX:[REGION:]ID                          (an export job, as everywhere)
    search-job:[REGION:]ID                      (a search job by id)
    ID                                          (an export job, else a search job)

A bare id is looked up as an export job first, since that is what `list` shows;
when no export job has it, it is taken for a search job's id.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from threading import Event
from typing import Any

from exportctl.aws.translate import answer_of
from exportctl.domain.errors import (
    ExitCode,
    ExportctlError,
    NotFoundError,
    UsageError,
    clip,
    of_service,
    raise_said,
)
from exportctl.domain.timeutil import as_utc, iso
from exportctl.ops.jobs import Jobs, unless
from exportctl.ops.searchjobs import (
    SearchJob,
    SearchJobKey,
    find,
    search_arn,
    search_service,
    searches,
)
from exportctl.services import engine as eng
from exportctl.services import forms, refs, searchrefs

SEARCH_PREFIX = searchrefs.PREFIX

RECORD_FIELDS = (
    "status",
    "resource_type",
    "backup_resource_arn",
    "source_resource_arn",
    "backup_creation_time",
    "index_creation_time",
    "status_message",
    "search_job_arn",
)
DEFAULT_FIELDS = ("status", "resource_type", "backup_resource_arn", "status_message")


@dataclass(frozen=True)
class EitherKey:
    """A bare id: an export job's, or else a search job's."""

    export: refs.JobKey


Ref = SearchJobKey | refs.JobKey | EitherKey


@dataclass(frozen=True)
class Backup:
    """One backup (recovery point) a search job included, with how its search went."""

    status: str
    resource_type: str | None
    backup_resource_arn: str | None
    source_resource_arn: str | None
    backup_creation_time: datetime | None
    index_creation_time: datetime | None
    status_message: str | None
    search_job_arn: str | None = None

    @property
    def problem(self) -> bool:
        return self.status in searches().problem_statuses

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "resource_type": self.resource_type,
            "backup_resource_arn": self.backup_resource_arn,
            "source_resource_arn": self.source_resource_arn,
            "backup_creation_time": iso(self.backup_creation_time),
            "index_creation_time": iso(self.index_creation_time),
            "status_message": self.status_message,
            "search_job_arn": self.search_job_arn,
        }


def _neither(search: NotFoundError, export: NotFoundError | None) -> NotFoundError:
    """No search job of a bare id, nor an export job: both lookups said, the export
    job's naming where it looked (its region hint, the accounts it could not read)."""
    if export is None:
        return search
    both = NotFoundError(
        f"{search.message.rstrip('.')}, and {export.message}", service=search.service
    )
    both.exit_code = max(search.exit_code, export.exit_code)
    both.notices = export.notices
    return both


def _answered(exc: BaseException) -> bool:
    """An error AWS answered with (a refusal), not one raised before any call."""
    cause: BaseException | None = exc
    seen: set[int] = set()
    while cause is not None and id(cause) not in seen:
        if answer_of(cause) is not None:
            return True
        seen.add(id(cause))
        cause = cause.__cause__
    return False


def from_raw(raw: Mapping[str, Any], search_job_arn: str | None = None) -> Backup:
    m = searches().members.backup
    return Backup(
        status=str(raw.get(m.status) or ""),
        resource_type=raw.get(m.resource_type),
        backup_resource_arn=raw.get(m.backup_resource_arn),
        source_resource_arn=raw.get(m.source_resource_arn),
        backup_creation_time=as_utc(raw.get(m.backup_creation_time)),
        index_creation_time=as_utc(raw.get(m.index_creation_time)),
        status_message=raw.get(m.message) or None,
        search_job_arn=search_job_arn,
    )


def accepted_forms(named: forms.Named = forms.flag) -> str:
    """What `backups` takes: a search job, or an export job of its results."""
    spec = search_service()
    # The search jobs' forms, then their export jobs' (the spec has their ARN).
    export = (refs.arn_form(spec) or "", refs.compact_form(spec, account=True))
    bare = "ID (an export job's, else a search job's)"
    return "; ".join(f for f in (*searchrefs.forms(searches().arn), *export, bare) if f)


def parse_search_ref(text: str, service: str | None = None, named: forms.Named = forms.flag) -> Ref:
    """A search job's key, or its export job's key; ``named``: as ``refs.parse`` takes it."""
    spec = search_service()
    try:
        found = searchrefs.parse(text, searches().arn)
    except searchrefs.BadSearchRef as bad:
        raise UsageError(
            f"bad reference '{clip(text)}': {bad}; accepted forms: {accepted_forms(named)}"
        ) from None
    if found:
        return SearchJobKey(found.id, found.region, found.arn, found.account)
    ref = text.strip()
    bare = ":" not in ref and not service
    key = refs.parse(ref, spec.name if bare else service, named, accepted_forms)
    if key.service != spec.name:
        raise UsageError(
            f"{text!r} is a {key.service} job: backups belong to {spec.title} "
            "search jobs and their export jobs"
        )
    return EitherKey(key) if bare else key


def summary(backups: list[Backup]) -> Counter[str]:
    return Counter(b.status for b in backups)


@dataclass(frozen=True)
class SearchReport:
    """What is known of a search job before its backups are listed."""

    search: SearchJobKey
    job: SearchJob | None
    # Why the search job could not be read, when it could not.
    unread: str | None = None

    @property
    def final(self) -> bool | None:
        """Whether the backups are all listed; None when the search job is unknown."""
        return None if self.job is None else self.job.final

    def to_dict(self, backups: list[dict[str, Any]]) -> dict[str, Any]:
        """The JSON document of `backups`: the search job, whether the list is final, the list."""
        return {
            "search_job": self.job.to_dict() if self.job else None,
            "final": self.final,
            "backups": backups,
        }


class SearchBackups:
    """Reads a search job's backups through the shared clients and call counter."""

    def __init__(self, jobs: Jobs) -> None:
        self.jobs = jobs

    def resolve(self, key: Ref) -> SearchJobKey:
        """The search job behind ``key``: itself, or the one an export job exported."""
        if isinstance(key, SearchJobKey):
            return key
        if isinstance(key, EitherKey):
            try:
                return self.resolve(key.export)
            except NotFoundError as exc:
                return SearchJobKey(key.export.id, key.export.region, not_export=exc)
        job = self.jobs.get(key)
        declared = searches()
        arn = job.details.get(declared.detail)
        match = search_arn(str(arn or ""))
        if not match:
            raise UsageError(
                f"{search_service().title}: export job {key.display} names no search job"
            )
        return SearchJobKey(
            match.id, match.region or job.region, str(arn), match.account or job.account
        )

    def describe(self, search: SearchJobKey) -> SearchReport:
        """The search job, or why it could not be read.

        Being refused GetSearchJob alone (a role allowed to list the backups only)
        leaves the backups readable: the report says the status is unknown instead.
        """
        try:
            _, job = find(self.jobs, search)
        except NotFoundError as exc:
            raise _neither(exc, search.not_export) from exc
        except ExportctlError as exc:
            # Refused by AWS, not short of credentials: those would fail every call.
            if exc.exit_code != ExitCode.CREDENTIALS or not _answered(exc):
                raise
            return SearchReport(search, None, exc.message)
        read_in = search_arn(job.arn or "")
        if search.account and read_in and read_in.account != search.account:
            # A job of the same id in the account these credentials reach: not this one.
            raise NotFoundError(
                f"{search_service().title}: search job {search.display} is in account "
                f"{search.account}; these credentials reach account {read_in.account}",
                service=search_service().name,
            )
        # Where it was found: its backups are listed with the credentials of its account.
        known = dataclasses.replace(
            search,
            arn=search.arn or job.arn,
            region=job.region,
            account=search.account or (read_in.account if read_in else None),
        )
        return SearchReport(known, job)

    def _where(self, search: SearchJobKey) -> tuple[Jobs, str]:
        """The core of the search job's account, and its region."""
        jobs = self.jobs.for_account(search.account)
        return jobs, search.region or jobs.clients.default_region

    def iter_backups(self, search: SearchJobKey, stop: Event | None = None) -> Iterator[Backup]:
        """Every backup of the search job, page by page; no page asked for once ``stop`` is set."""
        spec, declared = search_service(), searches()
        jobs, region = self._where(search)
        try:
            call = jobs.caller(spec, region)
            call = call if stop is None else unless(stop, call, "the reading of the backups")
            params, m = {declared.param: search.id}, declared.members.backup
            # A backup without them is no answer of the service's (as a listing's job
            # without its id or status): shown, it would be a row of nothing.
            required = {"status": m.status, "backup_resource_arn": m.backup_resource_arn}
            for raw in eng.items(call, declared.backups, params, required):
                yield from_raw(raw, search.arn)
        except ExportctlError as exc:
            raise_said(of_service(exc, spec, jobs.clients.named_for(spec.client)), exc)
