"""Errors exportctl reports, their exit codes, and the translation of botocore's."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from exportctl.adapters.spec import ServiceSpec


class ExitCode(enum.IntEnum):
    OK = 0
    JOB_FAILED = 1
    USAGE = 2
    NOT_FOUND = 3
    CREDENTIALS = 4
    AWS = 5
    INTERNAL = 70
    TIMEOUT = 124
    INTERRUPTED = 130
    # stdout closed early (`| head`): the status a shell shows for SIGPIPE.
    CLOSED_PIPE = 141


class ExportctlError(Exception):
    """An error with a one-line, actionable message and an exit code."""

    exit_code: ExitCode = ExitCode.AWS

    def __init__(self, message: str, *, service: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.service = service


class UsageError(ExportctlError):
    exit_code = ExitCode.USAGE


class NotFoundError(ExportctlError):
    exit_code = ExitCode.NOT_FOUND


class CredentialsError(ExportctlError):
    exit_code = ExitCode.CREDENTIALS


class AwsError(ExportctlError):
    exit_code = ExitCode.AWS


class ServiceUnavailableError(ExportctlError):
    """The service as a whole is out of reach for this account or region.

    In a list of every service this is a notice, not a failure.
    """

    def __init__(self, message: str, *, service: str | None, exit_code: ExitCode) -> None:
        super().__init__(message, service=service)
        self.exit_code = exit_code


NOT_FOUND_CODES = frozenset({"ResourceNotFoundException", "NotFoundException", "NotFound"})
CREDENTIAL_CODES = frozenset(
    {
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "InvalidSignatureException",
        "SignatureDoesNotMatch",
        "ExpiredToken",
        "ExpiredTokenException",
        "RequestExpired",
        "MissingAuthenticationTokenException",
    }
)
DENIED_CODES = CREDENTIAL_CODES | {
    "AccessDenied",
    "AccessDeniedException",
    "ForbiddenException",
    "AuthorizationErrorException",
    "UnauthorizedOperation",
}
BAD_INPUT_CODES = frozenset(
    {
        "ValidationException",
        "InvalidInputException",
        "BadRequestException",
        "InvalidParameterException",
        "InvalidParameterValueException",
        "InvalidNextTokenException",
    }
)
UNAVAILABLE_CODES = frozenset(
    {
        "HomeRegionNotSetException",
        "SubscriptionRequiredException",
        "OptInRequired",
        "ServiceNotEnabledException",
    }
)

CONFIGURE_HINT = (
    "configure credentials with `aws configure` or `aws sso login`, "
    "or set AWS_PROFILE / AWS_ACCESS_KEY_ID"
)


def translate(exc: BaseException, spec: ServiceSpec | None = None) -> ExportctlError:
    """Turn any exception from botocore into an ExportctlError with a useful line."""
    if isinstance(exc, ExportctlError):
        return exc
    import botocore.exceptions as bex

    service = spec.name if spec else None
    title = spec.title if spec else "AWS"
    if isinstance(exc, bex.NoCredentialsError):
        return CredentialsError(f"no AWS credentials found: {CONFIGURE_HINT}", service=service)
    if isinstance(exc, (bex.PartialCredentialsError, bex.CredentialRetrievalError)):
        return CredentialsError(f"AWS credentials are incomplete: {exc}", service=service)
    if isinstance(exc, bex.TokenRetrievalError) or type(exc).__name__ in {
        "SSOTokenLoadError",
        "UnauthorizedSSOTokenError",
    }:
        return CredentialsError(
            "the SSO session has expired: run `aws sso login` and retry", service=service
        )
    if isinstance(exc, bex.ProfileNotFound):
        return UsageError(f"{exc}: check --profile / AWS_PROFILE", service=service)
    if isinstance(exc, bex.NoRegionError):
        return UsageError(
            "no AWS region: pass --region, set AWS_REGION, or set a region in the profile",
            service=service,
        )
    if isinstance(exc, bex.ParamValidationError):
        return UsageError(f"{title}: invalid request: {_one_line(str(exc))}", service=service)
    if isinstance(exc, bex.ClientError):
        return _client_error(exc, spec)
    if isinstance(exc, (bex.EndpointConnectionError, bex.ConnectionClosedError)):
        return AwsError(
            f"{title}: could not reach {getattr(exc, 'kwargs', {}).get('endpoint_url', 'endpoint')}"
            ": check the network, --region and --endpoint-url",
            service=service,
        )
    if isinstance(exc, (bex.ConnectTimeoutError, bex.ReadTimeoutError)):
        return AwsError(f"{title}: the request timed out: {_one_line(str(exc))}", service=service)
    if isinstance(exc, bex.BotoCoreError):
        return AwsError(f"{title}: {_one_line(str(exc))}", service=service)
    if isinstance(exc, OSError):
        return AwsError(f"{title}: network error: {_one_line(str(exc))}", service=service)
    raise exc


@dataclass(frozen=True)
class Answer:
    """What a service said in an error response: its code, message and HTTP status."""

    code: str
    message: str
    status: int | None


def answer_of(exc: object) -> Answer | None:
    """The error answer carried by a botocore ClientError (None for other errors)."""
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return None
    err = response.get("Error") or {}
    status = (response.get("ResponseMetadata") or {}).get("HTTPStatusCode")
    return Answer(
        code=str(err.get("Code") or ""),
        message=_one_line(str(err.get("Message") or err.get("message") or "")),
        status=int(status) if status else None,
    )


def _client_error(exc: object, spec: ServiceSpec | None) -> ExportctlError:
    said = answer_of(exc) or Answer("", "", None)
    code = said.code or "Unknown"
    message = said.message or code
    status = said.status
    service = spec.name if spec else None
    title = spec.title if spec else "AWS"
    hint = spec.explain(code, message) if spec else None
    if hint:
        return ServiceUnavailableError(
            f"{title}: {hint}",
            service=service,
            exit_code=ExitCode.CREDENTIALS if code in DENIED_CODES else ExitCode.AWS,
        )
    if code in NOT_FOUND_CODES:
        return NotFoundError(f"{title}: {message}", service=service)
    if code in CREDENTIAL_CODES:
        return CredentialsError(
            f"{title}: AWS refused the credentials ({code}): {message}; {CONFIGURE_HINT}",
            service=service,
        )
    if code in DENIED_CODES:
        return ServiceUnavailableError(
            f"{title}: access denied ({code}): {message}; "
            "check the IAM permissions of this identity for this service",
            service=service,
            exit_code=ExitCode.CREDENTIALS,
        )
    if code == "HomeRegionNotSetException":
        return ServiceUnavailableError(
            f"{title}: no Migration Hub home region is set for this account "
            "(or this is not it): pass --region with the home region",
            service=service,
            exit_code=ExitCode.AWS,
        )
    if code in UNAVAILABLE_CODES:
        return ServiceUnavailableError(
            f"{title}: not available to this account ({code}): {message}",
            service=service,
            exit_code=ExitCode.AWS,
        )
    if code in BAD_INPUT_CODES:
        return UsageError(f"{title}: AWS rejected the request ({code}): {message}", service=service)
    suffix = f" (HTTP {status})" if status else ""
    return AwsError(f"{title}: {code}{suffix}: {message}", service=service)


def _one_line(text: str) -> str:
    return " ".join(text.split())
