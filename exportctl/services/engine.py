"""Behaviour every service shares: pagination, normalisation, get and list."""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from typing import Any

from exportctl.domain.errors import NO_ANSWER, BrokenAnswerError, NotFoundError, clip
from exportctl.domain.jobkey import JobKey
from exportctl.domain.model import State
from exportctl.domain.naming import check_network
from exportctl.domain.timeutil import as_utc
from exportctl.services import statusfilter
from exportctl.services.kinds import kind_for, kinds_of
from exportctl.services.parents import GivenParents, check_parent, parent_pages

# The engine is where callers find the projection's helpers too.
from exportctl.services.projection import consumed_paths as consumed_paths
from exportctl.services.projection import getter
from exportctl.services.projection import leftovers as leftovers
from exportctl.services.projection import lookup as lookup
from exportctl.services.projection import normalise as normalise
from exportctl.services.projection import resolve as resolve
from exportctl.services.snakecase import snake as snake
from exportctl.services.snakecase import snake_keys as snake_keys
from exportctl.services.spec import Create, FieldSource, Page, Raw, ServiceSpec, canonical_ref

CallFn = Callable[[str, dict[str, Any]], dict[str, Any]]
"""Calls one operation (boto3 style: 'GetExportJob', params) and returns the response."""

_MAX_PAGES = 100_000


def broken(operation: str, missing: str, response: Any) -> BrokenAnswerError:
    """An answer without what every answer of ``operation`` carries."""
    meta = lookup(response, "ResponseMetadata") or {}
    status = meta.get("HTTPStatusCode") if isinstance(meta, Mapping) else None
    headers = meta.get("HTTPHeaders") if isinstance(meta, Mapping) else None
    kind = headers.get("content-type") if isinstance(headers, Mapping) else None
    seen = ", ".join(str(x) for x in (f"HTTP {status}" if status else None, kind) if x)
    said = f" ({clip(seen)})" if seen else ""
    return BrokenAnswerError(
        f"{operation} answered{said} without {missing}: {NO_ANSWER}", advice=check_network
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
        value = getter(source)(item)
        if value in (None, "") or not isinstance(value, str):
            # A list or an object where the model has a word is JSON of another shape.
            member = source if isinstance(source, str) else name
            missing = f"the {member} of an item" + (" as a word" if value else "")
            raise broken(operation, missing, response or item)


def required_of(spec: ServiceSpec) -> dict[str, FieldSource]:
    """The members each job of ``spec`` must carry, by field name."""
    return {name: getattr(spec.fields, name) for name in spec.fields.required}


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
        token = lookup(response, page.output_token)
        if token and token in seen:
            # A page of a listing going round: its jobs were listed already. Of the
            # service whose listing it is, named by the caller.
            raise BrokenAnswerError(
                f"{page.operation} returned the same page token twice: its listing "
                "would go round for ever"
            )
        yield response
        if not token:
            return
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


def list_raw(
    spec: ServiceSpec, call: CallFn, scope: Mapping[str, Any], *, as_listed: bool = False
) -> Iterator[Raw]:
    """Every raw job of one service in one region, within ``scope``; ``as_listed``: the
    listing's items as they are, summaries undescribed (``ServiceSpec.summaries``)."""
    for raw, _ in list_with_parents(spec, call, scope, as_listed=as_listed):
        yield raw


def list_with_parents(
    spec: ServiceSpec, call: CallFn, scope: Mapping[str, Any], *, as_listed: bool = False
) -> Iterator[tuple[Raw, Raw | None]]:
    """Like :func:`list_raw`, each job with its parent's item where the parents were listed."""
    for page in list_pages(spec, call, scope, describe_all=None if as_listed else one_by_one):
        yield from page


DescribeAll = Callable[[Callable[[Raw], Raw], list[Raw], int], list[Raw]]
"""Describes a page's summaries (the describe of one, the summaries, how many at once):
the jobs, in the summaries' order."""


def one_by_one(describe: Callable[[Raw], Raw], summaries: list[Raw], concurrency: int) -> list[Raw]:
    """Each summary described in turn: callers with threads describe several at once."""
    return [describe(raw) for raw in summaries]


def described(spec: ServiceSpec, call: CallFn, summary: Raw) -> Raw:
    """The job a listed summary names, described; the summary itself when the service
    says the job is gone (between the listing and the describe)."""
    arn, parent = resolve(summary, spec.fields.arn), resolve(summary, spec.fields.parent)
    key = JobKey(
        spec.name,
        str(resolve(summary, spec.fields.id)),
        parent=None if parent is None else str(parent),
        arn=None if arn is None else str(arn),
    )
    try:
        return get_raw(spec, call, key)
    except NotFoundError:
        return summary


PageItems = list[tuple[Raw, Raw | None]]
Parent = tuple[str, Raw | None]
EachParent = Callable[
    [Iterable[Parent], Callable[[Parent], Iterator[PageItems]]], Iterator[PageItems]
]


def in_turn(
    parents: Iterable[Parent], pages_of: Callable[[Parent], Iterator[PageItems]]
) -> Iterator[PageItems]:
    """The pages of one parent after another, each page as its call returns."""
    for parent in parents:
        yield from pages_of(parent)


def list_pages(
    spec: ServiceSpec,
    call: CallFn,
    scope: Mapping[str, Any],
    each_parent: EachParent = in_turn,
    describe_all: DescribeAll | None = one_by_one,
    states: Collection[State] = (),
) -> Iterator[PageItems]:
    """:func:`list_with_parents` a page at a time, each page as its call returns.

    Jobs listed per parent (Pinpoint: per application) are read parent by parent,
    or as ``each_parent`` runs ``pages_of`` over the parents (several at once). A
    listing of summaries (``ServiceSpec.summaries``) has each page's items described
    by ``describe_all`` (None: the summaries as listed). A service with kinds
    (``ServiceSpec.kinds``) has each kind's listing read in turn. ``states``: those
    the caller keeps, sent where the listing filters by status (``statusfilter``).
    """
    if spec.kinds:
        for kind in kinds_of(spec):
            yield from list_pages(kind, call, scope, each_parent, describe_all, states)
        return
    params: dict[str, Any] = statusfilter.request(spec, states)
    parent_filter: list[str] | None = None
    for s in spec.scopes:
        value = scope.get(s.key)
        if not value:
            continue
        if s.selects_parents:
            parent_filter = list(value) if isinstance(value, (list, tuple)) else [value]
        elif isinstance(value, (list, tuple)):
            params[s.param] = [s.convert(v) if s.convert else v for v in value]
        else:
            params[s.param] = s.convert(value) if s.convert else value
    required = required_of(spec)
    summaries = spec.summaries if describe_all is not None else None

    def jobs_of(response: Any) -> list[Raw]:
        listed = checked_items(response, spec.list, required)
        if summaries is None or describe_all is None or not listed:
            return listed
        describe = functools.partial(described, spec, call)
        return describe_all(describe, listed, summaries.concurrency)

    if spec.fan_out is None:
        for response in pages(call, spec.list, params):
            yield [(raw, None) for raw in jobs_of(response)]
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

    def pages_of(given: Parent) -> Iterator[PageItems]:
        parent_id, parent = given
        for response in pages(call, spec.list, {**params, fan.param: parent_id}):
            yield [(raw, parent) for raw in jobs_of(response)]

    given = GivenParents(spec, parent_filter)
    yield from each_parent(parents, given.noting(pages_of))
    given.said()


def get_raw(spec: ServiceSpec, call: CallFn, key: JobKey) -> Raw:
    """One job. Only the service says a job does not exist (an error answer, or an
    empty list where the get is a filtered listing; :class:`ParentNotFound` when the
    parent its reference names does not exist); an answer without the job is broken."""
    spec = kind_for(spec, key.id)
    operation = spec.get.operation
    try:
        response = call(operation, spec.get.params(key))
    except NotFoundError:
        check_parent(spec, key, functools.partial(pages, call, spec.list))
        raise
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
    named = str(resolve(raw, spec.fields.id) or "")
    if not _names(spec, raw, named, key):
        # Another job's record taken for this one would meet a wait that is not met.
        raise broken(operation, f"the job asked for (it describes {clip(named)!r})", response)
    return dict(raw)


def _names(spec: ServiceSpec, raw: Raw, named: str, key: JobKey) -> bool:
    """Whether the job ``raw`` is the one ``key`` names: by its id, or by its ARN where
    the key holds one (a create's answer names some jobs by ARN)."""
    arn = resolve(raw, spec.fields.arn) if spec.fields.arn else None
    return same_job((key.id, key.arn), (named, arn))


def same_job(asked: Iterable[object], answered: Iterable[object]) -> bool:
    """Whether an answer naming a job by ``answered`` (its id, its ARN) is about the
    job ``asked`` names, as services compare identifiers: without regard to case
    (RDS)."""

    def names(values: Iterable[object]) -> set[str]:
        return {str(v).lower() for v in values if v}

    return bool(names(asked) & names(answered))


def batch_raw(spec: ServiceSpec, call: CallFn, ids: list[str]) -> dict[str, Raw]:
    """The jobs of one batch of ids (at most ``Batch.max_ids``), by id as answered.
    Compared as given, not as :func:`same_job` compares a get's answer: the services
    that describe ids in batches know an id in the case they made it in only, and one
    asked beside its spelling in another case is no job of theirs."""
    assert spec.batch is not None
    params = {spec.batch.param: ids}
    return {
        str(resolve(raw, spec.fields.id)): raw
        for raw in items(call, spec.list, params, required_of(spec))
    }


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
    for response in parent_pages(spec, parent, functools.partial(pages, call, spec.list)):
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
        if spec.arn and spec.arn.nested:
            # RESOURCE/NAME/NESTED/ID: the id is the last part.
            job_id = job_id.rpartition(f"/{spec.arn.nested}/")[2] or job_id
        where = parts[3] if len(parts) == 6 and parts[3] else region
        return JobKey(spec.name, job_id, where, arn=str(arn))
    job_id = lookup(response, create.id)
    if job_id in (None, ""):
        # An answer that does not name the job is no success: nothing can follow it.
        raise BrokenAnswerError(
            f"{create.operation} answered without the new job's id ({create.id})"
        )
    parent = lookup(response, create.parent) if create.parent else None
    return JobKey(spec.name, str(job_id), region, parent and str(parent))


def key_ref(spec: ServiceSpec, key: JobKey, region: str) -> str:
    return canonical_ref(spec, key.region or region, key.id, parent=key.parent, arn=key.arn)


def matches(create: Create, values: Mapping[str, Any], record: Mapping[str, Any]) -> bool:
    """Whether a job's record shows every option value given (those it reports)."""
    from exportctl.domain.model import field_value

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
        elif isinstance(value, tuple):
            # A repeated option's values, as the record lists them.
            if shown != list(value):
                return False
        elif shown != value:
            return False
    return True
