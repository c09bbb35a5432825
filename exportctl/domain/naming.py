"""How a message names an option: the command line's ``--option``, or the Python
API's keyword argument. Below every layer, so that a message composed deep in the
core (botocore's errors translated, a job not found) names what its caller gave."""

from __future__ import annotations

import re
from collections.abc import Callable

# How a message names an option (``table``, ``start-time``, ``region``, ``timeout``):
# the command line's --option, or the Python API's keyword argument.
Named = Callable[[str], str]


# How a message says an exportctl command to run (``list -s rds --since 1h``): as the
# caller's user runs it, with what says where its calls go (the command line's
# --profile, --endpoint-url, --sandbox), so that, run as printed, it reads the same
# account and endpoint as the command that said it.
Commanded = Callable[[str], str]


def command(words: str) -> str:
    """An exportctl command as a message says it, with no global option."""
    return f"exportctl {words}"


# An exportctl command in a spec's advice: up to the ')' or '`' that closes it.
_COMMAND = re.compile(r"exportctl ([^)`]+)")


def advised(text: str, commanded: Commanded, region: str | None = None) -> str:
    """``text``, advice a spec words (``wait for some to end (exportctl list -s
    dynamodb --status running)``), each command in it said as ``commanded`` says one
    (where this command's calls went), in ``region`` where given (the job's)."""
    where = f" --region {region}" if region else ""
    return _COMMAND.sub(lambda found: commanded(found[1].rstrip() + where), text)


def flag(option: str) -> str:
    """An option as the command line names it in a message."""
    return f"--{option}"


def with_endpoint(named: Named, source: str | None) -> Named:
    """``named``, the option of where the calls go (``endpoint-url``) said as
    ``source``, the setting their endpoint was set by: an option (``--s3-endpoint-url``)
    as ``named`` says it, a variable or the profile's setting as it is, so that the
    advice names what the user set. ``named`` itself for AWS's own endpoint (None),
    which that option replaces."""
    if not source or source == "--endpoint-url":
        return named
    said = named(source[2:]) if source.startswith("--") else source

    def naming(option: str) -> str:
        return said if option == "endpoint-url" else named(option)

    return naming


def check_network(named: Named = flag) -> str:
    """The advice for an answer that is none of the service's (a proxy's page, a
    body cut short): where the calls go is the user's to check (the setting
    :func:`with_endpoint` has ``named`` say)."""
    return f"check the network and {named('endpoint-url')}"


def check_reach(named: Named = flag) -> str:
    """The advice for an endpoint that could not be reached: where the calls go (as
    for :func:`check_network`), and the region that chose it."""
    return f"check the network, {named('region')} and {named('endpoint-url')}"


# What the command line advises for missing or refused credentials.
CONFIGURE_HINT = (
    "configure credentials with `aws configure` or `aws sso login`, "
    "or set AWS_PROFILE / AWS_ACCESS_KEY_ID"
)


def configure_hint(named: Named = flag) -> str:
    """The advice for missing or refused credentials, as ``named``'s user gives them:
    the command line has no option for keys (its user sets the variables), a Python
    caller passes the profile or the keys to the client."""
    if named("profile") == flag("profile"):
        return CONFIGURE_HINT
    return (
        "configure credentials with `aws configure` or `aws sso login`, or pass "
        f"{named('profile')}, or {named('access-key-id')} and {named('secret-access-key')}"
    )
