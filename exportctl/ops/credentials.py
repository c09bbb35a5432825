"""Credential sets: whose jobs a command reads, and in which regions.

A :class:`Reach` is one set of credentials: the default chain, one profile, or a
role assumed in one account of an AWS Organization (exportctl.ops.organization).
Each has its own botocore session; all share one call counter.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from exportctl.aws.clients import Clients
from exportctl.aws.regions import ALL_REGIONS
from exportctl.aws.translatingclient import CallErrors
from exportctl.domain.errors import (
    BrokenAnswerError,
    CredentialsError,
    ExportctlError,
    UsageError,
    clip,
    of_service,
)
from exportctl.ops.callcounter import CallCounter
from exportctl.ops.jobs import Jobs
from exportctl.services.forms import Named, flag

if TYPE_CHECKING:
    from exportctl.services.spec import ServiceSpec


@dataclass(frozen=True)
class _Sts:
    """STS as error translation names it."""

    name: str = "sts"
    title: str = "AWS STS"

    def explain(self, code: str, message: str, named: Named) -> str | None:
        return None


STS = _Sts()


class Reach:
    """One credential set and the jobs it can read."""

    def __init__(
        self,
        label: str,
        clients: Clients,
        calls: CallCounter,
        *,
        account: str | None = None,
        named: bool = False,
    ) -> None:
        self.label = label
        self.jobs = Jobs(clients, calls)
        # The fan-out caps the calls in flight per account and region: one of its
        # targets lists its parents (Pinpoint applications) one after another.
        self.jobs.parent_concurrency = 1
        self.named = named
        self._account = account
        self._lock = threading.Lock()
        self._identity_error: ExportctlError | None = None
        # Why the account could not be learned, when the jobs go on without it.
        self.unknown_account: ExportctlError | None = None
        # Set once AWS recognised these credentials: a call succeeded, or was refused
        # for another reason than them (see exportctl.aws.translate.recognised).
        self.proven = False

    @property
    def clients(self) -> Clients:
        return self.jobs.clients

    @property
    def profile(self) -> str | None:
        return self.clients.settings.profile

    def account(self) -> str:
        """The account of these credentials: known up front, or sts:GetCallerIdentity once."""
        with self._lock:
            if self._account is not None:
                return self._account
            if self._identity_error is not None:
                raise self._identity_error
            self.jobs.calls.add("sts", "GetCallerIdentity")
            try:
                region = self.clients.default_region
                sts = self.clients.client("sts", region, errors=CallErrors(STS))
                answer = sts.get_caller_identity()
            except ExportctlError as exc:
                self._identity_error = exc
                raise
            account = answer.get("Account")
            if not (isinstance(account, str) and account.isdigit() and len(account) == 12):
                self._identity_error = of_service(
                    BrokenAnswerError(
                        "GetCallerIdentity answered "
                        + (f"{clip(account)!r} for" if account else "without")
                        + " an account id"
                    ),
                    STS,
                )
                raise self._identity_error
            self._account = account
            self.proven = True
            return self._account

    def account_if_learned(self) -> str | None:
        """The account, or None when it cannot be learned for a reason other than
        refused credentials (why: :attr:`unknown_account`): a broken or failing STS
        endpoint must not hide jobs that were read."""
        try:
            return self.account()
        except CredentialsError:
            raise
        except ExportctlError as exc:
            self.unknown_account = exc
            return None


@dataclass(frozen=True)
class Regions:
    """What --region asked for: nothing (the default region), names, or every region."""

    names: tuple[str, ...] = ()
    every: bool = False

    @classmethod
    def parse(cls, values: Sequence[str], named: Named = flag) -> Regions:
        """``named``: how the caller's user gives --region, in messages."""
        names: list[str] = []
        every = False
        for value in values:
            for part in value.split(","):
                part = part.strip()
                if not part:
                    continue
                if part.lower() == ALL_REGIONS:
                    every = True
                elif part not in names:
                    names.append(part)
        if every and names:
            raise UsageError(f"{named('region')} all takes no other region")
        return cls(tuple(names), every)

    @property
    def single(self) -> str | None:
        """The one region asked for by name, if that is all."""
        return self.names[0] if len(self.names) == 1 and not self.every else None

    @property
    def many(self) -> bool:
        return self.every or len(self.names) > 1

    @property
    def given(self) -> bool:
        """Where to look was asked for: regions by name, or every region."""
        return self.every or bool(self.names)

    def named(self, region: str) -> bool:
        return region in self.names

    def of(self, spec: ServiceSpec, reach: Reach) -> tuple[str, ...]:
        """The regions to read ``spec`` in with ``reach``'s credentials."""
        if self.every:
            return offered_regions(reach.clients, spec.client)
        return self.names or (reach.clients.default_region,)


def offered_regions(clients: Clients, service: str) -> tuple[str, ...]:
    """Every region of the session's partition where botocore's endpoint data offers
    ``service``; a service the data does not list (its endpoints are rules only) is
    taken to be in every region of the partition."""
    partition = clients.partition(clients.default_region)
    offered = clients.session.get_available_regions(service, partition_name=partition)
    if offered:
        return tuple(offered)
    return partition_regions(clients, partition)


def partition_regions(clients: Clients, partition: str) -> tuple[str, ...]:
    # The session's own loader: it reads what botocore reads (AWS_DATA_PATH
    # included), and once a command for all the accounts it reaches.
    data: dict[str, Any] = clients.session.get_component("data_loader").load_data("endpoints")
    for entry in data.get("partitions", ()):
        if entry.get("partition") == partition:
            return tuple(sorted(entry.get("regions", {})))
    return ()


@dataclass(frozen=True)
class Accounts:
    """What --profile, --org-role and --accounts asked for."""

    profiles: tuple[str, ...] = ()
    org_role: str | None = None
    only: tuple[str, ...] = ()

    @classmethod
    def parse(
        cls,
        profiles: Sequence[str],
        org_role: str | None,
        accounts: Sequence[str],
        named: Named = flag,
    ) -> Accounts:
        """``named``: how the caller's user gives the options, in messages."""
        role, said = named("org-role"), named("accounts")
        names = _split(profiles)
        only = _split(accounts)
        for account in only:
            if not (account.isdigit() and len(account) == 12):
                raise UsageError(f"{said}: {account!r} is not a 12-digit AWS account id")
        if org_role is not None and not org_role.strip():
            # An unset variable in a script ("$ROLE"): not one account's inventory.
            raise UsageError(f"{role} is empty: name the role to assume in each account")
        if only and not org_role:
            raise UsageError(f"{said} narrows {role}: pass {role} NAME too")
        if org_role and len(names) > 1:
            raise UsageError(f"{role} reads the organization of one profile, not several")
        return cls(names, org_role or None, only)

    @property
    def many(self) -> bool:
        return bool(self.org_role) or len(self.profiles) > 1


def _split(values: Sequence[str]) -> tuple[str, ...]:
    out: list[str] = []
    for value in values:
        for part in value.split(","):
            part = part.strip()
            if part and part not in out:
                out.append(part)
    return tuple(out)
