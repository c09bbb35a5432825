"""Answers botocore's retries do not take for the failures they are, said to them as
such: a body cut short of the length its headers announced (a connection dropped
midway: botocore reads without checking the length), and a 5xx of an XML service
whose body is no XML (a load balancer's "Service Unavailable" in plain text, which
botocore's parser fails on before any retry is thought of). botocore still decides
and paces every retry; these only show it what happened. And the one failure botocore
retries that no attempt can mend: a TLS certificate the CA bundle does not trust."""

from __future__ import annotations

from typing import Any

# The protocols whose error bodies botocore reads as JSON (or CBOR): the others'
# are read as XML.
_NOT_XML = ("json", "rest-json", "smithy-rpc-v2-cbor")


def cut_short(kwargs: dict[str, Any]) -> dict[str, Any]:
    """The arguments of a ``needs-retry`` event, with an answer whose body is shorter
    than its Content-Length said as the dropped connection it is."""
    response = kwargs.get("response")
    if not response or kwargs.get("caught_exception") is not None:
        return kwargs
    operation, request = kwargs.get("operation"), kwargs.get("request_dict") or {}
    if getattr(operation, "has_streaming_output", True) or request.get("method") == "HEAD":
        # A stream is read by its caller (S3's bodies: downloads check their length);
        # a HEAD announces the length of what it does not send.
        return kwargs
    http = response[0]
    if http.status_code in (204, 304):
        return kwargs
    announced = str(http.headers.get("content-length") or "")
    if not announced.isdigit() or http.raw is None:
        return kwargs
    try:
        received = len(http.content)
    except Exception:
        return kwargs
    if received >= int(announced):
        return kwargs
    from botocore.exceptions import ConnectionClosedError

    dropped = ConnectionClosedError(endpoint_url=getattr(http, "url", ""))
    return {**kwargs, "response": None, "caught_exception": dropped}


def plain_5xx(response_dict: dict[str, Any], operation_model: Any, **_: Any) -> None:
    """A ``before-parse`` handler: the body of a 5xx that an XML service's parser
    cannot read is set aside, so that botocore reads the answer as the generic error
    of its status (a 503 is a 503, retried as one)."""
    if operation_model.service_model.protocol in _NOT_XML:
        return
    status = response_dict.get("status_code") or 0
    body = response_dict.get("body")
    if status >= 500 and isinstance(body, bytes) and not body.lstrip().startswith(b"<"):
        response_dict["body"] = b""


def untrusted_certificate(exc: BaseException | None) -> str | None:
    """Why the endpoint's TLS certificate was refused (not signed by a CA of the
    bundle, issued for another host, expired), when that is what ``exc`` (botocore's
    SSLError, urllib3's inside it) says; None for any other failure, a handshake cut
    short included, which a retry may get past."""
    import ssl

    refused: tuple[type[BaseException], ...] = (ssl.SSLCertVerificationError,)
    try:
        # urllib3's own check of the host name, when ssl's was not used.
        from urllib3.util.ssl_match_hostname import CertificateError

        refused += (CertificateError,)
    except ImportError:
        pass
    seen = 0
    while exc is not None and seen < 8:
        if isinstance(exc, refused):
            return str(getattr(exc, "verify_message", None) or exc)
        wrapped = getattr(exc, "kwargs", {}).get("error") if seen == 0 else None
        if wrapped is None and exc.args and isinstance(exc.args[0], BaseException):
            wrapped = exc.args[0]
        exc = wrapped if isinstance(wrapped, BaseException) else exc.__cause__ or exc.__context__
        seen += 1
    return None
