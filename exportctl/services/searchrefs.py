"""A search job as its user names it (``SearchJobs``), read by one parser for every
command that takes one (`backups`, `list --search-job`, `start --search-job`), so
that each takes the same forms::

    arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE/ID  (its ARN, ``SearchJobs.arn``)
    search-job:[REGION:]ID
    ID
"""

from __future__ import annotations

from typing import NamedTuple

from exportctl.domain.errors import clip
from exportctl.domain.jobkey import ACCOUNT, ID, PARTITIONS, REGION
from exportctl.services.spec import ArnForm

PREFIX = "search-job"


class SearchRef(NamedTuple):
    id: str
    region: str | None = None
    arn: str | None = None
    account: str | None = None


class BadSearchRef(ValueError):
    """A search job's form written wrong: what is wrong with it."""


def forms(arn: ArnForm) -> tuple[str, str]:
    """The forms :func:`parse` reads, as the messages show them."""
    return f"arn:aws:{arn.service}:REGION:ACCOUNT:{arn.resource}/ID", f"{PREFIX}:[REGION:]ID"


def parse(text: str, arn: ArnForm) -> SearchRef | None:
    """The search job ``text`` names by its ARN or ``search-job:``; None when it is in
    neither form (an export job's reference, a bare id); :class:`BadSearchRef` when it
    is in one of them, written wrong."""
    ref = text.strip()
    head, sep, rest = ref.partition(":")
    if head == "arn":
        parts = rest.split(":", 4)
        if len(parts) < 5 or parts[1] != arn.service or not parts[4].startswith(f"{arn.resource}/"):
            return None
        partition, _, region, account, resource = parts
        if partition not in PARTITIONS:
            raise BadSearchRef(
                f"'{clip(partition)}' is not a supported partition ({', '.join(PARTITIONS)})"
            )
        if not REGION.match(region):
            raise BadSearchRef(f"'{clip(region)}' is not a region")
        if not ACCOUNT.match(account):
            raise BadSearchRef(f"'{clip(account)}' is not an account id (12 digits)")
        ident = resource[len(arn.resource) + 1 :]
        if not ident:
            raise BadSearchRef(f"it names no search job (no id after {arn.resource}/)")
        return SearchRef(ident, region, ref, account)
    if not sep or head != PREFIX:
        return None
    region, sep, ident = rest.partition(":")
    if not sep:
        region, ident = "", rest
    if region and not REGION.match(region):
        raise BadSearchRef(f"'{clip(region)}' is not a region")
    if not ID.match(ident):
        raise BadSearchRef("search job ids look like ID (letters, digits, '.', '_' and '-')")
    return SearchRef(ident, region or None)


def search_job_region(text: str, arn: ArnForm) -> str | None:
    """The region a search job given in any form names (its ARN's, or REGION of
    ``search-job:REGION:ID``); None for none, or a form written wrong, which the
    service is left to refuse."""
    try:
        found = parse(text, arn)
    except BadSearchRef:
        return None
    return found.region if found else None


def search_job_id(text: str, arn: ArnForm) -> str:
    """The id every call takes, of a search job given in any form; what is in none,
    or written wrong, is sent as given, for the service to say what it makes of it."""
    try:
        found = parse(text, arn)
    except BadSearchRef:
        found = None
    return found.id if found else text.strip()
