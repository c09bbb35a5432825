"""Backup Search's search jobs are data in its spec (``SearchJobs``), as every
service's export jobs are: no code outside ``services/specs/`` and the sandbox writes
a member of their answers, and the command and the table of ``backups`` write none
of their status words or counts, nor does any command lay out a table or a bar."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import botocore.session
from botocore.model import Shape
from codestrings import docstring_ids

import exportctl
from exportctl.ops import backups as core
from exportctl.services import all_specs, search_spec
from exportctl.services.snakecase import snake

ROOT = Path(exportctl.__file__).parent
OWNERS = (("services", "specs"), ("sandbox",))
# The other services the code calls besides the export services: their members are
# not the search's to claim (Organizations' Status, S3's Name).
OTHER_CLIENTS = ("s3", "sts", "organizations")
# Rendering that belongs to output/: a command hands its records over.
LAYOUT_MODULES = ("exportctl.output.columns", "exportctl.output.styledlines", "rich.progress")


def _members(shape: Shape, seen: set[str]) -> Iterator[str]:
    if shape.name in seen:
        return
    seen.add(shape.name)
    if shape.type_name == "structure":
        for name, member in shape.members.items():  # type: ignore[attr-defined]
            yield name
            yield from _members(member, seen)
    elif shape.type_name == "list":
        yield from _members(shape.member, seen)  # type: ignore[attr-defined]
    elif shape.type_name == "map":
        yield from _members(shape.value, seen)  # type: ignore[attr-defined]


@cache
def search_members() -> frozenset[str]:
    """Every member of the answers of the search's calls: its get and its backups."""
    spec = search_spec()
    assert spec is not None and spec.searches is not None
    model = botocore.session.get_session().get_service_model(spec.client)
    found: set[str] = set()
    for operation in (spec.searches.get, spec.searches.backups.operation):
        output = model.operation_model(operation).output_shape
        assert output is not None
        found.update(_members(output, set()))
    return frozenset(found)


@cache
def others_members() -> frozenset[str]:
    """Every member of the other models the code calls."""
    session = botocore.session.get_session()
    search = search_spec()
    clients = {spec.client for spec in all_specs() if spec is not search} | set(OTHER_CLIENTS)
    found: set[str] = set()
    for client in sorted(clients):
        shapes = session.get_service_model(client)._shape_resolver._shape_map
        for shape in shapes.values():
            found.update(shape.get("members", {}))
    return frozenset(found)


def _strings(path: Path) -> Iterator[tuple[int, str]]:
    """The strings the code of ``path`` uses, docstrings aside."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = docstring_ids(tree)
    for node in ast.walk(tree):
        strings = isinstance(node, ast.Constant) and isinstance(node.value, str)
        if strings and id(node) not in docstrings:
            yield node.lineno, node.value


def _code() -> Iterator[Path]:
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if not any(parts[: len(owner)] == owner for owner in OWNERS):
            yield path


def _backups_modules() -> list[Path]:
    """The modules of ``backups``, from the reading of search jobs to their table."""
    return [path for path in _code() if "backup" in path.stem or path.stem == "searchjobs"]


def test_the_members_looked_for_are_the_models() -> None:
    # A test of nothing, were the model or the modules missing.
    own = search_members() - others_members()
    assert {"SearchJobIdentifier", "CurrentSearchProgress", "BackupResourceArn"} <= own
    names = {p.relative_to(ROOT).as_posix() for p in _backups_modules()}
    assert {"ops/backups.py", "ops/searchjobs.py", "cli/backups.py", "api/backups.py"} <= names


def test_no_code_outside_the_specs_and_the_sandbox_writes_a_search_member() -> None:
    """A member no other model the code calls has: it can be the search's only."""
    own = search_members() - others_members()
    found = [
        f"{path.relative_to(ROOT.parent)}:{line}: {text!r}"
        for path in _code()
        for line, text in _strings(path)
        if text in own
    ]
    assert not found, "\n".join(found)


def test_the_backups_modules_write_no_member_status_word_or_count_of_the_search() -> None:
    """Not even a member another model has too (Status, Name), its status words, nor
    the snake_cased members of its progress: the records' own field names aside."""
    searches = core.searches()
    words = {*searches.backup_statuses, searches.final, *searches.problem_statuses}
    records = {*core.RECORD_FIELDS, *core.SearchJob(id="", region="", status="").to_dict()}
    snaked = {snake(name) for name in search_members()} - records
    found = [
        f"{path.relative_to(ROOT.parent)}:{line}: {text!r}"
        for path in _backups_modules()
        for line, text in _strings(path)
        if text in search_members() | words | snaked
    ]
    assert not found, "\n".join(found)


def test_no_command_lays_out_a_table_or_draws_a_bar() -> None:
    found = []
    for path in sorted((ROOT / "cli").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module in LAYOUT_MODULES:
                found.append(f"{path.relative_to(ROOT.parent)}:{node.lineno}: {node.module}")
    assert not found, "\n".join(found)


def test_the_declared_members_are_the_models() -> None:
    """What the spec names is where the model has it: a misspelt member would read
    as missing on every search job."""
    spec = search_spec()
    assert spec is not None and spec.searches is not None
    model = botocore.session.get_session().get_service_model(spec.client)
    declared = spec.searches.members
    got = model.operation_model(spec.searches.get).output_shape.members  # type: ignore[union-attr]
    assert declared.own() <= set(got)
    item = model.operation_model(spec.searches.backups.operation).output_shape
    items = item.members[spec.searches.backups.items].member.members  # type: ignore[union-attr]
    backup = declared.backup
    assert set(backup) <= set(items)
    progress = got[declared.progress].members  # type: ignore[attr-defined]
    scope = got[declared.scope_summary].members  # type: ignore[attr-defined]
    for count in declared.counts:
        assert count.done in progress and (count.total is None or count.total in scope)
