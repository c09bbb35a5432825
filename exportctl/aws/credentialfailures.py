"""Why botocore's credential chain failed, said as exportctl says errors.

The chain runs once a session (``Clients._credentials_of``):
botocore keeps only credentials it found, so a chain that failed would otherwise run
again for every client made, a failing ``credential_process`` or a refused
AssumeRole as many times as the command has services and regions.
"""

from __future__ import annotations

import os
import traceback
from typing import Any

from exportctl.aws.translate import PARSER_SLIPS, translate
from exportctl.domain.errors import CredentialsError, ExportctlError, UsageError, clip
from exportctl.domain.naming import Named, flag

# What botocore's credential_process provider is said as: its Credentials' method.
_PROCESS = "custom-process"
_PROCESS_HINT = "(does its credential_process print the JSON it should?)"
# The variable botocore's environment provider parses a time from; its others are strings.
_EXPIRATION = "AWS_CREDENTIAL_EXPIRATION"


def whose(profile: str | None) -> str:
    return f"of profile {clip(profile)!r}" if profile else "found"


def named_profile(profile: str) -> str:
    """How the failure of ``profile``'s credentials starts its message: naming it."""
    return f"profile {clip(profile)!r}: "


def had(session: Any, profile: str | None) -> Any:
    """The credentials of ``session`` (of ``profile``), had now: those a role or a
    credential_process refreshes too, so that a failure is met once, not by each client
    in turn (a role's AssumeRole for each)."""
    import botocore.credentials
    import botocore.exceptions

    found = session.get_credentials()
    if found is None:
        raise botocore.exceptions.NoCredentialsError()
    if isinstance(found, botocore.credentials.RefreshableCredentials):
        found.get_frozen_credentials()
    if found.method == _PROCESS:
        # What is not text in the JSON it printed, botocore keeps, and fails on while
        # signing each call, as if the service's answer were broken.
        frozen = found.get_frozen_credentials()
        for what, value in (
            ("access key (AccessKeyId)", frozen.access_key),
            ("secret key (SecretAccessKey)", frozen.secret_key),
            ("session token (SessionToken)", frozen.token),
        ):
            if value is not None and not isinstance(value, str):
                raise CredentialsError(
                    f"the credentials {whose(profile)} could not be read: their {what} is "
                    f"{type(value).__name__} {clip(value)}, not text {_PROCESS_HINT}"
                )
    return found


def _raised_by(exc: BaseException) -> str | None:
    """The METHOD of the botocore credential provider whose code raised ``exc`` (the
    innermost one on its traceback): botocore lets a provider's ValueError, TypeError or
    AttributeError through as they are, whatever they are about."""
    from botocore.credentials import CredentialProvider

    method = None
    for frame, _ in traceback.walk_tb(exc.__traceback__):
        owner = frame.f_locals.get("self")
        if isinstance(owner, CredentialProvider):
            method = owner.METHOD
    return method


def credentials_failure(
    exc: BaseException, profile: str | None, named: Named = flag
) -> ExportctlError:
    """The error for ``exc``, raised while the credentials of ``profile`` were had
    (``named``: how the caller's user gives an option, in messages)."""
    of = whose(profile)
    if isinstance(exc, ExportctlError):
        return exc
    by = _raised_by(exc) if isinstance(exc, PARSER_SLIPS) else None
    if by == _PROCESS:
        # What it printed: not JSON (a ValueError), or JSON of another shape ([1],
        # "Expiration": 12345), which botocore reads without looking.
        if isinstance(exc, ValueError):
            return CredentialsError(
                f"the credentials {of} could not be read: {clip(exc)} {_PROCESS_HINT}"
            )
        return CredentialsError(
            f"the credentials {of} could not be read: its credential_process printed JSON "
            "of another shape: it should print an object with Version 1, AccessKeyId, "
            "SecretAccessKey and, for temporary credentials, SessionToken and Expiration "
            "(ISO 8601 text)"
        )
    if by == "env" and os.environ.get(_EXPIRATION):
        return UsageError(
            f"{_EXPIRATION} '{clip(os.environ[_EXPIRATION])}' is not a time ({clip(exc)}): "
            "set it as ISO 8601 (2026-11-23T15:04:05Z), or unset it"
        )
    if isinstance(exc, ValueError):
        # Another provider's: a setting it could not use (an endpoint, a time).
        return CredentialsError(f"the credentials {of} could not be had: {clip(exc)}")
    if isinstance(exc, OSError) and getattr(exc, "filename", None):
        # The credential_process itself cannot be run: missing, not executable.
        return CredentialsError(
            f"the credentials {of} could not be had: {clip(exc.filename)} cannot be run "
            f"({exc.strerror or type(exc).__name__}): check its credential_process"
        )
    if isinstance(exc, EOFError):
        return CredentialsError(
            f"the credentials {of} need an MFA code (mfa_serial) and there is no terminal "
            "to type it on: get a session first (aws sts get-session-token), or run where "
            "one is"
        )
    error = translate(exc, named=named)
    if profile:
        # `aws sso login` alone logs in the default profile, not this one.
        said = error.message.replace("`aws sso login`", f"`aws sso login --profile {profile}`")
        error.reword(f"{named_profile(profile)}{said}")
    return error


def again(error: ExportctlError) -> ExportctlError:
    """``error``, to be raised once more, without the traceback of its last raise (the
    same instance: some errors' classes take more than a message to be made anew)."""
    return error.with_traceback(None)
