"""What README.md says of the job records service by service, made from the specs
and botocore's models (the generated parts ``details`` and ``fan-out``; see
readme_tables).

A record's ``details`` are the spec's own (``Fields.details``, and the fan-out's
``FanOut.details``), then every member of the job the fields leave unclaimed, named
as the normaliser names them (``exportctl.services.projection``): here read off the
model's shapes of the job, the get's and the listing's, with the same claimed paths.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable

import botocore.session
from botocore.model import Shape

from exportctl.cli.servicehelp import in_prose_order, joined
from exportctl.services.kinds import kinds_of
from exportctl.services.projection import consumed_paths, snake
from exportctl.services.spec import ServiceSpec


def _code(words: Iterable[str]) -> str:
    return ", ".join(f"`{word}`" for word in words)


def job_shape(shape: Shape, path: str) -> Shape:
    """The shape of one job at a dotted path of an answer ('ExportTasks.0', 'items')."""
    for part in path.split(".") if path else ():
        if shape.type_name == "list":
            shape = shape.member  # type: ignore[attr-defined]
            if part.isdigit():
                continue
        shape = shape.members[part]  # type: ignore[attr-defined]
    return shape.member if shape.type_name == "list" else shape  # type: ignore[attr-defined,no-any-return]


def _unclaimed(shape: Shape, consumed: frozenset[str], prefix: str = "") -> list[str]:
    """As ``projection.leftovers``: a member claimed whole is left out, one only some
    members of which are claimed is looked into, any other is a detail."""
    names = []
    for key, member in shape.members.items():  # type: ignore[attr-defined]
        path = f"{prefix}{key}"
        if path in consumed:
            continue
        if member.type_name == "structure" and any(c.startswith(f"{path}.") for c in consumed):
            names += _unclaimed(member, consumed, f"{path}.")
        else:
            names.append(snake(path.replace(".", "_")))
    return names


def model_members(served: ServiceSpec) -> list[str]:
    """The details the model's members give a job of one kind (``kinds_of``) beyond
    the spec's own: those of the get's job, then those only the listing's has."""
    model = botocore.session.get_session().get_service_model(served.client)
    consumed = consumed_paths(served)
    names: list[str] = []
    for operation, path in ((served.get.operation, served.get.item),
                            (served.list.operation, served.list.items)):  # fmt: skip
        output = model.operation_model(operation).output_shape
        assert output is not None, f"{served.name}: {operation} answers nothing"
        names += _unclaimed(job_shape(output, path), consumed)
    return list(dict.fromkeys(names))


def detail_names(spec: ServiceSpec) -> list[list[str]]:
    """The keys the details of each kind of the service's jobs may have, in order."""
    kinds = []
    for served in kinds_of(spec):
        fanned = served.fan_out.details if served.fan_out else {}
        kinds.append(list(dict.fromkeys([*served.fields.details, *fanned, *model_members(served)])))
    return kinds


def _said(spec: ServiceSpec, names: Iterable[str]) -> str:
    # A fan-out's detail is there only where the parents were listed: the paragraph
    # under the table (``fan_out``) says where.
    fanned = spec.fan_out.details if spec.fan_out else {}
    return ", ".join(f"`{n}` (see below)" if n in fanned else f"`{n}`" for n in names)


def _label(served: ServiceSpec) -> str:
    if served.create is None or not served.create.label:
        raise ValueError(f"{served.name}: each kind's create needs a label to name its jobs")
    return served.create.label


def details() -> str:
    """Each service's details, a kind's own after those every kind has."""
    said = []
    for spec in in_prose_order():
        kinds = detail_names(spec)
        common = [name for name in kinds[0] if all(name in names for names in kinds)]
        part = f"{spec.short_title} {_said(spec, common)}"
        if len(kinds) > 1:
            for served, names in zip(kinds_of(spec), kinds, strict=True):
                own = [name for name in names if name not in common]
                part += f"; exports of {_label(served)} also {_said(spec, own)}"
        said.append(part)
    return "; ".join(said)


def fan_out() -> str:
    """Where a fan-out's details (Pinpoint's application name) are, and where not."""
    said = []
    for spec in in_prose_order():
        fan = spec.fan_out
        if fan is None or not fan.details:
            continue
        calls = fan.parents.operation
        members = joined(f"the `{member}` {calls} returns" for member in fan.details.values())
        details = spec.fields.details.items()
        parent = [key for key, source in details if source == spec.fields.parent]
        scopes = [f"--{scope.name}" for scope in spec.scopes if scope.selects_parents]
        without = f" without `{scopes[0]}`" if scopes else ""
        readers = joined(["`status`", "`wait`", *(f"`list {scope}`" for scope in scopes)])
        said.append(
            f"A {spec.short_title} record names its {fan.noun} in "
            f"{_code(f'details.{key}' for key in fan.details)} ({members}) wherever the "
            f"{fan.noun}s were listed to find the jobs: `list` and `watch`{without}. "
            f"{readers} do not call {calls}, so their records have only "
            f"{_code(parent) or 'its id'}; no extra call is made just for the "
            f"{joined(snake(member).replace('_', ' ') for member in fan.details.values())}."
        )
    return "\n\n".join(textwrap.fill(paragraph, 85, break_on_hyphens=False) for paragraph in said)


# -- the fields that only some services fill ---------------------------------------------


def names() -> str:
    """Every service's name, as the `service` key holds it."""
    return joined((f"`{spec.name}`" for spec in sorted(in_prose_order(), key=_name)), " or ")


def _name(spec: ServiceSpec) -> str:
    return spec.name


def _titles(specs: Iterable[ServiceSpec]) -> str:
    return ", ".join(spec.short_title for spec in specs)


def without_arn() -> str:
    """The services whose jobs have no ARN (each kind's fields say)."""
    return _titles(s for s in in_prose_order() if all(k.fields.arn is None for k in kinds_of(s)))


def updated() -> str:
    return _titles(s for s in in_prose_order() if s.fields.updated is not None)


def completed() -> str:
    """The services that tell when a job ended; then those whose last update is it."""
    said = _titles(s for s in in_prose_order() if s.fields.completed is not None)
    for spec in in_prose_order():
        if spec.fields.completed is None and spec.fields.completed_is_last_update:
            said += f"; {spec.short_title}: its last update once terminal"
    return said


def progress() -> str:
    return _titles(s for s in in_prose_order() if s.fields.progress)
