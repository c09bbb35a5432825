"""How every command's help ends: that global options may follow it, then examples."""

from __future__ import annotations

GLOBALS_NOTE = (
    "Global options (--profile, --region, --org-role, --accounts, --endpoint-url, "
    "--sandbox, --debug, --no-color) may also follow the command."
)

# The indentation of an example's continued lines, after a trailing backslash.
CONTINUED = "    "


def epilog(*examples: str) -> str:
    """The note on global options, then ``examples`` as written (``\\b`` keeps click
    from joining them); an example may go on over lines that end in a backslash.

    Each line should fit 56 columns: the help indents it by four, and must fit a
    60-column terminal."""
    lines = "\n".join(f"  {line}" for example in examples for line in example.splitlines())
    return f"{GLOBALS_NOTE}\n\n\b\nExamples:\n{lines}"
