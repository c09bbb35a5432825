"""A service is named by its spec module alone (and its sandbox world): the command
line names none, not even in its help's source or its comments, and no code of the
core names one. Whatever the commands say of a service comes from the specs."""

from __future__ import annotations

import ast
from pathlib import Path

from codestrings import docstring_ids
from service_words import anywhere, service_words

import exportctl
from exportctl.services import all_specs

ROOT = Path(exportctl.__file__).parent
# The places a service may be named: its spec, and the sandbox that emulates it.
OWNERS = (("services", "specs"), ("sandbox",))


def test_the_names_looked_for_are_the_specs() -> None:
    # The search is made from the specs: a test of nothing, were they missing.
    names = {name.lower() for name in service_words()}
    for spec in all_specs():
        assert spec.name in names
        assert spec.short_title.lower() in names


def test_the_cli_package_names_no_service() -> None:
    named = anywhere(service_words())
    found = [
        f"{path.relative_to(ROOT.parent)}:{number}: {line.strip()}"
        for path in sorted((ROOT / "cli").rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if named.search(line)
    ]
    assert not found, "\n".join(found)


def test_no_code_outside_the_specs_and_the_sandbox_names_a_service() -> None:
    """Strings the code uses (docstrings aside), and the modules it imports."""
    named = anywhere(service_words())
    modules = {f"exportctl.services.specs.{spec.name}" for spec in all_specs()}
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if any(parts[: len(owner)] == owner for owner in OWNERS):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = docstring_ids(tree)
        for node in ast.walk(tree):
            where = f"{path.relative_to(ROOT.parent)}:{getattr(node, 'lineno', '?')}"
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value
                if id(node) not in docstrings and named.search(text):
                    found.append(f"{where}: {text!r}")
            elif isinstance(node, ast.ImportFrom):
                imported = {f"{node.module}.{alias.name}" for alias in node.names}
                found += [f"{where}: imports {m}" for m in sorted(imported & modules)]
                if node.module in modules:
                    found.append(f"{where}: imports {node.module}")
            elif isinstance(node, ast.Import):
                found += [f"{where}: imports {a.name}" for a in node.names if a.name in modules]
    assert not found, "\n".join(found)


def _declared_codes() -> dict[str, str]:
    """The error codes a spec gives a meaning of its own: code -> service (not its
    quotas', which may be generic words: LimitExceededException is throttling too)."""
    declared = {}
    for spec in all_specs():
        creates = [spec.create, *(kind.create for kind in spec.kinds)]
        for create in (c for c in creates if c is not None):
            declared.update(dict.fromkeys(create.invalid, spec.name))
        declared.update(dict.fromkeys(spec.elsewhere, spec.name))
    return declared


def test_no_code_outside_the_specs_and_the_sandbox_names_an_error_a_spec_declares() -> None:
    """What a service's own error code means is said in its spec (``Create.invalid``,
    ``explain``, ``elsewhere``), once, not in the shared code."""
    declared = _declared_codes()
    # A test of nothing, were the specs' codes not read.
    assert {"HomeRegionNotSetException", "InvalidExportOnly"} <= set(declared)
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if any(parts[: len(owner)] == owner for owner in OWNERS):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in declared:
                where = f"{path.relative_to(ROOT.parent)}:{node.lineno}"
                found.append(f"{where}: {node.value!r} ({declared[node.value]}'s)")
    assert not found, "\n".join(found)
