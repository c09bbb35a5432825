"""Help that names the services, made from their specs when it is read.

The command modules name no service: where their help names some, it takes the
names from the specs (``ServiceSpec.title``, ``short_title``, ``rank``) through
this module, when the help is shown. Importing it imports no spec: a command's
import, ``--version`` and a Tab press pay nothing for it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import click

from exportctl.cli.globalopts import GlobalsCommand
from exportctl.cli.helpformat import HelpContext

if TYPE_CHECKING:
    from exportctl.services.spec import ServiceSpec

_COUNTS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


class Described:
    """A click command or group whose help is made when it is read, by ``describe``;
    mixed in before click's class. Without ``describe``, the help is the one given."""

    context_class: type[click.Context] = HelpContext

    def __init__(
        self, *args: Any, describe: Callable[[], str] | None = None, **kwargs: Any
    ) -> None:
        self._describe = describe
        self._help: str | None = None
        super().__init__(*args, **kwargs)

    @property
    def help(self) -> str | None:
        return self._describe() if self._describe is not None else self._help

    @help.setter
    def help(self, value: str | None) -> None:
        # click sets what it was given (a docstring): kept for a command without describe.
        self._help = value


class DescribedCommand(Described, GlobalsCommand):
    """A command whose help names services (``click.command(cls=..., describe=...)``)."""


def in_prose_order() -> list[ServiceSpec]:
    """Every service, in the order a sentence names them (``ServiceSpec.rank``)."""
    from exportctl.services import all_specs

    return sorted(all_specs(), key=lambda spec: spec.rank)


def joined(words: Iterable[str], last: str = " and ") -> str:
    """A, B and C."""
    listed = list(words)
    if len(listed) < 2:
        return "".join(listed)
    return f"{', '.join(listed[:-1])}{last}{listed[-1]}"


def whose(name: str) -> str:
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def jobs_named(spec: ServiceSpec) -> list[tuple[str, ServiceSpec]]:
    """Each kind of the service's jobs (``kinds_of``), as a sentence names it: the
    service's short title, or "<short title>'s exports of <its create's label>" for
    each kind of a service with several (started, and told apart, each its own way)."""
    from exportctl.services.kinds import kinds_of

    kinds = kinds_of(spec)
    if len(kinds) == 1:
        return [(spec.short_title, spec)]
    named = []
    for served in kinds:
        if served.create is None or not served.create.label:
            raise ValueError(f"{spec.name}: each kind's create needs a label to name its jobs")
        named.append((f"{whose(spec.short_title)} exports of {served.create.label}", served))
    return named


def titles() -> str:
    """Every service by its full title: AWS ..., Amazon ... and ..."""
    return joined(spec.title for spec in in_prose_order())


def short_titles() -> str:
    return joined(spec.short_title for spec in in_prose_order())


def how_many() -> str:
    """The number of services, as a word where one reads better."""
    from exportctl.services import all_specs

    count = len(all_specs())
    return _COUNTS[count] if count < len(_COUNTS) else str(count)


def searched() -> str:
    """The service whose search jobs `backups` reads, as a sentence names it, and a space."""
    from exportctl.services import search_spec

    spec = search_spec()
    return f"{spec.short_title} " if spec else ""


# The first lines of the commands whose summary names services: `exportctl --help`
# lists them without importing the commands' modules.


def backups_summary() -> str:
    return f"Show every backup a {searched()}search job included, and how each went."


def sandbox_summary() -> str:
    return (
        f"Serve emulated {short_titles()} APIs (and S3, with the sandbox extra) on "
        "127.0.0.1, and print the environment that points any AWS tool at them."
    )


def _startable() -> list[ServiceSpec]:
    from exportctl.services import all_specs

    return sorted((spec for spec in all_specs() if spec.create), key=lambda spec: spec.name)


def start_names() -> list[str]:
    """Every name `start` takes a service by, its aliases after its name (as -s's)."""
    return [name for spec in _startable() for name in (spec.name, *spec.aliases)]


def write_start_commands(
    group: click.Group, ctx: click.Context, formatter: click.HelpFormatter
) -> None:
    """click's list of `start`'s commands, a row a service, then the aliases each is
    started by too, as -s's help names them."""
    shown = [
        (spec, command)
        for spec in _startable()
        if (command := group.get_command(ctx, spec.name)) is not None and not command.hidden
    ]
    if not shown:
        return
    limit = formatter.width - 6 - max(len(spec.name) for spec, _ in shown)
    aliased = [f"{joined(spec.aliases, ' or ')} ({spec.name})" for spec, _ in shown if spec.aliases]
    with formatter.section("Commands"):
        formatter.write_dl([(spec.name, c.get_short_help_str(limit)) for spec, c in shown])
        if aliased:
            formatter.write_paragraph()
            formatter.write_text(f"Also: {', '.join(aliased)}.")
