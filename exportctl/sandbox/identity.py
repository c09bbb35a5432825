"""sts:GetCallerIdentity, sts:AssumeRole and organizations:ListAccounts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from exportctl.sandbox import paging
from exportctl.sandbox.accounts import MANAGEMENT, Caller, Identities
from exportctl.sandbox.errors import ServiceErrors, unknown_operation

IDENTITY_SERVICES = ("sts", "organizations")
# The codes they use for the failures the sandbox injects.
ERRORS = {
    "sts": ServiceErrors(
        throttling=("Throttling", 400),
        internal=("InternalFailure", 500),
        denied=("AccessDenied", 403),
        not_found=("NoSuchEntity", 404),
        invalid=("ValidationError", 400),
        bad_token=("ValidationError", 400),
    ),
    "organizations": ServiceErrors(
        throttling=("TooManyRequestsException", 400),
        internal=("ServiceException", 500),
        denied=("AccessDeniedException", 400),
        not_found=("AccountNotFoundException", 400),
        invalid=("InvalidInputException", 400),
        bad_token=("InvalidInputException", 400),
    ),
}
# Organizations documents MaxResults 1..20; without it a page holds 20 accounts.
ACCOUNTS_PAGE = 20


def answer(
    identities: Identities,
    service: str,
    operation: str,
    caller: Caller,
    params: dict[str, Any],
    errors: ServiceErrors,
    page_cap: int | None = None,
) -> dict[str, Any]:
    handler = _ANSWERS.get((service, operation))
    if handler is None:
        raise unknown_operation(f"The sandbox does not emulate {operation}.")
    return handler(identities, caller, params, errors, page_cap)


def _caller_identity(
    identities: Identities,
    caller: Caller,
    params: dict[str, Any],
    errors: ServiceErrors,
    page_cap: int | None,
) -> dict[str, Any]:
    return {"UserId": caller.user_id, "Account": caller.account, "Arn": caller.arn}


def _assume_role(
    identities: Identities,
    caller: Caller,
    params: dict[str, Any],
    errors: ServiceErrors,
    page_cap: int | None,
) -> dict[str, Any]:
    role_arn = str(params.get("RoleArn") or "")
    name = str(params.get("RoleSessionName") or "")
    if not role_arn or not name:
        raise errors.invalid_input("RoleArn and RoleSessionName are required")
    raw = params.get("DurationSeconds")
    try:
        duration = int(raw) if raw is not None else None
    except ValueError:
        raise errors.invalid_input(f"Invalid DurationSeconds: {raw}") from None
    if duration is not None and not 900 <= duration <= 43200:
        raise errors.invalid_input(
            "1 validation error detected: Value at 'durationSeconds' failed to satisfy "
            "constraint: Member must have value between 900 and 43200"
        )
    session, key = identities.assume_role(caller, role_arn, name, duration)
    return {
        "Credentials": {
            "AccessKeyId": key,
            "SecretAccessKey": session.secret,
            "SessionToken": session.token,
            "Expiration": datetime.fromtimestamp(session.expires, timezone.utc),
        },
        "AssumedRoleUser": {"AssumedRoleId": session.caller.user_id, "Arn": session.caller.arn},
    }


def _list_accounts(
    identities: Identities,
    caller: Caller,
    params: dict[str, Any],
    errors: ServiceErrors,
    page_cap: int | None,
) -> dict[str, Any]:
    if caller.account != MANAGEMENT:
        raise errors.access_denied(caller.arn)
    size = params.get("MaxResults")
    if size is not None and not 1 <= int(size) <= ACCOUNTS_PAGE:
        raise errors.invalid_input(
            f"1 validation error detected: Value '{size}' at 'maxResults' failed to satisfy "
            f"constraint: Member must have value less than or equal to {ACCOUNTS_PAGE}"
        )
    rows = [
        {
            "Id": a.id,
            "Arn": a.arn,
            "Email": a.email,
            "Name": a.name,
            "Status": a.status,
            "JoinedMethod": "INVITED" if a.id == MANAGEMENT else "CREATED",
            "JoinedTimestamp": datetime(2024, 3, 1, tzinfo=timezone.utc).timestamp(),
        }
        for a in identities.accounts.values()
    ]
    chunk, token = paging.page(
        rows, params.get("NextToken"), size or ACCOUNTS_PAGE, page_cap, "accounts",
        errors.invalid_token,
    )  # fmt: skip
    return {"Accounts": chunk, "NextToken": token}


_ANSWERS: dict[
    tuple[str, str],
    Callable[[Identities, Caller, dict[str, Any], ServiceErrors, int | None], dict[str, Any]],
] = {
    ("sts", "GetCallerIdentity"): _caller_identity,
    ("sts", "AssumeRole"): _assume_role,
    ("organizations", "ListAccounts"): _list_accounts,
}
# What :func:`answer` answers; every other operation of these services is not emulated.
OPERATIONS = tuple(_ANSWERS)
