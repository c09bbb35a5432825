"""Nothing a service returns is lost: every member lands in a field or in details."""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from adapter_stubs import (
    SERVICES,
    Filler,
    Stubs,
    leaves,
    member_names,
    naming,
    operation,
    service_model,
)
from botocore import xform_name
from test_adapter_get_list import GETS

from exportctl.domain.timeutil import iso
from exportctl.ops.jobs import Jobs
from exportctl.services import engine, spec_for
from exportctl.services.refs import parse
from exportctl.services.spec import Derived

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"


def maximal(service: str, ref: str) -> tuple[dict[str, Any], list[tuple[str, Any]]]:
    spec = spec_for(service)
    output = operation(spec.client, spec.get.operation).output_shape
    assert output is not None
    filler = Filler()
    # About the job asked for, as any answer of the service's get is.
    job_id = parse(ref).id
    response = naming(filler.fill(output), service, job_id)
    id_path = f"{spec.get.item}.{spec.fields.id}".lstrip(".")
    leaves = [(p, job_id if p == id_path else v) for p, v in filler.leaves]
    # The job's own members; the rest of the answer (page tokens) is not the job's.
    job = spec.get.item
    return response, [(p, v) for p, v in leaves if not job or p.startswith(job + ".")]


def kept(value: Any, out: list[Any]) -> bool:
    if isinstance(value, datetime):
        return iso(value) in out
    if isinstance(value, bool):
        return any(v is value for v in out)
    if value in out:
        return True
    # A value may be folded into a composed field (a destination URL).
    return isinstance(value, str) and any(isinstance(v, str) and value in v for v in out)


@pytest.mark.parametrize("service", SERVICES)
def test_every_member_of_a_maximal_answer_is_kept(jobs: Jobs, stubs: Stubs, service: str) -> None:
    ref, method, params, _ = GETS[service]
    response, filled = maximal(service, ref)
    stubs(service).add_response(method, response, params)

    record = jobs.get(parse(ref)).to_dict()

    out = leaves(record)
    lost = [path for path, value in filled if not kept(value, out)]
    assert lost == [], f"{service}: members lost on the way to the record: {lost}"
    assert all(k == engine.snake(k) for k in _keys(record["details"]))


@pytest.mark.parametrize("service", SERVICES)
def test_a_projected_job_is_the_job_its_fields_make(jobs: Jobs, stubs: Stubs, service: str) -> None:
    # Projections assemble jobs without the dataclass's __init__: every field must be
    # there, and the job must equal and refuse changes as one made by __init__ does.
    ref, method, params, _ = GETS[service]
    response, _ = maximal(service, ref)
    stubs(service).add_response(method, response, params)

    job = jobs.get(parse(ref))

    assert list(vars(job)) == [f.name for f in dataclasses.fields(job)]
    made = type(job)(**vars(job))
    assert job == made and repr(job) == repr(made)
    with pytest.raises(dataclasses.FrozenInstanceError):
        job.id = "other"  # type: ignore[misc]


def test_a_mapping_that_drops_its_source_is_caught() -> None:
    # The check above must notice a field whose source is consumed but not kept.
    spec = spec_for("discovery")
    broken = Derived(paths=("configurationsDownloadUrl",), fn=lambda raw: None)
    spec = dataclasses.replace(spec, fields=dataclasses.replace(spec.fields, destination=broken))
    response, filled = maximal("discovery", GETS["discovery"][0])

    out = leaves(engine.normalise(spec, response["exportsInfo"][0], "us-east-1").to_dict())

    assert [p for p, v in filled if not kept(v, out)] == ["exportsInfo.0.configurationsDownloadUrl"]


def _keys(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [k for key, v in value.items() for k in (key, *_keys(v))]
    if isinstance(value, list):
        return [k for v in value for k in _keys(v)]
    return []


# -- The seed pages the product was specified from ------------------------------------


def seed_pages() -> list[Path]:
    return sorted(p for p in SEEDS.glob("*.*") if p.suffix in (".rst", ".txt"))


def response_members(text: str) -> set[str]:
    """The member names of a page's 'Response Syntax' block."""
    start = text.index("Response Syntax")
    end = text.index("Response Structure", start)
    return set(re.findall(r"'([A-Za-z0-9_]+)'\s*:", text[start:end]))


@pytest.mark.skipif(not SEEDS.is_dir(), reason="no seed pages next to the checkout")
@pytest.mark.parametrize("page", seed_pages(), ids=lambda p: p.stem)
def test_seed_page_members_are_all_in_the_model(page: Path) -> None:
    service, _, method = page.stem.partition(".")
    model = service_model(service)
    name = next(op for op in model.operation_names if xform_name(op) == method)
    output = model.operation_model(name).output_shape
    assert output is not None
    documented = response_members(page.read_text(encoding="utf-8"))

    assert documented, f"no response members found in {page.name}"
    assert documented <= member_names(output), documented - member_names(output)


def test_every_get_operation_has_a_seed_page() -> None:
    pages = {p.stem for p in seed_pages()}
    if not pages:
        pytest.skip("no seed pages next to the checkout")
    for service in SERVICES:
        spec = spec_for(service)
        assert f"{spec.client}.{xform_name(spec.get.operation)}" in pages
