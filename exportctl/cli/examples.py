"""How every command's help ends: that global options may follow it, then examples."""

from __future__ import annotations

from collections.abc import Sequence

import click


def globals_note(options: Sequence[str]) -> str:
    """The sentence that says the global ``options`` (``--region``, ...) may follow
    the command: those it has no option of its own for."""
    return f"Global options ({', '.join(options)}) may also follow the command."


# The indentation of an example's continued lines, after a trailing backslash.
CONTINUED = "    "


def epilog(*examples: str) -> str:
    """``examples`` as written (``\\b`` keeps click from joining them); an example may
    go on over lines that end in a backslash.

    Each line should fit 56 columns: the help indents it by four, and must fit a
    60-column terminal."""
    lines = "\n".join(f"  {line}" for example in examples for line in example.splitlines())
    return f"\b\nExamples:\n{lines}"


def write_globals_note(formatter: click.HelpFormatter, options: Sequence[str]) -> None:
    """The paragraph that says global ``options`` may follow the command, where its
    epilog (its examples) would go, and before them."""
    formatter.write_paragraph()
    with formatter.indentation():
        formatter.write_text(globals_note(options))
