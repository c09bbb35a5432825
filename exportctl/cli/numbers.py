"""Numeric options: click's number types, said in exportctl's words."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from exportctl.cli.paramtypes import ClippedType
from exportctl.domain.numerals import number, whole


class _Number(ClippedType):
    """A number written as README's examples write one (:mod:`exportctl.domain.numerals`).
    click reads what Python's int() and float() read: any script's digits ('٣'),
    '1_000', 'nan'; and it says 'abc is not a valid integer range', a type's name for a
    message."""

    read: Callable[[str], object] = staticmethod(whole)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str):
            try:
                self.read(value)
            except ValueError as exc:
                self.fail(str(exc), param, ctx)
        return super().convert(value, param, ctx)


class Int(_Number, click.types.IntParamType):
    """A whole number."""


class IntRange(_Number, click.IntRange):
    """A whole number within bounds."""


class FloatRange(_Number, click.FloatRange):
    """A number within bounds; not one float() makes inf of ('1e400')."""

    read = staticmethod(number)
