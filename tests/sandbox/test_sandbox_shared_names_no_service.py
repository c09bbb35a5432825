"""The sandbox's knowledge of a service is in its own modules: its world
(``world/``) and the API module that declares its record (``WORLD``, listed in
``catalog.py``). Every other module of the sandbox reads the records and names no
service, so that a new one is its modules and a line of the catalog."""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest
from codestrings import docstring_ids
from service_words import anywhere, service_words

import exportctl.sandbox
from exportctl.sandbox import Sandbox, catalog, scale
from exportctl.services import all_specs

SANDBOX = Path(exportctl.sandbox.__file__).parent
# The catalog lists the services; scale.py declares their options for the command
# line, which reads it without importing the worlds (checked against them below).
LISTS = ("catalog.py", "scale.py")
# Words that are a service's name but do not name it: botocore's protocol (the wire
# format EC2 shares with no one, answered by protocols.py), and the variable that
# keeps botocore off the instance metadata service.
NOT_SERVICES = frozenset({"ec2", "AWS_EC2_METADATA_DISABLED"})
# The functions of that protocol (protocols.py's answers, routing.py's requests).
EC2_PROTOCOL = frozenset({"_ec2_success", "_ec2_error", "_ec2_name", "_ec2_params"})


def _owned() -> set[Path]:
    """The modules of the services' own: world/, and each record's API module."""
    owned = set((SANDBOX / "world").rglob("*.py"))
    for world in catalog.WORLDS:
        for handler in world.handlers.values():
            owned.add(Path(inspect.getfile(handler)))
    return owned


def _identifier(node: ast.AST) -> str | None:
    """The name a node gives or reads: a variable, an attribute, a parameter, a
    keyword argument, a function or a class (``discovery_tasks=``, ``self.rds_...``)."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.arg):
        return node.arg
    if isinstance(node, ast.keyword):
        return node.arg
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return node.name
    return None


def _found(path: Path, named: re.Pattern[str], modules: set[str]) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = docstring_ids(tree)
    found = []
    for node in ast.walk(tree):
        where = f"{path.relative_to(SANDBOX.parent)}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if node.value in NOT_SERVICES:
                continue
            if id(node) not in docstrings and named.search(node.value):
                found.append(f"{where}: {node.value!r}")
        elif (name := _identifier(node)) is not None:
            if name not in NOT_SERVICES | EC2_PROTOCOL and named.search(name):
                found.append(f"{where}: {type(node).__name__} {name}")
        elif isinstance(node, ast.ImportFrom):
            imported = {f"{node.module}.{alias.name}" for alias in node.names}
            found += [f"{where}: imports {m}" for m in sorted((imported | {node.module}) & modules)]
        elif isinstance(node, ast.Import):
            found += [f"{where}: imports {a.name}" for a in node.names if a.name in modules]
    return found


def test_no_shared_sandbox_module_names_a_service() -> None:
    """Strings the code uses (docstrings aside), the names it gives and reads, and the
    service modules it imports."""
    named = anywhere(service_words())
    owned = _owned()
    modules = {".".join(p.relative_to(SANDBOX.parent.parent).with_suffix("").parts) for p in owned}
    found = [
        line
        for path in sorted(SANDBOX.rglob("*.py"))
        if path not in owned and path.name not in LISTS
        for line in _found(path, named, modules)
    ]
    assert not found, "\n".join(found)


def test_the_check_sees_the_services_modules_andservice_words() -> None:
    # A test of nothing, were the records' modules or the specs' names missing.
    assert {Path(inspect.getfile(w.populate)) for w in catalog.WORLDS} <= _owned()
    assert len(_owned() - set((SANDBOX / "world").rglob("*.py"))) == len(catalog.WORLDS)
    assert {spec.client for spec in all_specs()} == set(catalog.NAMES)


def test_the_scale_options_are_the_records_keywords() -> None:
    grown = {w.bulk.keyword.replace("_", "-") for w in catalog.WORLDS if w.bulk}
    assert [option for option, _ in scale.SCALE_OPTIONS] == sorted(
        grown, key=[o for o, _ in scale.SCALE_OPTIONS].index
    )
    assert {option for option, _ in scale.SCALE_OPTIONS} == grown


def test_every_record_is_populated_once_and_grown_where_it_says() -> None:
    assert len(catalog.BY_NAME) == len(catalog.WORLDS)
    last = [w for w in catalog.WORLDS if w.bulk and not w.bulk.first]
    assert sorted(w.name for w in catalog.GROWN_LAST) == sorted(w.name for w in last)
    for round_ in catalog.ROUNDS:
        # A home-only world has one region: it cannot share a round with the others.
        assert len({w.home_only for w in round_}) == 1


def test_the_sandbox_takes_the_records_scale_keywords_and_no_other() -> None:
    # Handed to the scenario as given: a keyword no record declares is refused there.
    with pytest.raises(TypeError, match="unknown scale keywords \\['toy_tasks'\\]"):
        Sandbox(clock=lambda: 0.0, toy_tasks=3)
    bulk = [w for w in catalog.WORLDS if w.bulk]
    grown = Sandbox(clock=lambda: 0.0, **{w.bulk.keyword: 2 for w in bulk if w.bulk})
    plain = Sandbox(clock=lambda: 0.0)
    for world in bulk:
        more = [j for j in grown.scenario.jobs if j.service == world.name]
        seeded = [j for j in plain.scenario.jobs if j.service == world.name]
        assert len(more) >= len(seeded) + 2, world.name
