"""Cancelling export jobs: each service's own cancel call, for the services that have one.

A job is read before its cancel is sent: one that has already ended is said to have
ended (the service would refuse with its own words, or, for some, accept and do
nothing), and is not sent a cancel; one already CANCELLED is what a cancel is
for, and is returned as read; one whose cancel is under way is not sent
another, and a cancel refused because one is under way (its own, whose answer was
lost) is the job as read then. After the call the job is read again, so what is
shown is the service's word for a cancel under way (RDS CANCELING, Logs
PENDING_CANCEL), not a guess. Waiting for the cancel to take is ``wait``'s engine,
with the condition CANCELLED.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from exportctl.aws.attempts import kept
from exportctl.domain.errors import (
    ExitCode,
    ExportctlError,
    Interrupted,
    UsageError,
    of_service,
    raise_said,
    then,
)
from exportctl.domain.model import ExportJob, State
from exportctl.domain.naming import command
from exportctl.ops.jobs import Jobs
from exportctl.services import spec_for
from exportctl.services.refs import JobKey, parse


class AlreadyEnded(ExportctlError):
    """The job ended otherwise than CANCELLED before a cancel could stop it: there
    was nothing to cancel."""

    exit_code = ExitCode.JOB_FAILED

    def __init__(self, job: ExportJob) -> None:
        super().__init__(
            f"{job.ref}: already ended as {job.said_state}: nothing to cancel",
            service=job.service,
        )
        self.job = job


class SentUnread(ExportctlError):
    """A cancel taken, or one that may have been (its answer lost), whose job could
    not be read after it: ``job`` as read just before the cancel, what is known of
    it; ``error``, the read's (the cancel's, when it may have been taken), whose exit
    code and kind it keeps."""

    def __init__(self, job: ExportJob, error: ExportctlError, *, maybe: bool = False) -> None:
        super().__init__(error.message, service=error.service)
        # Instance-level: the read's code is its own (4, 5, ...).
        self.exit_code = error.exit_code
        self.notices = error.notices
        self.job = job
        self.error = error
        # The cancel may have been taken (its answer lost), rather than taken.
        self.maybe = maybe


# What a signal's last words say of a cancel, for one job and for several.
_WAS_SENT = ("the cancel was sent", "the cancels were sent")
_LOST = (
    "the cancel may have been sent (its answer was lost)",
    "the cancels may have been sent (their answers were lost)",
)
_ON_THE_WIRE = (
    "the cancel may have been sent before the end",
    "the cancels may have been sent before the end",
)


# A job's reference and what is known of its cancel (one of the words above).
Said = tuple[str, tuple[str, str]]


class CancelInterrupted(Interrupted):
    """A signal once a cancel was on the wire, or after cancels of the jobs before:
    ``jobs``, those sent a cancel (or that may have been) and those found CANCELLED or
    cancelling already, in the order asked, as last read (before their cancel where
    none was read after it): what the command would have shown of them. ``said``:
    those sent a cancel, or that may have been, which the last words name (none: the
    signal alone is said)."""

    def __init__(
        self, jobs: Sequence[ExportJob], said: Sequence[Said], commanded: Callable[[str], str]
    ) -> None:
        super().__init__(_last_words(said, commanded) if said else "")
        self.jobs = tuple(jobs)
        self.said = tuple(said)


def _last_words(said: Sequence[Said], commanded: Callable[[str], str]) -> str:
    """The jobs' references by what is known of their cancels (``said``: each
    reference and its words), and the command that tells where they are."""
    groups: dict[tuple[str, str], list[str]] = {}
    for ref, words in said:
        groups.setdefault(words, []).append(ref)
    parts = [
        f"{', '.join(refs)}: {words[0] if len(refs) == 1 else words[1]}"
        for words, refs in groups.items()
    ]
    refs = " ".join(ref for ref, _ in said)
    where = "where it is" if len(said) == 1 else "where they are"
    return f"{'; '.join(parts)}; `{commanded(f'status {refs}')}` tells {where}"


def check_cancellable(keys: Sequence[JobKey]) -> None:
    """Fail before any call when a service of ``keys`` has no cancel call: one error
    a service, naming its jobs, the first raised and the others said with it."""
    unable: dict[str, list[str]] = {}
    for key in keys:
        if spec_for(key.service).cancel is None:
            ids = unable.setdefault(key.service, [])
            if key.id not in ids:
                ids.append(key.id)
    errors = [
        UsageError(
            f"{spec.title} has no cancel call: its export jobs run until they end "
            f"({', '.join(ids)})",
            service=spec.name,
        )
        for spec, ids in ((spec_for(service), ids) for service, ids in unable.items())
    ]
    if errors:
        errors[0].also = tuple(errors[1:])
        raise errors[0]


def cancel(jobs: Jobs, key: JobKey, commanded: Callable[[str], str] = command) -> ExportJob:
    """Send ``key``'s job its service's cancel; the job as read after it. ``commanded``
    gives a command its advice names as the user runs it (with the options that say
    where)."""
    return _cancel(jobs, key, commanded)[0]


def _cancel(jobs: Jobs, key: JobKey, commanded: Callable[[str], str]) -> tuple[ExportJob, bool]:
    """:func:`cancel`, and whether a cancel was sent (or counts as sent): not for a
    job found CANCELLED or cancelling already."""
    check_cancellable([key])
    spec = spec_for(key.service)
    stop = spec.cancel
    assert stop is not None
    job = jobs.get(key)
    if job.state is State.CANCELLED:
        # Already where a cancel would take it: no error, as a cancel under way is
        # none, so that a script run again gets the same answer whatever the timing.
        return job, False
    if job.state.terminal:
        raise AlreadyEnded(job)
    if not spec.can_reach(job.status, State.COMPLETED):
        # A cancel is under way (RDS CANCELING, Logs PENDING_CANCEL): the service
        # would refuse another, and this one's end is the same.
        return job, False
    # Sent where the job was read, with its account's credentials, and read again
    # under the reference it was read under, which names its account and region.
    again = parse(job.ref)
    call = jobs.owner(job).caller(spec, job.region)
    where = f"`{commanded(f'status {job.ref}')}` tells where it is"
    taken = False
    try:
        try:
            with kept() as attempts:
                call(stop.operation, stop.params(again))
        except ExportctlError as exc:
            # Refused because it is already under way: this command's own cancel whose
            # answer was lost (the retry is refused), or someone else's.
            after = _read(jobs, again)
            if after is not None and (
                after.state is State.CANCELLED or not spec.can_reach(after.status, State.COMPLETED)
            ):
                return after, True
            if after is not None and after.state.terminal:
                # It ended between the read and the cancel (COMPLETED as it was
                # cancelled): the service's refusal says so in its words.
                raise AlreadyEnded(after) from exc
            err = of_service(exc, spec, jobs.clients.named_for(spec.client))
            if after is None and _maybe_taken(exc, attempts):
                # Its answer lost and the job unread: saying it failed would invite
                # another cancel, or a wrong belief that the job runs on.
                err.reword(
                    f"{job.ref}: the cancel may have been sent (its answer was lost), and "
                    f"the job could not be read after it: {then(err.message, where)}"
                )
                raise SentUnread(job, err, maybe=True) from exc
            raise_said(err, exc)
        taken = True
        try:
            return jobs.get(again), True
        except ExportctlError as exc:
            # The cancel was taken: what failed is reading the job after it.
            exc.reword(
                f"{job.ref}: the cancel was sent, and the job could not be read after it: "
                + then(exc.message, where)
            )
            raise SentUnread(job, exc) from exc
    except KeyboardInterrupt as exc:
        if isinstance(exc, Interrupted):
            raise
        # Once the cancel is on the wire, it may have been taken: the last words say so.
        words = _WAS_SENT if taken else _ON_THE_WIRE
        raise CancelInterrupted([job], [(job.ref, words)], commanded) from exc


def _maybe_taken(exc: ExportctlError, attempts: Sequence[BaseException]) -> bool:
    """Whether the cancel that raised ``exc`` may have been taken, as a create may
    have been made: an attempt of it (``attempts``: botocore's, the last's error is
    ``exc``) may have reached the service (it is not one that never left) and no
    answer refused it (a 5xx, a connection closed before the answer, an answer that
    cannot be read)."""
    from exportctl.ops.start.outcomes import may_have_happened

    return may_have_happened([*attempts, exc.__cause__ or exc])


def _read(jobs: Jobs, key: JobKey) -> ExportJob | None:
    try:
        return jobs.get(key)
    except ExportctlError:
        return None


def cancel_many(
    jobs: Jobs, keys: Sequence[JobKey], commanded: Callable[[str], str] = command
) -> list[ExportJob | ExportctlError]:
    """Each job's cancel, in the order asked: the job after it, or what kept it from one.

    A signal raises :class:`CancelInterrupted`, whose last words name every cancel
    sent before it (or that may have been), not only the one it cut short."""
    check_cancellable(keys)
    results: list[ExportJob | ExportctlError] = []
    # Each job shown so far, and the words of those sent a cancel.
    shown: list[ExportJob] = []
    said: list[Said] = []
    for key in keys:
        try:
            job, sent = _cancel(jobs, key, commanded)
        except ExportctlError as exc:
            results.append(exc)
            if isinstance(exc, SentUnread):
                shown.append(exc.job)
                said.append((exc.job.ref, _LOST if exc.maybe else _WAS_SENT))
            continue
        except KeyboardInterrupt as exc:
            if isinstance(exc, CancelInterrupted):
                shown += exc.jobs
                said += exc.said
            if not shown:
                raise
            raise CancelInterrupted(shown, said, commanded) from exc
        results.append(job)
        shown.append(job)
        if sent:
            said.append((job.ref, _WAS_SENT))
    return results
