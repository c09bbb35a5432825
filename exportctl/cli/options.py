"""Options several commands share."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from exportctl.cli.globalopts import GlobalsCommand
from exportctl.cli.paramtypes import Choice
from exportctl.domain.errors import clip, quoted
from exportctl.domain.model import State

if TYPE_CHECKING:
    from click.shell_completion import CompletionItem

    from exportctl.services.spec import Scope, ServiceSpec

F = TypeVar("F", bound=Callable[..., Any])

STATE_NAMES = tuple(state.value for state in State)


def service_choices(
    only: str | None = None, offer: Callable[[ServiceSpec], bool] | None = None
) -> list[str]:
    """Service names and aliases; ``only``: those of that one service; ``offer``: of
    the services it says yes to."""
    from exportctl.services import all_specs

    specs = [s for s in all_specs() if (only is None or s.name == only)]
    specs = [s for s in specs if offer is None or offer(s)]
    return [name for spec in specs for name in (spec.name, *spec.aliases)]


def _nothing(value: Any) -> bool:
    """Nothing, or commas alone: no name at all."""
    return isinstance(value, str) and not value.replace(",", "").strip()


class _Services(Choice):
    """A service by name or alias: of the services there are when the value is read,
    not when the command was made; ``only`` (a function): of the one it names."""

    def __init__(
        self,
        only: Callable[[], str | None] | None = None,
        offer: Callable[[ServiceSpec], bool] | None = None,
    ) -> None:
        super().__init__((), case_sensitive=False)
        self._only = only
        self._offer = offer

    @property
    def choices(self) -> tuple[str, ...]:
        return tuple(service_choices(self._only() if self._only else None))

    @choices.setter
    def choices(self, value: Any) -> None:
        # click.Choice sets the names it was made with: there are none to keep.
        pass

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if _nothing(value):
            # As a list of them says it (-s "$A,$B", both unset): not "is not one of".
            self.fail(f"{quoted(value)} names no service", param, ctx)
        return super().convert(value, param, ctx)

    def offered(self) -> tuple[str, ...]:
        """The names help lists and Tab offers: those of the services the command
        does something with (the others are taken, to be refused in its own words)."""
        if self._offer is None:
            return self.choices
        return tuple(service_choices(self._only() if self._only else None, self._offer))

    def shell_complete(
        self, ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[CompletionItem]:
        from click.shell_completion import CompletionItem

        # As click completes a choice, of the names offered.
        typed = incomplete.lower()
        return [CompletionItem(name) for name in self.offered() if name.lower().startswith(typed)]


def _names_listed(names: Iterable[str], incomplete: str) -> list[CompletionItem]:
    """Names taken in any case, completed after the last comma of ``a,b`` (in lower case,
    as click completes a choice)."""
    from exportctl.cli.complete import listed

    return listed((name.lower() for name in names), incomplete.lower())


class _Listed(Choice):
    """A name, or several separated by commas (``a,b``), each read as the choice reads
    one; nothing or commas alone (`-s "$A,$B"`, both unset) are no filter to drop
    silently: they name no ``what``."""

    what = ""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        one = super().convert
        if not (isinstance(value, str) and ("," in value or not value.strip())):
            return one(value, param, ctx)
        if _nothing(value):
            self.fail(f"{quoted(value)} names no {self.what}", param, ctx)
        return tuple(one(name.strip(), param, ctx) for name in value.split(",") if name.strip())

    def shell_complete(
        self, ctx: click.Context, param: click.Parameter, incomplete: str
    ) -> list[CompletionItem]:
        return _names_listed(self.offered(), incomplete)

    def offered(self) -> tuple[str, ...]:
        return tuple(self.choices)


class _ServiceNames(_Listed, _Services):
    """A service, or several separated by commas, as --region and --profile take them."""

    what = "service"

    def offered(self) -> tuple[str, ...]:
        return _Services.offered(self)


class _ServiceOption(click.Option):
    """--service, whose help ends with the names it takes, as the specs give them;
    ``describe`` makes the help before them when it is read."""

    def __init__(self, *args: Any, describe: Callable[[], str], **kwargs: Any) -> None:
        self._describe = describe
        super().__init__(*args, **kwargs)

    @property
    def help(self) -> str | None:
        assert isinstance(self.type, _Services)
        return f"{self._describe()} NAME: {', '.join(self.type.offered())}."

    @help.setter
    def help(self, value: str | None) -> None:
        # click sets the help it was given: there is none, describe makes it.
        pass


class _StateNames(_Listed):
    """A normalised state, or several separated by commas, as --service takes them."""

    what = "state"

    def __init__(self) -> None:
        super().__init__(STATE_NAMES, case_sensitive=False)


def _flat(ctx: click.Context, param: click.Parameter, value: Any) -> tuple[str, ...]:
    names: list[str] = []
    for given in value or ():
        names.extend(given if isinstance(given, tuple) else (given,))
    return tuple(dict.fromkeys(names))


def service_option(
    *,
    multiple: bool,
    help: str | Callable[[], str],
    only: Callable[[], str | None] | None = None,
    offer: Callable[[ServiceSpec], bool] | None = None,
) -> Callable[[F], F]:
    """--service/-s; ``only`` for a command that serves one service alone (the one
    that function names), whose ``help`` may then name it (a function, called when
    the help is read); ``offer``, for one that takes every name but does something
    with some services only: those its help lists and Tab offers."""
    # click's [a|b|...] metavar of all names is too wide for help's unwrapped first column.
    describe = help if callable(help) else lambda: help
    if not multiple:
        return click.option(
            "--service",
            "-s",
            "service",
            cls=_ServiceOption,
            describe=describe,
            type=_Services(only, offer),
            multiple=True,  # each -s read: a second is refused, not taken instead
            callback=_one,
            metavar="NAME",
        )
    return click.option(
        "--service",
        "-s",
        "services",
        cls=_ServiceOption,
        describe=describe,
        type=_ServiceNames(only, offer),
        multiple=True,
        callback=_flat,
        metavar="NAME",
    )


def _one(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]) -> str | None:
    """The service of bare ids, given once (by one name or two of it): not ``-s A -s B``."""
    from exportctl.services import spec_for

    given = tuple({spec_for(name).name: name for name in value}.values())
    if len(given) > 1 and not ctx.resilient_parsing:
        names = " and ".join(quoted(name) for name in given)
        raise click.BadParameter(f"taken once, not {names}: a prefixed ref names its service")
    return given[-1] if given else None


def since_value(ctx: click.Context, param: click.Parameter, value: str | None) -> object:
    if value is None:
        return None
    from exportctl.domain.timeutil import parse_since

    try:
        return parse_since(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    except OverflowError as exc:
        raise click.BadParameter(f"'{clip(value)}' reaches back before year 1") from exc


def _or(words: tuple[str, ...]) -> str:
    """a, b or c, in lower case."""
    lower = [word.lower() for word in words]
    return f"{', '.join(lower[:-1])} or {lower[-1]}" if len(lower) > 1 else "".join(lower)


def filter_options(fn: F) -> F:
    """The filters of a job listing (list, watch): passes ``states`` and ``since``; the
    command (a :class:`ScopedCommand`) adds the services' own after them."""
    for option in (
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
            type=_StateNames(),
            callback=_flat,
            # The states named in the help, not in a [a|b|...] metavar wider than a
            # narrow terminal.
            metavar="STATE",
            help=f"Only jobs in this normalised state: {_or(STATE_NAMES)} (repeatable, or a,b).",
        ),
    ):
        fn = option(fn)
    return fn


class ScopedCommand(GlobalsCommand):
    """A listing command with an option for each ``Scope`` of the services' specs, after
    its option ``--since``. The options are those of the specs there are when the
    command is used, not when it was made; their values reach the callback by their
    keys (``search_job``), for :func:`scope_of`."""

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        params = super().get_params(ctx)
        at = next(i for i, param in enumerate(params) if param.name == "since") + 1
        return [*params[:at], *_scope_options(_specs()), *params[at:]]


def _specs() -> tuple[ServiceSpec, ...]:
    from exportctl.services import all_specs

    return all_specs()


@cache
def _scope_options(specs: tuple[ServiceSpec, ...]) -> tuple[click.Option, ...]:
    """The options of the services' scopes, the last service's first. Made once for a
    set of specs: click tells a command's parameters apart by identity."""
    options: dict[str, click.Option] = {}
    for spec in reversed(specs):
        for scope in spec.scopes:
            # Services that name an option alike share it: each takes the value.
            options.setdefault(scope.key, _scope_option(scope))
    return tuple(options.values())


def _scope_option(scope: Scope) -> click.Option:
    complete = scope.complete
    return click.Option(
        [f"--{scope.name}", scope.key],
        multiple=scope.multiple,
        metavar=scope.metavar,
        help=scope.help,
        shell_complete=None if complete is None else _values_of(complete),
    )


def _values_of(
    complete: Callable[[str], Iterable[str]],
) -> Callable[[click.Context, click.Parameter, str], list[CompletionItem]]:
    def values(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
        from click.shell_completion import CompletionItem

        return [CompletionItem(value) for value in complete(incomplete)]

    return values


def scope_of(values: Mapping[str, Any]) -> dict[str, Any]:
    """A listing's scope (``ListQuery.scope``): the values of the scope options given."""
    return {scope.key: values.get(scope.key) for spec in _specs() for scope in spec.scopes}


def _duration(ctx: click.Context, param: click.Parameter, value: str | None) -> float | None:
    if value is None:
        return None
    from exportctl.domain.timeutil import MAX_DURATION, longer_than_a_year, parse_duration

    try:
        seconds = parse_duration(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc
    if seconds > MAX_DURATION:
        raise click.BadParameter(longer_than_a_year(f"'{clip(value)}'"))
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


class Folder(click.Path):
    """DEST: a folder's path, never empty (an unset variable in a script: ``"$DEST"``
    would otherwise write into the current folder)."""

    def __init__(self) -> None:
        super().__init__(path_type=Path)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and not value.strip():
            self.fail("empty: name a folder", param, ctx)
        return super().convert(value, param, ctx)


def check_intervals(ctx: click.Context) -> None:
    """--max-interval shorter than --interval is refused before anything is sent:
    the checks would be further apart than it says (left out, it is at least
    --interval)."""
    from exportctl.api.options import intervals
    from exportctl.services.forms import flag

    intervals(ctx.params["interval"], ctx.params["max_interval"], flag)


def first_given(ctx: click.Context, names: Iterable[str]) -> str | None:
    """The first of the parameters ``names`` given on the command line, as its option
    is written (``max_interval``: ``--max-interval``); None when none was."""
    from click.core import ParameterSource

    for name in names:
        if ctx.get_parameter_source(name) is ParameterSource.COMMANDLINE:
            return "--" + name.replace("_", "-")
    return None
