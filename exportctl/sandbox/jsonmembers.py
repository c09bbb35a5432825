"""A JSON request's members checked against its operation's input shape, as AWS
checks them before any service code runs: a member of another type is refused
(the handlers never meet a list where the model says a string), a required member
missing or null is named. botocore checks the same on the client's side, so only
requests made by other means (curl, another SDK, a hand-written test) meet these.
"""

from __future__ import annotations

from typing import Any

from botocore.model import Shape

from exportctl.sandbox.errors import ApiError

# What JSON holds for each scalar type of a model.
_KINDS: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "blob": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "long": (int,),
    "float": (int, float),
    "double": (int, float),
    # Epoch seconds as botocore sends them, or text as other clients may.
    "timestamp": (int, float, str),
    "structure": (dict,),
    "map": (dict,),
    "list": (list,),
}
_NAMES = {
    str: "a string",
    bool: "a boolean",
    int: "a number",
    float: "a number",
    dict: "an object",
    list: "a list",
}


def check(
    shape: Shape | None,
    document: dict[str, Any],
    *,
    mistyped: str,
    missing: tuple[str, int],
    body_only: bool = False,
) -> None:
    """Raise the ApiError AWS answers when ``document`` does not fit ``shape``: code
    ``mistyped`` (status 400) for a member of another type, ``missing`` (code,
    status) for a required member absent. ``body_only``: the top level's members
    bound to the URI, query or headers are not the document's to carry."""
    if shape is None:
        return
    problem = _first_problem(shape, document, "", body_only)
    if problem is None:
        return
    kind, path = problem
    if kind == "missing":
        code, status = missing
        raise ApiError(
            code,
            f"1 validation error detected: Value null at '{path}' failed to satisfy"
            " constraint: Member must not be null",
            status,
        )
    raise ApiError(mistyped, kind.replace("{path}", path), 400)


def _first_problem(
    shape: Shape, value: Any, path: str, body_only: bool = False
) -> tuple[str, str] | None:
    """("missing", path) or (message with ``{path}``, path) for the first member that
    does not fit, depth first; None when the value fits."""
    if shape.metadata.get("document"):
        return None
    expected = _KINDS.get(shape.type_name)
    if expected is not None and (
        not isinstance(value, expected) or (isinstance(value, bool) and bool not in expected)
    ):
        found = _NAMES.get(type(value), "null" if value is None else type(value).__name__)
        wanted = " or ".join(dict.fromkeys(_NAMES[t] for t in expected))
        return f"Value at '{{path}}' must be {wanted}, not {found}", path or "(body)"
    if shape.type_name == "list":
        for index, item in enumerate(value):
            if item is not None and (
                problem := _first_problem(shape.member, item, f"{path}.{index + 1}")
            ):
                return problem
    elif shape.type_name == "map":
        for key, item in value.items():
            if item is not None and (problem := _first_problem(shape.value, item, f"{path}.{key}")):
                return problem
    elif shape.type_name == "structure":
        return _member_problem(shape, value, path, body_only)
    return None


def _member_problem(
    shape: Shape, value: dict[str, Any], path: str, body_only: bool
) -> tuple[str, str] | None:
    required = set(shape.required_members)
    for name, member in shape.members.items():
        if body_only and "location" in member.serialization:
            continue
        wire = member.serialization.get("name", name)
        inner = f"{path}.{wire}" if path else wire
        item = value.get(wire)
        if item is None:
            if name in required:
                return "missing", inner
            continue
        if found := _first_problem(member, item, inner):
            return found
    return None
