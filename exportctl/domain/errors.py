"""The errors exportctl reports and their exit codes.

What botocore raises becomes one of these in :mod:`exportctl.aws.translate`.
"""

from __future__ import annotations

import enum
import errno
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NoReturn, Protocol

from exportctl.domain.naming import Named, flag
from exportctl.domain.printable import escape_controls

# Longest user- or service-supplied value quoted whole in a message.
MAX_QUOTED = 120
# Longest message printed whole: a net for values quoted without clip().
MAX_MESSAGE = 2000
# What an answer that is none of its service's may be, as each check of one says.
NO_ANSWER = (
    "that is no answer of the service (a proxy or captive portal in the way, or a broken endpoint)"
)


class ExitCode(enum.IntEnum):
    OK = 0
    JOB_FAILED = 1
    USAGE = 2
    NOT_FOUND = 3
    CREDENTIALS = 4
    AWS = 5
    INTERNAL = 70
    # sysexits' EX_CANTCREAT: a local file could not be created or written.
    LOCAL = 73
    TIMEOUT = 124
    # SIGHUP: 128 + 1, the terminal or the ssh session gone.
    HUNG_UP = 129
    INTERRUPTED = 130
    # SIGQUIT (Ctrl-\): 128 + 3, as shells report a process it ended.
    QUIT = 131
    # stdout closed early (`| head`): the status a shell shows for SIGPIPE.
    CLOSED_PIPE = 141
    # SIGTERM: 128 + 15, as shells report a process it ended (see exportctl.ops.interrupts).
    TERMINATED = 143


@dataclass(frozen=True)
class Place:
    """Where a listing's error over several targets happened, as its message names it:
    the account (its label, None when one is read), the regions; and what it says."""

    account: str | None
    regions: tuple[str, ...]
    said: str

    def text(self, regions: Sequence[str]) -> str:
        """The message, naming ``regions`` (none: no region named)."""
        where = [self.account] if self.account else []
        if regions:
            where.append(("region " if len(regions) == 1 else "regions ") + ", ".join(regions))
        return f"{'; '.join(where)}: {self.said}" if where else self.said


class ExportctlError(Exception):
    """An error with a one-line, actionable message and an exit code."""

    exit_code: ExitCode = ExitCode.AWS
    # What was out of reach on the way to this error (an account that could not be
    # searched): said as notices before it.
    notices: tuple[ExportctlError, ...] = ()
    # A listing's error said once for several regions: what it is about stays the
    # same while its regions change from one round of a watch to the next.
    place: Place | None = None
    # Errors found with this one, of other inputs given together (a service each):
    # said after it, each on its own line, so that one run names every fault.
    also: tuple[ExportctlError, ...] = ()

    def __init__(self, message: str, *, service: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.service = service

    def reword(self, message: str) -> None:
        """Say ``message`` from now on: what ``str()`` and a traceback show too."""
        self.message = message
        self.args = (message,)


class UsageError(ExportctlError):
    exit_code = ExitCode.USAGE


class ConflictError(UsageError):
    """What the work found in its way once it began: what a download would write
    collides with this machine (a different file where one would land, a key that
    cannot land inside its destination), a create's name is taken, the job to rerun
    has not finished. Exit 2, like input refused, but found once calls were made, so
    that ``--json`` still prints the document of nothing. ``what``: the message
    without its ``remedy``."""

    def __init__(self, what: str, remedy: str = "") -> None:
        super().__init__(f"{what}: {remedy}" if remedy else what)
        self.what = what
        self.remedy = remedy


def conflict_in(exc: BaseException) -> ConflictError | None:
    """The :class:`ConflictError` ``exc`` is, or was raised from (the API's errors are)."""
    for err in (exc, exc.__cause__):
        if isinstance(err, ConflictError):
            return err
    return None


class NotFoundError(ExportctlError):
    exit_code = ExitCode.NOT_FOUND


class ParentNotFound(NotFoundError):
    """What a listing was asked to read the jobs of (a parent, by its id) does not
    exist. Nothing else is missing from the listing: the other parents' jobs were read
    whole, so it is no listing cut short."""

    def placed(self, region: str) -> ParentNotFound:
        """The error, naming the region it was looked in (the engine's calls do not
        know it)."""
        self.reword(f"{self.message} in {region}")
        return self


class CredentialsError(ExportctlError):
    exit_code = ExitCode.CREDENTIALS


class AwsError(ExportctlError):
    exit_code = ExitCode.AWS


class QuotaRefused(AwsError):
    """A create refused by a quota of the service (jobs in progress, a documented
    limit), not by its request rate: final, whatever the error code shares with
    throttling (LimitExceededException). A refusal, never a service out of reach."""


class EndpointGone(ExportctlError):
    """The server the calls go to is known to be gone (the background sandbox
    ``--detach`` started, whose process ended): no later call reaches it, so nothing
    retries it (exit 5)."""


class LocalError(ExportctlError):
    """This machine, not AWS: a file that cannot be created or written (disk full,
    a file where a directory must be, a name too long, names that collide)."""

    exit_code = ExitCode.LOCAL


def local_reason(exc: OSError) -> str:
    """Why this machine refused a write, as a :class:`LocalError` says it."""
    reasons = {
        errno.ENOSPC: "no space left on the device",
        errno.EDQUOT: "the disk quota is used up",
        errno.ENAMETOOLONG: "the name is too long for this file system",
        errno.ENOTDIR: "a file is in the way where a folder must be",
        errno.EEXIST: "a file is in the way where a folder must be",
        errno.EISDIR: "a folder is in the way",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.EROFS: "the file system is read-only",
    }
    return reasons.get(exc.errno or 0) or exc.strerror or type(exc).__name__


class BrokenAnswerError(AwsError):
    """A service answered, but not with what its model promises (an HTML page, a
    truncated body, an item without its id): an error of that service, never an
    empty or partial answer. ``detail`` is completed with the service's title, and
    ``advice`` (what to check) said with ``named``, how the caller's user gives an
    option: the checks of an answer know neither (see :func:`of_service`)."""

    def __init__(
        self,
        detail: str,
        *,
        service: str | None = None,
        advice: Callable[[Named], str] | None = None,
        named: Named = flag,
    ) -> None:
        super().__init__(f"{detail}; {advice(named)}" if advice else detail, service=service)
        self.detail = detail
        self.advice = advice
        self.named = named


class Interrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM, raised again with what the command must still say: what it
    may have done before the signal and how to find it (``detail``)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class ServiceUnavailableError(ExportctlError):
    """The service as a whole is out of reach for this account or region.

    In a list of every service this is a notice, not a failure.
    """

    def __init__(self, message: str, *, service: str | None, exit_code: ExitCode) -> None:
        super().__init__(message, service=service)
        self.exit_code = exit_code


class RoleUnavailable(ServiceUnavailableError):
    """A role of the organization that could not be assumed: the account is out of reach."""

    def __init__(self, message: str) -> None:
        super().__init__(message, service=None, exit_code=ExitCode.CREDENTIALS)


class RegionNotEnabled(ServiceUnavailableError):
    """An opt-in region the account has not enabled: its calls are refused as unknown
    credentials are. ``named``: --region names it, which makes it an error where it
    would be a notice."""

    def __init__(self, message: str, *, service: str | None, named: bool) -> None:
        super().__init__(message, service=service, exit_code=ExitCode.AWS)
        self.named = named


def clip(value: object, limit: int = MAX_QUOTED) -> str:
    """A value for a message: one line, control characters escaped, cut when long."""
    text = escape_controls(" ".join(str(value).split()))
    if len(text) <= limit:
        return text
    return f"{text[: limit - 1]}… ({len(text):,} characters)"


def then(said: str, more: str, joint: str = "; ") -> str:
    """``said`` (botocore's words or AWS's, often a sentence with its full stop), then
    ``more`` of exportctl's after ``joint``: the stop dropped, so that no message
    says '.;' ('...' is kept)."""
    if said.endswith(".") and not said.endswith(".."):
        said = said[:-1]
    return f"{said}{joint}{more}"


def quoted(value: str) -> str:
    """A value in quotes for a message, as ``repr`` quotes it (the words of messages
    that quoted with ``repr`` stay the same); one longer than MAX_QUOTED is cut by
    :func:`clip`, as the messages about --region and references cut theirs."""
    return repr(value) if len(value) <= MAX_QUOTED else f"'{clip(value)}'"


class NamedService(Protocol):
    """What an error needs of a service to name it (a ServiceSpec is one)."""

    @property
    def name(self) -> str: ...
    @property
    def title(self) -> str: ...


def of_service(
    error: ExportctlError, service: NamedService | None, named: Named | None = None
) -> ExportctlError:
    """``error`` as an error of ``service``: a :class:`BrokenAnswerError` raised without
    its service (the checks of an answer know the answer, not whose it is) gets the
    service's title, "AWS" without one, and its advice said with ``named`` (None: as
    it was); any other error is already said in full."""
    if isinstance(error, BrokenAnswerError) and error.service is None:
        title = service.title if service else "AWS"
        return BrokenAnswerError(
            f"{title}: {error.detail}",
            service=service.name if service else None,
            advice=error.advice,
            named=named or error.named,
        )
    return error


def raise_said(said: ExportctlError, caught: ExportctlError) -> NoReturn:
    """Raise ``said``, what ``caught`` is said as (:func:`of_service`'s), in its place.

    ``raise said from caught`` would make an error its own cause when ``said`` is
    ``caught``, and lose the cause it had: what AWS answered, which retries and the
    telling apart of a region not enabled from refused credentials read. ``caught``
    is then raised again as it is.
    """
    if said is caught:
        raise caught
    raise said from caught
