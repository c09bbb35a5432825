"""What finding a job by reference says when it finds none where it looked, one of
another account than the reference names, or more than one."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from exportctl.domain.errors import (
    ExitCode,
    ExportctlError,
    NotFoundError,
    RegionNotEnabled,
    RoleUnavailable,
    ServiceUnavailableError,
    clip,
)
from exportctl.domain.model import ExportJob
from exportctl.domain.naming import Named, flag
from exportctl.ops.credentials import Reach
from exportctl.ops.listing.failures import (
    Failure,
    answered_at_home,
    classify,
    grouped,
    told_apart,
)
from exportctl.ops.listing.targets import Span, Target
from exportctl.services import spec_for
from exportctl.services.refs import JobKey

# Regions or accounts a message names one by one; more are counted.
_NAMED = 3


def _reach_it(named: Named) -> str:
    return f"reach it with {named('profile')} or {named('org-role')}"


class NotFoundThere(NotFoundError):
    """A job not found where it was looked for: the message names the regions and
    accounts searched, and what would have found a job elsewhere.

    The accounts are composed into the message when it is first read: asking sts
    which account the default credentials are in costs a call, which a caller that
    catches the error and looks elsewhere (``backups``) never needs.

    ``parent``: what the service says does not exist is the job's parent (a
    Pinpoint application), which the reference names.

    ``unread``: the places out of reach (see :func:`unread_notices`); the message
    names them (:func:`unread_names`), and the job may be there, so the exit code is
    theirs unless the failure rule of a listing would make them notices only.

    ``regions_given``: the regions looked in are those the command named (or every
    region): a job in another was not looked for there as asked, not missed, so
    the message says nothing of other regions.
    """

    def __init__(
        self,
        key: JobKey,
        places: Sequence[tuple[Reach, str]],
        *,
        regions_given: bool = False,
        unread: Sequence[tuple[Reach, str, ExportctlError]] = (),
        notices: Sequence[ExportctlError] = (),
        parent: bool = False,
    ) -> None:
        spec = spec_for(key.service)
        super().__init__(f"{spec.title}: no export job {key.display}", service=spec.name)
        self._key = key
        self._places = list(places)
        self._regions_given = regions_given
        self._parent = parent
        self._unread = unread_names(places, unread)
        self.notices = tuple(notices)
        # As `list -s SERVICE` tells them: a service refused by an account is an error
        # (the reference names the service); a role not assumed, in an account not
        # given to --accounts, a notice; an opt-in region not enabled, a notice
        # unless --region names it.
        self.exit_code = max(
            (error.exit_code for reach, _, error in unread if _asked_for(reach, error)),
            default=ExitCode.NOT_FOUND,
        )
        # What ExportctlError.__init__ set gives way to the message composed when read.
        self._composed: str | None = None

    @property
    def message(self) -> str:
        if self._composed is None:
            self._composed = self._compose()
        return self._composed

    @message.setter
    def message(self, value: str) -> None:
        self._composed = value

    def __str__(self) -> str:
        return self.message

    def _compose(self) -> str:
        key = self._key
        spec = spec_for(key.service)
        what = clip(f"{key.parent}/{key.id}" if key.parent else key.id)
        if spec.get.by_arn and not key.arn:
            what = f"named {what!r}"
        regions = list(dict.fromkeys(region for _, region in self._places))
        accounts = list(dict.fromkeys(a for a in map(account_of, self._reaches()) if a))
        said = [counted(accounts, "account")] if accounts else []
        if len(self._places) > 1:
            said.append(f"looked in {len(self._places)} account and region pairs")
        where = counted(regions, "region", bare=True)
        text = f"no {spec.title} export job {what} in {where}"
        if self._parent and key.parent and spec.fan_out is not None:
            # As `list` says a parent given by id that does not exist.
            text = f"no {spec.title} {spec.fan_out.noun} {clip(key.parent)} in {where}"
        if said:
            text += f" ({'; '.join(said)})"
        if self._unread:
            shown = self._unread if len(self._unread) <= _NAMED else [f"{len(self._unread)} more"]
            text += f"; not read (see the notices): {', '.join(shown)}"
        # Said as the core that looked was told to name options (the API: keywords).
        named = self._places[0][0].clients.settings.named if self._places else flag
        if key.account and accounts and key.account not in accounts:
            return f"{text}; the reference names account {key.account}: {_reach_it(named)}"
        if key.region is None and not self._regions_given:
            where = named("region")
            return f"{text}; jobs in other regions need their region in the ref or {where}"
        return text

    def _reaches(self) -> list[Reach]:
        return list({id(reach): reach for reach, _ in self._places}.values())


def unread_names(
    places: Sequence[tuple[Reach, str]], unread: Sequence[tuple[Reach, str, ExportctlError]]
) -> list[str]:
    """What a lookup that found nothing names as not read: the regions, where it
    spans one credential set (which its notices do not name either), else the
    credential sets (accounts, profiles) out of reach."""
    reaches = {id(reach) for reach, _ in places} | {id(reach) for reach, _, _ in unread}
    if len(reaches) == 1:
        return list(dict.fromkeys(region for _, region, _ in unread))
    return list(dict.fromkeys(reach.label for reach, _, _ in unread))


def _asked_for(reach: Reach, error: ExportctlError) -> bool:
    """Whether a place not read keeps its failure's exit code (see NotFoundThere)."""
    if isinstance(error, RoleUnavailable):
        return reach.named
    if isinstance(error, RegionNotEnabled):
        return error.named
    return True


def told_as_listed(
    found: Mapping[int, list[tuple[Reach, str, ExportJob | ExportctlError]]],
    keys: Sequence[JobKey],
    span: Span,
) -> None:
    """The failures of a lookup told apart as a listing's are (in place), once every
    answer is in (:mod:`exportctl.ops.listing.failures`): an opt-in region the account
    has not enabled answers as unknown credentials do, and is that region when the
    same credentials answered elsewhere (``told_apart``); a service that answers in its
    home region only, asked in others too, is no failure there when it answered in
    its home (``answered_at_home``): those answers are dropped. ``found``: each key's
    answers, by its index in ``keys``."""
    failed: list[tuple[list[tuple[Reach, str, ExportJob | ExportctlError]], int, Failure]] = []
    served: set[tuple[int, str]] = set()
    for index, answers in found.items():
        spec = spec_for(keys[index].service)
        for n, (reach, region, answer) in enumerate(answers):
            if isinstance(answer, (ExportJob, NotFoundError)):
                # AWS answered these credentials (not found is an answer too).
                reach.proven = True
                served.add((id(reach), spec.name))
            else:
                failed.append((answers, n, classify(Target(reach, spec, region), answer, span)))
    dropped: list[tuple[list[tuple[Reach, str, ExportJob | ExportctlError]], int]] = []
    for answers, n, failure in failed:
        told_apart(failure, span)
        if answered_at_home(failure, served):
            dropped.append((answers, n))
        elif failure.kind == "region":
            reach, region, _ = answers[n]
            answers[n] = (reach, region, failure.error)
    # Last first: the indexes of those before stay right.
    for answers, n in sorted(dropped, key=lambda d: d[1], reverse=True):
        del answers[n]


def out_of_reach(answers: Sequence[tuple[Reach, str, ExportctlError]]) -> bool:
    """Whether each failure of a lookup only kept a place out of reach (a service
    refused as a whole, a role not assumed): the places that did answer then say
    "not found", and those out of reach are notices beside it."""
    return all(isinstance(error, ServiceUnavailableError) for _, _, error in answers)


def unread_notices(
    unread: Sequence[tuple[Reach, str, ExportctlError]], *, accounts: bool, regions: bool
) -> list[ExportctlError]:
    """One notice per credential set and reason, naming the regions when many, as a
    listing tells the targets it could not read (a role not assumed in no region)."""
    return grouped(
        ((reach.label, None if isinstance(error, RoleUnavailable) else region, error)
         for reach, region, error in unread),
        accounts=accounts,
        regions=regions,
    )  # fmt: skip


def account_of(reach: Reach) -> str | None:
    """The account of ``reach``'s credentials, None when sts cannot say."""
    try:
        return reach.account()
    except ExportctlError:
        return None


class Placed(Protocol):
    """A job or a search job: the account and region it was found in."""

    @property
    def account(self) -> str | None: ...

    @property
    def region(self) -> str: ...


def places_of(jobs: Sequence[Placed]) -> str:
    """Where several jobs of one id are: their accounts, else account/region pairs."""
    places = [job.account or "" for job in jobs]
    if len(set(places)) == len(places) and all(places):
        return "accounts " + ", ".join(places)
    return "places " + ", ".join(f"{job.account or '?'}/{job.region}" for job in jobs)


def counted(names: Sequence[str], noun: str, *, bare: bool = False) -> str:
    """``account 1``, ``accounts 1, 2``, ``5 accounts``; ``bare`` names them without
    the noun."""
    if len(names) > _NAMED:
        return f"{len(names)} {noun}s"
    listed = ", ".join(names)
    if bare:
        return listed
    return f"{noun}{'s' if len(names) > 1 else ''} {listed}"


class OtherAccount(NotFoundError):
    """The job read is not of the account the reference names: credentials read
    their own account, whatever the reference says."""


def elsewhere(key: JobKey, reach: Reach) -> OtherAccount | None:
    """The reference names an account these credentials are not in: a service out of
    reach there (no Migration Hub home region, say) is not the reference's answer.
    Asked only then: what passes (throttling, a 5xx) costs no sts call."""
    if key.account is None:
        return None
    said = f"{reach.label} reach account"
    return _unlike(key, account_of(reach), said, key.service, reach.clients.settings.named)


def other_account(key: JobKey, job: ExportJob, reach: Reach) -> OtherAccount | None:
    if key.account is None:
        return None
    account = job.account or account_of(reach)
    said = f"the job read with {reach.label} is of account"
    return _unlike(key, account, said, job.service, reach.clients.settings.named)


def _unlike(
    key: JobKey, account: str | None, said: str, service: str, named: Named
) -> OtherAccount | None:
    if account is None or account == key.account:
        return None
    return OtherAccount(
        f"the reference names account {key.account}; {said} {account}: {_reach_it(named)}",
        service=service,
    )
