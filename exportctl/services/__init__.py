"""The services: their specs, and what reads them (``spec``, ``engine``,
``projection``, ``refs``, ``locations``).

Adding a service is adding one module to ``exportctl.services.specs``: the commands,
their options, their completion and their help are made from the specs. A spec module kept elsewhere
(a plugin's, a test's) is served too once given to :func:`register`.
Importing this package never imports boto3.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache
from types import ModuleType
from typing import TYPE_CHECKING

from exportctl.domain.errors import UsageError

if TYPE_CHECKING:
    from exportctl.services.spec import ServiceSpec

# Spec modules from outside the package, in the order they were registered.
_REGISTERED: list[ModuleType] = []


@cache
def all_specs() -> tuple[ServiceSpec, ...]:
    """Every service: the modules of ``exportctl.services.specs`` by name, then those
    registered."""
    from exportctl.services import specs as package

    found = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        found.append(module.SPEC)
    found.extend(module.SPEC for module in _REGISTERED)
    return tuple(found)


def register(module: ModuleType) -> None:
    """Serve the spec of ``module`` (its ``SPEC``), a module outside this package, as
    the package's own are served, from now on; its name, aliases and prefix must be new."""
    from exportctl.services.spec import ServiceSpec

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


def client_operations() -> dict[str, frozenset[str]]:
    """The operations the services call, by botocore service name: what their
    clients are made with (see exportctl.aws.prunedmodels.pruned)."""
    called: dict[str, frozenset[str]] = {}
    for spec in all_specs():
        called[spec.client] = called.get(spec.client, frozenset()) | spec.operations()
    return called


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
