"""Lower layers never import upper ones: not at the top, not in a function, not for
type checking, not by name. The import graph is read from the source, every import
counted: a circle hidden in a function is still two modules that each need the
other, and a module named in a string (the tables ``importlib`` imports from on
first use: the commands', the package's face, the sandbox's) is imported all the same."""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

import pytest

import exportctl

ROOT = Path(exportctl.__file__).parent


def _module(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


# Read once per session: the source does not change while the tests run.
@functools.cache
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
                # ``from pkg import module`` imports the module; ``from mod import x``, mod.
                found.update(
                    f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base
                    for a in node.names
                )
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                # "exportctl.cli.listing:list_jobs", "exportctl.sandbox.server": a
                # module imported by its name (a docstring naming one is never just
                # it; a bare "exportctl" is the program's name, not its package).
                named = node.value.partition(":")[0]
                if "." in named:
                    found.add(named)
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
        "exportctl.domain.printable",
        "exportctl.domain.errors",
        "exportctl.domain.jobkey",
        "exportctl.domain.model",
        "exportctl.services",
        "exportctl.services.spec",
        "exportctl.services.engine",
        "exportctl.services.refs",
    ],
)
def test_no_import_circle_through(module: str) -> None:
    graph = _graph()
    for imported in sorted(graph[module]):
        back = _reaches(graph, imported, module)
        assert back is None, " -> ".join([module, *back])


def test_the_core_layers_stand_in_order() -> None:
    """errors below the adapters' specs, the specs (``spec.py`` and every module of
    ``specs/``) and the engine below references."""
    graph = _graph()
    specs = sorted(m for m in graph if m.startswith("exportctl.services.specs."))
    assert specs
    for spec in ["exportctl.services.spec", *specs]:
        assert _reaches(graph, "exportctl.domain.errors", spec) is None, spec
        assert _reaches(graph, spec, "exportctl.services.refs") is None, spec
    assert _reaches(graph, "exportctl.services.engine", "exportctl.services.refs") is None
    assert _reaches(graph, "exportctl.domain.errors", "exportctl.services.refs") is None


# What ARCHITECTURE's Layers sets below what, inside a package: the listing engine
# below the core that reads jobs; completion's values below the output options.
_BELOW = {
    "exportctl.ops.listing": (
        "exportctl.ops.jobs",
        "exportctl.ops.core",
        "exportctl.ops.polling",
        "exportctl.ops.start",
        "exportctl.ops.cancel",
        "exportctl.ops.backups",
        "exportctl.ops.download",
    ),
    "exportctl.cli.complete": ("exportctl.cli.output",),
}


def _in(module: str, part: str) -> bool:
    return module == part or module.startswith(f"{part}.")


@pytest.mark.parametrize("lower", sorted(_BELOW))
def test_the_packages_inner_layers_stand_in_order(lower: str) -> None:
    graph = _graph()
    for upper in _BELOW[lower]:
        uppers = [m for m in graph if _in(m, upper)]
        assert uppers, upper
        for module in sorted(m for m in graph if _in(m, lower)):
            for above in uppers:
                assert _reaches(graph, module, above) is None, (module, above)


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = stack[stack.index(node) :]
            del stack[stack.index(node) :]
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_a_circle_is_found_where_there_is_one() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _circles(graph) == [["a", "b", "c"]]


def test_the_graph_sees_imports_in_functions() -> None:
    # The commands are imported lazily, inside functions, so that --help stays fast.
    assert any(m.startswith("exportctl.cli.") for m in _graph()["exportctl.cli.main"])


def test_the_graph_sees_imports_by_name() -> None:
    graph = _graph()
    assert "exportctl.cli.listing" in graph["exportctl.cli.commands"]
    assert "exportctl.api.client" in graph["exportctl.api"]
    assert "exportctl.sandbox.server" in graph["exportctl.sandbox"]


def test_no_import_circle_anywhere_in_the_package() -> None:
    circles = _circles(_graph())
    assert circles == [], "; ".join(" <-> ".join(c) for c in circles)


def test_the_sandbox_layers_stand_in_order() -> None:
    """The server routes to the control endpoints; the scenario is built on its content."""
    graph = _graph()
    assert _reaches(graph, "exportctl.sandbox.admin", "exportctl.sandbox.server") is None
    for module in sorted(m for m in graph if m.startswith("exportctl.sandbox.world.")):
        assert _reaches(graph, module, "exportctl.sandbox.scenario") is None, module


def test_files_are_written_whole_from_the_lowest_layer() -> None:
    """The caches, the sandbox's world file and the downloads share one writer, in a
    module that imports no other of exportctl's."""
    graph = _graph()
    assert graph["exportctl.store.cachefiles"] == set()
    for user in ("exportctl.ops.download.files", "exportctl.ops.refcache",
                 "exportctl.ops.estimates", "exportctl.aws.endpointindex",
                 "exportctl.sandbox.worldfile"):  # fmt: skip
        assert "exportctl.store.cachefiles" in graph[user], user


# The packages from the bottom up; a module imports only from its own layer or lower.
# The sandbox emulates AWS for the command line: it needs the cache files and
# botocore's models, and nothing of the core that reads jobs. The API is the core
# as a library; the pytest plugin (``testing``) serves the sandbox to the API's users.
LAYERS = ("domain", "store", "aws", "sandbox", "services", "ops", "api", "output", "cli", "testing")


def _layer(module: str) -> int:
    parts = module.split(".")
    if len(parts) == 1:
        # The package itself: the API's face, re-exported lazily (its version is the
        # domain's, which every layer may say).
        return LAYERS.index("api")
    if parts[1] == "__main__":
        return len(LAYERS)
    assert parts[1] in LAYERS, f"{module} is in no layer: add its package to LAYERS"
    return LAYERS.index(parts[1])


def test_every_module_imports_only_its_own_layer_or_lower() -> None:
    graph = _graph()
    upward = [
        f"{module} -> {imported}"
        for module, imports in sorted(graph.items())
        for imported in sorted(imports)
        if _layer(imported) > _layer(module)
    ]
    assert upward == []


def test_only_the_command_line_starts_the_sandbox() -> None:
    graph = _graph()
    users = {
        module
        for module, imports in graph.items()
        if not module.startswith("exportctl.sandbox")
        and any(m.startswith("exportctl.sandbox") for m in imports)
    }
    # The plugin serves it to the tests of the API's users.
    assert users and all(
        user.startswith("exportctl.cli.") or user == "exportctl.testing" for user in users
    ), users


def test_the_layer_check_sees_an_upward_import() -> None:
    assert _layer("exportctl.domain.model") < _layer("exportctl.aws.profiles")
    assert _layer("exportctl.ops.jobs") < _layer("exportctl.output.jobtable")
    assert _layer("exportctl.ops.jobs") < _layer("exportctl.api.client")
    assert _layer("exportctl.api.client") < _layer("exportctl.cli.main")


def test_no_layer_imports_the_package_face() -> None:
    """``import exportctl`` re-exports the API: a module below it that said its
    version through it would import the API, lazily or not."""
    graph = _graph()
    below = [m for m in graph if "exportctl" in graph[m] and _layer(m) < _layer("exportctl")]
    assert below == []


# The layout's limits: the package's top holds its face alone, and a module that
# grows past this holds more than one thing. The sandbox's server (the HTTP server
# and its Python control API), its routing (four protocols' requests to calls) and
# its world file are past it, and not split yet: they alone may be, each named here.
TOP_MODULES = 6
MODULE_LINES = 400
LONG_MODULES = {"sandbox/server.py", "sandbox/routing.py", "sandbox/worldfile.py"}


def test_few_modules_at_the_top_and_none_too_long() -> None:
    top = [p.name for p in ROOT.glob("*.py")]
    assert len(top) <= TOP_MODULES, top
    assert all((ROOT / name).is_file() for name in LONG_MODULES)
    long = {
        name: n
        for p in ROOT.rglob("*.py")
        if (name := p.relative_to(ROOT).as_posix()) not in LONG_MODULES
        and (n := len(p.read_text().splitlines())) > MODULE_LINES
    }
    assert not long


def test_architecture_names_every_module() -> None:
    """docs/ARCHITECTURE.md gives each module a line under its package: its file
    name is there, in backticks, in the Modules section."""
    text = (ROOT.parent / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    section = text.split("\n## Modules\n", 1)[1].split("\n## ", 1)[0]
    named = set(re.findall(r"`([^`\n]+)`", section))
    missing = []
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if path.name != "__init__.py" and not {path.name, rel, f"exportctl/{rel}"} & named:
            missing.append(rel)
    assert missing == []


def test_no_module_reads_a_private_name_by_string_or_replaces_a_method() -> None:
    """Other libraries are used through their public API: no ``getattr(x, "_name")``
    (click's ``_custom_shell_complete``, moto's ``_server``), and no method replaced
    on an object (``type: ignore[method-assign]``): a subclass overrides it."""
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        text = path.read_text()
        if "method-assign" in text:
            found.append(f"{path.relative_to(ROOT)}: method-assign")
        for node in ast.walk(ast.parse(text)):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("getattr", "hasattr", "setattr")
                and len(node.args) > 1
                and isinstance(node.args[1], ast.Constant)
                and str(node.args[1].value).startswith("_")
                and not str(node.args[1].value).startswith("__")
            ):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.args[1].value}")
    assert found == []
