"""The accounts of an AWS Organization, each reached through one role.

Assumed-role credentials come from a botocore credential provider, so botocore
refreshes them before they expire, however long a watch runs. The accounts share
the clients of the export services (exportctl.aws.sharedclients).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from exportctl.aws.clients import AwsSettings, Clients
from exportctl.aws.errorcodes import PERMISSION_CODES
from exportctl.aws.providers import credential_provider
from exportctl.aws.sharedclients import Shared
from exportctl.aws.translate import answer_of, unreadable_answer
from exportctl.domain.errors import (
    ExitCode,
    ExportctlError,
    RoleUnavailable,
    UsageError,
    clip,
    of_service,
    then,
)
from exportctl.domain.naming import check_network
from exportctl.ops.callcounter import CallCounter
from exportctl.ops.credentials import Reach

SESSION_NAME = "exportctl"
# The method name botocore records for the assumed role's credentials.
ASSUMED_ROLE = "exportctl-assume-role"


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
        # Accounts --accounts names that are not ACTIVE, by their status.
        self._inactive: dict[str, str] = {}
        # Where its own calls go when no region is configured (see :meth:`name_regions`).
        self._named_region: str | None = None

    def name_regions(self, regions: Iterable[str]) -> None:
        """The regions the command's references name. With no default region (no
        --region, none in the environment or the profile) ListAccounts and AssumeRole
        go to the first of them, in its partition, as a reference that names its
        region is read without --org-role; with one, they go there as always."""
        named = list(dict.fromkeys(regions))
        clients = self.base.clients
        if self._named_region is not None or not named or _configured(clients):
            return
        partitions: dict[str, str] = {}
        for region in named:
            partitions.setdefault(clients.partition(region), region)
        if len(partitions) > 1:
            places = ", ".join(f"{region} in {name}" for name, region in partitions.items())
            said = clients.settings.named
            raise UsageError(
                f"{said('org-role')}: the references name regions of different partitions "
                f"({places}) and no default region says whose organization to read: give one "
                f"partition's references at a time, or pass {said('region')}"
            )
        self._named_region = named[0]

    @property
    def region(self) -> str:
        """The region of the organization's own calls and of its roles' partition."""
        return self._named_region or self.base.clients.default_region

    def accounts(self) -> list[str]:
        """ACTIVE accounts (organizations:ListAccounts), narrowed to --accounts, and those
        --accounts names that are not (SUSPENDED...): each of those fails as an account
        whose role cannot be assumed does, without hiding the others."""
        from exportctl.services.engine import items
        from exportctl.services.spec import Page

        org = self.base.clients.client("organizations", self.region)

        def call(operation: str, params: dict[str, Any]) -> dict[str, Any]:
            self.calls.add("organizations", operation)
            result: dict[str, Any] = org.list_accounts(**params)
            return result

        page = Page("ListAccounts", "Accounts", "NextToken", "NextToken")
        named = self.base.clients.named_for("organizations")
        try:
            listed = [(str(a["Id"]), str(a.get("Status"))) for a in items(call, page)]
        except ExportctlError as exc:
            error = of_service(exc, None, named)
            failure = ExportctlError(
                "cannot list the accounts of the organization: "
                + then(
                    error.message,
                    f"{named('org-role')} needs organizations:ListAccounts, from the management "
                    "account or a delegated administrator",
                )
            )
            failure.exit_code = error.exit_code
            raise failure from exc
        active = [account for account, status in listed if status == "ACTIVE"]
        if self.only:
            known = {account for account, _ in listed}
            missing = [a for a in self.only if a not in known]
            if missing:
                raise UsageError(
                    f"{named('accounts')}: {', '.join(missing)} not in the organization's accounts"
                )
            statuses = dict(listed)
            self._inactive = {a: statuses[a] for a in self.only if a not in active}
            return [a for a, _ in listed if a in self.only]
        return active

    def reach(self, account: str, *, named: bool = False) -> Reach:
        with self._lock:
            reach = self._reaches.get(account)
            if reach is None:
                if self._shared is None:
                    self._shared = _shared_clients(self.base)
                if account in self._inactive:
                    reach = _inactive_reach(
                        self.base, account, self._inactive[account], self.calls, named=named
                    )
                else:
                    reach = _role_reach(
                        self.base,
                        account,
                        self.role,
                        self.calls,
                        self._shared,
                        named=named,
                        region=self.region,
                    )
                self._reaches[account] = reach
            return reach

    def close(self, said: str | None = None) -> None:
        """Close the clients of every account reached, and those they share (``said``:
        as ``Clients.close`` takes it)."""
        with self._lock:
            reaches = list(self._reaches.values())
            shared = self._shared
        for reach in reaches:
            reach.clients.close(said)
        if shared is not None:
            shared.clients.close(said)


def _configured(clients: Clients) -> bool:
    """Whether a default region is set: --region, the environment's or the profile's."""
    return bool(clients.settings.region or clients.session.get_config_variable("region"))


def _role_settings(base: Reach) -> AwsSettings:
    """What the clients of an account reached by role are made with: the base's
    profile, whose settings (max_attempts, endpoints...) every call of the command
    is made with, its credentials aside (the role's); the default region, or none (a
    reference without its region is then refused as it is without --org-role, not
    looked for where another reference's job is)."""
    region = base.clients.default_region if _configured(base.clients) else None
    return replace(base.clients.settings, access_key=None, secret_key=None, region=region)


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
    base: Reach,
    account: str,
    role: str,
    calls: CallCounter,
    shared: Shared,
    *,
    named: bool,
    region: str,
) -> Reach:
    role_arn = f"arn:{base.clients.partition(region)}:iam::{account}:role/{role}"
    provider = RoleProvider(base, role_arn, calls, region)
    clients = Clients(
        _role_settings(base),
        credentials=provider.provider(),
        loaders=base.clients.loaders,
        ready=provider.ready,
        operations=base.clients.operations,
        shared=shared,
    )
    return Reach(f"account {account}", clients, calls, account=account, named=named)


def _inactive_reach(
    base: Reach, account: str, status: str, calls: CallCounter, *, named: bool
) -> Reach:
    """An account --accounts names that is not ACTIVE: each of its targets fails."""

    def refuse() -> None:
        raise RoleUnavailable(
            f"{clip(status)} in the organization, not ACTIVE: its jobs cannot be read "
            f"({base.clients.settings.named('accounts')} names it)"
        )

    clients = Clients(_role_settings(base), loaders=base.clients.loaders, ready=refuse)
    return Reach(f"account {account}", clients, calls, account=account, named=named)


# How long a refused role is taken as refused: the account's other regions and
# services of a command do not ask again, a watch's later rounds do.
REFUSAL_KEPT = 60.0
# The clock it is kept by.
_clock = time.monotonic


class RoleProvider:
    """Credentials of one role, assumed with the base credentials; botocore calls
    :meth:`fetch` again before they expire. A refusal is remembered for
    :data:`REFUSAL_KEPT` seconds: the other regions and services of the account do
    not ask again, a long watch does (a passing refusal loses it no account)."""

    def __init__(self, base: Reach, role_arn: str, calls: CallCounter, region: str) -> None:
        self.base = base
        self.role_arn = role_arn
        self.calls = calls
        # Where sts:AssumeRole goes: the organization's region (Organization.region).
        self.region = region
        self._refused: RoleUnavailable | None = None
        self._refused_at = 0.0
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
            self._still_refused()
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

    def _still_refused(self) -> None:
        """The remembered refusal, raised while it is kept; past that, forgotten."""
        if self._refused is None:
            return
        if _clock() - self._refused_at < REFUSAL_KEPT:
            raise self._refused
        self._refused, self._assumed = None, False

    def _refusal(self, error: RoleUnavailable) -> RoleUnavailable:
        self._refused, self._refused_at = error, _clock()
        return error

    def _assume(self) -> dict[str, Any]:
        self._still_refused()
        # botocore's own error: it ends the call that needed these credentials,
        # which says it as its own service's.
        sts = self.base.clients.client("sts", self.region).bare
        self.calls.add("sts", "AssumeRole")
        try:
            answer = sts.assume_role(RoleArn=self.role_arn, RoleSessionName=SESSION_NAME)
            creds = answer["Credentials"]
            return {
                "access_key": creds["AccessKeyId"],
                "secret_key": creds["SecretAccessKey"],
                "token": creds["SessionToken"],
                "expiry_time": creds["Expiration"].isoformat(),
            }
        except Exception as exc:
            said = answer_of(exc)
            if said is not None and said.code in PERMISSION_CODES:
                raise self._refusal(
                    RoleUnavailable(f"cannot assume {self.role_arn}: {said.message or said.code}")
                ) from exc
            unreadable = unreadable_answer(exc)
            if unreadable is None and not isinstance(exc, (KeyError, TypeError, AttributeError)):
                raise
            # An answer that cannot be read is no passing trouble: said once for the
            # account, not by each of its services' calls.
            unread = RoleUnavailable(
                f"cannot assume {self.role_arn}: sts:AssumeRole answered with what cannot "
                f"be read ({clip(unreadable or repr(exc))}); "
                + check_network(self.base.clients.named_for("sts"))
            )
            unread.exit_code = ExitCode.AWS
            raise self._refusal(unread) from exc

    def provider(self) -> Any:
        """A botocore credential provider of this role, for a session of its own."""
        from botocore.credentials import DeferredRefreshableCredentials

        fetch = self.fetch
        return credential_provider(
            ASSUMED_ROLE,
            lambda: DeferredRefreshableCredentials(refresh_using=fetch, method=ASSUMED_ROLE),
        )
