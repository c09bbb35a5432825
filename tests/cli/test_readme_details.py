"""The members README.md says a record's ``details`` holds, service by service, are
those the sandbox's jobs carry there, and those botocore's model adds that the
sandbox does not fill: what the normaliser keeps, never a list kept by hand."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

import pytest
import readme_records
from cli_support import Run

from exportctl.cli.servicehelp import in_prose_order
from exportctl.sandbox import Sandbox
from exportctl.services import spec_for
from exportctl.services.kinds import kind_for, kinds_of
from exportctl.services.spec import ServiceSpec

README = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")

# A kind of job: its service and its place in kinds_of (0: the service's own).
KindKey = tuple[str, int]


@pytest.fixture(scope="module")
def carried(sandbox: Sandbox) -> dict[KindKey, set[str]]:
    """The keys of details in the records of every job of the sandbox, as listed (with
    what the listing alone knows) and as `status` reads it, by kind of job."""
    run = Run(sandbox)
    keys: dict[KindKey, set[str]] = defaultdict(set)
    listed = run("list", "--json", region="all")
    assert listed.exit_code == 0, listed.stderr
    records = json.loads(listed.stdout)
    described = run("status", "--json", *(record["ref"] for record in records))
    assert described.exit_code == 0, described.stderr
    for record in [*records, *json.loads(described.stdout)]:
        spec = spec_for(record["service"])
        keys[spec.name, kinds_of(spec).index(kind_for(spec, record["id"]))] |= set(
            record["details"]
        )
    return keys


def _readme_names() -> dict[str, set[str]]:
    """The names of the `details` row, by the service whose part names them."""
    [said] = re.findall(
        r"^\| `details` \|.*<!-- generated: details -->(.*)<!-- /generated -->",
        README,
        re.MULTILINE,
    )
    by_title = {spec.short_title: spec.name for spec in in_prose_order()}
    names: dict[str, set[str]] = defaultdict(set)
    service = ""
    for part in said.split("; "):
        service = next((n for t, n in by_title.items() if part.startswith(f"{t} ")), service)
        names[service] |= set(re.findall(r"`(\w+)`", part))
    return names


def _kinds(spec: ServiceSpec) -> list[KindKey]:
    return [(spec.name, index) for index in range(len(kinds_of(spec)))]


@pytest.mark.parametrize("spec", in_prose_order(), ids=lambda spec: spec.name)
def test_the_readme_names_every_detail_the_sandbox_jobs_carry(
    spec: ServiceSpec, carried: dict[KindKey, set[str]]
) -> None:
    in_records = set().union(*(carried[key] for key in _kinds(spec)))
    assert in_records, f"the sandbox has no job of {spec.name}"
    assert sorted(in_records - _readme_names()[spec.name]) == []


@pytest.mark.parametrize("spec", in_prose_order(), ids=lambda spec: spec.name)
def test_the_details_named_are_the_records_and_what_the_model_adds(
    spec: ServiceSpec, carried: dict[KindKey, set[str]]
) -> None:
    """Per kind of job: the sandbox's keys, and beyond them only members of the model
    the sandbox leaves out (never a name of the spec's own that no record carries)."""
    for (name, index), named in zip(_kinds(spec), readme_records.detail_names(spec), strict=True):
        served = kinds_of(spec)[index]
        own = {*served.fields.details, *(served.fan_out.details if served.fan_out else ())}
        names = set(named)
        assert carried[name, index] <= names
        assert own <= carried[name, index], "a detail of the spec no sandbox job carries"
        assert names - carried[name, index] <= set(readme_records.model_members(served))
    assert set().union(*readme_records.detail_names(spec)) == _readme_names()[spec.name]
