"""botocore's exceptions as exportctl's errors: what AWS answered, and what each means.

The calls of the clients exportctl builds are translated here
(:mod:`exportctl.aws.translatingclient`), and so is what botocore raises while a
session or a client is made.
"""

from __future__ import annotations

import os
import traceback
from dataclasses import dataclass
from typing import Protocol

from exportctl.aws.callmarks import ATTEMPTS, endpoint_named
from exportctl.aws.errorcodes import (
    BAD_INPUT_CODES,
    CREDENTIAL_CODES,
    DENIED_CODES,
    THROTTLING_CODES,
    UNAVAILABLE_CODES,
    is_not_found,
    unreached,
)
from exportctl.aws.unretried import untrusted_certificate
from exportctl.domain.errors import (
    NO_ANSWER,
    AwsError,
    BrokenAnswerError,
    CredentialsError,
    ExitCode,
    ExportctlError,
    NamedService,
    NotFoundError,
    ServiceUnavailableError,
    UsageError,
    clip,
    of_service,
    then,
)
from exportctl.domain.naming import Named, check_network, check_reach, configure_hint, flag


class Service(NamedService, Protocol):
    """What error translation needs to know of a service (a ServiceSpec is one)."""

    def explain(self, code: str, message: str, named: Named) -> str | None:
        """What ``code`` means for this service, where the generic reading would not
        say it (``named``: how the caller's user gives an option, in the advice)."""
        ...


# What botocore's parsers let through, unwrapped, from an answer they cannot read
# (an undecodable body, a timestamp that is none, XML without its result element).
PARSER_SLIPS = (ValueError, TypeError, KeyError, IndexError, AttributeError)

# What botocore raises, as a RuntimeError, when credentials it refreshed are expired.
EXPIRED = "refreshed credentials are still expired"


def translate(
    exc: BaseException,
    spec: Service | None = None,
    *,
    seconds: float | None = None,
    named: Named = flag,
) -> ExportctlError:
    """Turn any exception from botocore into an ExportctlError with a useful line.

    ``seconds``: how long the call took, retries included, for the message of a
    call that was retried to the end; ``named``: how the caller's user gives an
    option, in the advice (the settings' :attr:`~exportctl.aws.clients.AwsSettings.named`).
    """
    if isinstance(exc, ExportctlError):
        return of_service(exc, spec)
    named = endpoint_named(exc, named)
    service = spec.name if spec else None
    title = spec.title if spec else "AWS"
    import botocore.exceptions as bex

    if isinstance(exc, bex.NoCredentialsError):
        return CredentialsError(
            f"no AWS credentials found: {configure_hint(named)}", service=service
        )
    if isinstance(exc, bex.PartialCredentialsError):
        return CredentialsError(f"AWS credentials are incomplete: {exc}", service=service)
    if isinstance(exc, bex.CredentialRetrievalError):
        # A credential_process that failed, a container endpoint that did not answer.
        printed = exc.kwargs.get("error_msg")
        if exc.kwargs.get("provider") == "custom-process" and isinstance(printed, str):
            # botocore's words are the process's stderr alone, nothing when it wrote none.
            reason = (
                clip(printed.strip()) or "it wrote nothing on stderr: run it by hand to see why"
            )
            return CredentialsError(f"its credential_process failed: {reason}", service=service)
        return CredentialsError(f"AWS credentials could not be had: {exc}", service=service)
    if isinstance(exc, bex.TokenRetrievalError) or type(exc).__name__ in {
        "SSOTokenLoadError",
        "UnauthorizedSSOTokenError",
    }:
        return CredentialsError(
            # botocore says a session never logged in as it says an expired one.
            "there is no valid SSO session (never logged in, or expired): run `aws sso login` "
            "and retry",
            service=service,
        )
    if isinstance(exc, bex.InvalidRegionError):
        return UsageError(
            f"'{clip(getattr(exc, 'kwargs', {}).get('region_name', ''))}' is not a region name: "
            f"pass {named('region')} with a name such as us-east-1",
            service=service,
        )
    if isinstance(exc, bex.ConfigParseError):
        path = str(getattr(exc, "kwargs", {}).get("path", ""))
        which, variable = _config_file(path)
        # The parser's own words: which line, what is wrong with it.
        error = getattr(exc, "kwargs", {}).get("error")
        parsed = f" ({clip(error, 300)})" if error else ""
        return UsageError(
            f"the AWS {which} file {clip(path)} cannot be read{parsed}: fix it, or point "
            f"{variable} elsewhere",
            service=service,
        )
    if isinstance(exc, bex.InvalidConfigError):
        # A source_profile loop, a role's profile without a source: the files' fault.
        return UsageError(
            f"the AWS configuration cannot be used: {clip(exc, 300)}", service=service
        )
    if isinstance(exc, bex.ProfileNotFound):
        from exportctl.aws.profiles import unknown_profile_message

        profile = str(exc.kwargs.get("profile"))
        return UsageError(unknown_profile_message(profile, named("profile")), service=service)
    if isinstance(exc, bex.NoRegionError):
        return UsageError(
            f"no AWS region: pass {named('region')}, set AWS_REGION, or set a region in the "
            "profile",
            service=service,
        )
    if isinstance(exc, bex.ParamValidationError):
        return UsageError(f"{title}: invalid request: {clip(exc, 500)}", service=service)
    if isinstance(exc, bex.ClientError):
        return _client_error(exc, spec, seconds, named)
    if isinstance(exc, bex.SSLError):
        why = untrusted_certificate(exc)
        if why:
            from urllib.parse import urlsplit

            url = urlsplit(str(getattr(exc, "kwargs", {}).get("endpoint_url", "")))
            return AwsError(
                f"{title}: the TLS certificate of {url.scheme}://{url.netloc} is not "
                f"trusted ({clip(why)}): point AWS_CA_BUNDLE (or the profile's ca_bundle) at "
                f"the PEM file of the CA that issued it, or check {named('endpoint-url')} and "
                "any proxy in the way",
                service=service,
            )
    if isinstance(exc, bex.ProxyConnectionError):
        # The proxy the environment names (botocore reads its variables), not the endpoint.
        proxy = clip(getattr(exc, "kwargs", {}).get("proxy_url", ""))
        return AwsError(
            f"{title}: could not connect to the proxy {proxy}: check it, or HTTPS_PROXY / "
            "HTTP_PROXY (whichever the endpoint's scheme reads), or add the endpoint's host "
            "to NO_PROXY to go around it",
            service=service,
        )
    if unreached(exc):
        return AwsError(
            f"{title}: could not reach {getattr(exc, 'kwargs', {}).get('endpoint_url', 'endpoint')}"
            f": {check_reach(named)}",
            service=service,
        )
    if isinstance(exc, (bex.ConnectTimeoutError, bex.ReadTimeoutError)):
        return AwsError(f"{title}: the request timed out: {clip(exc, 500)}", service=service)
    if isinstance(exc, bex.BotoCoreError):
        return AwsError(f"{title}: {clip(exc, 500)}", service=service)
    unreadable = unreadable_answer(exc)
    if unreadable is not None:
        return BrokenAnswerError(
            f"{title}: an answer that cannot be read ({clip(unreadable)}): {NO_ANSWER}",
            service=service,
            advice=check_network,
            named=named,
        )
    if isinstance(exc, OSError):
        return AwsError(f"{title}: network error: {clip(exc, 500)}", service=service)
    if isinstance(exc, RuntimeError) and EXPIRED in str(exc):
        # botocore's word for credentials that expired while the command ran.
        return CredentialsError(
            "the credentials are expired (their credential_process, or "
            "AWS_CREDENTIAL_EXPIRATION, gives a time past): renew them and retry",
            service=service,
        )
    raise exc


def _config_file(path: str) -> tuple[str, str]:
    """Which of the AWS files ``path`` is, and the variable that points elsewhere."""
    credentials = os.environ.get("AWS_SHARED_CREDENTIALS_FILE") or "~/.aws/credentials"
    if os.path.expanduser(credentials) == os.path.expanduser(path):
        return "credentials", "AWS_SHARED_CREDENTIALS_FILE"
    return "config", "AWS_CONFIG_FILE"


def unreadable_answer(exc: BaseException) -> str | None:
    """What went wrong when botocore's parser could not read an answer; None when
    ``exc`` is not that.

    Only ResponseParserError says so itself; the parsers let the rest through as
    plain Python errors, which are a broken answer only when they were raised
    while parsing one (exportctl's own bugs stay bugs: exit 70).
    """
    from botocore.parsers import ResponseParserError

    if isinstance(exc, ResponseParserError):
        # Its first line: the rest repeats the body, and "Further retries may
        # succeed" is moot once botocore's retries are over.
        return str(exc).split("\n", 1)[0].split(". Further retries", 1)[0].rstrip(":")
    if isinstance(exc, PARSER_SLIPS) and any(
        frame.f_globals.get("__name__") == "botocore.parsers"
        for frame, _ in traceback.walk_tb(exc.__traceback__)
    ):
        return f"{type(exc).__name__}: {exc}"
    return None


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
        message=clip(err.get("Message") or err.get("message") or "", 500),
        status=int(status) if status else None,
    )


def recognised(said: Answer | None) -> bool:
    """Whether an error answer shows that AWS recognised the credentials: it checks
    them first, so any other refusal of the request (access denied names the
    caller; not found, no home region) comes after; throttling and 5xx tell nothing."""
    if said is None or said.status is None or not 400 <= said.status < 500:
        return False
    return said.status != 429 and said.code not in CREDENTIAL_CODES | THROTTLING_CODES


def _client_error(
    exc: object, spec: Service | None, seconds: float | None, named: Named
) -> ExportctlError:
    said = answer_of(exc) or Answer("", "", None)
    code = said.code or "Unknown"
    message = said.message or code
    status = said.status
    service = spec.name if spec else None
    title = spec.title if spec else "AWS"
    hint = spec.explain(code, message, named) if spec else None
    if hint:
        return ServiceUnavailableError(
            f"{title}: {hint}",
            service=service,
            exit_code=ExitCode.CREDENTIALS if code in DENIED_CODES else ExitCode.AWS,
        )
    if is_not_found(code):
        return NotFoundError(f"{title}: {message}", service=service)
    if code in CREDENTIAL_CODES:
        return CredentialsError(
            f"{title}: AWS refused the credentials ({code}): "
            + then(message, configure_hint(named)),
            service=service,
        )
    if code in DENIED_CODES:
        return ServiceUnavailableError(
            f"{title}: access denied ({code}): "
            + then(message, "check the IAM permissions of this identity for this service"),
            service=service,
            exit_code=ExitCode.CREDENTIALS,
        )
    if code in UNAVAILABLE_CODES:
        return ServiceUnavailableError(
            f"{title}: not available to this account ({code}): {message}",
            service=service,
            exit_code=ExitCode.AWS,
        )
    # EC2 says an id that cannot be one (i-..., ami-...) with InvalidAMIID.Malformed.
    if code in BAD_INPUT_CODES or code.endswith(".Malformed"):
        return UsageError(f"{title}: AWS rejected the request ({code}): {message}", service=service)
    suffix = f" (HTTP {status})" if status else ""
    retried = _retried(exc, code, status, seconds)
    if retried:
        return AwsError(f"{title}: {code}{suffix}: {then(message, retried)}", service=service)
    return AwsError(f"{title}: {code}{suffix}: {message}", service=service)


def _retried(exc: object, code: str, status: int | None, seconds: float | None) -> str | None:
    """What was retried, how often and for how long, and what to do now: for a call
    that botocore retried without getting through (throttling, 5xx)."""
    throttled = code in THROTTLING_CODES or status == 429
    if not throttled and not (status and status >= 500):
        return None
    response = getattr(exc, "response", None) or {}
    meta = response.get("ResponseMetadata") or {}
    attempts = int(meta.get("RetryAttempts") or 0) + 1
    operation = getattr(exc, "operation_name", None) or "the call"
    setting = meta.get(ATTEMPTS)
    more = "AWS_MAX_ATTEMPTS"
    if isinstance(setting, str) and setting.startswith("max_attempts"):
        more = f"the profile's max_attempts or {more}"
    rate = (
        "the account's request rate for this API is used up (by this or other tools); "
        f"try again in a minute, or allow more attempts with {more}"
    )
    if attempts == 1:
        # Said as it was: one attempt, no retry, no backoff; and what allowed no more.
        took = f" in {seconds:.1f} s" if seconds is not None else ""
        why = (
            f" ({setting} allows no retry)"
            if meta.get("MaxAttemptsReached") and isinstance(setting, str)
            else ", not retried"
        )
        tried = f"{operation} failed once{took}{why}"
        if throttled:
            return f"{tried}, throttled: {rate}"
        return f"{tried}: the service is failing; try again later"
    tried = retried_with_backoff(operation, attempts, seconds)
    if throttled:
        return f"{tried} and still throttled: {rate}"
    return f"{tried}: the service is failing; try again later"


def retried_with_backoff(operation: str, attempts: int, seconds: float | None) -> str:
    """A call tried more than once, in the words both botocore's retries (a read) and
    exportctl's own (a create) are said in, its time in tenths (None: unmeasured)."""
    took = f" over {seconds:.1f} s" if seconds is not None else ""
    return f"{operation} failed {attempts} times{took}, retried with backoff"
