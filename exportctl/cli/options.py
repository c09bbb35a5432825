"""Options several commands share."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from exportctl.errors import clip

F = TypeVar("F", bound=Callable[..., Any])

# Longer than any wait, and short enough for every date and timer sum.
MAX_DURATION = 366 * 86400.0

STATE_NAMES = ("PENDING", "RUNNING", "COMPLETED", "FAILED", "UNKNOWN")


def service_choices(only: str | None = None) -> list[str]:
    """Service names and aliases; ``only``: those of that one service."""
    from exportctl.adapters import all_specs

    specs = [s for s in all_specs() if only is None or s.name == only]
    return [name for spec in specs for name in (spec.name, *spec.aliases)]


class _ServiceNames(click.Choice):  # type: ignore[type-arg]
    """A service, or several separated by commas, as --region and --profile take them."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and "," in value:
            return tuple(
                super(_ServiceNames, self).convert(name.strip(), param, ctx)
                for name in value.split(",")
                if name.strip()
            )
        return super().convert(value, param, ctx)


def _flat(ctx: click.Context, param: click.Parameter, value: Any) -> tuple[str, ...]:
    names: list[str] = []
    for given in value or ():
        names.extend(given if isinstance(given, tuple) else (given,))
    return tuple(dict.fromkeys(names))


def service_option(*, multiple: bool, help: str, only: str | None = None) -> Callable[[F], F]:
    """--service/-s; ``only`` for a command that serves one service alone."""
    names = service_choices(only)
    # click's [a|b|...] metavar of every name and alias is wider than a terminal, and
    # the first column of the help does not wrap: the names go into the help instead.
    help = f"{help} NAME: {', '.join(names)}."
    if not multiple:
        return click.option(
            "--service",
            "-s",
            "service",
            type=click.Choice(names, case_sensitive=False),
            metavar="NAME",
            help=help,
        )
    return click.option(
        "--service",
        "-s",
        "services",
        type=_ServiceNames(names, case_sensitive=False),
        multiple=True,
        callback=_flat,
        metavar="NAME",
        help=help,
    )


def since_value(ctx: click.Context, param: click.Parameter, value: str | None) -> object:
    if value is None:
        return None
    from exportctl.timeutil import parse_since

    try:
        return parse_since(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    except OverflowError as exc:
        raise click.BadParameter(f"'{clip(value)}' reaches back before year 1") from exc


def filter_options(fn: F) -> F:
    """The filters of a job listing (list, watch): passes ``states``, ``since``,
    ``application_id``, ``dataset_arn`` and ``search_job``."""
    for option in (
        click.option(
            "--search-job", help="Backup Search: only the export jobs of this search job."
        ),
        click.option("--dataset-arn", help="Personalize: only the export jobs of this dataset."),
        click.option(
            "--application-id",
            "application_id",
            multiple=True,
            help="Pinpoint: only this application (repeatable; default: every application).",
        ),
        click.option(
            "--since",
            callback=since_value,
            metavar="DURATION|DATE",
            help="Only jobs created since then: 2h, 7d, 2026-11-01, 2026-11-01T08:00Z.",
        ),
        click.option(
            "--status",
            "states",
            multiple=True,
            type=click.Choice(STATE_NAMES, case_sensitive=False),
            help="Only jobs in this normalised state (repeatable).",
        ),
    ):
        fn = option(fn)
    return fn


def _duration(ctx: click.Context, param: click.Parameter, value: str | None) -> float | None:
    if value is None:
        return None
    from exportctl.timeutil import parse_duration

    try:
        seconds = parse_duration(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    if seconds > MAX_DURATION:
        raise click.BadParameter(f"'{clip(value)}' is longer than a year")
    if seconds <= 0 and param.name != "timeout":
        raise click.BadParameter("must be more than 0")
    return seconds


def duration_option(name: str, *, help: str, default: str | None = None) -> Callable[[F], F]:
    """An option taking a duration (90s, 5m, 1h30m), passed on as seconds."""
    return click.option(
        name,
        default=default,
        show_default=default is not None,
        callback=_duration,
        metavar="DURATION",
        help=help,
    )
