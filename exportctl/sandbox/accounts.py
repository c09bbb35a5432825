"""The sandbox's AWS Organization: accounts, their access keys, roles and sessions.

Each account has its own jobs. A request's access key id says whose: a long-term
key (``AKIA…``) of an account, or the temporary key (``ASIA…``) of a session that
sts:AssumeRole handed out. Any other key is the management account, so that
tools with made-up credentials see the seeded jobs as before.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass

from exportctl.sandbox.errors import ApiError
from exportctl.sandbox.jobs import ACCOUNT, HOME_REGION, REGIONS

MANAGEMENT = ACCOUNT
ORGANIZATION_ID = "o-exportctl01"
# An opt-in region no account of the organization has enabled.
DISABLED_REGION = "ap-east-1"
# Roles every member account has (what --org-role names); the "legacy" account has none.
ROLE_NAMES = ("OrganizationAccountAccessRole", "exportctl-reader")
SESSION_SECONDS = 3600


@dataclass(frozen=True)
class Account:
    id: str
    name: str
    access_key: str | None
    # Regions holding jobs (the first holds the most) and the Migration Hub home region.
    regions: tuple[str, ...] = ()
    home_region: str | None = None
    status: str = "ACTIVE"
    # Reachable, but every export API call is refused (an SCP denies them).
    denied: bool = False
    roles: tuple[str, ...] = ROLE_NAMES

    @property
    def arn(self) -> str:
        return f"arn:aws:organizations::{MANAGEMENT}:account/{ORGANIZATION_ID}/{self.id}"

    @property
    def email(self) -> str:
        return f"aws+{self.name}@example.com"


ACCOUNTS: tuple[Account, ...] = (
    Account(MANAGEMENT, "management", "AKIASANDBOXEXAMPLE01", REGIONS, HOME_REGION),
    Account(
        "210987654321",
        "analytics",
        "AKIASANDBOXEXAMPLE02",
        ("us-west-2", "ap-southeast-2"),
        "us-west-2",
    ),
    # No Migration Hub home region: Discovery answers HomeRegionNotSetException everywhere.
    Account("345678901234", "retail", "AKIASANDBOXEXAMPLE03", ("ap-southeast-2", "eu-west-1")),
    Account("444455556666", "quarantine", "AKIASANDBOXEXAMPLE04", denied=True),
    Account("555566667777", "closed", None, status="SUSPENDED"),
    Account("666677778888", "legacy", None, roles=()),
)
# The accounts that hold jobs.
DATA_ACCOUNTS = tuple(a.id for a in ACCOUNTS if a.regions)
# Where a sized organization's added members hold their jobs, two regions each.
MEMBER_REGIONS = ("us-east-1", "eu-west-1", "us-west-2", "ap-southeast-2", "eu-central-1")
MEMBER_ID_BASE = 900000000000


def check_size(size: int) -> None:
    """Refuse an organization smaller than the scenario's: its accounts are each there
    for a case (one denied, one suspended, one without a role), and fewer were
    silently six."""
    if size < len(ACCOUNTS):
        raise ValueError(
            f"an organization of at least {len(ACCOUNTS)} accounts, not {size}: the"
            " scenario's own come first (the management account, two members that hold"
            " jobs, one denied, one suspended, one without a role)"
        )


def organization(size: int | None = None) -> tuple[Account, ...]:
    """The organization's accounts: the scenario's, then (to make ``size`` accounts in
    all, for a board at scale) members that hold jobs in two regions each and are
    reached through a role only, as most accounts of a large organization are."""
    if size is None:
        return ACCOUNTS
    check_size(size)
    members = []
    for n in range(size - len(ACCOUNTS)):
        first = MEMBER_REGIONS[n % len(MEMBER_REGIONS)]
        second = MEMBER_REGIONS[(n + 1) % len(MEMBER_REGIONS)]
        number = f"{MEMBER_ID_BASE + n:012d}"
        members.append(Account(number, f"member-{n + 1:04d}", None, (first, second), first))
    return (*ACCOUNTS, *members)


# The key that has always been refused: the management account, denied everything.
DENIED_ACCESS_KEY = "DENIED"


@dataclass(frozen=True)
class Caller:
    account: str
    arn: str
    user_id: str
    denied: bool = False


@dataclass(frozen=True)
class Session:
    caller: Caller
    secret: str
    token: str
    expires: float


class Identities:
    """Who is calling: long-term keys and the sessions sts:AssumeRole issued."""

    def __init__(self, accounts: tuple[Account, ...] = ACCOUNTS) -> None:
        self.accounts = {a.id: a for a in accounts}
        self._keys = {a.access_key: a for a in accounts if a.access_key}
        self._sessions: dict[str, Session] = {}
        self._lock = threading.Lock()
        # Lifetime of the credentials AssumeRole hands out (at most what was asked).
        self.session_seconds: float = SESSION_SECONDS

    def key_of(self, account: str) -> str:
        key = self.accounts[account].access_key
        if key is None:
            raise LookupError(f"account {account} has no access key: assume a role into it")
        return key

    def caller(self, access_key: str) -> Caller:
        """The caller behind an access key id; raises the error AWS would answer."""
        if access_key.startswith("ASIA"):
            with self._lock:
                session = self._sessions.get(access_key)
            if session is None:
                raise ApiError(
                    "UnrecognizedClientException",
                    "The security token included in the request is invalid.",
                    403,
                )
            if time.time() >= session.expires:
                raise ApiError(
                    "ExpiredTokenException",
                    "The security token included in the request is expired",
                    403,
                )
            return session.caller
        if access_key == DENIED_ACCESS_KEY:
            return Caller(MANAGEMENT, f"arn:aws:iam::{MANAGEMENT}:user/DENIED", "AIDADENIED", True)
        account = self._keys.get(access_key) or self.accounts[MANAGEMENT]
        user = "sandbox" if account.id == MANAGEMENT else f"{account.name}-admin"
        return Caller(
            account.id,
            f"arn:aws:iam::{account.id}:user/{user}",
            f"AIDA{account.id}",
            account.denied,
        )

    def assume_role(
        self, caller: Caller, role_arn: str, session_name: str, duration: int | None
    ) -> tuple[Session, str]:
        """A session in the role's account, and the assumed-role ARN."""
        parts = role_arn.split(":")
        resource = parts[5] if len(parts) == 6 else ""
        account = self.accounts.get(parts[4]) if len(parts) == 6 else None
        role = resource.removeprefix("role/")
        if (
            account is None
            or not resource.startswith("role/")
            or account.status != "ACTIVE"
            or role not in account.roles
        ):
            raise ApiError(
                "AccessDenied",
                f"User: {caller.arn} is not authorized to perform: sts:AssumeRole on resource: "
                f"{role_arn}",
                403,
            )
        lifetime = min(float(duration or SESSION_SECONDS), self.session_seconds)
        key = "ASIA" + secrets.token_hex(8).upper()
        role_id = "AROA" + account.id
        assumed = f"arn:aws:sts::{account.id}:assumed-role/{role}/{session_name}"
        session = Session(
            Caller(account.id, assumed, f"{role_id}:{session_name}", account.denied),
            secret=secrets.token_urlsafe(30),
            token="IQoJsandbox" + secrets.token_urlsafe(48),
            expires=time.time() + lifetime,
        )
        with self._lock:
            self._sessions[key] = session
        return session, key

    def expire_sessions(self) -> None:
        """Every session issued so far expires now (what an hour-long watch meets)."""
        with self._lock:
            self._sessions = {
                key: Session(s.caller, s.secret, s.token, 0.0) for key, s in self._sessions.items()
            }
