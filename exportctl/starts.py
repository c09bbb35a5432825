"""Starting export jobs: the request from options, checked, and created exactly once.

A create that times out or gets a 5xx may have happened. Retrying it blindly could
make a second export, so creates are retried here, not by botocore (their clients
make one attempt a call), with each service's way of knowing (``Create.idempotency``):

- ``token``: one client token per command, the same on every attempt;
- ``name``: after an attempt whose outcome is unknown, "already exists" is our job
  when its parameters match, and an error when they do not;
- ``listing``: the jobs with our parameters are noted before the first attempt;
  after an attempt whose outcome is unknown, a job with our parameters that was not
  there before is ours.

Throttling is a refusal, not an unknown outcome: it is retried without a look.
"""

from __future__ import annotations

import random
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

from exportctl.adapters import engine as eng
from exportctl.adapters.spec import Create, ServiceSpec
from exportctl.errors import THROTTLING_CODES, ExportctlError, UsageError, answer_of, translate
from exportctl.model import ExportJob
from exportctl.polling import interruptible_sleep
from exportctl.refs import JobKey
from exportctl.timeutil import now

if TYPE_CHECKING:
    from exportctl.jobs import Jobs

Sleep = Callable[[float], None]

# A quota of running jobs is not a burst: waiting seconds will not lift it.
CREATE_THROTTLING = THROTTLING_CODES - {"LimitExceededException"}
ALREADY_EXISTS = frozenset({"ResourceAlreadyExistsException", "AlreadyExistsException"})
ATTEMPTS = 10
# How far back the listing is read for jobs that may be ours (clock skew included).
LISTING_WINDOW = timedelta(minutes=15)


@dataclass(frozen=True)
class StartPlan:
    """One create request, ready to send."""

    spec: ServiceSpec
    region: str | None
    request: dict[str, Any]
    # The option values it was built from (what a listed job is compared with).
    values: Mapping[str, Any] = field(default_factory=dict)

    @property
    def create(self) -> Create:
        assert self.spec.create is not None
        return self.spec.create

    def to_dict(self) -> dict[str, Any]:
        """The --dry-run form: what would be sent, where."""
        return {
            "service": self.spec.name,
            "operation": self.create.operation,
            "region": self.region,
            "request": _jsonable(self.request),
        }


@dataclass(frozen=True)
class Started:
    key: JobKey
    ref: str
    # The new job as the create answer described it, when it did (Pinpoint).
    job: ExportJob | None
    attempts: int
    # An earlier attempt's outcome was unknown and the job it made was found.
    recovered: bool = False


def creatable(service: str) -> ServiceSpec:
    from exportctl.adapters import spec_for

    spec = spec_for(service)
    if spec.create is None:
        raise UsageError(f"{spec.title}: exportctl cannot start its export jobs")
    return spec


def plan(spec: ServiceSpec, values: Mapping[str, Any], region: str | None) -> StartPlan:
    """The request for these option values, with a fresh name or token, checked
    against the service model: a request the service would refuse is a usage error
    before anything is sent."""
    create = spec.create
    assert create is not None
    given = {k: v for k, v in values.items() if v not in (None, (), [])}
    for option in create.options:
        key = option.name.replace("-", "_")
        if option.required and key not in given:
            raise UsageError(f"{spec.title}: --{option.name} is required")
        if option.requires and key in given and option.requires.replace("-", "_") not in given:
            raise UsageError(f"{spec.title}: --{option.name} needs --{option.requires}")
    request = eng.build_request(create, given)
    if create.token:
        request[create.token] = secrets.token_hex(16)
    if create.name and not request.get(create.name):
        request[create.name] = generate_name(spec, request)
    check(spec, request)
    return StartPlan(spec=spec, region=region, request=request, values=given)


def check(spec: ServiceSpec, request: Mapping[str, Any]) -> None:
    from exportctl.modelcheck import problems

    assert spec.create is not None
    shape = _model(spec.client).operation_model(spec.create.operation).input_shape
    found = problems(shape, request)
    if found:
        raise UsageError(f"{spec.title}: invalid request: {'; '.join(found)}")


@cache
def _model(client: str) -> Any:
    import botocore.session

    return botocore.session.get_session().get_service_model(client)


def generate_name(spec: ServiceSpec, request: Mapping[str, Any]) -> str:
    """Readable, unique and within the model's pattern and length: HINT-YYYYMMDD-HHMMSS-XXXX."""
    create = spec.create
    assert create is not None and create.name is not None
    shape = _model(spec.client).operation_model(create.operation).input_shape.members[create.name]
    longest = int(shape.metadata.get("max", 63))
    hint = create.name_hint(request) if create.name_hint else spec.name
    hint = re.sub(r"[^A-Za-z0-9_-]+", "-", hint).strip("-_") or spec.name
    tail = f"-{now():%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"
    return hint[: longest - len(tail)].rstrip("-_") + tail


def values_of(spec: ServiceSpec, job: ExportJob) -> dict[str, Any]:
    """The option values that made ``job``, as far as the service reports them."""
    from exportctl.model import field_value

    assert spec.create is not None
    record = job.to_dict()
    values: dict[str, Any] = {}
    for option in spec.create.options:
        if option.record is None:
            continue
        value = field_value(record, option.record)
        if value is not None:
            values[option.name.replace("-", "_")] = _typed(option.kind, value)
    return values


def _typed(kind: str, value: Any) -> Any:
    if kind == "time":
        from exportctl.timeutil import as_utc

        return as_utc(value)
    if kind == "int":
        return int(value)
    return value


class Starter:
    """Sends one plan's create, retrying it without ever making two jobs."""

    def __init__(
        self,
        jobs: Jobs,
        *,
        attempts: int = ATTEMPTS,
        sleep: Sleep = interruptible_sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.jobs = jobs
        self.attempts = attempts
        self.sleep = sleep
        self.rng = rng or random.Random()

    def start(self, plan: StartPlan) -> Started:
        spec, create = plan.spec, plan.create
        region = plan.region or self.jobs.clients.default_region
        call = self.jobs.once_caller(spec, region)
        before: set[str] | None = None
        if create.idempotency == "listing":
            before = {job.ref for job in self._ours(plan, region)}
        unknown = False
        for attempt in range(1, self.attempts + 1):
            if unknown and before is not None:
                found = [job for job in self._ours(plan, region) if job.ref not in before]
                if found:
                    job = min(found, key=lambda j: j.created or now())
                    return Started(_key(job), job.ref, job, attempt - 1, recovered=True)
            try:
                response = call(create.operation, plan.request)
            except Exception as exc:
                said = answer_of(exc)
                if said is not None and said.code in ALREADY_EXISTS and create.name:
                    return self._existing(plan, region, attempt, unknown, exc)
                outcome = _outcome(exc)
                if outcome == "final" or attempt == self.attempts:
                    raise translate(exc, spec) from exc
                unknown = unknown or outcome == "unknown"
                self.sleep(self._delay(attempt))
                continue
            return self._started(plan, region, response, attempt)
        raise AssertionError("unreachable")

    def _delay(self, attempt: int) -> float:
        # Full jitter, as botocore's standard mode: 0..min(20, 2**attempt / 2) seconds.
        return self.rng.uniform(0, min(20.0, 2.0 ** (attempt - 1)))

    def _started(
        self, plan: StartPlan, region: str, response: Mapping[str, Any], attempts: int
    ) -> Started:
        spec, create = plan.spec, plan.create
        job = None
        if create.item:
            job = eng.normalise(spec, eng.lookup(response, create.item), region)
        key = eng.created_key(spec, response, region, plan.request)
        ref = job.ref if job else eng.key_ref(spec, key, region)
        return Started(key, ref, job, attempts)

    def _existing(
        self, plan: StartPlan, region: str, attempt: int, unknown: bool, exc: Exception
    ) -> Started:
        spec, create = plan.spec, plan.create
        assert create.name is not None
        name = str(plan.request[create.name])
        try:
            job = self.jobs.get(JobKey(spec.name, name, region))
        except ExportctlError:
            job = None
        if job is not None and unknown and eng.matches(create, plan.values, job.to_dict()):
            return Started(_key(job), job.ref, None, attempt, recovered=True)
        where = f" ({job.ref})" if job else ""
        if job is not None and unknown:
            raise UsageError(
                f"{spec.title}: a job named {name!r} exists{where} with other parameters than "
                "this command's: it was not made by this command; choose another --name"
            ) from exc
        raise UsageError(
            f"{spec.title}: a job named {name!r} already exists{where}: choose another --name, "
            "or leave --name out for a generated one"
        ) from exc

    def _ours(self, plan: StartPlan, region: str) -> list[ExportJob]:
        """Recent jobs in the listing with this plan's parameters."""
        create = plan.create
        scope = create.listing_scope(plan.request) if create.listing_scope else {}
        since = now() - LISTING_WINDOW
        found: list[ExportJob] = []
        spec = plan.spec
        call = self.jobs.caller(spec, region)

        def walk() -> None:
            for raw in eng.list_raw(spec, call, scope):
                job = eng.normalise(spec, raw, region)
                if job.created is not None and job.created < since:
                    continue
                if eng.matches(create, plan.values, job.to_dict()):
                    found.append(job)

        try:
            walk()
        except Exception as exc:
            raise translate(exc, spec) from exc
        return found


def _outcome(exc: BaseException) -> str:
    """``refused`` (did not happen, retry), ``unknown`` (may have happened), ``final``."""
    import botocore.exceptions as bex

    said = answer_of(exc)
    if said is not None:
        status = said.status or 0
        if said.code in CREATE_THROTTLING or status == 429:
            return "refused"
        return "unknown" if status >= 500 else "final"
    if isinstance(exc, (bex.EndpointConnectionError, bex.ConnectTimeoutError)):
        # Never reached the service.
        return "refused"
    if isinstance(exc, (bex.ConnectionError, bex.ReadTimeoutError, bex.HTTPClientError, OSError)):
        return "unknown"
    return "final"


def _key(job: ExportJob) -> JobKey:
    from exportctl.refs import parse

    return parse(job.ref)


def _jsonable(value: Any) -> Any:
    from exportctl.timeutil import iso

    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, Mapping):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value
