"""Service adapters: one module per service, each exposing ``SPEC``.

Adding a service is adding one module here; nothing else names the services.
Importing this package never imports boto3.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from typing import TYPE_CHECKING

from exportctl.errors import UsageError

if TYPE_CHECKING:
    from exportctl.adapters.spec import ServiceSpec

_INFRASTRUCTURE = frozenset({"spec", "engine", "projection"})


@cache
def all_specs() -> tuple[ServiceSpec, ...]:
    specs = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name in _INFRASTRUCTURE or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        specs.append(module.SPEC)
    return tuple(specs)


def service_names() -> tuple[str, ...]:
    return tuple(s.name for s in all_specs())


def spec_for(name: str) -> ServiceSpec:
    wanted = name.strip().lower()
    for spec in all_specs():
        if wanted == spec.name or wanted in spec.aliases:
            return spec
    raise UsageError(f"unknown service {name!r}: choose from {', '.join(service_names())}")
