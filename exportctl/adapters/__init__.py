"""Service adapters: one module per service, each exposing ``SPEC``.

Adding a service is adding one module here: the commands, their options, their
completion and their help are made from the specs. A spec module kept elsewhere
(a plugin's, a test's) is served too once given to :func:`register`.
Importing this package never imports boto3.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from types import ModuleType
from typing import TYPE_CHECKING

from exportctl.errors import UsageError

if TYPE_CHECKING:
    from exportctl.adapters.spec import ServiceSpec

_INFRASTRUCTURE = frozenset({"spec", "engine", "projection"})
# Spec modules from outside the package, in the order they were registered.
_REGISTERED: list[ModuleType] = []


@cache
def all_specs() -> tuple[ServiceSpec, ...]:
    """Every service: this package's modules by name, then those registered."""
    specs = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name in _INFRASTRUCTURE or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        specs.append(module.SPEC)
    specs.extend(module.SPEC for module in _REGISTERED)
    return tuple(specs)


def register(module: ModuleType) -> None:
    """Serve the spec of ``module`` (its ``SPEC``), a module outside this package, as
    the package's own are served, from now on; its name, aliases and prefix must be new."""
    from exportctl.adapters.spec import ServiceSpec

    spec = getattr(module, "SPEC", None)
    if not isinstance(spec, ServiceSpec):
        raise TypeError(f"{module.__name__} has no SPEC (a ServiceSpec)")
    taken = {name for s in all_specs() for name in (s.name, s.prefix, *s.aliases) if name}
    given = {name for name in (spec.name, spec.prefix, *spec.aliases) if name}
    clash = sorted(taken & given)
    if clash:
        raise ValueError(f"{module.__name__}: {', '.join(clash)} already names a service")
    _REGISTERED.append(module)
    all_specs.cache_clear()


def unregister(module: ModuleType) -> None:
    """Stop serving a module given to :func:`register`."""
    _REGISTERED.remove(module)
    all_specs.cache_clear()


def service_names() -> tuple[str, ...]:
    return tuple(s.name for s in all_specs())


def spec_for(name: str) -> ServiceSpec:
    wanted = name.strip().lower()
    for spec in all_specs():
        if wanted == spec.name or wanted in spec.aliases:
            return spec
    raise UsageError(f"unknown service {name!r}: choose from {', '.join(service_names())}")


def search_spec() -> ServiceSpec | None:
    """The service whose export jobs export searches (``ServiceSpec.searches``): the
    one ``exportctl backups`` reads; the first, should several declare them."""
    return next((spec for spec in all_specs() if spec.searches), None)
