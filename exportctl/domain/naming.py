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
