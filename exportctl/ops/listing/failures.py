"""The failure rule, one for every listing: what each target's failure is told as.

- A target out of reach (the service denied as a whole, not enabled or past its
  end of support; no Migration Hub home region; an opt-in region the account has
  not enabled; a role that cannot be assumed) is a notice, unless what made it
  unreachable was asked for by name (``--service``, ``--region``,
  ``--accounts``): then it is an error, with its exit code.
- Any other failure (refused credentials, throttling, 5xx, the network, a
  broken answer, a request AWS rejects) is an error.
- When no target answered at all, there is no partial view: the notices are
  errors too, and the exit code is theirs with the others' (the highest). An
  opt-in region that is not enabled is not the cause when something else is
  (every call denied stays exit 4, not exit 5), so it stays a notice then.
- Nothing else counts: the same outage is told the same way over one region or
  several. A service that answers in its home region only (Discovery) is no
  notice elsewhere when that region answered, and a service asked for by name
  need answer in one region of an account, not in each.

Over several targets, notices and errors of one account that differ only by
region are told once, naming the regions, then counted; over one account in one
region each is told as it is, in the order of the services asked for.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from exportctl.aws.credentialfailures import named_profile
from exportctl.aws.errorcodes import UNKNOWN_KEY_CODES
from exportctl.aws.translate import answer_of, recognised, translate
from exportctl.domain.errors import (
    CredentialsError,
    ExportctlError,
    Place,
    RegionNotEnabled,
    RoleUnavailable,
    ServiceUnavailableError,
)
from exportctl.ops.listing.targets import Span, Target


@dataclass
class Failure:
    target: Target
    error: ExportctlError
    kind: str  # "service", "elsewhere", "token", "region", "account", "other"
    # Jobs the target gave before it failed.
    got: int = 0


@dataclass
class Settled:
    """A listing's failures as the rule tells them."""

    failures: list[ExportctlError]
    notices: list[ExportctlError]
    # Where each failure that cut a target short happened, and the jobs read there first.
    read: dict[str, int]


def incomplete(read: Mapping[str, int]) -> str | None:
    """The closing line of a listing that a failure cut short, or None.

    ``read``: where each failure happened and the jobs read there before it.
    A target that failed after giving some jobs leaves a listing that looks
    whole and is not: that is said last, on stderr, in every format (ndjson and
    csv too), besides the target's error and the non-zero exit code. A target
    that gave nothing is told by its error alone.
    """
    cut = [f"{title} failed after {n} job{'s' if n != 1 else ''}" for title, n in read.items() if n]
    if not cut:
        return None
    return f"this listing is incomplete ({'; '.join(cut)}): more jobs exist than are printed"


def classify(target: Target, exc: BaseException, span: Span) -> Failure:
    """What kind of failure ``exc`` is, as the rule needs to know it."""
    if isinstance(exc, RoleUnavailable):
        return Failure(target, exc, "account")
    # The call translates botocore's error; what AWS said is its cause.
    said = answer_of(exc) or answer_of(exc.__cause__)
    if recognised(said):
        # An account whose every service refuses it (an SCP) still answered with
        # these credentials: its opt-in regions are then "not enabled", not refusals.
        target.reach.proven = True
    error = translate(exc, target.spec)
    # An opt-in region the account has not enabled answers valid credentials so too.
    if said is not None and said.code in UNKNOWN_KEY_CODES and span.regions.many:
        return Failure(target, error, "token")
    if said is not None and said.code in target.spec.elsewhere:
        return Failure(target, error, "elsewhere")
    if isinstance(error, ServiceUnavailableError):
        return Failure(target, error, "service")
    return Failure(target, error, "other")


def told_apart(failure: Failure, span: Span) -> None:
    """A failure of a key AWS did not know (kind "token"), once every target was read:
    an opt-in region the account has not enabled when AWS recognised the credentials
    elsewhere (kind "region", said so), refused credentials otherwise ("other").
    Lookups by reference tell their failures apart by it too."""
    if failure.kind != "token":
        return
    if not failure.target.reach.proven:
        failure.kind = "other"
        return
    failure.kind = "region"
    failure.error = RegionNotEnabled(
        "the region is not enabled for this account (an opt-in region): enable "
        f"it in the account settings, or leave it out of {span.option('region')}",
        service=failure.target.spec.name,
        named=span.regions.named(failure.target.region),
    )


def answered_at_home(failure: Failure, served: set[tuple[int, str]]) -> bool:
    """Whether ``failure`` is of a service that answers in its home region only (kind
    "elsewhere"), asked in another, where its credential set was answered in some
    region (``served``: (credential set, service) pairs): its home, also read, so
    nothing is missing. Answered nowhere, it is out of reach (kind "service").
    Lookups by reference tell their failures apart by it too."""
    if failure.kind != "elsewhere":
        return False
    if (id(failure.target.reach), failure.target.spec.name) in served:
        return True
    failure.kind = "service"
    return False


def settle(
    failed: list[Failure],
    targets: Sequence[Target],
    span: Span,
    *,
    answered: bool,
    served: set[tuple[int, str]],
) -> Settled:
    """The failures of the listing, as errors and notices: the module's rule.

    ``answered``: some target answered; ``served``: the (credential set, service)
    pairs that answered in at least one region.
    """
    notices: list[Failure] = []
    failures: list[Failure] = []
    for f in failed:
        told_apart(f, span)
        if answered_at_home(f, served):
            continue
        in_one_region = (id(f.target.reach), f.target.spec.name) in served
        named = {
            "account": f.target.reach.named,
            "region": span.regions.named(f.target.region),
            # A service asked for by name need not answer in every region (Discovery
            # answers in its home region only), but in one at least.
            "service": span.named_services and not (span.regions.many and in_one_region),
        }.get(f.kind, True)
        (failures if named else notices).append(f)
    if notices and not answered:
        # Nothing answered: what kept the targets out of reach is the failure. A
        # region not enabled is not its cause when something else is (every call
        # denied must stay exit 4, not become exit 5), so it stays a notice then.
        failures += [f for f in notices if f.kind != "region"]
        regions = [f for f in notices if f.kind == "region"]
        failures, notices = (failures, regions) if failures else (regions, [])
    if not span.many:
        # One account in one region: told in the order of the services asked for.
        order = {id(t): n for n, t in enumerate(targets)}
        failures.sort(key=lambda f: order[id(f.target)])
        notices.sort(key=lambda f: order[id(f.target)])
    read: dict[str, int] = {}
    for f in failures:
        if f.got:
            where = [f.target.spec.title]
            if span.many_accounts:
                where.append(f.target.reach.label)
            if span.regions.many:
                where.append(f.target.region)
            read[", ".join(where)] = f.got
    told = Settled(
        _told(failures, span), _unknown_accounts(targets, span) + _told(notices, span), read
    )
    if notices and len(targets) > 1 and span.many:
        # Every target not read: those said as errors too, not the notices alone.
        told.notices.append(
            ExportctlError(
                f"{len(notices) + len(failures)} of {len(targets)} (account, region, service) "
                "targets could not be read"
            )
        )
    return told


def _told(failed: list[Failure], span: Span) -> list[ExportctlError]:
    """What is said of ``failed``: over several targets, grouped (see :func:`_grouped`);
    over one account in one region, each error as it is."""
    if span.many:
        return _grouped(failed, span)
    return [f.error for f in failed]


def _unknown_accounts(targets: Sequence[Target], span: Span) -> list[ExportctlError]:
    """One notice per credential set whose account could not be learned."""
    out: list[ExportctlError] = []
    for reach in dict.fromkeys(t.reach for t in targets):
        why = reach.unknown_account
        if why is None:
            continue
        who = f"{reach.label}: " if span.many_accounts else ""
        out.append(
            ExportctlError(
                f"{who}the account could not be learned, so jobs without an ARN "
                f"are shown without it: {why.message}"
            )
        )
    return out


def _grouped(failed: list[Failure], span: Span) -> list[ExportctlError]:
    """One error per account and message, naming the regions it happened in."""
    return grouped(
        ((f.target.reach.label, None if f.kind == "account" else f.target.region,
          _unnamed(f) if span.many_accounts else f.error)
         for f in failed),
        accounts=span.many_accounts,
        regions=span.regions.many,
    )  # fmt: skip


def _unnamed(failure: Failure) -> ExportctlError:
    """The error of ``failure`` less the name of its profile, which the failure of a
    profile's credentials starts with (``profile 'x': ``), where its target's label
    names the profile already (``--profile a,b``)."""
    profile = failure.target.reach.profile
    error = failure.error
    start = named_profile(profile) if profile else None
    if start and error.message.startswith(start):
        return _like(error, error.message[len(start) :])
    return error


def grouped(
    failed: Iterable[tuple[str, str | None, ExportctlError]], *, accounts: bool, regions: bool
) -> list[ExportctlError]:
    """One error per credential set (its label) and message, naming the regions it
    happened in (None: a failure of the account itself, in no region); the labels
    when ``accounts``, the regions when ``regions``."""
    places: dict[tuple[str, str], list[str]] = defaultdict(list)
    first: dict[tuple[str, str], ExportctlError] = {}
    for label, region, error in failed:
        key = (label, error.message)
        first.setdefault(key, error)
        if region is not None and region not in places[key]:
            places[key].append(region)
    out: list[ExportctlError] = []
    for (label, message), error in sorted(first.items(), key=lambda item: item[0]):
        place = Place(
            label if accounts else None,
            tuple(sorted(places[(label, message)])) if regions else (),
            message,
        )
        out.append(_like(error, place.text(place.regions)))
        out[-1].place = place
    return out


def _like(error: ExportctlError, message: str) -> ExportctlError:
    """``error`` with another message, keeping its kind and exit code."""
    if isinstance(error, ServiceUnavailableError):
        return ServiceUnavailableError(message, service=error.service, exit_code=error.exit_code)
    if isinstance(error, CredentialsError):
        return CredentialsError(message, service=error.service)
    copy = type(error)(message, service=error.service)
    copy.exit_code = error.exit_code
    return copy
