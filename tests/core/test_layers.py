"""Lower layers never import upper ones: not at the top, not in a function, not for
type checking. The import graph is read from the source, every import counted."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import exportctl

ROOT = Path(exportctl.__file__).parent


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _graph() -> dict[str, set[str]]:
    modules = {_module(p): p for p in ROOT.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                    base = f"{base}.{node.module}" if node.module else base
                found.add(base)
                # ``from pkg import module`` imports the module.
                found.update(f"{base}.{a.name}" for a in node.names)
        graph[name] = {m for m in found if m in modules and m != name}
    return graph


def _reaches(graph: dict[str, set[str]], start: str, goal: str) -> list[str] | None:
    """A path of imports from ``start`` to ``goal``, if there is one."""
    seen = {start}
    paths = [[start]]
    while paths:
        path = paths.pop()
        for nxt in sorted(graph[path[-1]]):
            if nxt == goal:
                return [*path, nxt]
            if nxt not in seen:
                seen.add(nxt)
                paths.append([*path, nxt])
    return None


@pytest.mark.parametrize(
    "module",
    [
        "exportctl.printable",
        "exportctl.errors",
        "exportctl.keys",
        "exportctl.model",
        "exportctl.adapters",
        "exportctl.adapters.spec",
        "exportctl.adapters.engine",
        "exportctl.refs",
    ],
)
def test_no_import_circle_through(module: str) -> None:
    graph = _graph()
    for imported in sorted(graph[module]):
        back = _reaches(graph, imported, module)
        assert back is None, " -> ".join([module, *back])


def test_the_core_layers_stand_in_order() -> None:
    """errors below the adapters' specs, the specs below references."""
    graph = _graph()
    assert _reaches(graph, "exportctl.errors", "exportctl.adapters.spec") is None
    assert _reaches(graph, "exportctl.adapters.spec", "exportctl.refs") is None
    assert _reaches(graph, "exportctl.adapters.engine", "exportctl.refs") is None
    assert _reaches(graph, "exportctl.errors", "exportctl.refs") is None
