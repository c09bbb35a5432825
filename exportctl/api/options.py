"""What the API takes as Python values and the command line as text: references (or
the jobs they name), states, times, and the options of ``start SERVICE``."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from exportctl.api.errors import BadInput
from exportctl.domain.errors import UsageError, clip
from exportctl.domain.model import ExportJob, State
from exportctl.domain.timeutil import MAX_DURATION, longer_than_a_year, now, parse_since
from exportctl.services.forms import Named, flag
from exportctl.services.refs import JobKey, parse
from exportctl.services.spec import ServiceSpec, StartOption

if TYPE_CHECKING:
    from exportctl.ops.core import Board
    from exportctl.ops.jobs import Jobs, ListQuery

# A job as the API takes it: a reference (what `list` prints) or a job it returned.
Ref = str | ExportJob


def ref_text(ref: Ref) -> str:
    return ref.ref if isinstance(ref, ExportJob) else ref


def text_of(ref: Ref) -> str:
    """A reference's text, from a string or a job; anything else is bad input."""
    if not isinstance(ref, (str, ExportJob)):
        raise UsageError(f"a job reference is a string or an ExportJob, not {type(ref).__name__}")
    return ref_text(ref)


def key_of(ref: Ref, service: str | None, named: Named) -> JobKey:
    """``ref``'s key; ``named``: how the caller's user gives ``service``, in messages."""
    return parse(text_of(ref), service, named)


def job_key(key: JobKey, jobs: Jobs, *, many_regions: bool) -> JobKey:
    """What tells two references of one job apart from two jobs: in its region, a job
    named with and without it is one job; over several regions, one named without it
    is looked for in each, so it stays its own. Raises with no default region."""
    return key if many_regions or key.region else key.in_region(jobs.clients.default_region)


def first_of_each(keys: list[JobKey], board: Board) -> list[int]:
    """The indexes of ``keys`` that name a job first, in order: a job named twice
    (with and without its default region too) is read once, where first named."""
    first: dict[JobKey, int] = {}
    for index, key in enumerate(keys):
        try:
            same = job_key(key, board, many_regions=board.regions.many)
        except UsageError:
            # No default region: each such key fails alone, as it would anyway.
            same = key
        first.setdefault(same, index)
    return list(first.values())


def list_keywords(named: Named) -> Named:
    """``named`` for list's own keywords: regions=, profiles= where Client(...) takes
    region=, profile= (the command's list has no options of its own for them)."""
    return lambda option: named({"region": "regions", "profile": "profiles"}.get(option, option))


def each_ref(refs: Ref | Iterable[Ref]) -> list[Ref]:
    """One reference or several, as given: a string is one reference, not its letters."""
    if isinstance(refs, (str, ExportJob)):
        return [refs]
    return list(refs)


def refs_of(refs: Ref | Iterable[Ref]) -> list[Ref]:
    """One reference or several, as given; at least one."""
    listed = each_ref(refs)
    if not listed:
        raise UsageError("no job to wait for: give at least one reference")
    return listed


def names(values: str | Iterable[str] | None) -> tuple[str, ...]:
    """A name or several (services, regions, profiles, accounts): ``a``, ``a,b`` or a list."""
    if values is None:
        return ()
    if isinstance(values, str):
        return (values,)
    listed = tuple(values)
    for value in listed:
        if not isinstance(value, str):
            raise UsageError(f"expected names, got {clip(repr(value))}")
    return listed


def parts(value: str) -> list[str]:
    """``"a,b"`` as two names, as the command line's ``--status a,b`` and ``-s a,b``
    take them; commas alone are kept whole, to be refused as an unknown name is."""
    return [p.strip() for p in value.split(",") if p.strip()] or [value]


def states_of(states: State | str | Iterable[State | str] | None) -> frozenset[State]:
    if states is None:
        return frozenset()
    given = [states] if isinstance(states, (State, str)) else list(states)
    given = [
        part for state in given for part in (parts(state) if isinstance(state, str) else [state])
    ]
    out: set[State] = set()
    for state in given:
        try:
            out.add(state if isinstance(state, State) else State(str(state).strip().upper()))
        except ValueError:
            known = ", ".join(s.value for s in State)
            raise UsageError(f"{clip(state)!r} is no state: use one of {known}") from None
    return frozenset(out)


def since_of(since: datetime | timedelta | str | None, name: str = "since") -> datetime | None:
    """A time, a time that long ago, or what ``--since`` takes (``2d``, a date); a
    naive datetime is this machine's local time, as Python reads one
    (``datetime.now()``)."""
    if since is None:
        return None
    try:
        if isinstance(since, timedelta):
            return now() - since
        if isinstance(since, datetime):
            aware = since if since.tzinfo is not None else since.astimezone()
            return aware.astimezone(timezone.utc)
        return parse_since(str(since))
    except (ValueError, OverflowError) as exc:
        raise UsageError(f"{name}: {exc}") from exc


def seconds(name: str, value: float | timedelta | None, *, positive: bool = True) -> float | None:
    if value is None:
        return None
    number = value.total_seconds() if isinstance(value, timedelta) else value
    if isinstance(number, bool) or not isinstance(number, (int, float)):
        raise UsageError(f"{name}: a number of seconds or a timedelta, not {clip(repr(value))}")
    if not math.isfinite(number):
        raise UsageError(f"{name}: a finite number of seconds, not {number}")
    if number < 0 or (positive and number == 0):
        raise UsageError(f"{name}: must be more than 0" if positive else f"{name}: not negative")
    if number > MAX_DURATION:
        said = str(value) if isinstance(value, timedelta) else f"{number!r} seconds"
        raise UsageError(f"{name}: {longer_than_a_year(said)}")
    return float(number)


def intervals(
    interval: float | timedelta, max_interval: float | timedelta | None, named: Named
) -> tuple[float, float]:
    """The first delay between checks and the longest. The longest left out is 60 s,
    or ``interval`` when that is longer; one given shorter than ``interval`` is
    refused, as it would not be the longest delay (``named``: how the caller gives
    an option, in the message)."""
    from exportctl.ops.polling.schedule import DEFAULT_CAP

    first = seconds(named("interval"), interval)
    cap = seconds(named("max-interval"), max_interval)
    assert first is not None
    if cap is None:
        return first, max(first, DEFAULT_CAP)
    if cap < first:
        longest = named("max-interval")
        raise UsageError(
            f"{longest} {cap:g}s is shorter than {named('interval')} {first:g}s: "
            f"give a {longest} at least as long, or leave {longest} out"
        )
    return first, cap


def start_values(
    spec: ServiceSpec, options: Sequence[StartOption], given: Mapping[str, Any]
) -> dict[str, Any]:
    """Keyword arguments of ``start`` (``table=..., to=...``, the options of ``exportctl
    start SERVICE`` with underscores) as the request builder takes the options'
    values: times parsed, repeatable ones as tuples (words are spelled by the plan)."""
    known = {option.name.replace("-", "_"): option for option in options}
    unknown = sorted(set(given) - set(known))
    if unknown:
        raise UsageError(
            f"{spec.title}: no option {', '.join(unknown)}; "
            f"start {spec.name} takes {', '.join(known) or 'none'}"
        )
    return {
        key: _value(spec, known[key], value) for key, value in given.items() if value is not None
    }


def _value(spec: ServiceSpec, option: StartOption, value: Any) -> Any:
    if option.multiple:
        listed = [value] if isinstance(value, (str, int, datetime)) else list(value)
        return tuple(_one(spec, option, v) for v in listed)
    return _one(spec, option, value)


def keyword(option: str) -> str:
    """An option of ``exportctl start SERVICE`` as the keyword argument that gives it."""
    return option.replace("-", "_")


def _one(spec: ServiceSpec, option: StartOption, value: Any) -> Any:
    name = keyword(option.name)
    if option.kind == "int":
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise UsageError(f"{spec.title}: {name} takes a whole number")
        try:
            return int(value)
        except ValueError:
            raise UsageError(f"{spec.title}: {name} takes a whole number") from None
    if option.kind == "time":
        if isinstance(value, (datetime, timedelta)):
            return since_of(value, name)
        if not isinstance(value, str):
            raise UsageError(f"{spec.title}: {name} takes a datetime, a timedelta or a string")
        try:
            return parse_since(value)
        except (ValueError, OverflowError) as exc:
            raise UsageError(f"{spec.title}: {name}: {exc}") from exc
    if not isinstance(value, str):
        raise UsageError(f"{spec.title}: {name} takes a string, not {type(value).__name__}")
    # A word as given: the plan spells it as the service does, and says one that is
    # none of its choices as given.
    return value


def list_query(
    services: str | Iterable[str] | None,
    states: State | str | Iterable[State | str] | None,
    since: datetime | timedelta | str | None,
    limit: int | None,
    scope: Mapping[str, Any],
    named: Named = keyword,
) -> ListQuery:
    """What :meth:`exportctl.api.Client.list` is asked for, checked, as the core's query;
    ``named``: how the caller's user gives a filter, in messages (the client's)."""
    from exportctl.ops.jobs import ListQuery
    from exportctl.services import spec_for

    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int)):
        raise UsageError(f"limit: a whole number, not {limit!r}")
    if limit is not None and limit < 1:
        raise UsageError("limit: at least 1")
    filters = list_scope(scope, named)
    _check_scope_regions(filters, named)
    return ListQuery(
        services=scoped_services(
            tuple(dict.fromkeys(spec_for(p).name for s in names(services) for p in parts(s))),
            filters,
            named,
        ),
        states=states_of(states),
        since=since_of(since),
        limit=limit,
        scope=filters,
    )


def _check_scope_regions(scope: Mapping[str, Any], named: Named) -> None:
    """A region a filter's ARN names is one botocore knows, as a reference's must be."""
    from exportctl.aws.regions import check_region
    from exportctl.services import all_specs
    from exportctl.services.refs import scoped_regions

    for spec in all_specs():
        for option, region in scoped_regions(spec, scope):
            check_region(region, source=named(option))


def scoped_services(
    services: tuple[str, ...], scope: Mapping[str, Any], named: Named
) -> tuple[str, ...]:
    """The services a listing reads: those named, or, with none named, those whose own
    filters are given. A filter of a service not named is refused, not dropped (every
    job of the others would be listed as if filtered)."""
    from exportctl.services import all_specs

    given = [
        (s, spec)
        for spec in all_specs()
        for s in spec.scopes
        if scope.get(s.key) is not None and scope.get(s.key) != ()
    ]
    if not given:
        return services
    if not services:
        return tuple(dict.fromkeys(spec.name for _, spec in given))
    for s, spec in given:
        if spec.name not in services:
            said = named(s.name)
            # The command line's user knows its short -s; a Python caller, list's services.
            add = f"-s {spec.name}" if said == flag(s.name) else f"{spec.name!r} to services"
            raise UsageError(
                f"{said} filters {spec.title}'s jobs, and the listing is of "
                f"{', '.join(services)} only: add {add}, or leave {said} out"
            )
    return services


def list_scope(given: Mapping[str, Any], named: Named) -> dict[str, Any]:
    """The services' own filters of a listing, by their keys (``search_job``);
    ``named``: how the caller's user gives one, in messages."""
    from exportctl.services import all_specs

    scopes = {scope.key: scope for spec in all_specs() for scope in spec.scopes}
    unknown = sorted(set(given) - set(scopes))
    if unknown:
        raise UsageError(
            f"list takes no filter {', '.join(unknown)}: the services' own are "
            f"{', '.join(sorted(scopes)) or 'none'}"
        )
    out: dict[str, Any] = dict.fromkeys(scopes)
    for key, value in given.items():
        if value is not None and scopes[key].multiple:
            # a,b as two values, as --service takes them.
            value = tuple(dict.fromkeys(p.strip() for v in names(value) for p in v.split(",")))
        elif value is not None and not isinstance(value, str):
            raise UsageError(f"{key}: a string, not {type(value).__name__}")
        if value is not None and value != () and any(not v.strip() for v in names(value)):
            # An unset variable in a script ("$TABLE"): not every job of the service.
            raise UsageError(f"{named(scopes[key].name)} is empty: give a value, or leave it out")
        out[key] = value
    return out


def check_concurrency(concurrency: int) -> None:
    """A download's files fetched at once: a whole number from 1 to 32."""
    if isinstance(concurrency, bool) or not isinstance(concurrency, int):
        raise BadInput(f"concurrency: a whole number, not {concurrency!r}")
    if not 1 <= concurrency <= 32:
        raise BadInput("concurrency: from 1 to 32")


def check_dest(dest: object) -> None:
    """A download's folder, never empty: ``""`` is the current folder to ``Path``,
    where an unset ``$DEST`` would have the files written (the command refuses it too)."""
    if isinstance(dest, str) and not dest.strip():
        raise BadInput("dest: empty: name a folder")


def located(job: ExportJob) -> bool:
    """Whether ``job`` as given tells where its output is."""
    return bool((job.destination or "").strip())
