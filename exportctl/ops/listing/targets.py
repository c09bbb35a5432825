"""What a listing reads: targets (a credential set, a service, a region), and what
the command spans, which decides how jobs and messages name their place."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from exportctl.domain.errors import ExportctlError
from exportctl.domain.model import ExportJob
from exportctl.domain.naming import Named, flag
from exportctl.ops.workers import Room
from exportctl.services.refs import with_account
from exportctl.services.spec import ServiceSpec


class Pages(Protocol):
    """What reads one service's jobs in one region a page at a time: a Jobs. Its calls
    beside the one a page needs (describes) take ``room`` while they are in flight;
    ``cancel`` ends the pages while the next is awaited."""

    def iter_pages(
        self,
        spec: ServiceSpec,
        query: Any,
        region: str | None = None,
        *,
        room: Room | None = None,
        cancel: threading.Event | None = None,
    ) -> Iterator[list[ExportJob]]: ...

    def hold(self, spec: ServiceSpec, region: str) -> None: ...

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

    @property
    def profile(self) -> str | None:
        """The profile the credentials are read from (its failures name it); None: the
        command's own choice."""
        ...

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

    @property
    def profile(self) -> str | None:
        return None

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
    # How a message names an option (--region, the API's regions): the core's.
    option: Named = flag

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
