"""Operation handlers by (service, operation), and the error codes by service: each
service's from its record (``catalog.py``)."""

from __future__ import annotations

import functools

from exportctl.sandbox import identity
from exportctl.sandbox.catalog import WORLDS
from exportctl.sandbox.errors import ServiceErrors
from exportctl.sandbox.service import Handler

__all__ = ["ANSWERED", "HANDLERS", "MUTATING", "SERVICE_ERRORS", "Handler", "emulated_operations"]

HANDLERS: dict[tuple[str, str], Handler] = {
    (world.name, operation): handler
    for world in WORLDS
    for operation, handler in world.handlers.items()
}
# (service, operation): one operation name can be several services' (CancelExportTask).
MUTATING = frozenset((world.name, operation) for world in WORLDS for operation in world.mutating)

# Every service the sandbox answers: what a fault's ``deny`` and ``garble`` may name.
ANSWERED = (*(world.name for world in WORLDS), *identity.IDENTITY_SERVICES)
# The codes of the failures the sandbox injects, by service (the identity services too).
SERVICE_ERRORS: dict[str, ServiceErrors] = {
    **{world.name: world.errors for world in WORLDS},
    **identity.ERRORS,
}


@functools.cache
def emulated_operations() -> dict[str, frozenset[str]]:
    """The operations the sandbox answers, by service: those above and the identity
    calls (the models it routes on are pruned to these)."""
    by_service: dict[str, set[str]] = {}
    for service, operation in (*HANDLERS, *identity.OPERATIONS):
        by_service.setdefault(service, set()).add(operation)
    return {service: frozenset(names) for service, names in by_service.items()}
