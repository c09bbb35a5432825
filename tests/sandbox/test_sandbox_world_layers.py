"""The sandbox's scenario is built on its content modules, never the other way round.

Imports are read from the source, all of them: inside functions and under
TYPE_CHECKING too, since a lower layer must not know an upper one at all.
"""

from __future__ import annotations

import ast
from pathlib import Path

import exportctl.sandbox

ROOT = Path(exportctl.sandbox.__file__).parent
PACKAGE = "exportctl.sandbox"


def _modules() -> dict[str, Path]:
    found = {}
    for path in ROOT.rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join([PACKAGE, *parts])] = path
    return found


def _imports(path: Path, known: dict[str, Path]) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                child = f"{node.module}.{alias.name}"
                names.add(child if child in known else node.module)
    return {n for n in names if n in known}


def _reaches(graph: dict[str, set[str]], start: str) -> set[str]:
    seen: set[str] = set()
    todo = list(graph[start])
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(graph[name])
    return seen


def test_no_import_circle_through_the_scenario_or_its_content() -> None:
    known = _modules()
    graph = {name: _imports(path, known) for name, path in known.items()}
    layered = [n for n in known if n.startswith(f"{PACKAGE}.world") or n.endswith(".scenario")]
    assert f"{PACKAGE}.scenario" in layered and len(layered) > 2
    circles = {n: sorted(m for m in graph[n] if n in _reaches(graph, m)) for n in layered}
    assert {n: c for n, c in circles.items() if c} == {}


def test_content_modules_do_not_know_the_scenario() -> None:
    known = _modules()
    for name, path in known.items():
        if name.startswith(f"{PACKAGE}.world."):
            assert f"{PACKAGE}.scenario" not in _imports(path, known), name
