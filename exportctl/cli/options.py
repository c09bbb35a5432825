"""Options several commands share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

STATE_NAMES = ("PENDING", "RUNNING", "COMPLETED", "FAILED", "UNKNOWN")


def service_choices() -> list[str]:
    from exportctl.adapters import all_specs

    return [name for spec in all_specs() for name in (spec.name, *spec.aliases)]


def service_option(*, multiple: bool, help: str) -> Callable[[F], F]:
    return click.option(
        "--service",
        "-s",
        "services" if multiple else "service",
        type=click.Choice(service_choices(), case_sensitive=False),
        multiple=multiple,
        help=help,
    )
