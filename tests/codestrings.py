"""What tests that read the package's source ask of a module's syntax tree."""

from __future__ import annotations

import ast


def docstring_ids(tree: ast.Module) -> set[int]:
    """The ids of the docstring nodes of ``tree`` (its module's, classes' and
    functions'): words about the code, not strings it uses."""
    return {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
