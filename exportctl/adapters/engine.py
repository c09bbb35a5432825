"""Behaviour every service shares: pagination, normalisation, get and list."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from functools import cache
from typing import Any

from exportctl.adapters.spec import (
    Create,
    Derived,
    FieldSource,
    Page,
    Raw,
    ServiceSpec,
    canonical_ref,
)
from exportctl.errors import AwsError, BrokenAnswerError, NotFoundError, clip
from exportctl.keys import JobKey
from exportctl.model import ExportJob, Progress
from exportctl.timeutil import as_utc

CallFn = Callable[[str, dict[str, Any]], dict[str, Any]]
"""Calls one operation (boto3 style: 'GetExportJob', params) and returns the response."""

_MAX_PAGES = 100_000


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
    if source is None:
        return None
    if isinstance(source, Derived):
        return source.fn(raw)
    return lookup(raw, source)


def snake(name: str) -> str:
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    return name.replace("-", "_").lower()


def snake_keys(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {snake(str(k)): snake_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [snake_keys(v) for v in value]
    return value


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
        f.destination, f.message, f.parent, *f.progress.values(), *f.details.values(),
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


def _time(raw: Raw, source: FieldSource, name: str, details: dict[str, Any]) -> datetime | None:
    """A timestamp as aware UTC; one that cannot be read is kept raw in details."""
    value = resolve(raw, source)
    parsed = as_utc(value)
    if parsed is None and value not in (None, ""):
        details[f"{name}_raw"] = str(value)
    return parsed


def normalise(
    spec: ServiceSpec, raw: Raw, region: str, parent_item: Raw | None = None
) -> ExportJob:
    """The record of one raw job; ``parent_item`` is its parent's listed item, if read."""
    f = spec.fields
    status_value = resolve(raw, f.status)
    status = "" if status_value is None else str(status_value)
    state = spec.state_of(status_value if status_value is None else status)
    job_id = str(resolve(raw, f.id))
    parent = resolve(raw, f.parent)
    arn = resolve(raw, f.arn)
    details: dict[str, Any] = {}
    created, updated, completed = (
        _time(raw, source, name, details)
        for name, source in (("created", f.created), ("updated", f.updated),
                             ("completed", f.completed))
    )  # fmt: skip
    if completed is None and f.completed_is_last_update and state.terminal:
        completed = updated
    for key, source in f.details.items():
        value = resolve(raw, source)
        if value is not None:
            details[key] = snake_keys(value)
    if parent_item is not None and spec.fan_out is not None:
        for key, path in spec.fan_out.details.items():
            value = lookup(parent_item, path)
            if value is not None:
                details[key] = snake_keys(value)
    for path, value in leftovers(raw, consumed_paths(spec)).items():
        details[snake(path.replace(".", "_"))] = snake_keys(value)
    progress = None
    if f.progress:
        counters = {k: lookup(raw, p) for k, p in f.progress.items()}
        if any(v is not None for v in counters.values()):
            failures = counters.pop("failures", None) or ()
            progress = Progress(**counters, failures=tuple(str(x) for x in failures))
    return ExportJob(
        service=spec.name,
        ref=canonical_ref(spec, region, job_id, parent=parent, arn=arn),
        id=job_id,
        arn=arn,
        region=region,
        name=resolve(raw, f.name),
        state=state,
        status=status,
        created=created,
        updated=updated,
        completed=completed,
        destination=resolve(raw, f.destination),
        message=resolve(raw, f.message) or None,
        progress=progress,
        details=details,
        account=_account_of(arn),
    )


def broken(operation: str, missing: str, response: Any) -> BrokenAnswerError:
    """An answer without what every answer of ``operation`` carries."""
    meta = lookup(response, "ResponseMetadata") or {}
    status = meta.get("HTTPStatusCode") if isinstance(meta, Mapping) else None
    headers = meta.get("HTTPHeaders") if isinstance(meta, Mapping) else None
    kind = headers.get("content-type") if isinstance(headers, Mapping) else None
    seen = ", ".join(str(x) for x in (f"HTTP {status}" if status else None, kind) if x)
    return BrokenAnswerError(
        f"{operation} answered{f' ({clip(seen)})' if seen else ''} without {missing}: "
        "that is no answer of the service (a proxy or captive portal in the way, or a "
        "broken endpoint); check the network and --endpoint-url"
    )


def checked_items(response: Any, page: Page, required: Mapping[str, FieldSource]) -> list[Raw]:
    """The items of one page; a page without its list, or with an item that lacks
    one of ``required`` (field name -> source), is a broken answer."""
    found = lookup(response, page.items)
    if not isinstance(found, list) or not all(isinstance(i, Mapping) for i in found):
        raise broken(page.operation, f"its list of items ({page.items})", response)
    for item in found:
        check_item(page.operation, item, required, response)
    return found


def check_item(
    operation: str, item: Raw, required: Mapping[str, FieldSource], response: Any = None
) -> None:
    for name, source in required.items():
        if resolve(item, source) in (None, ""):
            member = source if isinstance(source, str) else name
            raise broken(operation, f"the {member} of an item", response or item)


def required_of(spec: ServiceSpec) -> dict[str, FieldSource]:
    """The members each job of ``spec`` must carry, by field name."""
    return {name: getattr(spec.fields, name) for name in spec.fields.required}


def _account_of(arn: Any) -> str | None:
    parts = arn.split(":") if isinstance(arn, str) else []
    return parts[4] if len(parts) > 5 and parts[4] else None


def pages(call: CallFn, page: Page, params: Mapping[str, Any] | None = None) -> Iterator[Raw]:
    """Every page of a paginated call, walking the tokens by hand.

    One implementation for every service: some (Pinpoint) have no botocore paginator.
    """
    request: dict[str, Any] = dict(params or {})
    if page.limit_key and page.limit is not None:
        request[page.limit_key] = page.limit
    seen: set[str] = set()
    for _ in range(_MAX_PAGES):
        response = call(page.operation, request)
        yield response
        token = lookup(response, page.output_token)
        if not token:
            return
        if token in seen:
            raise AwsError(f"{page.operation} returned the same page token twice")
        seen.add(token)
        request[page.input_token] = token


def items(
    call: CallFn,
    page: Page,
    params: Mapping[str, Any] | None = None,
    required: Mapping[str, FieldSource] | None = None,
) -> Iterator[Raw]:
    for response in pages(call, page, params):
        yield from checked_items(response, page, required or {})


def list_raw(spec: ServiceSpec, call: CallFn, scope: Mapping[str, Any]) -> Iterator[Raw]:
    """Every raw job of one service in one region, within ``scope``."""
    for raw, _ in list_with_parents(spec, call, scope):
        yield raw


def list_with_parents(
    spec: ServiceSpec, call: CallFn, scope: Mapping[str, Any]
) -> Iterator[tuple[Raw, Raw | None]]:
    """Like :func:`list_raw`, each job with its parent's item where the parents were listed."""
    params: dict[str, Any] = {}
    parent_filter: list[str] | None = None
    for s in spec.scopes:
        value = scope.get(s.option)
        if not value:
            continue
        if s.selects_parents:
            parent_filter = list(value) if isinstance(value, (list, tuple)) else [value]
        else:
            params[s.param] = s.convert(value) if s.convert else value
    required = required_of(spec)
    if spec.fan_out is None:
        for raw in items(call, spec.list, params, required):
            yield raw, None
        return
    fan = spec.fan_out
    parents: Iterable[tuple[str, Raw | None]] = (
        [(parent_id, None) for parent_id in parent_filter]
        if parent_filter
        else (
            (str(lookup(p, fan.parent_id)), p)
            for p in items(call, fan.parents, required={"id": fan.parent_id})
        )
    )
    for parent_id, parent in parents:
        for raw in items(call, spec.list, {**params, fan.param: parent_id}, required):
            yield raw, parent


def get_raw(spec: ServiceSpec, call: CallFn, key: JobKey) -> Raw:
    """One job. Only the service says a job does not exist (an error answer, or an
    empty list where the get is a filtered listing); an answer without the job is broken."""
    operation = spec.get.operation
    response = call(operation, spec.get.params(key))
    container, _, index = spec.get.item.rpartition(".")
    if index.isdigit():
        listed = lookup(response, container)
        if isinstance(listed, list) and not listed:
            raise NotFoundError(f"{spec.title}: no export job {key.display}", service=spec.name)
        if not isinstance(listed, list):
            raise broken(operation, f"its list of items ({container})", response)
    raw = lookup(response, spec.get.item)
    if not isinstance(raw, Mapping) or not raw:
        raise broken(operation, f"the job ({spec.get.item or 'its members'})", response)
    check_item(operation, raw, required_of(spec), response)
    return dict(raw)


def batch_raw(spec: ServiceSpec, call: CallFn, keys: list[JobKey]) -> dict[str, Raw]:
    """Jobs by id, fetched with as few calls as the service allows."""
    assert spec.batch is not None
    found: dict[str, Raw] = {}
    ids = list(dict.fromkeys(k.id for k in keys))
    for start in range(0, len(ids), spec.batch.max_ids):
        chunk = ids[start : start + spec.batch.max_ids]
        for raw in items(call, spec.list, {spec.batch.param: chunk}, required_of(spec)):
            found[str(resolve(raw, spec.fields.id))] = raw
    return found


def parent_raw(
    spec: ServiceSpec, call: CallFn, parent: str, ids: Iterable[str], max_pages: int
) -> tuple[dict[str, Raw], int]:
    """Jobs of one parent by id, read from the parent's listing.

    The walk stops once every id is seen or after ``max_pages`` pages; returns the
    jobs found and the pages read.
    """
    assert spec.fan_out is not None
    wanted = set(ids)
    found: dict[str, Raw] = {}
    read = 0
    required = required_of(spec)
    for response in pages(call, spec.list, {spec.fan_out.param: parent}):
        read += 1
        for raw in checked_items(response, spec.list, required):
            job_id = str(resolve(raw, spec.fields.id))
            if job_id in wanted:
                found[job_id] = raw
        if len(found) == len(wanted) or read >= max_pages:
            break
    return found, read


# -- creating a job ----------------------------------------------------------------


def _merge(into: dict[str, Any], members: Mapping[str, Any]) -> None:
    for key, value in members.items():
        if isinstance(value, Mapping) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = dict(value) if isinstance(value, Mapping) else value


def build_request(create: Create, values: Mapping[str, Any]) -> dict[str, Any]:
    """The create request for option values (keyed by option name, ``_`` for ``-``)."""
    request: dict[str, Any] = {}
    for option in create.options:
        value = values.get(option.name.replace("-", "_"))
        if value is None or value == () or value == []:
            continue
        if callable(option.put):
            _merge(request, option.put(value))
            continue
        *parents, last = option.put.split(".")
        node = request
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = list(value) if isinstance(value, tuple) else value
    return request


def created_key(
    spec: ServiceSpec, response: Raw, region: str, request: Mapping[str, Any]
) -> JobKey:
    """The new job, as the create answer names it."""
    create = spec.create
    assert create is not None
    arn = lookup(response, create.arn) if create.arn else None
    if arn:
        # arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE/ID, as refs.parse reads it.
        parts = str(arn).split(":", 5)
        job_id = parts[-1].partition("/")[2] or parts[-1]
        where = parts[3] if len(parts) == 6 and parts[3] else region
        return JobKey(spec.name, job_id, where, arn=str(arn))
    parent = lookup(response, create.parent) if create.parent else None
    return JobKey(spec.name, str(lookup(response, create.id)), region, parent and str(parent))


def key_ref(spec: ServiceSpec, key: JobKey, region: str) -> str:
    return canonical_ref(spec, key.region or region, key.id, parent=key.parent, arn=key.arn)


def matches(create: Create, values: Mapping[str, Any], record: Mapping[str, Any]) -> bool:
    """Whether a job's record shows every option value given (those it reports)."""
    from exportctl.model import field_value

    for option in create.options:
        value = values.get(option.name.replace("-", "_"))
        if option.record is None or value is None:
            continue
        shown = field_value(record, option.record)
        if option.kind == "time":
            # Services keep times to the millisecond or the second: a second apart is equal.
            when, seen = as_utc(value), as_utc(shown)
            if when is None or seen is None or abs((when - seen).total_seconds()) >= 1:
                return False
        elif shown != value:
            return False
    return True
