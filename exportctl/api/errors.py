"""What the API raises: exportctl's errors, typed by what went wrong, each carrying
the jobs concerned.

The command line says an error in one line and an exit code; a program needs to tell
a job that failed from a timeout, a refusal from a target out of reach, without
reading messages. Each class below is a subclass of :class:`ExportctlError` (and of
the domain error it stands for, where there is one: ``except NotFoundError`` still
catches :class:`JobNotFound`), keeps the message and the exit code the command line
would give, and chains the error it was made from as its ``__cause__``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence

from exportctl.domain.errors import (
    BrokenAnswerError,
    EndpointGone,
    ExitCode,
    ExportctlError,
    LocalError,
    NotFoundError,
    QuotaRefused,
    ServiceUnavailableError,
    UsageError,
)
from exportctl.domain.model import ExportJob


class ApiError(ExportctlError):
    """An error of the API. ``jobs``: the jobs concerned, as last read (the failed
    ones, the pending ones at a timeout, the one a refused cancel named, the one a
    cancel was sent whose read after it failed, as read before it); ``refs``:
    the references concerned, as given (also those of jobs never read); ``results``:
    after a wait, each job waited on as last read (None: never read), in the order
    the references were given."""

    def __init__(
        self,
        message: str,
        *,
        jobs: Iterable[ExportJob] = (),
        refs: Iterable[str] = (),
        results: Sequence[ExportJob | None] = (),
        service: str | None = None,
    ) -> None:
        super().__init__(message, service=service)
        self.jobs: tuple[ExportJob, ...] = tuple(jobs)
        self.refs: tuple[str, ...] = tuple(refs)
        self.results: tuple[ExportJob | None, ...] = tuple(results)


class JobFailed(ApiError):
    """A job ended otherwise than waited for (FAILED, CANCELLED, or COMPLETED when
    FAILED was wanted), or reached a status from which it never will."""

    exit_code = ExitCode.JOB_FAILED


class Unreachable(ApiError):
    """A target that can no longer be reached: a job not found (:class:`JobNotFound`),
    or a service, account, region or endpoint out of reach (not offered there, a
    role that cannot be assumed, the network, a server error or throttling to the
    last retry, an answer that is not what the service's model promises)."""


class JobNotFound(Unreachable, NotFoundError):
    """No such job where it was looked for (the message says where), or a job that
    disappeared while waited on."""


class WaitTimeout(ApiError):
    """The time given ran out: ``jobs`` are those still pending, as last read."""

    exit_code = ExitCode.TIMEOUT


class RequestRefused(ApiError):
    """AWS refused a request: credentials, access denied, a quota, a name taken, a
    create naming what does not exist (a table, an image), a cancel of a job that
    had already ended."""


class BadInput(ApiError, UsageError):
    """What was given cannot be used (a reference, a state, an option, a region): no
    request was sent for it, or AWS rejected the request as invalid."""


class LocalFailure(ApiError, LocalError):
    """This machine, not AWS: a file that could not be written (a full disk)."""


def kind_of(error: ExportctlError, *, creating: bool = False) -> type[ApiError]:
    """The API's class for one of exportctl's errors; ``creating``: raised by a
    create, where what is not found is what the request names (a table, an image),
    not a job."""
    # Only once an error is typed: a command that meets none loads none of these.
    from exportctl.ops.cancel import AlreadyEnded, SentUnread
    from exportctl.ops.polling.waiter import transient
    from exportctl.ops.start.slots import QueueTimeout
    from exportctl.services.locations import NotCompletedError

    if isinstance(error, ApiError):
        return type(error)
    if isinstance(error, SentUnread):
        # What failed (the read after the cancel, or a cancel whose answer was lost):
        # its kind.
        return kind_of(error.error, creating=creating)
    if isinstance(error, UsageError):
        return BadInput
    if isinstance(error, NotFoundError):
        return RequestRefused if creating else JobNotFound
    if isinstance(error, LocalError):
        return LocalFailure
    if isinstance(error, QueueTimeout):
        return WaitTimeout
    if isinstance(error, NotCompletedError):
        return JobFailed
    if isinstance(error, (AlreadyEnded, QuotaRefused)):
        # A quota's code may be throttling's (LimitExceededException): what the
        # create made of the answer decides, not the code.
        return RequestRefused
    if isinstance(error, (ServiceUnavailableError, BrokenAnswerError, EndpointGone)) or transient(
        error
    ):
        return Unreachable
    return RequestRefused


def typed(
    error: ExportctlError,
    *,
    jobs: Iterable[ExportJob] = (),
    refs: Iterable[str] = (),
    results: Sequence[ExportJob | None] = (),
    creating: bool = False,
    kind: type[ApiError] | None = None,
) -> ApiError:
    """``error`` as the API raises it (as ``kind`` when the caller knows better),
    with the jobs concerned; the same exit code."""
    from exportctl.ops.cancel import AlreadyEnded, SentUnread
    from exportctl.ops.start.slots import NoSlot, QueueTimeout

    if isinstance(error, ApiError):
        return error
    if isinstance(error, (AlreadyEnded, SentUnread)):
        jobs = (error.job, *jobs)
    elif isinstance(error, (NoSlot, QueueTimeout)):
        # The jobs holding the slots its message names: to wait for, or cancel.
        jobs = (*error.holders, *jobs)
    made = (kind or kind_of(error, creating=creating))(
        error.message, jobs=jobs, refs=refs, results=results, service=error.service
    )
    # Instance-level: a ServiceUnavailableError's code is its own (4 or 5).
    made.exit_code = error.exit_code
    made.notices = error.notices
    made.also = error.also
    return made


@contextlib.contextmanager
def translated(
    *, jobs: Iterable[ExportJob] = (), refs: Iterable[str] = (), creating: bool = False
) -> Iterator[None]:
    """exportctl's errors raised in the block, raised again as the API's
    (``creating``: as :func:`kind_of` takes it)."""
    try:
        yield
    except ExportctlError as exc:
        if isinstance(exc, ApiError):
            raise
        raise typed(exc, jobs=jobs, refs=refs, creating=creating) from exc


def each_result(
    refs: Sequence[str], results: Sequence[ExportJob | ExportctlError]
) -> list[ExportJob | ApiError]:
    """The results of several jobs, in the order of their references: each job, or
    its error typed with its reference."""
    return [
        r if isinstance(r, ExportJob) else typed(r, refs=[ref])
        for ref, r in zip(refs, results, strict=True)
    ]
