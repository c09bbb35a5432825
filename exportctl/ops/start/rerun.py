"""What a rerun takes of a finished job: its service, if exportctl can start that
service's jobs, and the option values that made it."""

from __future__ import annotations

from typing import Any

from exportctl.domain.errors import ConflictError, UsageError
from exportctl.domain.model import ExportJob
from exportctl.domain.naming import Named, flag
from exportctl.services.kinds import kind_for
from exportctl.services.spec import ServiceSpec, StartOption


def creatable(service: str) -> ServiceSpec:
    from exportctl.services import spec_for

    spec = spec_for(service)
    if spec.create is None:
        raise UsageError(f"{spec.title}: exportctl cannot start its export jobs")
    return spec


def values_of(spec: ServiceSpec, job: ExportJob, named: Named = flag) -> dict[str, Any]:
    """The option values that made ``job``, as far as the service reports them; a
    job whose record lacks the value of a required option cannot be rerun (``named``:
    an option as the caller's user gives it)."""
    from exportctl.domain.model import field_value

    # The create of the job's own kind (``ServiceSpec.kinds``): its options made it.
    create = kind_for(spec, job.id).create
    assert create is not None
    record = job.to_dict()
    for name, why in create.unrepeatable.items():
        if field_value(record, name) is not None:
            # Found in the job read: the read was work done, so --json prints null.
            raise ConflictError(f"{job.ref} cannot be rerun", why)
    values: dict[str, Any] = {}
    for option in create.options:
        if option.record is None:
            continue
        value = field_value(record, option.record)
        if value is not None:
            values[option.name.replace("-", "_")] = _typed(option.kind, value)
    # A value whose option needs another the service does not report (Discovery's
    # time range, its agent) has no meaning left: the rerun goes without it.
    for option in create.options:
        if not option.needs_met(values):
            values.pop(option.name.replace("-", "_"), None)
    for option in create.options:
        if option.required and option.name.replace("-", "_") not in values:
            # rerun takes no option to fill the gap: plan() would ask for one it refuses.
            raise ConflictError(f"{job.ref} cannot be rerun", _missing(spec, option, named))
    return values


def _missing(spec: ServiceSpec, option: StartOption, named: Named) -> str:
    said = named(option.name)
    lacks = f"its record has no {option.record}" if option.record else "its service does not say"
    given = f"{said} {option.metavar}" if said == flag(option.name) else f"{said}=..."
    return f"{lacks} ({said}): start {spec.name} ... {given} starts one like it"


def _typed(kind: str, value: Any) -> Any:
    if kind == "time":
        from exportctl.domain.timeutil import as_utc

        return as_utc(value)
    if kind == "int":
        return int(value)
    return value
