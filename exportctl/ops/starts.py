"""Starting export jobs: the request from options, checked, and created exactly once.

A create that times out or gets a 5xx may have happened. Retrying it blindly could
make a second export, so creates are retried here, not by botocore (their clients
make one attempt a call), with each service's way of knowing (``Create.idempotency``):

- ``token``: one client token per command, the same on every attempt;
- ``name``: after an attempt whose outcome is unknown, "already exists" is our job
  when its parameters match and it was created since the command started, and an
  error otherwise;
- ``listing``: the jobs with our parameters are noted before the first attempt;
  after an attempt whose outcome is unknown, a job with our parameters that was not
  there before and was created since the command started is ours. The listing is
  read for a while (``LOOKS``) before the create is sent again, since it can lag.

Throttling is a refusal, not an unknown outcome: it is retried without a look.
"""

from __future__ import annotations

import random
import re
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import TYPE_CHECKING, Any

from exportctl.domain.errors import (
    THROTTLING_CODES,
    Answer,
    AwsError,
    ExportctlError,
    Interrupted,
    NotFoundError,
    UsageError,
    answer_of,
    clip,
    translate,
)
from exportctl.domain.model import ExportJob
from exportctl.domain.timeutil import now
from exportctl.ops.polling import interruptible_sleep
from exportctl.services import engine as eng
from exportctl.services.refs import JobKey
from exportctl.services.spec import Create, ServiceSpec

if TYPE_CHECKING:
    from exportctl.ops.jobs import Jobs

Sleep = Callable[[float], None]

# Personalize's LimitExceededException is both its request rate ("the limit on the
# number of requests per second", retried like throttling) and its quotas (too many
# jobs in progress, which waiting seconds will not lift): the message tells them apart.
QUOTA = re.compile(
    r"\b(quota|maximum number|too many|in progress|in-progress|active|concurrent|pending)\b",
    re.IGNORECASE,
)
ALREADY_EXISTS = frozenset({"ResourceAlreadyExistsException", "AlreadyExistsException"})
ATTEMPTS = 10
# How far back the listing is read for jobs that may be ours (clock skew included).
LISTING_WINDOW = timedelta(minutes=15)
# A job created this long before the command started may still be its own (the
# service's clock and this machine's may differ); one created earlier never is.
CLOCK_SKEW = timedelta(minutes=1)
# After an attempt whose outcome is unknown, the listing is read at these delays
# (60 s in all) before the create is sent again: a listing can lag behind a create.
LOOKS = (0.0, 2.0, 4.0, 8.0, 16.0, 30.0)


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
    from exportctl.services import spec_for

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
    from exportctl.aws.modelcheck import problems

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
    from exportctl.domain.model import field_value

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
        from exportctl.domain.timeutil import as_utc

        return as_utc(value)
    if kind == "int":
        return int(value)
    return value


class Starter:
    """Sends one plan's create, retrying it without ever making two jobs.

    Whatever ends the command after an attempt that may have made the job (an
    error, the retries used up, Ctrl-C), its last words say how to find that job.
    """

    def __init__(
        self,
        jobs: Jobs,
        *,
        attempts: int = ATTEMPTS,
        sleep: Sleep = interruptible_sleep,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.jobs = jobs
        self.attempts = attempts
        self.sleep = sleep
        self.rng = rng or random.Random()
        self.clock = clock

    def start(self, plan: StartPlan) -> Started:
        run = _Run(plan, plan.region or self.jobs.clients.default_region, now())
        try:
            return self._attempts(run)
        except KeyboardInterrupt as exc:
            if run.in_flight or run.maybe_made:
                raise Interrupted(
                    f"an attempt may have made the job before the end; {self._whereabouts(run)}"
                ) from exc
            raise
        except ExportctlError as exc:
            err = translate(exc, plan.spec)
            if run.maybe_made:
                err = _noted(err, self._whereabouts(run))
            if err is exc:
                raise
            raise err from exc

    def _attempts(self, run: _Run) -> Started:
        plan, region = run.plan, run.region
        spec, create = plan.spec, plan.create
        call = self.jobs.once_caller(spec, region)
        if create.idempotency == "listing":
            run.before = {job.ref for job in self._ours(plan, region)}
        began = self.clock()
        for attempt in range(1, self.attempts + 1):
            if run.maybe_made and create.idempotency == "listing":
                # Before creating again: a job the last attempt made may not be listed yet.
                found = self._look(run, LOOKS)
                if found is not None:
                    return Started(_key(found), found.ref, found, attempt - 1, recovered=True)
            try:
                run.in_flight = True
                response = call(create.operation, plan.request)
            except Exception as exc:
                run.in_flight = False
                said = answer_of(exc)
                if said is not None and said.code in ALREADY_EXISTS and create.name:
                    return self._existing(run, attempt, exc)
                outcome = _outcome(exc)
                run.maybe_made = run.maybe_made or outcome == "unknown"
                if outcome == "final" or attempt == self.attempts:
                    found = self._look(run, (0.0,)) if run.maybe_made else None
                    if found is not None:
                        return Started(_key(found), found.ref, found, attempt, recovered=True)
                    raise self._failed(run, exc, attempt, outcome, self.clock() - began) from exc
                self.sleep(self._delay(attempt))
                continue
            run.in_flight = False
            run.maybe_made = True
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

    def _failed(
        self, run: _Run, exc: Exception, attempts: int, outcome: str, seconds: float
    ) -> ExportctlError:
        """The error of a create given up on: what was tried, and what the last answer
        means (exportctl's own retries, not botocore's: AWS_MAX_ATTEMPTS is not theirs)."""
        spec, operation = run.plan.spec, run.plan.create.operation
        said = answer_of(exc)
        if said is not None and _quota(said):
            return AwsError(
                f"{spec.title}: {operation} was refused by a quota of the service, not its "
                f"request rate ({said.code}: {said.message}): wait for the jobs in progress "
                "to end, or ask for a higher quota in Service Quotas",
                service=spec.name,
            )
        if outcome == "final":
            return translate(exc, spec)
        tried = f"{operation} was tried {attempts} time{'s' if attempts > 1 else ''}"
        tried += f" over {seconds:.0f} s, with backoff"
        if said is None:
            last, advice = clip(exc, 300), "check the network, --region and --endpoint-url"
        else:
            last = f"{said.code} (HTTP {said.status}): {said.message}"
            advice = (
                "the service is failing: try again later"
                if (said.status or 0) >= 500
                else "the request rate of this API is used up (by this or other tools): "
                "try again in a minute"
            )
        return AwsError(
            f"{spec.title}: {tried}; the last answer: {last}; {advice}", service=spec.name
        )

    def _existing(self, run: _Run, attempt: int, exc: Exception) -> Started:
        plan = run.plan
        spec, create = plan.spec, plan.create
        assert create.name is not None
        name = str(plan.request[create.name])
        # The job that holds the name may be ours: an earlier attempt's answer was lost.
        job = self._named(run, LOOKS if run.maybe_made else (0.0,))
        where = f" ({job.ref})" if job else ""
        if run.maybe_made:
            if job is None:
                raise AwsError(
                    f"{spec.title}: a job named {name!r} exists but could not be read: it may "
                    "be the one an earlier attempt of this command made",
                    service=spec.name,
                ) from exc
            if self._is_ours(run, job):
                return Started(_key(job), job.ref, job, attempt, recovered=True)
            why = (
                f"{where} was created before this command started"
                if not self._is_recent(run, job)
                else f" exists{where} with other parameters than this command's"
            )
            raise UsageError(
                f"{spec.title}: a job named {name!r}{why}: it was not made by this command; "
                "choose another --name"
            ) from exc
        raise UsageError(
            f"{spec.title}: a job named {name!r} already exists{where}: choose another --name, "
            "or leave --name out for a generated one"
        ) from exc

    def _named(self, run: _Run, delays: tuple[float, ...]) -> ExportJob | None:
        """The job holding this plan's name, read once per delay until it is found."""
        for delay in delays:
            if delay:
                self.sleep(delay)
            try:
                return self.jobs.get(_named_key(run.plan, run.region))
            except NotFoundError:
                continue
            except ExportctlError:
                if delay == delays[-1]:
                    return None
        return None

    def _look(self, run: _Run, delays: tuple[float, ...]) -> ExportJob | None:
        """The job an earlier attempt made, looked for once per delay: by its name, or
        in the listing (a job with this plan's parameters, created since the command
        started, that was not there before)."""
        create = run.plan.create
        if create.name:
            job = self._named(run, delays)
            return job if job is not None and self._is_ours(run, job) else None
        if create.idempotency == "token":
            # Its listing does not show the parameters a job is recognised by; the
            # token, named in the error, is what finds it.
            return None
        for delay in delays:
            if delay:
                self.sleep(delay)
            found = [
                job
                for job in self._ours(run.plan, run.region)
                if job.ref not in run.before and self._is_recent(run, job)
            ]
            if found:
                return min(found, key=lambda j: j.created or now())
        return None

    def _is_ours(self, run: _Run, job: ExportJob) -> bool:
        return self._is_recent(run, job) and eng.matches(
            run.plan.create, run.plan.values, job.to_dict()
        )

    def _is_recent(self, run: _Run, job: ExportJob) -> bool:
        # Only a job created since the command started can be its own.
        return job.created is not None and job.created >= run.began - CLOCK_SKEW

    def _whereabouts(self, run: _Run) -> str:
        """How to find the job an attempt may have made."""
        plan, region = run.plan, run.region
        spec, create = plan.spec, plan.create
        listing = f"exportctl list -s {spec.name} --region {region} --since 1h"
        if create.name:
            name = plan.request[create.name]
            if create.arn_of:
                return f"it is named {name!r}: exportctl status {create.arn_of(plan.request)}"
            return f"it is named {name!r}: {listing}"
        if create.token:
            return f"look for it (client token {plan.request[create.token]}): {listing}"
        return f"look for a job with these parameters: {listing}"

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


@dataclass
class _Run:
    """One start: the plan, where it is sent, and what its attempts left behind."""

    plan: StartPlan
    region: str
    began: datetime
    # The refs of the jobs with the plan's parameters before the first attempt.
    before: set[str] = field(default_factory=set)
    # A create is on the wire: a signal now leaves its outcome unknown.
    in_flight: bool = False
    # An attempt may have made the job (its outcome is unknown, or it answered).
    maybe_made: bool = False


def _named_key(plan: StartPlan, region: str) -> JobKey:
    create = plan.create
    assert create.name is not None
    name = str(plan.request[create.name])
    arn = create.arn_of(plan.request) if create.arn_of else None
    return JobKey(plan.spec.name, name, region, arn=arn)


def _noted(err: ExportctlError, note: str) -> ExportctlError:
    err.message = f"{err.message}; {note}"
    err.args = (err.message,)
    return err


def _quota(said: Answer) -> bool:
    return said.code == "LimitExceededException" and QUOTA.search(said.message) is not None


def _outcome(exc: BaseException) -> str:
    """``refused`` (did not happen, retry), ``unknown`` (may have happened), ``final``."""
    import botocore.exceptions as bex

    said = answer_of(exc)
    if said is not None:
        status = said.status or 0
        if _quota(said):
            return "final"
        if said.code in THROTTLING_CODES or status == 429:
            return "refused"
        return "unknown" if status >= 500 else "final"
    if isinstance(exc, (bex.EndpointConnectionError, bex.ConnectTimeoutError)):
        # Never reached the service.
        return "refused"
    if isinstance(exc, (bex.ConnectionError, bex.ReadTimeoutError, bex.HTTPClientError, OSError)):
        return "unknown"
    return "final"


def _key(job: ExportJob) -> JobKey:
    from exportctl.services.refs import parse

    return parse(job.ref)


def _jsonable(value: Any) -> Any:
    from exportctl.domain.timeutil import iso

    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, Mapping):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value
