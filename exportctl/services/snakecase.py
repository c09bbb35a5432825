"""The keys of a service's answer in a record: member names snake_cased, data kept.

A botocore structure's keys are member names (``ExportFormat``), written
snake_case in a record. A map's keys are data, the user's or the service's (tag
names, a filter's placeholders): ``{"CostCenter": "x"}`` stays as given, while its
values, which may be structures, are walked. The projection does not read
botocore's models, so each spec declares the maps of its jobs as dotted paths
(``Fields.maps``; tests/adapters/test_adapter_map_keys.py holds them to the
models), made here once into a ``KeyPlan`` that the walk looks keys up in.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from datetime import datetime
from functools import lru_cache
from typing import Any

# Values that snake_keys leaves as they are: no keys to rename inside.
_LEAVES = frozenset({str, int, float, bool, type(None), datetime})


class KeyPlan:
    """What a value at one path of an answer is, where it holds data among its keys:
    a map (its keys kept, its values walked with ``members["*"]``), a value kept
    whole (``as_given``), or a structure with such members (``members``, by name).
    A path that holds no data among its keys has no plan at all (None)."""

    __slots__ = ("as_given", "is_map", "members")

    def __init__(self) -> None:
        self.members: dict[str, KeyPlan] = {}
        self.is_map = False
        self.as_given = False


@lru_cache(maxsize=64)
def key_plan(maps: tuple[str, ...], as_given: tuple[str, ...] = ()) -> KeyPlan | None:
    """The plan of an answer whose maps are at ``maps`` and whose values at
    ``as_given`` are kept whole: dotted member paths, a list's items at the list's
    own path, ``*`` for any key of a map (``Dimensions.*.Labels``)."""
    if not maps and not as_given:
        return None
    root = KeyPlan()
    for paths, given in ((maps, False), (as_given, True)):
        for path in paths:
            node = root
            for part in path.split("."):
                node = node.members.setdefault(part, KeyPlan())
            node.as_given = node.as_given or given
            node.is_map = node.is_map or not given
    return root


def plan_at(plan: KeyPlan | None, path: str) -> KeyPlan | None:
    """The plan of the value at a dotted path of the answer ``plan`` is of."""
    for part in path.split(".") if path else ():
        if plan is None or plan.as_given:
            return plan
        if plan.is_map:
            plan = plan.members.get("*")
        elif not part.isdigit():
            # A digit is a list's item, walked with the list's own plan.
            plan = plan.members.get(part)
    return plan


@lru_cache(maxsize=1024)
def snake(name: str) -> str:
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    return name.replace("-", "_").lower()


def snake_keys(value: Any, plan: KeyPlan | None = None) -> Any:
    """``value`` with its member names snake_cased, its data (``plan``'s) kept."""
    if type(value) in _LEAVES:
        return value
    if plan is not None:
        return _planned(value, plan)
    if isinstance(value, Mapping):
        return {snake(str(k)): snake_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [snake_keys(v) for v in value]
    return value


def _planned(value: Any, plan: KeyPlan) -> Any:
    if plan.as_given:
        return value
    if isinstance(value, Mapping):
        members = plan.members
        if plan.is_map:
            inner = members.get("*")
            return {k: snake_keys(v, inner) for k, v in value.items()}
        return {snake(str(k)): snake_keys(v, members.get(str(k))) for k, v in value.items()}
    if isinstance(value, list):
        return [snake_keys(v, plan) for v in value]
    return value


def snake_member(raw: Mapping[str, Any], member: str, plan: KeyPlan | None) -> Any:
    """A member of a structure (``plan``'s), snake_cased."""
    return snake_keys(raw.get(member), plan_at(plan, member))


def snake_members(
    raw: Mapping[str, Any], plan: KeyPlan | None, skip: Collection[str] = ()
) -> dict[str, Any]:
    """The members of a structure (``plan``'s) but ``skip``, each snake_cased."""
    return {snake(k): snake_keys(v, plan_at(plan, k)) for k, v in raw.items() if k not in skip}
