"""How a number given as text must be written: as README's examples write one.
Python's int() and float() read more: any script's digits ('٣'), '1_000', 'nan',
'inf', '1e400' (inf); each front end (click's options, the sandbox's argparse)
refuses those in these words."""

from __future__ import annotations

import math
import re

from exportctl.domain.errors import quoted

_WHOLE = re.compile(r"[+-]?[0-9]+")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def whole(text: str) -> int:
    """``text`` as a whole number; a ValueError saying why it is none."""
    if not _WHOLE.fullmatch(text.strip()):
        raise ValueError(f"{quoted(text)} is not a whole number")
    return int(text)


def number(text: str) -> float:
    """``text`` as a finite number; a ValueError saying why it is none."""
    if not _NUMBER.fullmatch(text.strip()):
        raise ValueError(f"{quoted(text)} is not a number")
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{quoted(text)} is too large a number")
    return value
