"""Raw job to record: one projection per service, built once from its spec.

Every listed job goes through here (10,000 jobs are 10,000 records), so the
spec's dotted paths are turned into plain getters once, and what a job carries
beyond its fields is found against sets instead of by walking every path.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from functools import cache, lru_cache
from typing import Any

from exportctl.domain.model import ExportJob, Progress
from exportctl.domain.timeutil import as_utc
from exportctl.services.kinds import kinds_of
from exportctl.services.snakecase import KeyPlan, key_plan, plan_at, snake, snake_keys
from exportctl.services.spec import (
    Derived,
    FieldSource,
    Raw,
    ServiceSpec,
    canonical_ref,
)

Getter = Callable[[Any], Any]


def lookup(raw: Any, path: str) -> Any:
    """The value at a dotted path ('a.b', 'items.0'); '' is the whole response."""
    value = raw
    for part in path.split(".") if path else ():
        if isinstance(value, Mapping):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit():
            value = value[int(part)] if int(part) < len(value) else None
        else:
            return None
    return value


def resolve(raw: Raw, source: FieldSource) -> Any:
    """The value ``source`` names in ``raw`` (None for no source)."""
    return getter(source)(raw)


@lru_cache(maxsize=256)
def getter(source: FieldSource) -> Getter:
    """How to read one source, decided once (and kept: every item of every page is
    checked for its required members)."""
    if source is None:
        return _nothing
    if isinstance(source, Derived):
        return source.fn
    if source and "." not in source:
        key = source

        def member(raw: Any) -> Any:
            # botocore answers with plain dicts; anything else takes the general path.
            return raw.get(key) if type(raw) is dict else lookup(raw, key)

        return member
    return lambda raw: lookup(raw, source)


def _nothing(raw: Any) -> None:
    return None


def _paths(source: FieldSource) -> tuple[str, ...]:
    if source is None:
        return ()
    if isinstance(source, Derived):
        return source.paths
    return (source,)


@cache
def consumed_paths(spec: ServiceSpec) -> frozenset[str]:
    f = spec.fields
    sources: list[FieldSource] = [
        f.id, f.status, f.arn, f.name, f.created, f.updated, f.completed,
        f.destination, f.message, f.parent, f.state, *f.progress.values(),
        *f.details.values(),
    ]  # fmt: skip
    return frozenset(p for s in sources for p in _paths(s))


def leftovers(raw: Raw, consumed: frozenset[str], prefix: str = "") -> dict[str, Any]:
    """Members of ``raw`` no field or detail claims, keyed by their dotted path."""
    out: dict[str, Any] = {}
    for key, value in raw.items():
        path = f"{prefix}{key}"
        if path in consumed or key == "ResponseMetadata":
            continue
        if isinstance(value, Mapping) and any(c.startswith(path + ".") for c in consumed):
            out.update(leftovers(value, consumed, path + "."))
        else:
            out[path] = value
    return out


def _account_of(arn: Any) -> str | None:
    parts = arn.split(":") if isinstance(arn, str) else []
    return parts[4] if len(parts) > 5 and parts[4] else None


class Projection:
    """The record of any raw job of one service."""

    def __init__(self, spec: ServiceSpec) -> None:
        f = spec.fields
        self.spec = spec
        self._status = getter(f.status)
        self._id = getter(f.id)
        self._parent = getter(f.parent)
        self._arn = getter(f.arn)
        self._name = getter(f.name)
        self._destination = getter(f.destination)
        self._message = getter(f.message)
        self._state = getter(f.state) if f.state is not None else None
        # Only the times the service has, by their place in (created, updated, completed).
        self._times = tuple(
            (place, name, getter(source))
            for place, (name, source) in enumerate(
                (("created", f.created), ("updated", f.updated), ("completed", f.completed))
            )
            if source is not None
        )
        # Where the job's keys are data (a map's), not member names: kept as given.
        self._keys = key_plan(f.maps, f.as_given)
        self._details = tuple(
            (key, getter(source), self._plan(source)) for key, source in f.details.items()
        )
        self._progress = tuple((key, getter(path)) for key, path in f.progress.items())
        fan_details = spec.fan_out.details if spec.fan_out else {}
        self._fan_details = tuple((key, getter(path)) for key, path in fan_details.items())
        consumed = consumed_paths(spec)
        self._consumed = consumed
        # Top-level members claimed whole, and those only some members of which are.
        self._claimed = consumed | {"ResponseMetadata"}
        self._nested = frozenset(p.split(".", 1)[0] for p in consumed if "." in p)
        self._last_update_completes = f.completed_is_last_update

    def record(self, raw: Raw, region: str, parent_item: Raw | None = None) -> ExportJob:
        spec = self.spec
        status_value = self._status(raw)
        status = "" if status_value is None else str(status_value)
        state = spec.state_of(status_value if status_value is None else status)
        if self._state is not None:
            state = self._state(raw) or state
        job_id = str(self._id(raw))
        parent = self._parent(raw)
        arn = self._arn(raw)
        details: dict[str, Any] = {}
        times: list[datetime | None] = [None, None, None]
        for place, name, get in self._times:
            value = get(raw)
            if value is None:
                continue
            parsed = as_utc(value)
            if parsed is None and value != "":
                # A timestamp that cannot be read is kept raw.
                details[f"{name}_raw"] = str(value)
            times[place] = parsed
        created, updated, completed = times
        if completed is None and self._last_update_completes and state.terminal:
            completed = updated
        for key, get, plan in self._details:
            value = get(raw)
            if value is not None:
                details[key] = snake_keys(value, plan)
        if parent_item is not None:
            for key, get in self._fan_details:
                value = get(parent_item)
                if value is not None:
                    details[key] = snake_keys(value)
        self._leftovers(raw, details)
        return ExportJob.assemble(
            {
                "service": spec.name,
                "ref": canonical_ref(spec, region, job_id, parent=parent, arn=arn),
                "id": job_id,
                "region": region,
                "state": state,
                "status": status,
                "arn": arn,
                "name": self._name(raw),
                "created": created,
                "updated": updated,
                "completed": completed,
                "destination": self._destination(raw),
                "message": self._message(raw) or None,
                "progress": self._counters(raw),
                "details": details,
                "account": _account_of(arn),
                "raw": raw,
            }
        )

    def _plan(self, source: FieldSource) -> KeyPlan | None:
        # A derived value is the spec's own making, with member names alone.
        return plan_at(self._keys, source) if isinstance(source, str) else None

    def _leftovers(self, raw: Raw, details: dict[str, Any]) -> None:
        claimed, nested, keys = self._claimed, self._nested, self._keys
        for key, value in raw.items():
            if key in claimed:
                continue
            if key in nested and isinstance(value, Mapping):
                for path, inner in leftovers(value, self._consumed, f"{key}.").items():
                    details[snake(path.replace(".", "_"))] = snake_keys(inner, plan_at(keys, path))
            else:
                plan = None if keys is None else keys.members.get(key)
                details[snake(key.replace(".", "_"))] = snake_keys(value, plan)

    def _counters(self, raw: Raw) -> Progress | None:
        if not self._progress:
            return None
        counters = {key: get(raw) for key, get in self._progress}
        if all(v is None for v in counters.values()):
            return None
        failures = counters.pop("failures", None) or ()
        return Progress(**counters, failures=tuple(str(x) for x in failures))


class _ByKind(Projection):
    """The record of any raw job of a service with several kinds (``ServiceSpec.kinds``):
    that of the kind its id is of."""

    def __init__(self, spec: ServiceSpec) -> None:
        own, *others = kinds_of(spec)
        super().__init__(own)
        self._others = tuple(
            (kind.id_prefix, getter(served.fields.id), projection(served))
            for kind, served in zip(spec.kinds, others, strict=True)
        )

    def record(self, raw: Raw, region: str, parent_item: Raw | None = None) -> ExportJob:
        for prefix, get_id, other in self._others:
            job_id = get_id(raw)
            if isinstance(job_id, str) and job_id.startswith(prefix):
                return other.record(raw, region, parent_item)
        return super().record(raw, region, parent_item)


@cache
def projection(spec: ServiceSpec) -> Projection:
    return _ByKind(spec) if spec.kinds else Projection(spec)


def normalise(
    spec: ServiceSpec, raw: Raw, region: str, parent_item: Raw | None = None
) -> ExportJob:
    """The record of one raw job; ``parent_item`` is its parent's listed item, if read."""
    return projection(spec).record(raw, region, parent_item)
