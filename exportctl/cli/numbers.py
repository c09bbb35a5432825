"""Numeric options: click's number types, said in exportctl's words."""

from __future__ import annotations

import math
import re
from typing import Any

import click

from exportctl.cli.paramtypes import ClippedType
from exportctl.domain.errors import quoted

_WHOLE = re.compile(r"[+-]?[0-9]+")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


class _Number(ClippedType):
    """A number written as README's examples write one. click reads what Python's int()
    and float() read: any script's digits ('٣'), '1_000', 'nan'; and it says 'abc is
    not a valid integer range', a type's name for a message."""

    form = _WHOLE
    what = "a whole number"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and not self.form.fullmatch(value.strip()):
            self.fail(f"{quoted(value)} is not {self.what}", param, ctx)
        return super().convert(value, param, ctx)


class Int(_Number, click.types.IntParamType):
    """A whole number."""


class IntRange(_Number, click.IntRange):
    """A whole number within bounds."""


class FloatRange(_Number, click.FloatRange):
    """A number within bounds."""

    form = _NUMBER
    what = "a number"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        # '1e400' is written as a number is, and float() makes it inf.
        written = isinstance(value, str) and self.form.fullmatch(value.strip())
        if written and not math.isfinite(float(value)):
            self.fail(f"{quoted(value)} is too large a number", param, ctx)
        return super().convert(value, param, ctx)
