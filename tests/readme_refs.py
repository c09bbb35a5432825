"""README.md's table of the references ``list`` prints and the commands accept (the
generated part ``references``, see readme_tables): each service's forms, as
``exportctl.services.refs`` reads them, and examples of each, the references of jobs
the sandbox seeds.

The sandbox seeds its world from a fixed seed, so its jobs' ids are the same on every
run: the examples are the references of the newest job of each kind in the home
region (``us-east-1``), and, for a service with ARNs, of its newest in the other
region, in its compact form. A service the sandbox does not emulate has no example.
"""

from __future__ import annotations

import functools
import json
import os
import tempfile
from collections.abc import Mapping
from typing import Any

import pytest
import readme_prose

from exportctl.cli.servicehelp import in_prose_order, joined
from exportctl.services.kinds import kind_for, kinds_of
from exportctl.services.refs import arn_form, compact_form, id_form
from exportctl.services.spec import ServiceSpec, canonical_ref

HOME, OTHER = "us-east-1", "eu-west-1"
NONE = "—"

Record = Mapping[str, Any]


@functools.cache
def _seeded(names: tuple[str, ...]) -> tuple[Record, ...]:
    """The records of the sandbox's seeded jobs of these services, newest first, as a
    fresh world lists them on the README's clock (``readme_outputs``), in a home
    folder of its own, whatever AWS or exportctl settings the caller's has."""
    import readme_outputs

    command = f"exportctl --sandbox --region {HOME},{OTHER} list --json -s {','.join(names)}"
    with tempfile.TemporaryDirectory() as home, pytest.MonkeyPatch.context() as patch:
        for name in list(os.environ):
            if name.startswith(("AWS_", "EXPORTCTL_", "XDG_")):
                patch.delenv(name)
        patch.setenv("HOME", home)
        with readme_outputs.fixed_time():
            outcome = readme_outputs.run(readme_outputs.Example(command, 0))
    assert outcome.exit_code == 0, outcome.output
    return tuple(json.loads(outcome.stdout))


def _jobs(spec: ServiceSpec) -> list[Record]:
    emulated = tuple(s.name for s in readme_prose._emulated())
    if spec not in readme_prose._emulated():
        return []
    return [job for job in _seeded(emulated) if job["service"] == spec.name]


def _newest(spec: ServiceSpec, region: str) -> list[tuple[ServiceSpec, Record]]:
    """The newest job of each kind of the service's in ``region``, with its kind."""
    kinds = kinds_of(spec)
    found: dict[int, tuple[ServiceSpec, Record]] = {}
    for job in _jobs(spec):
        kind = kind_for(spec, job["id"])
        if job["region"] == region:
            found.setdefault(kinds.index(kind), (kind, job))
    return [found[index] for index in sorted(found)]


def _compact(spec: ServiceSpec, job: Record) -> str:
    """The job's compact reference, its region left out in the home region."""
    ref = (
        job["ref"]
        if job["arn"] is None
        else canonical_ref(spec, job["region"], job["id"], parent=None, arn=None)
    )
    prefix, _, rest = str(ref).partition(":")
    return f"{prefix}:{rest.removeprefix(f'{HOME}:')}"


def _examples(spec: ServiceSpec, refs: list[tuple[ServiceSpec, str]]) -> str:
    """Backquoted references, each named by its kind where the service has several."""
    several = len(kinds_of(spec)) > 1
    said = [
        f"`{ref}`" + (f" ({kind.create.label})" if several and kind.create else "")
        for kind, ref in refs
    ]
    return ", ".join(said) or NONE


def _looked_up(spec: ServiceSpec) -> str:
    return "the job's name" if id_form(spec) == "NAME" else "the job's id"


def references() -> str:
    specs = in_prose_order()
    rows = []
    for spec in specs:
        if form := arn_form(spec):
            refs = [(kind, job["arn"]) for kind, job in _newest(spec, HOME)]
            rows.append((f"{spec.short_title} ARN: `{form}`", _examples(spec, refs)))
    without, with_arn = [], []
    for spec in specs:
        form = f"`{compact_form(spec, account=True)}`"
        if spec.arn is None:
            refs = [(kind, _compact(spec, job)) for kind, job in _newest(spec, HOME)]
            without.append((f"{spec.short_title}: {form}", _examples(spec, refs)))
            continue
        said = f"{spec.short_title} without its ARN: {form}"
        if spec.get.by_arn:
            said += f" ({_looked_up(spec)}, looked up in the listing)"
        refs = [(kind, _compact(spec, job)) for kind, job in _newest(spec, OTHER)]
        with_arn.append((said, _examples(spec, refs)))
    rows += without + with_arn + [("a bare id with `--service`", _bare())]
    lines = ["| form | example |", "|---|---|"]
    return "\n".join([*lines, *(f"| {form} | {example} |" for form, example in rows)])


def _bare() -> str:
    """A bare id's example (the first service whose jobs have one id and no ARN), and
    what the others take."""
    said = []
    for spec in in_prose_order():
        jobs = _newest(spec, HOME)
        if not said and jobs and spec.arn is None and spec.id_parts == 1:
            said.append(f"`exportctl status -s {spec.name} {jobs[0][1]['id']}`")
    said += [
        f"{spec.short_title} takes `{id_form(spec)}`"
        for spec in in_prose_order()
        if spec.id_parts == 2
    ]
    looked = [
        f"a {spec.short_title} {_looked_up(spec).removeprefix('the ')}"
        for spec in in_prose_order()
        if spec.arn and spec.get.by_arn
    ]
    if looked:
        verb = "is" if len(looked) == 1 else "are"
        said.append(f"{joined(looked)} {verb} looked up in the listing")
    return "; ".join(said)
