"""What the engine requires of an answer, against what the botocore model promises.

botocore parses an answer without checking the model's required members, so the
engine checks, once, what the adapters' data declares: each listing's item list
(``Page.items``) and each job's ``Fields.required`` members. These tests hold that
data to the installed models: every required path is a member of the model, and
the model's own required members along the way are a subset of what is checked
or of what a record can do without.
"""

from __future__ import annotations

from typing import Any

import pytest
from adapter_stubs import SERVICES, operation

from exportctl.services import engine, spec_for
from exportctl.services.spec import Page


def _shape_at(shape: Any, path: str) -> Any:
    """The model shape at a dotted path ('' is the shape itself; a digit is a list item)."""
    for part in path.split(".") if path else ():
        if part.isdigit():
            assert shape.type_name == "list", path
            shape = shape.member
        else:
            assert part in shape.members, f"{shape.name} has no member {part!r}"
            shape = shape.members[part]
    return shape


def _pages(service: str) -> list[Page]:
    spec = spec_for(service)
    return [spec.list] + ([spec.fan_out.parents] if spec.fan_out else [])


@pytest.mark.parametrize("service", SERVICES)
def test_every_item_list_the_engine_requires_is_a_list_in_the_model(service: str) -> None:
    spec = spec_for(service)
    for page in _pages(service):
        output = operation(spec.client, page.operation).output_shape
        assert _shape_at(output, page.items).type_name == "list"


@pytest.mark.parametrize("service", SERVICES)
def test_every_required_member_is_a_member_of_the_model(service: str) -> None:
    spec = spec_for(service)
    listed = _shape_at(operation(spec.client, spec.list.operation).output_shape, spec.list.items)
    got = _shape_at(operation(spec.client, spec.get.operation).output_shape, spec.get.item)
    for name, source in engine.required_of(spec).items():
        assert isinstance(source, str), name
        for item in (listed.member, got):
            _shape_at(item, source)


@pytest.mark.parametrize("service", SERVICES)
def test_the_model_never_promises_less_than_the_engine_without_saying_so(service: str) -> None:
    """Where the model leaves a required field optional, the spec says it on purpose:
    the record cannot do without it. Listed here so a model change is noticed."""
    spec = spec_for(service)
    item = _shape_at(
        operation(spec.client, spec.list.operation).output_shape, spec.list.items
    ).member
    promised = set(item.metadata.get("required", ()))
    required = {str(s) for s in engine.required_of(spec).values()}
    beyond = required - promised
    expected_beyond = {
        "backupsearch": {"Status"},
        "personalize": {"jobName", "status"},
        "pinpoint": set(),
        "discovery": set(),
    }
    assert beyond == expected_beyond[service]
