"""What a failed create means: refused (it did not happen: retry), unknown (it may
have happened) or final; and the error of a create given up on."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from typing import Literal

from exportctl.aws.callmarks import endpoint_named
from exportctl.aws.errorcodes import THROTTLING_CODES, never_sent
from exportctl.aws.translate import (
    Answer,
    answer_of,
    retried_with_backoff,
    translate,
    unreadable_answer,
)
from exportctl.domain.errors import (
    AwsError,
    BrokenAnswerError,
    ExportctlError,
    NotFoundError,
    ParentNotFound,
    QuotaRefused,
    UsageError,
    clip,
    then,
)
from exportctl.domain.naming import (
    Commanded,
    Named,
    advised,
    check_network,
    check_reach,
    command,
    flag,
)
from exportctl.ops.start.request import StartPlan

Outcome = Literal["refused", "unknown", "final"]

# Personalize's LimitExceededException is both its request rate ("the limit on the
# number of requests per second", retried like throttling) and its quotas (too many
# jobs in progress, which waiting seconds will not lift): the message tells them apart.
QUOTA = re.compile(
    r"\b(quota|maximum number|too many|in progress|in-progress|active|concurrent|pending)\b",
    re.IGNORECASE,
)
ALREADY_EXISTS = frozenset({"ResourceAlreadyExistsException", "AlreadyExistsException"})


def name_taken(code: str) -> bool:
    """Whether an error code says a unique name is taken: the common codes, and each
    service's own (ExportTaskAlreadyExists)."""
    return code in ALREADY_EXISTS or code.endswith(("AlreadyExists", "AlreadyExistsFault"))


def is_quota(said: Answer) -> bool:
    return said.code == "LimitExceededException" and QUOTA.search(said.message) is not None


def outcome_of(exc: BaseException, quotas: Mapping[str, str] | None = None) -> Outcome:
    """``refused`` (did not happen, retry), ``unknown`` (may have happened), ``final``.

    ``quotas``: the create's codes of a documented limit (``Create.quotas``), final."""
    import botocore.exceptions as bex

    said = answer_of(exc)
    if said is not None:
        status = said.status or 0
        if is_quota(said) or said.code in (quotas or {}):
            return "final"
        if said.code in THROTTLING_CODES or status == 429:
            return "refused"
        return "unknown" if status >= 500 else "final"
    if never_sent(exc):
        return "refused"
    if isinstance(exc, (bex.ConnectionError, bex.ReadTimeoutError, bex.HTTPClientError, OSError)):
        return "unknown"
    if isinstance(exc, BrokenAnswerError) or unreadable_answer(exc) is not None:
        # Something answered the create that was sent, and what cannot be read may
        # have been the service saying it was made.
        return "unknown"
    return "final"


def may_have_happened(failures: Iterable[BaseException]) -> bool:
    """Whether a call whose attempts failed with ``failures`` may have done what it
    asked, as a create's attempts are judged: one whose outcome is unknown is enough,
    whatever came after it (a retry that never left, one refused)."""
    return any(outcome_of(failure) == "unknown" for failure in failures)


def not_found_named(
    plan: StartPlan,
    error: ExportctlError,
    operation: str,
    among: Collection[str] | None = None,
    code: str | None = None,
) -> ExportctlError:
    """``error``, where it is a "not found" (Pinpoint's "Resource not found" alone),
    with the call, the region and the options that named what was not found (of
    ``among``, the options' keys the call was given, when it was not the create):
    those the spec says its ``code`` concerns (``Create.not_found``), else every
    option given an id or an ARN."""
    if not isinstance(error, NotFoundError):
        return error
    if isinstance(error, ParentNotFound):
        # It names what was not found already.
        return error.placed(plan.region) if plan.region else error
    concerned = plan.create.not_found.get(code or "")
    named = [
        f"--{option.name}"
        for option in plan.create.options
        if (key := option.name.replace("-", "_")) in plan.values
        and (among is None or key in among)
        and (
            option.name in concerned
            if concerned is not None
            else ("ID" in option.metavar or "ARN" in option.metavar)
        )
    ]
    check = f"; check {', '.join(named)}" if named else ""
    where = f" in {plan.region}" if plan.region else ""
    error.reword(then(error.message, f"{operation}{where}{check})", " ("))
    return error


def given_up(
    plan: StartPlan,
    exc: Exception,
    attempts: int,
    outcome: Outcome,
    seconds: float,
    named: Named = flag,
    setting: str | None = None,
    commanded: Commanded = command,
) -> ExportctlError:
    """The error of a create given up on: what was tried, and what the last answer
    means (exportctl's own retries, each one attempt of botocore's: the user's max
    attempts count them);
    ``named``: how the caller's user gives an option, in the advice, where the calls go
    said as the setting that sent them there (``Clients.named_for``): an answer that
    exportctl found broken carries no endpoint of its own; ``setting``: the one that
    bounded the attempts, as a message names it (None: exportctl's own number);
    ``commanded``: how the caller's user runs a command a limit's advice names."""
    spec, operation = plan.spec, plan.create.operation
    said = answer_of(exc)
    limit = plan.create.quotas.get(said.code) if said is not None else None
    if said is not None and limit:
        limit = advised(limit, commanded, plan.region)
        return QuotaRefused(
            f"{spec.title}: {operation} was refused ({said.code}: {said.message}): {limit}",
            service=spec.name,
        )
    why = plan.create.invalid.get(said.code) if said is not None else None
    if said is not None and why:
        return UsageError(
            f"{spec.title}: {operation} was refused ({said.code}: {said.message}): {why}",
            service=spec.name,
        )
    if said is not None and is_quota(said):
        return QuotaRefused(
            f"{spec.title}: {operation} was refused by a quota of the service, not its "
            f"request rate ({said.code}: {said.message}): wait for the jobs in progress "
            "to end, or ask for a higher quota in Service Quotas",
            service=spec.name,
        )
    if outcome == "final":
        code = said.code if said is not None else None
        return not_found_named(plan, translate(exc, spec, named=named), operation, code=code)
    if attempts == 1:
        # Said as it was: neither retried nor backed off, and what allowed no more.
        tried = f"{operation} was tried once" + (f" ({setting} allows no retry)" if setting else "")
    else:
        tried = retried_with_backoff(operation, attempts, seconds)
    last = _answer(exc)
    if isinstance(exc, BrokenAnswerError):
        # Something answered, not the service: where the calls went is the user's to
        # check, not the region (its advice is said here, once).
        last = exc.detail
        advice = (exc.advice or check_network)(endpoint_named(exc, named))
    elif unreadable_answer(exc) is not None:
        advice = check_network(endpoint_named(exc, named))
    elif said is None:
        advice = check_reach(endpoint_named(exc, named))
    else:
        # Throttling whatever its status (EC2's RequestLimitExceeded is a 503).
        throttled = said.code in THROTTLING_CODES or said.status == 429
        advice = (
            "the request rate of this API is used up (by this or other tools): "
            "try again in a minute"
            if throttled or (said.status or 0) < 500
            else "the service is failing: try again later"
        )
    return AwsError(
        f"{spec.title}: {tried}; the last answer: {then(last, advice)}", service=spec.name
    )


def failed(plan: StartPlan, exc: Exception) -> str:
    """An attempt of the create that failed and is retried, in a line."""
    return f"{plan.spec.title}: {plan.create.operation}: {_answer(exc)}"


def _answer(exc: Exception) -> str:
    """What answered an attempt: the service's code and message, else the failure."""
    said = answer_of(exc)
    if said is None:
        return clip(exc, 300)
    return f"{said.code} (HTTP {said.status}): {said.message}"
