"""The name a mistyped one was probably meant to be."""

from __future__ import annotations

from collections.abc import Sequence


def no_such_command(name: str, commands: Sequence[str]) -> str:
    """The error of an unknown subcommand, with the nearest known one when there is one."""
    import difflib

    near = difflib.get_close_matches(name.lower(), list(commands), n=1, cutoff=0.6)
    hint = f"; did you mean {near[0]!r}?" if near else ""
    return f"no such command {name!r}{hint}"
