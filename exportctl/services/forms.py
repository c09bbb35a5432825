"""The forms of ``exportctl start SERVICE``: one for each kind of job the service can
start (``ServiceSpec.kinds``), each chosen by a required option of its own.

EC2 starts image exports (``--image-id``) and instance exports (``--instance-id``):
one command takes the options of both, and the options given say which job it is.
A service that starts one kind of job has one form, chosen by nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from functools import cache
from typing import Any

from exportctl.domain.errors import UsageError
from exportctl.domain.naming import Named as Named
from exportctl.domain.naming import flag as flag
from exportctl.services.kinds import kinds_of
from exportctl.services.spec import Create, ServiceSpec, StartOption

Form = tuple[ServiceSpec, StartOption | None]


def switch(named: Named, option: str) -> str:
    """How an on/off option is turned on, in a message: ``--queue`` on the command
    line, ``queue=True`` as a keyword argument (its name alone would read as a value)."""
    said = named(option)
    return said if said == flag(option) else f"{said}=True"


def _key(option: StartOption) -> str:
    return option.name.replace("-", "_")


def _create(kind: ServiceSpec) -> Create:
    assert kind.create is not None
    return kind.create


@cache
def start_forms(spec: ServiceSpec) -> tuple[Form, ...]:
    """Each kind of the service's jobs that can be started, with the option that
    chooses it (its first required option that no other kind's create has); None
    when the service starts one kind."""
    kinds = [kind for kind in kinds_of(spec) if kind.create]
    if len(kinds) <= 1:
        return tuple((kind, None) for kind in kinds)
    forms: list[Form] = []
    for kind in kinds:
        others = {o.name for k in kinds if k is not kind for o in _create(k).options}
        chosen_by = next(
            (o for o in _create(kind).options if o.required and o.name not in others), None
        )
        if chosen_by is None:
            raise ValueError(f"{spec.name}: no required option of its own starts {kind.title}")
        forms.append((kind, chosen_by))
    return tuple(forms)


@cache
def start_options(spec: ServiceSpec) -> tuple[StartOption, ...]:
    """The options of ``start SERVICE``: every form's, each name once (the first
    form's), required only where every form requires it."""
    forms = start_forms(spec)
    if len(forms) <= 1:
        return tuple(o for kind, _ in forms for o in _create(kind).options)
    merged: dict[str, StartOption] = {}
    for kind, _ in forms:
        for option in _create(kind).options:
            merged.setdefault(option.name, option)

    def everywhere(name: str) -> bool:
        return all(
            any(o.name == name and o.required for o in _create(kind).options) for kind, _ in forms
        )

    return tuple(
        option if everywhere(option.name) else replace(option, required=False)
        for option in merged.values()
    )


def form_for(spec: ServiceSpec, values: Mapping[str, Any], named: Named = flag) -> ServiceSpec:
    """The kind of job option values (keyed ``image_id``) start: that of the one
    form whose option is given. Options of another form are a usage error, whose
    message names them as ``named`` does."""
    forms = start_forms(spec)
    if len(forms) <= 1:
        return forms[0][0] if forms else spec
    given = [name for name, value in values.items() if value not in (None, (), [])]
    chosen = [(kind, by) for kind, by in forms if by is not None and _key(by) in given]
    names = [named(by.name) for _, by in forms if by is not None]
    if not chosen:
        raise UsageError(f"{spec.title}: {' or '.join(names)} is required: what to export")
    if len(chosen) > 1:
        said = " and ".join(named(by.name) for _, by in chosen if by is not None)
        raise UsageError(f"{spec.title}: {said} start different jobs: give one of them")
    kind, by = chosen[0]
    own = {_key(option) for option in _create(kind).options}
    stray = [name for name in given if name not in own]
    if stray and by is not None:
        other = stray[0].replace("_", "-")
        raise UsageError(
            f"{spec.title}: {named(other)} is not an option of an export with {named(by.name)}"
        )
    return kind
