"""What the calls of a client exportctl makes carry for their messages, that neither
botocore's exception nor its answer says: where the client's endpoint was set (an
option, a variable, the profile), and the setting that bounds its calls' attempts."""

from __future__ import annotations

from typing import Any

from exportctl.domain.naming import Named, flag, with_endpoint

# What the exceptions of a client's calls carry: where its endpoint was set.
_SOURCE = "exportctl_endpoint_source"
# What the error answers of a client's calls carry in their metadata: the setting
# that bounds their attempts (a handler sees an error answer, not its exception).
ATTEMPTS = "ExportctlAttemptsSetting"


def name_calls(client: Any, source: str | None, setting: str | None) -> None:
    """Have ``client``'s calls say where its endpoint was set (``source``), and what
    bounds their attempts (``setting``: the user's, None where the caller gives its
    own number, a create's)."""
    if source:
        name_endpoint(client, source)
    if setting is not None:
        _name_attempts(client, setting)


def name_endpoint(client: Any, source: str) -> None:
    """Have what ``client``'s calls raise say where its endpoint was set (an option, a
    variable, the profile), for the advice on where the calls go: the exception alone
    has its URL, and some callers translate it from the bare client."""

    def mark(exception: BaseException, **_: Any) -> None:
        setattr(exception, _SOURCE, source)

    name = client.meta.service_model.service_id.hyphenize()
    client.meta.events.register(f"after-call-error.{name}", mark, unique_id=f"source-{name}")


def name_chain_calls(session: Any, name: str, source: str) -> None:
    """Have what the calls of ``session``'s own clients of the service botocore names
    ``name`` raise say where their endpoint was set (``source``), as
    :func:`name_endpoint` has exportctl's clients': those its credential chain makes
    (a role's STS), which copy the session's handlers when made."""

    def mark(exception: BaseException, **_: Any) -> None:
        setattr(exception, _SOURCE, source)

    # Its own id: a client exportctl makes of the service names its own setting after.
    session.register(f"after-call-error.{name}", mark, unique_id=f"chain-source-{name}")


def _name_attempts(client: Any, setting: str) -> None:
    """Have the error answers of ``client``'s calls say the setting that bounds their
    attempts (``AWS_MAX_ATTEMPTS=1``, the profile's max_attempts), for the message of
    a call it let make no retry, or not enough."""

    def mark(http_response: Any, parsed: Any, **_: Any) -> None:
        meta = parsed.get("ResponseMetadata") if isinstance(parsed, dict) else None
        if getattr(http_response, "status_code", 200) >= 300 and isinstance(meta, dict):
            meta[ATTEMPTS] = setting

    name = client.meta.service_model.service_id.hyphenize()
    client.meta.events.register(f"after-call.{name}", mark, unique_id=f"attempts-{name}")


def endpoint_named(exc: BaseException, named: Named = flag) -> Named:
    """``named``, where the calls go said as the setting that sent there the call that
    raised ``exc`` (``with_endpoint``); as it is for an exception no client marked."""
    return with_endpoint(named, getattr(exc, _SOURCE, None))
