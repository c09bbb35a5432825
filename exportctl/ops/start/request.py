"""The create request built from option values: a fresh name or token, checked
against the service's model before anything is sent."""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache
from typing import Any

from exportctl.aws.regions import check_region
from exportctl.domain.errors import UsageError, clip
from exportctl.domain.timeutil import jsonable, now
from exportctl.services import engine as eng
from exportctl.services.forms import Named, flag, form_for
from exportctl.services.refs import arn_region
from exportctl.services.spec import Create, ServiceSpec, StartOption
from exportctl.services.starts import WHOLE


def one_region(named: Named = flag) -> str:
    # A start spanning several regions would pick one the user did not single out.
    return (
        f"a job is started in one region: give one {named('region')} "
        "(several, or 'all', are for reading)"
    )


class Made:
    """What submitting a plan made, shared by the plan's copies (``placed``, which
    ``dataclasses.replace`` makes): a plan is one job, so submitting it again, even
    while the first submit runs, gives the job the first made, whatever the service
    (one that names its jobs would refuse the name, one without a token or a name
    would make a second job)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        # The starter's ``Started`` (not imported here: it imports this module).
        self.started: Any = None


@dataclass(frozen=True)
class StartPlan:
    """One create request, ready to send."""

    spec: ServiceSpec
    region: str | None
    request: dict[str, Any]
    # The option values it was built from (what a listed job is compared with).
    values: Mapping[str, Any] = field(default_factory=dict)
    # The account it is sent to, where the command spans several (a rerun: that of
    # the job it reruns); None: the one the command's credentials are in.
    account: str | None = None
    made: Made = field(default_factory=Made, compare=False, repr=False)

    @property
    def create(self) -> Create:
        assert self.spec.create is not None
        return self.spec.create

    def to_dict(self) -> dict[str, Any]:
        """The --dry-run form: what would be sent, where (the account too, where the
        command spans several)."""
        return {
            "service": self.spec.name,
            "operation": self.create.operation,
            **({"account": self.account} if self.account else {}),
            "region": self.region,
            "request": jsonable(self.request),
        }


def plan(
    spec: ServiceSpec,
    values: Mapping[str, Any],
    region: str | None,
    *,
    chosen: bool = False,
    named: Named = flag,
) -> StartPlan:
    """The request for these option values, with a fresh name or token, checked
    against the service model: a request the service would refuse is a usage error
    before anything is sent. A service that starts several kinds of job starts the
    kind the values choose (``services.forms``). In the region of what it exports
    where an option's ARN names it (``StartOption.places``): ``region`` gives way,
    but a ``chosen`` one (``--region``) that differs is a usage error. ``named``: an
    option as the caller's user gave it, in every message of these checks (the
    Python API's keyword arguments are not the command line's options)."""
    spec = form_for(spec, values, named)
    create = spec.create
    assert create is not None
    given = {k: v for k, v in values.items() if v not in (None, (), [])}
    # As given, for the messages: ``given`` becomes what the request is built from.
    typed = dict(given)
    region = _placed(spec, given, region, chosen, named)
    for option in create.options:
        key = option.name.replace("-", "_")
        said = named(option.name)
        if option.required and key not in given:
            raise UsageError(f"{spec.title}: {said} is required")
        if key not in given:
            continue
        if not option.needs_met(given):
            raise UsageError(f"{spec.title}: {said} needs {option.needs(named)}")
        if option.excludes and option.excludes.replace("-", "_") in given:
            raise UsageError(f"{spec.title}: {said} cannot go with {named(option.excludes)}")
        for value in given[key] if option.multiple else (given[key],):
            problem = option.check(value) if option.check else _whole(option, value)
            if problem:
                raise UsageError(f"{spec.title}: {said} '{clip(value)}': {problem}")
            # The create's name has its own words, below.
            if _blank(value) and not option.empty and option.put != create.name:
                out = "" if option.required else " or leave it out"
                raise UsageError(f"{spec.title}: {said} is empty: give it a value{out}")
            if not option.chosen(value):
                raise UsageError(
                    f"{spec.title}: invalid value for '{said}': '{clip(value)}' is not one "
                    f"of {', '.join(option.choices)}"
                )
        given[key] = (
            tuple(map(option.spelled, given[key]))
            if option.multiple
            else option.spelled(given[key])
        )
        if option.normal:
            given[key] = option.normal(given[key])
    for first, last in create.periods:
        begins, ends = given.get(first.replace("-", "_")), given.get(last.replace("-", "_"))
        if begins is None:
            continue
        until = named(last) if ends is not None else f"now ({named(last)}'s default)"
        # A second at least: `2h` at both ends, read a moment apart, is no period.
        if begins > (ends or now()) - timedelta(seconds=1):
            raise UsageError(f"{spec.title}: {named(first)} must be before {until}")
        span = create.spans.get((first, last))
        if span and not span[0] <= (ends or now()) - begins <= span[1]:
            raise UsageError(
                f"{spec.title}: from {named(first)} to {until} must be at least "
                f"{_duration(span[0])} and at most {_duration(span[1])}"
            )
    request = eng.build_request(create, given)
    if create.name and request.get(create.name) == "":
        # Given empty, as Logs' model refuses it: never a generated name in its place.
        raise UsageError(f"{spec.title}: an empty name: leave the option out for a generated one")
    if create.token:
        request[create.token] = secrets.token_hex(16)
    if create.name and not request.get(create.name):
        request[create.name] = generate_name(spec, request)
    check(spec, request, given, typed, named)
    return StartPlan(spec=spec, region=region, request=request, values=given)


def _whole(option: StartOption, value: Any) -> str | None:
    # As the command line's type reads it (the Python API passes values as given).
    low, high = WHOLE
    if option.kind != "int" or (type(value) is int and low <= value <= high):
        return None
    return f"a whole number from {low} to {high}"


def _blank(value: Any) -> bool:
    return isinstance(value, str) and not value.strip()


def _duration(span: timedelta) -> str:
    """15 minutes, 24 hours: a documented bound in a message."""
    seconds = int(span.total_seconds())
    for unit, size in (("hour", 3600), ("minute", 60)):
        if seconds % size == 0:
            count = seconds // size
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return f"{seconds} seconds"


def _placed(
    spec: ServiceSpec, given: Mapping[str, Any], region: str | None, chosen: bool, named: Named
) -> str | None:
    assert spec.create is not None
    for option in spec.create.options:
        value = given.get(option.name.replace("-", "_"))
        there = _region_named(option.places, value)
        if not there or there == region:
            continue
        # A mistyped region in the ARN would be where the create goes.
        check_region(there, source=named(option.name))
        if chosen and region:
            raise UsageError(
                f"{spec.title}: {named(option.name)} is in {there}, and {named('region')} "
                f"says {region}: "
                "a job is made in the region of what it exports"
            )
        return there
    return region


def _region_named(places: bool | Callable[[str], str | None], value: Any) -> str | None:
    """The region ``value`` names, for an option whose value places the job."""
    if not places or value is None:
        return None
    return places(str(value)) if callable(places) else arn_region(str(value))


def check(
    spec: ServiceSpec,
    request: Mapping[str, Any],
    given: Mapping[str, Any] | None = None,
    typed: Mapping[str, Any] | None = None,
    named: Named = flag,
) -> None:
    """``request`` against the service's model: what it breaks is a usage error. A
    member an option of ``given`` (the values it was built from) filled is said by
    that option and the value as the user gave it (``typed``), not by the member."""
    from exportctl.aws.modelcheck import broken

    assert spec.create is not None
    shape = _model(spec.client).operation_model(spec.create.operation).input_shape
    mine: list[str] = []
    theirs: list[str] = []
    for problem in broken(shape, request):
        option = _filled_by(spec.create, problem.path, given or {})
        if option is None:
            theirs.append(problem.text)
            continue
        key = option.name.replace("-", "_")
        assert given is not None and typed is not None
        mine.append(_option_said(option, problem.path, problem.rule, request, given[key],
                                 typed.get(key, given[key]), named))  # fmt: skip
    if theirs:
        mine.append(f"invalid request: {'; '.join(theirs)}")
    if mine:
        raise UsageError(f"{spec.title}: {'; '.join(mine)}")


def _filled_by(create: Create, path: str, given: Mapping[str, Any]) -> StartOption | None:
    """The option of ``given`` whose value filled the member at ``path`` (the last of
    them, whose value the request kept); None: exportctl filled it (a name, a token)."""
    for option in reversed(create.options):
        value = given.get(option.name.replace("-", "_"))
        if value is None:
            continue
        filled = [option.put] if isinstance(option.put, str) else _leaves(option.put(value))
        if any(path == member or path.startswith(f"{member}.") for member in filled):
            return option
    return None


def _leaves(members: Mapping[str, Any], path: str = "") -> list[str]:
    out: list[str] = []
    for name, value in members.items():
        here = f"{path}.{name}" if path else name
        out += _leaves(value, here) if isinstance(value, Mapping) else [here]
    return out


def _option_said(
    option: StartOption, path: str, rule: str, request: Mapping[str, Any], value: Any,
    typed: Any, named: Named,
) -> str:  # fmt: skip
    """A rule the member at ``path`` breaks, said of the option that filled it."""
    member: Any = request
    for part in path.split("."):
        member = member[int(part) - 1] if isinstance(member, list) else member.get(part)
    rule = rule.removeprefix("Member ")
    start = f"invalid value for '{named(option.name)}': "
    if option.multiple and member in value:
        # One of its values, as given.
        return f"{start}'{clip(typed[list(value).index(member)])}' {rule}"
    if member == value:
        return f"{start}'{clip(typed)}' {rule}"
    # A part of what it gave (the bucket of an S3 URI), named as the request names it.
    whole = ", ".join(map(str, typed)) if option.multiple else typed
    return f"{start}'{clip(whole)}': its {path.rpartition('.')[2]} '{clip(member)}' {rule}"


@cache
def token_shown(spec: ServiceSpec) -> str | None:
    """The key of a record's ``details`` that holds the create's client token, where
    the job's description carries it (DynamoDB's DescribeExport does); None where
    no answer about a job shows the token, which then finds nothing."""
    from exportctl.services.snakecase import snake

    create = spec.create
    if create is None or create.token is None:
        return None
    shape = _model(spec.client).operation_model(spec.get.operation).output_shape
    for part in filter(None, spec.get.item.split(".")):
        if shape.type_name == "list":
            shape = shape.member
        elif shape.type_name == "structure" and part in shape.members:
            shape = shape.members[part]
        else:
            return None
    if shape.type_name != "structure" or create.token not in shape.members:
        return None
    return snake(create.token)


@cache
def _model(client: str) -> Any:
    from exportctl.aws.loader import models_session

    return models_session().get_service_model(client)


def generate_name(spec: ServiceSpec, request: Mapping[str, Any]) -> str:
    """Readable, unique and within the model's pattern and length: HINT-YYYYMMDD-HHMMSS-XXXX."""
    create = spec.create
    assert create is not None and create.name is not None
    shape = _model(spec.client).operation_model(create.operation).input_shape.members[create.name]
    longest = int(shape.metadata.get("max", create.name_max or 63))
    hint = create.name_hint(request) if create.name_hint else spec.name
    hint = re.sub(r"[^A-Za-z0-9_-]+", "-", hint).strip("-_") or spec.name
    tail = f"-{now():%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"
    return hint[: longest - len(tail)].rstrip("-_") + tail
