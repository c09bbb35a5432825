"""Credential sets: whose jobs a command reads, and in which regions.

A :class:`Reach` is one set of credentials: the default chain, one profile, or a
role assumed in one account of an AWS Organization. Each has its own botocore
session and clients; all share one call counter. Assumed-role credentials come
from a botocore credential provider, so botocore refreshes them before they
expire, however long a watch runs.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from exportctl.aws.clients import AwsSettings, Clients, Shared
from exportctl.aws.translate import answer_of
from exportctl.aws.translatingclient import CallErrors
from exportctl.domain.errors import (
    BrokenAnswerError,
    CredentialsError,
    ExportctlError,
    RoleUnavailable,
    UsageError,
    clip,
    of_service,
)
from exportctl.ops.jobs import CallCounter, Jobs

if TYPE_CHECKING:
    from exportctl.services.spec import ServiceSpec

SESSION_NAME = "exportctl"
ALL_REGIONS = "all"


@dataclass(frozen=True)
class _Sts:
    """STS as error translation names it."""

    name: str = "sts"
    title: str = "AWS STS"

    def explain(self, code: str, message: str) -> str | None:
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
    def known_account(self) -> str | None:
        return self._account

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
    def parse(cls, values: Sequence[str]) -> Regions:
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
            raise UsageError("--region all takes no other region")
        return cls(tuple(names), every)

    @property
    def single(self) -> str | None:
        """The one region asked for by name, if that is all."""
        return self.names[0] if len(self.names) == 1 and not self.every else None

    @property
    def many(self) -> bool:
        return self.every or len(self.names) > 1

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
        cls, profiles: Sequence[str], org_role: str | None, accounts: Sequence[str]
    ) -> Accounts:
        names = _split(profiles)
        only = _split(accounts)
        for account in only:
            if not (account.isdigit() and len(account) == 12):
                raise UsageError(f"--accounts: {account!r} is not a 12-digit AWS account id")
        if only and not org_role:
            raise UsageError("--accounts narrows --org-role: pass --org-role NAME too")
        if org_role and len(names) > 1:
            raise UsageError("--org-role reads the organization of one profile, not several")
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


class Organization:
    """The accounts of an AWS Organization, each reached through one role."""

    def __init__(self, base: Reach, role: str, only: tuple[str, ...], calls: CallCounter) -> None:
        self.base = base
        self.role = role
        self.only = only
        self.calls = calls
        self._reaches: dict[str, Reach] = {}
        self._lock = threading.Lock()
        self._shared: Shared | None = None

    def accounts(self) -> list[str]:
        """ACTIVE accounts (organizations:ListAccounts), narrowed to --accounts."""
        from exportctl.services.engine import items
        from exportctl.services.spec import Page

        clients = self.base.clients
        org = clients.client("organizations", clients.default_region)

        def call(operation: str, params: dict[str, Any]) -> dict[str, Any]:
            self.calls.add("organizations", operation)
            result: dict[str, Any] = org.list_accounts(**params)
            return result

        page = Page("ListAccounts", "Accounts", "NextToken", "NextToken")
        try:
            listed = [(str(a["Id"]), str(a.get("Status"))) for a in items(call, page)]
        except ExportctlError as exc:
            error = of_service(exc, None)
            failure = ExportctlError(
                f"cannot list the accounts of the organization: {error.message}; "
                "--org-role needs organizations:ListAccounts, from the management account "
                "or a delegated administrator"
            )
            failure.exit_code = error.exit_code
            raise failure from exc
        active = [account for account, status in listed if status == "ACTIVE"]
        if self.only:
            known = {account for account, _ in listed}
            missing = [a for a in self.only if a not in known]
            if missing:
                raise UsageError(
                    f"--accounts: {', '.join(missing)} not in the organization's accounts"
                )
            inactive = [a for a in self.only if a not in active]
            if inactive:
                raise UsageError(f"--accounts: {', '.join(inactive)} is not ACTIVE")
            return [a for a in active if a in self.only]
        return active

    def reach(self, account: str, *, named: bool = False) -> Reach:
        with self._lock:
            reach = self._reaches.get(account)
            if reach is None:
                if self._shared is None:
                    self._shared = _shared_clients(self.base)
                reach = _role_reach(
                    self.base, account, self.role, self.calls, self._shared, named=named
                )
                self._reaches[account] = reach
            return reach


def _role_settings(base: Reach) -> AwsSettings:
    """What the clients of an account reached by role are made with."""
    region = base.clients.default_region
    return replace(
        base.clients.settings, profile=None, access_key=None, secret_key=None, region=region
    )


def _shared_clients(base: Reach) -> Shared:
    """The clients of the export services the organisation's accounts share: a
    service's client in a region is made once, not once an account (see
    exportctl.aws.callcredentials). They keep a connection for each call a listing
    may have in flight, since those may all be of one service in one region."""
    from exportctl.aws.callcredentials import CallCredentials
    from exportctl.ops.listing.fanout import GLOBAL_CAP
    from exportctl.services import all_specs

    chosen = CallCredentials()
    settings = replace(_role_settings(base), pool_connections=GLOBAL_CAP)
    clients = Clients(
        settings,
        credentials=chosen.provider(),
        loaders=base.clients.loaders,
        operations=base.clients.operations,
    )
    return Shared(clients, chosen, frozenset(spec.client for spec in all_specs()))


def _role_reach(
    base: Reach, account: str, role: str, calls: CallCounter, shared: Shared, *, named: bool
) -> Reach:
    partition = base.clients.partition(base.clients.default_region)
    role_arn = f"arn:{partition}:iam::{account}:role/{role}"
    provider = RoleProvider(base, role_arn, calls)
    clients = Clients(
        _role_settings(base),
        credentials=provider.provider(),
        loaders=base.clients.loaders,
        ready=provider.ready,
        operations=base.clients.operations,
        shared=shared,
    )
    return Reach(f"account {account}", clients, calls, account=account, named=named)


class RoleProvider:
    """Credentials of one role, assumed with the base credentials; botocore calls
    :meth:`fetch` again before they expire. A refusal is remembered: the other
    regions and services of the account do not ask again."""

    def __init__(self, base: Reach, role_arn: str, calls: CallCounter) -> None:
        self.base = base
        self.role_arn = role_arn
        self.calls = calls
        self._refused: RoleUnavailable | None = None
        # The first answer, assumed by :meth:`ready` and not yet taken by botocore.
        self._first: dict[str, Any] | None = None
        # Assumed (or tried) once: :meth:`ready` does not try again.
        self._assumed = False
        self._lock = threading.Lock()

    def ready(self) -> None:
        """Assume the role now, if that was never done: its refusal is then raised
        here, before any client of the account is built, rather than from inside
        botocore's refresh, which logs every failed refresh with its traceback (to
        an application's log handlers: one warning per client of a refused account)."""
        with self._lock:
            if self._refused is not None:
                raise self._refused
            if self._assumed:
                return
            self._assumed = True
            try:
                self._first = self._assume()
            except RoleUnavailable:
                raise
            except Exception:
                # Not a refusal (throttled, unreachable): botocore asks again when a
                # call needs the credentials, and that call says what went wrong.
                return

    def fetch(self) -> dict[str, Any]:
        with self._lock:
            if self._first is not None:
                first, self._first = self._first, None
                return first
            self._assumed = True
            return self._assume()

    def _assume(self) -> dict[str, Any]:
        if self._refused is not None:
            raise self._refused
        clients = self.base.clients
        # botocore's own error: it ends the call that needed these credentials,
        # which says it as its own service's.
        sts = clients.client("sts", clients.default_region).bare
        self.calls.add("sts", "AssumeRole")
        try:
            answer = sts.assume_role(RoleArn=self.role_arn, RoleSessionName=SESSION_NAME)
        except Exception as exc:
            said = answer_of(exc)
            if said is None or said.code not in ("AccessDenied", "AccessDeniedException"):
                raise
            self._refused = RoleUnavailable(
                f"cannot assume {self.role_arn}: {said.message or said.code}"
            )
            raise self._refused from exc
        creds = answer["Credentials"]
        return {
            "access_key": creds["AccessKeyId"],
            "secret_key": creds["SecretAccessKey"],
            "token": creds["SessionToken"],
            "expiry_time": creds["Expiration"].isoformat(),
        }

    def provider(self) -> Any:
        """A botocore credential provider of this role, for a session of its own."""
        from botocore.credentials import CredentialProvider, DeferredRefreshableCredentials

        fetch = self.fetch

        class AssumedRole(CredentialProvider):  # type: ignore[misc]
            METHOD = "exportctl-assume-role"
            CANONICAL_NAME = "exportctl-assume-role"

            def load(self) -> DeferredRefreshableCredentials:
                return DeferredRefreshableCredentials(refresh_using=fetch, method=self.METHOD)

        return AssumedRole()
