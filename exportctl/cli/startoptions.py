"""The click options a service's spec declares for `start SERVICE`
(:class:`exportctl.services.spec.StartOption`), each read by its kind."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

from exportctl.cli.complete import choices_completer
from exportctl.cli.numbers import IntRange
from exportctl.cli.options import since_value

if TYPE_CHECKING:
    from exportctl.services.spec import StartOption

F = TypeVar("F", bound=Callable[..., Any])


def click_option(option: StartOption) -> Callable[[F], F]:
    """The click option ``option`` is on `start SERVICE`: its type, how its value is
    read, and what Tab offers for it."""
    kwargs: dict[str, Any] = {
        "help": option.help,
        "metavar": option.metavar,
        "multiple": option.multiple,
        "required": option.required,
    }
    if option.kind == "int":
        from exportctl.services.starts import WHOLE

        kwargs["type"] = IntRange(*WHOLE)
    elif option.kind == "time":
        kwargs["callback"] = since_value
    # A word is read as typed: the request's plan spells it as the service does, and
    # says one that is none of its choices as the user typed it.
    if option.choices:
        kwargs["shell_complete"] = choices_completer(option.choices)
    return click.option(f"--{option.name}", option.name.replace("-", "_"), **kwargs)
