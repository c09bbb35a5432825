"""How a message names an option: the command line's ``--option``, or the Python
API's keyword argument. Below every layer, so that a message composed deep in the
core (botocore's errors translated, a job not found) names what its caller gave."""

from __future__ import annotations

from collections.abc import Callable

# How a message names an option (``table``, ``start-time``, ``region``, ``timeout``):
# the command line's --option, or the Python API's keyword argument.
Named = Callable[[str], str]


def flag(option: str) -> str:
    """An option as the command line names it in a message."""
    return f"--{option}"


def check_network(named: Named = flag) -> str:
    """The advice for an answer that is none of the service's (a proxy's page, a
    body cut short): where the calls go is the user's to check."""
    return f"check the network and {named('endpoint-url')}"


def check_reach(named: Named = flag, endpoint: str | None = None) -> str:
    """The advice for an endpoint that could not be reached: where the calls go (the
    setting ``endpoint`` names, else the option that sets it), and the region that
    chose it."""
    return f"check the network, {named('region')} and {endpoint or named('endpoint-url')}"
