"""Estimated completion times for running jobs, from what exportctl has already read.

Two bases, no API call of their own:

- **pieces**: a job that reports its pieces (Pinpoint) finishes at the rate it has
  done them so far, counted from its creation;
- **history**: other jobs take as long as the median of this account's recent
  completed jobs of the same service and region (narrowed to the same group, the
  Personalize dataset, when that group has enough of them). A job whose account is
  not known (one without an ARN, read by a command of one account and region) is
  among the jobs of unknown account of its profile and endpoint.

History is what listings and lookups showed: `list` and `watch` learn from every
completed job they list, `status` and `wait` from the jobs they read, and a job
seen running and then done (Discovery reports no completion time) counts from
its creation to when it was seen done. It is kept in a small local file next to
the reference cache, per profile and endpoint, so `status` of one running job has
an estimate without listing anything.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from exportctl.domain.model import ExportJob, State, field_value
from exportctl.domain.timeutil import MAX_DURATION, as_utc, human_duration, iso, now
from exportctl.store.cachefiles import cache_dir, locked, open_cached, write_atomically

if TYPE_CHECKING:
    from exportctl.aws.clients import Clients

# Samples a median needs before it is worth showing.
MIN_SAMPLES = 3
# Samples kept per group (the most recent completions).
KEEP = 50
# Durations older than this say little about today's jobs.
MAX_AGE = timedelta(days=30)
# The account a bucket's key starts with: ``123456789012@SCOPE|SERVICE|REGION``.
_OF_ACCOUNT = re.compile(r"^\d{12}@")


@dataclass(frozen=True)
class Estimate:
    eta: datetime | None = None
    basis: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"eta": iso(self.eta), "eta_basis": self.basis}


NO_ESTIMATE = Estimate()


def _may_complete(job: ExportJob) -> bool:
    from exportctl.services import spec_for

    return spec_for(job.service).can_reach(job.status, State.COMPLETED)


def _group_field(service: str) -> str | None:
    from exportctl.services import spec_for

    return spec_for(service).eta_group


class History:
    """Durations of completed jobs, by account (when known), scope (profile and
    endpoint), service, region, group."""

    def __init__(self, samples: Mapping[str, Mapping[str, tuple[str, float]]] | None = None):
        # key -> {job id: (completed ISO, seconds)}: the key names the rest of the
        # job's identity (service, account when known, region), so that a job has
        # one sample however its reference was printed (with its account or not).
        self.samples: dict[str, dict[str, tuple[str, float]]] = {
            k: dict(v) for k, v in (samples or {}).items()
        }
        self.changed = False
        # What this process learnt, by key: what :func:`save` adds to the file as it
        # is then, not the whole copy read at the start (a watch runs for hours).
        self.learnt: dict[str, dict[str, tuple[str, float]]] = {}
        # The oldest completion time of each full bucket, while it is unchanged.
        self._oldest_stamps: dict[str, str] = {}

    # -- learning ------------------------------------------------------------------

    def learn(self, jobs: Iterable[ExportJob], scope: str) -> None:
        """Every completed job with a creation and completion time."""
        for job in jobs:
            if job.state is State.COMPLETED and job.created and job.completed:
                self._add(job, scope, job.completed)

    def observe(self, before: ExportJob | None, job: ExportJob, scope: str, seen: datetime) -> None:
        """A job seen not terminal, then COMPLETED: when it has no completion time of
        its own, it took at most until it was seen done. A job without a creation
        time (EC2's) tells no duration."""
        if before is None or before.terminal or job.state is not State.COMPLETED:
            return
        if job.created is None:
            return
        self._add(job, scope, job.completed or seen)

    def _add(self, job: ExportJob, scope: str, completed: datetime) -> None:
        assert job.created is not None
        seconds = (completed - job.created).total_seconds()
        if seconds <= 0 or completed < now() - MAX_AGE:
            return
        stamp = iso(completed) or ""
        for key in self._keys(job, scope):
            bucket = self.samples.setdefault(key, {})
            if job.id in bucket:
                continue
            if len(bucket) >= KEEP and stamp < self._oldest(key, bucket):
                # Older than every sample kept: it would be the one to go. A listing
                # gives the newest first, so once a bucket is full most jobs are this.
                continue
            bucket[job.id] = self.learnt.setdefault(key, {})[job.id] = (stamp, seconds)
            # The oldest go, one at a time: a listing adds thousands, and sorting the
            # bucket on every add was most of what learning cost.
            while len(bucket) > KEEP:
                gone = min(bucket, key=lambda ref: bucket[ref][0])
                del bucket[gone]
                self.learnt[key].pop(gone, None)
            self._oldest_stamps.pop(key, None)
            self.changed = True

    def _oldest(self, key: str, bucket: Mapping[str, tuple[str, float]]) -> str:
        """The completion time of the oldest sample of a bucket, kept until it changes."""
        oldest = self._oldest_stamps.get(key)
        if oldest is None:
            oldest = self._oldest_stamps[key] = min(stamp for stamp, _ in bucket.values())
        return oldest

    @staticmethod
    def _keys(job: ExportJob, scope: str) -> list[str]:
        broad = _in_account(f"{scope}|{job.service}|{job.region}", job.account)
        group = _group_field(job.service)
        value = _group_value(job, group) if group else None
        return [broad, f"{broad}|{value}"] if value else [broad]

    # -- estimating ----------------------------------------------------------------

    def estimate(self, job: ExportJob, scope: str, reference: datetime | None = None) -> Estimate:
        if job.terminal or job.created is None:
            return NO_ESTIMATE
        if not _may_complete(job):
            # Running in name only (Pinpoint's FAILING): no time is its end's.
            return Estimate(None, f"{job.status}: it can no longer complete")
        reference = reference or now()
        by_pieces = _from_pieces(job, reference)
        if by_pieces is not None:
            return by_pieces
        keys = self._keys(job, scope)
        group = _group_field(job.service)
        for key in reversed(keys):
            durations = [s for _, s in self.samples.get(key, {}).values()]
            if len(durations) < MIN_SAMPLES:
                continue
            import statistics  # imported here: only an estimate with a history needs it

            typical = statistics.median(durations)
            of = f"{job.service} jobs"
            if group and key != keys[0]:
                of += f" of this {group.rpartition('.')[2].removesuffix('_arn').replace('_', ' ')}"
            eta = job.created + timedelta(seconds=typical)
            what = f"median of {len(durations)} recent completed {of} ({human_duration(typical)})"
            if eta < reference:
                return Estimate(None, f"running longer than the {what}")
            return Estimate(eta, what)
        return NO_ESTIMATE

    # -- storage -------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            k: {ref: list(v) for ref, v in bucket.items()} for k, bucket in self.samples.items()
        }


def _from_pieces(job: ExportJob, reference: datetime) -> Estimate | None:
    progress = job.progress
    if progress is None or not progress.total_pieces or not progress.completed_pieces:
        return None
    assert job.created is not None
    done, total = progress.completed_pieces, progress.total_pieces
    spent = (reference - job.created).total_seconds()
    if spent <= 0 or done >= total:
        return None
    left = spent / done * (total - done)
    return Estimate(
        reference + timedelta(seconds=left),
        f"{done}/{total} pieces in {human_duration(spent)}, at the same rate",
    )


class Estimator:
    """The estimates of one command or program: the history read once, each job
    estimated among the durations of its service's scope (``scope_of(service)``, asked
    once a service, when a job of it is first estimated or learnt from: see
    :func:`scope`). What it learns is added to the file by :meth:`save`."""

    def __init__(self, scope_of: Callable[[str], str], history: History | None = None) -> None:
        self.history = load() if history is None else history
        self._scope_of = scope_of
        # By service: each may have an endpoint of its own.
        self._scopes: dict[str, str] = {}

    def scope(self, service: str) -> str:
        found = self._scopes.get(service)
        if found is None:
            found = self._scopes[service] = self._scope_of(service)
        return found

    def of(self, job: ExportJob, reference: datetime | None = None) -> Estimate:
        """When ``job`` may complete, as seen at ``reference`` (now), and on what basis."""
        return self.history.estimate(job, self.scope(job.service), reference)

    def record(self, job: ExportJob) -> dict[str, Any]:
        """The job's JSON record with ``eta`` and ``eta_basis``."""
        return {**job.to_dict(), **self.of(job).to_dict()}

    def learn(self, jobs: Iterable[ExportJob]) -> None:
        """The completed jobs of ``jobs``, with a creation and completion time."""
        for job in jobs:
            self.history.learn((job,), self.scope(job.service))

    def observe(self, before: ExportJob | None, job: ExportJob) -> None:
        """``job`` read again (``before``: as read last): one seen done now took until now."""
        self.history.observe(before, job, self.scope(job.service), now())

    def save(self) -> bool:
        """What was learnt, added to the file (see :func:`save`)."""
        return save(self.history)


def scope(clients: Clients, service: str) -> str:
    """Whose durations a job of ``service`` is among: the profile's, at the endpoint
    its calls go to, set in any of the ways botocore reads (a local emulator never
    estimates the jobs of AWS itself). AWS's own endpoints are '', the scope histories
    were always kept under."""
    from exportctl.services import spec_for

    endpoint = clients.endpoint_url(spec_for(service).client)
    return f"{clients.settings.profile or ''}|{endpoint or ''}"


def path() -> Path:
    return cache_dir() / "durations.json"


def load(where: Path | None = None) -> History:
    """The history on disk; an empty one if there is none or it cannot be read."""
    try:
        with open_cached(where or path()) as handle:
            data = json.loads(handle.read().decode("utf-8"))
        samples = {
            str(k): {str(ref): (str(v[0]), _seconds(v[1])) for ref, v in bucket.items()}
            for k, bucket in data.items()
        }
    # RecursionError: JSON nested deeper than the decoder goes (valid, but no history).
    except (OSError, ValueError, TypeError, AttributeError, IndexError, KeyError, RecursionError):
        return History()
    history = History(_by_identity(samples))
    _forget_old(history)
    return history


def _in_account(key: str, account: str | None) -> str:
    return f"{account}@{key}" if account else key


def _by_identity(
    samples: dict[str, dict[str, tuple[str, float]]],
) -> dict[str, dict[str, tuple[str, float]]]:
    """Histories written by earlier versions keyed each job by its reference (one job
    twice, printed with its account and without) in buckets of no account: each job
    is moved to its account's bucket, under its id, once; the history is not lost."""
    moved: dict[str, dict[str, tuple[str, float]]] = {}
    for key, bucket in samples.items():
        for name, sample in bucket.items():
            # An id has no ':'; a reference always has.
            account, job_id = _identity(name) if ":" in name else (None, name)
            kept = moved.setdefault(
                key if _OF_ACCOUNT.match(key) else _in_account(key, account), {}
            )
            if job_id not in kept or kept[job_id][0] < sample[0]:
                kept[job_id] = sample
    return moved


def _identity(ref: str) -> tuple[str | None, str]:
    """The account (when the reference names it) and the id of the job ``ref`` names."""
    from exportctl.domain.errors import ExportctlError
    from exportctl.services.refs import parse

    try:
        key = parse(ref)
    except ExportctlError:
        # A reference of a service this exportctl does not have: kept as it is.
        return None, ref
    return key.account, key.id


def _seconds(value: object) -> float:
    """A duration as the file holds it: Python's json reads NaN, Infinity and 1e300,
    which no job took; such a file cannot be read."""
    seconds = float(value)  # type: ignore[arg-type]
    if not 0 <= seconds <= MAX_DURATION:
        raise ValueError(f"not a duration: {value!r}")
    return seconds


def _forget_old(history: History) -> None:
    oldest = now() - MAX_AGE
    for bucket in history.samples.values():
        for ref, (completed, _) in list(bucket.items()):
            when = as_utc(completed)
            if when is None or when < oldest:
                del bucket[ref]


def save(history: History, where: Path | None = None) -> bool:
    """Adds what ``history`` learnt to the file as it is now: what other commands saved
    since it was read stays (the newest of each bucket kept). A cache that cannot be
    written is no error.

    Commands that end together take turns: the re-reading, merging and replacing
    is done under the file's lock (:func:`exportctl.store.cachefiles.locked`), which
    a command waits for a bounded time at most, then saves without, at the risk of
    losing one's samples, as before there was a lock."""
    if not history.changed:
        return True
    try:
        target = where or path()
    except OSError:  # no home folder for the cache
        return False
    with locked(target):
        merged = load(target)
        for key, learnt in history.learnt.items():
            bucket = merged.samples.setdefault(key, {})
            bucket.update(learnt)
            oldest = sorted(bucket, key=lambda ref: bucket[ref][0])
            for gone in oldest[: max(len(bucket) - KEEP, 0)]:
                del bucket[gone]
        try:
            write_atomically(target, [json.dumps(merged.to_json())])
        except OSError:
            return False
    # What the others learnt is this one's too from now on.
    history.samples, history.learnt, history.changed = merged.samples, {}, False
    history._oldest_stamps.clear()
    return True


def _group_value(job: ExportJob, path: str) -> Any:
    """The record field ``path`` of ``job`` (``details.log_group``), read from the job
    itself: its whole record is not made for one value."""
    head, _, rest = path.partition(".")
    if head == "details":
        return field_value(job.details, rest) if rest else None
    value = getattr(job, head, None)
    return field_value(value, rest) if rest and isinstance(value, dict) else value
