"""Why botocore's credential chain failed, said as exportctl says errors.

The chain runs once a session (``Clients._credentials_of``):
botocore keeps only credentials it found, so a chain that failed would otherwise run
again for every client made, a failing ``credential_process`` or a refused
AssumeRole as many times as the command has services and regions.
"""

from __future__ import annotations

from exportctl.aws.translate import translate
from exportctl.domain.errors import CredentialsError, ExportctlError, clip
from exportctl.domain.naming import Named, flag


def whose(profile: str | None) -> str:
    return f"of profile {clip(profile)!r}" if profile else "found"


def credentials_failure(
    exc: BaseException, profile: str | None, named: Named = flag
) -> ExportctlError:
    """The error for ``exc``, raised while the credentials of ``profile`` were had
    (``named``: how the caller's user gives an option, in messages)."""
    of = whose(profile)
    if isinstance(exc, ExportctlError):
        return exc
    if isinstance(exc, ValueError):
        # A credential_process that prints what is not JSON: not an endpoint's ValueError.
        return CredentialsError(
            f"the credentials {of} could not be read: {clip(exc)} "
            "(does its credential_process print the JSON it should?)"
        )
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
        error.reword(f"profile {clip(profile)!r}: {said}")
    return error


def again(error: ExportctlError) -> ExportctlError:
    """``error``, to be raised once more, without the traceback of its last raise (the
    same instance: some errors' classes take more than a message to be made anew)."""
    return error.with_traceback(None)
