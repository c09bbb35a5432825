"""The control endpoints sit below the server that routes to them."""

from __future__ import annotations

import ast
from pathlib import Path

import exportctl.sandbox.admin as admin


def imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_admin_does_not_import_the_server() -> None:
    # Not even under TYPE_CHECKING: ast.walk sees every import in the module.
    assert "exportctl.sandbox.server" not in imported(Path(admin.__file__))
