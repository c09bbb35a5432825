"""A map's keys are data (tag names, placeholders), kept as given; every other key of
an answer is a member name, snake_cased in the record. The projection does not read
botocore's models: each spec declares the maps of its jobs (``Fields.maps``, and the
values kept whole, ``Fields.as_given``), and these tests hold the declarations to the
installed models, so that a new service, or a botocore upgrade that adds a map,
cannot leave one out."""

from __future__ import annotations

import pytest
from adapter_stubs import operation, service_model, shape_at
from botocore.model import Shape

from exportctl.services import all_specs, spec_for
from exportctl.services.kinds import kinds_of
from exportctl.services.spec import ServiceSpec

ALL = tuple(spec.name for spec in all_specs())
FANNED_OUT = tuple(spec.name for spec in all_specs() if spec.fan_out is not None)
SEARCHING = tuple(spec.name for spec in all_specs() if spec.searches is not None)


def maps_of(shape: Shape, as_given: frozenset[str] = frozenset()) -> tuple[set[str], set[str]]:
    """The dotted paths of every map reachable from ``shape`` (a list's items at the
    list's own path, ``*`` for any key of a map), and the paths of ``as_given`` the
    walk met (their values are kept whole: not walked)."""
    found: set[str] = set()
    met: set[str] = set()

    def walk(shape: Shape, path: str, seen: tuple[str, ...]) -> None:
        if path in as_given:
            met.add(path)
            return
        if shape.name in seen:
            # A recursive shape: paths cannot name every depth of it.
            assert not holds_map(shape), f"{path}: a recursive shape holds maps; keep it as given"
            return
        seen = (*seen, shape.name)
        at = f"{path}." if path else ""
        if shape.type_name == "structure":
            for name, member in shape.members.items():
                walk(member, at + name, seen)
        elif shape.type_name == "list":
            walk(shape.member, path, seen)
        elif shape.type_name == "map":
            found.add(path)
            walk(shape.value, at + "*", seen)

    walk(shape, "", ())
    return found, met


def holds_map(shape: Shape, seen: set[str] | None = None) -> bool:
    seen = set() if seen is None else seen
    if shape.name in seen:
        return False
    seen.add(shape.name)
    if shape.type_name == "map":
        return True
    if shape.type_name == "list":
        return holds_map(shape.member, seen)
    members = shape.members.values() if shape.type_name == "structure" else ()
    return any(holds_map(member, seen) for member in members)


def job_shapes(served: ServiceSpec) -> dict[str, Shape]:
    """Every shape a job of this kind is projected from: the get's item, the
    listing's items and the item of the create's answer."""

    def at(name: str, path: str) -> Shape:
        output = operation(served.client, name).output_shape
        assert output is not None
        return shape_at(output, path)

    shapes = {
        served.get.operation: at(served.get.operation, served.get.item),
        served.list.operation: at(served.list.operation, served.list.items).member,
    }
    create = served.create
    if create is not None and create.item:
        shapes[create.operation] = at(create.operation, create.item)
    return shapes


@pytest.mark.parametrize("service", ALL)
def test_a_spec_declares_exactly_the_maps_of_its_jobs(service: str) -> None:
    for served in kinds_of(spec_for(service)):
        fields = served.fields
        given = frozenset(fields.as_given)
        found: set[str] = set()
        met: set[str] = set()
        for shape in job_shapes(served).values():
            maps, reached = maps_of(shape, given)
            found |= maps
            met |= reached
        assert set(fields.maps) == found, f"{service} ({served.get.operation}): maps"
        assert given == met, f"{service}: as_given paths the model does not have"
        assert len(fields.maps) == len(found)


@pytest.mark.parametrize("service", FANNED_OUT)
def test_what_a_listed_parent_gives_a_job_holds_no_map(service: str) -> None:
    # FanOut declares no maps: a detail taken from the parent's item is walked plain.
    fan_out = spec_for(service).fan_out
    assert fan_out is not None
    output = operation(spec_for(service).client, fan_out.parents.operation).output_shape
    assert output is not None
    item = shape_at(output, fan_out.parents.items).member
    for detail, path in fan_out.details.items():
        assert maps_of(shape_at(item, path)) == (set(), set()), f"{service}: {detail}"


@pytest.mark.parametrize("service", SEARCHING)
def test_a_search_job_spec_declares_exactly_the_maps_of_its_answer(service: str) -> None:
    spec = spec_for(service)
    assert spec.searches is not None
    output = service_model(spec.client).operation_model(spec.searches.get).output_shape
    assert output is not None
    found, _ = maps_of(output)
    assert set(spec.searches.maps) == found and len(spec.searches.maps) == len(found)


def test_the_walk_finds_maps_in_lists_and_in_a_maps_values() -> None:
    # The check above must see the maps a new service could hide: DynamoDB's attribute
    # values (a map of a recursive shape) fail unless kept as given.
    shape = operation("dynamodb", "DescribeExport").output_shape
    assert shape is not None
    item = shape.members["ExportDescription"]
    with pytest.raises(AssertionError, match="a recursive shape holds maps"):
        maps_of(item)
    names = "FilterSpecification.ExpressionAttributeNames"
    values = "FilterSpecification.ExpressionAttributeValues"
    found, met = maps_of(item, frozenset({f"{values}.*"}))
    assert (found, met) == ({names, values}, {f"{values}.*"})
    tags = operation("backupsearch", "GetSearchJob").output_shape
    assert tags is not None
    assert maps_of(tags)[0] == {"SearchScope.BackupResourceTags"}
