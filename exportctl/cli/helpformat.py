"""Help that never breaks a line inside a hyphenated word.

click wraps help with ``textwrap``'s ``break_on_hyphens``: at 80 columns a hyphenated
choice or a ref's ``SOURCE-YYYYMMDD-HHMMSS-XXXX`` ended one line and began the next,
and read (and copied) as two. click's wrapping takes no switch for it, so this
formatter hands click each text with its hyphens as non-breaking ones (U+2011, one
column too, which textwrap does not break at) and writes them back as hyphens: a
line breaks at a space only.
"""

from __future__ import annotations

from collections.abc import Iterable

import click

_HYPHEN = "-"
_NON_BREAKING = "\u2011"


def _held(text: str) -> str:
    return text.replace(_HYPHEN, _NON_BREAKING)


class HelpFormatter(click.HelpFormatter):
    """click's formatter, its wrapped text kept whole at hyphens."""

    def write(self, string: str) -> None:
        super().write(string.replace(_NON_BREAKING, _HYPHEN))

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, _held(args), prefix)

    def write_text(self, text: str) -> None:
        super().write_text(_held(text))

    def write_dl(
        self, rows: Iterable[tuple[str, str]], col_max: int = 30, col_spacing: int = 2
    ) -> None:
        held = [(first, _held(second)) for first, second in rows]
        # A word wider than the definitions' column would be cut wherever the column
        # ends (a default job name's placeholder, at 60 columns):
        # the terms' column narrows instead, as far as that word needs (a longer term
        # then takes a line of its own, as click writes one wider than col_max).
        longest = max((len(word) for _, second in held for word in second.split()), default=0)
        col_max = max(min(col_max, self.width - 2 - col_spacing - longest), 0)
        super().write_dl(held, col_max, col_spacing)


class HelpContext(click.Context):
    """The context every exportctl command's help is written through."""

    formatter_class = HelpFormatter
