"""The settings a user gives exportctl's AWS clients (options, the environment's
variables, the profile's own), read and checked before any call: each bad value is a
usage error that names it."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from exportctl.aws.callmarks import name_chain_calls
from exportctl.domain.errors import UsageError, clip
from exportctl.domain.naming import Named, flag

if TYPE_CHECKING:
    import botocore.session


class Given(Protocol):
    """What these functions read of ``exportctl.aws.clients.AwsSettings``."""

    @property
    def region(self) -> str | None: ...

    @property
    def endpoint_url(self) -> str | None: ...

    @property
    def s3_endpoint_url(self) -> str | None: ...

    @property
    def max_attempts(self) -> int: ...

    @property
    def connect_timeout(self) -> float: ...

    @property
    def read_timeout(self) -> float: ...

    @property
    def pool_connections(self) -> int: ...

    @property
    def direct(self) -> bool: ...


# botocore's own rule for a region name (it refuses others when a client is made).
_REGION_NAME = re.compile(r"^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$")
# More attempts than this would retry a failing call for hours.
MAX_ATTEMPTS_LIMIT = 100
# botocore's retry modes, as AWS_RETRY_MODE and a profile's retry_mode name them.
RETRY_MODES = ("standard", "adaptive", "legacy")


def check_settings(settings: Given) -> None:
    """Values the user gave, checked before any call: each bad one is a usage error
    that names it."""
    if settings.region is not None and not _REGION_NAME.match(settings.region):
        raise UsageError(
            f"--region '{clip(settings.region)}' is not a region name (e.g. us-east-1)"
        )
    for option, url in (
        ("--endpoint-url", settings.endpoint_url),
        ("--s3-endpoint-url", settings.s3_endpoint_url),
    ):
        if url is not None:
            check_url(option, url)
    bundle = os.environ.get("AWS_CA_BUNDLE")
    if bundle:
        check_bundle("AWS_CA_BUNDLE", bundle, undo="unset")
    env_max_attempts()
    env_retry_mode()


def check_profile(session: botocore.session.Session, endpoint_url: str | None) -> None:
    """The profile's endpoint_url (its own, and its services section's), ca_bundle and
    max_attempts, checked as the variables of the same meaning are, where they are the
    ones botocore would use: --endpoint-url, AWS_ENDPOINT_URL or the service's own
    variable wins, and ignore_configured_endpoint_urls turns them all off (AWS_MAX_ATTEMPTS
    wins over max_attempts). Read through botocore, so that they are the values it reads."""
    scoped = session.get_scoped_config()
    where = _profile_named(session)
    # Its max_attempts too: botocore's ValueError named neither, and 0 sent nothing.
    asked_attempts(session)
    retry_mode(session)
    # The variable wins when set to a path; an empty one is as if unset (clients.py).
    if not os.environ.get("AWS_CA_BUNDLE") and scoped.get("ca_bundle"):
        check_bundle(f"{where}: ca_bundle", str(scoped["ca_bundle"]), undo="remove")
    if (
        endpoint_url
        or os.environ.get("AWS_ENDPOINT_URL")
        or session.get_config_variable("ignore_configured_endpoint_urls")
    ):
        return
    # botocore's own: one it cannot parse was a ValueError that named neither the
    # profile nor the setting, another retried as an unreachable endpoint (exit 5). The
    # services section's, read for its service's client only: endpoint_source.
    if scoped.get("endpoint_url"):
        check_url(f"{where}: endpoint_url", str(scoped["endpoint_url"]))


def _profile_named(session: botocore.session.Session) -> str:
    return (
        f"profile {clip(session.profile or 'default')!r} "
        f"({clip(session.get_config_variable('config_file'))})"
    )


def check_endpoint_variable(session: botocore.session.Session, service: str) -> str | None:
    """The variable botocore takes the endpoint of a client of ``service`` from when
    exportctl gives it none (the service's own, else ``AWS_ENDPOINT_URL``), checked as
    --endpoint-url is: a bad one was retried as an unreachable endpoint (exit 5). Those
    of services never called, or that something overrides, are not read, so not
    checked; nor any when ``ignore_configured_endpoint_urls`` has botocore read none.
    Its name, None without one."""
    if session.get_config_variable("ignore_configured_endpoint_urls"):
        return None
    own = f"AWS_ENDPOINT_URL_{_config_key(session, service).upper()}"
    for name in (own, "AWS_ENDPOINT_URL"):
        value = os.environ.get(name)
        if value:
            check_url(name, value)
            return name
    return None


def _config_key(session: botocore.session.Session, service: str) -> str:
    """botocore's name for ``service`` in the endpoint settings (its variable's
    suffix, its key in a profile's services section): its model's service id,
    snake-cased."""
    return str(session.get_service_model(service).service_id.hyphenize()).replace("-", "_")


def endpoint_source(session: botocore.session.Session, service: str) -> str | None:
    """Where the endpoint of a client of ``service`` given none by exportctl is set,
    as advice names it: its variable (checked: :func:`check_endpoint_variable`), else
    the profile's setting; None for AWS's own."""
    variable = check_endpoint_variable(session, service)
    found = None if variable else configured_endpoint(session, service)
    if not found:
        return variable
    return _profile_endpoint(session, _config_key(session, service), found)


def _profile_endpoint(session: botocore.session.Session, key: str, found: str) -> str:
    """Where ``found``, the profile's endpoint of the service botocore names ``key``,
    is set, as advice names it: its endpoint_url, or its services section's entry,
    checked as the profile's endpoint_url is (those of services never called are not
    read, so not checked)."""
    scoped = session.get_scoped_config()
    own = found == scoped.get("endpoint_url")
    if not own:
        name = f"[services {scoped.get('services')}] {key} endpoint_url"
        check_url(f"{_profile_named(session)}: {name}", found)
    setting = "the endpoint_url" if own else "the services section"
    return f"{setting} of profile {clip(session.profile or 'default')!r}"


def given_endpoint(settings: Given, service: str) -> tuple[str | None, str]:
    """The URL exportctl gives a client of ``service``, and the setting it comes from;
    S3's own setting beats the shared one."""
    if service == "s3":
        if settings.s3_endpoint_url:
            return settings.s3_endpoint_url, "--s3-endpoint-url"
        own = os.environ.get("AWS_ENDPOINT_URL_S3")
        if own:
            check_url("AWS_ENDPOINT_URL_S3", own)
            return own, "AWS_ENDPOINT_URL_S3"
    return settings.endpoint_url, "--endpoint-url"


def endpoint_setting(
    session: botocore.session.Session, settings: Given, service: str, lazy: bool = False
) -> str | None:
    """Where the endpoint of a client of ``service`` is set, as advice names it:
    exportctl's setting (:func:`given_endpoint`; ``lazy``: one made when first needed,
    as the sandbox's S3 is, which is the option's), else the one botocore reads
    (:func:`endpoint_source`); None for AWS's own."""
    chosen, given = given_endpoint(settings, service)
    return given if chosen or lazy else endpoint_source(session, service)


def check_role_endpoint(
    session: botocore.session.Session, endpoint_url: str | None, named: Named = flag
) -> None:
    """A profile that assumes a role: botocore's credential chain makes its STS call
    where the environment and the profile say (no public way to give it the URL), to
    AWS itself unless they say otherwise, whatever exportctl's own calls are given. The
    setting it reads is checked, and named by what that call raises; with
    --endpoint-url and none of them, a notice."""
    scoped = session.get_scoped_config()
    if "role_arn" not in scoped:
        return
    variables = [v for v in ("AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL") if os.environ.get(v)]
    if not session.get_config_variable("ignore_configured_endpoint_urls"):
        source = variables[0] if variables else None
        if source:
            check_url(source, os.environ[source])
        else:
            # Its key in a services section: STS's service id, snake-cased.
            found = configured_endpoint(session, "sts")
            source = _profile_endpoint(session, "sts", found) if found else None
        if source:
            name_chain_calls(session, "sts", source)
    if not endpoint_url or variables or {"endpoint_url", "services"} & set(scoped):
        return
    logging.getLogger("exportctl").warning(
        "profile %r assumes its role at AWS's STS: %s takes exportctl's calls, "
        "not those of botocore's credential chain (set AWS_ENDPOINT_URL or "
        "AWS_ENDPOINT_URL_STS to send those there too)",
        session.profile,
        named("endpoint-url"),
    )


def configured_endpoint(session: botocore.session.Session, service: str) -> str | None:
    """The endpoint URL botocore gives a client of ``service`` from the environment or
    the profile (``AWS_ENDPOINT_URL_<SERVICE>``, ``AWS_ENDPOINT_URL``, the services
    section, ``endpoint_url``), found by botocore itself; None without one, or when
    ``ignore_configured_endpoint_urls`` says they are not used."""
    if session.get_config_variable("ignore_configured_endpoint_urls"):
        return None
    from botocore.configprovider import ConfiguredEndpointProvider

    found = ConfiguredEndpointProvider(
        full_config=session.full_config,
        scoped_config=session.get_scoped_config(),
        client_name=service,
    ).provide()
    return str(found) if found else None


def check_bundle(name: str, bundle: str, *, undo: str) -> None:
    """A CA bundle that names a file of certificates; else each call is retried as a
    TLS failure, the setting unnamed."""
    if not os.path.isfile(bundle):
        raise UsageError(
            f"{name} '{clip(bundle)}' is not a file: point it at the PEM file of the "
            f"certificates to trust, or {undo} it"
        )
    import ssl

    try:
        # As urllib3 loads it for every connection; no system CAs needed to tell.
        ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT).load_verify_locations(cafile=bundle)
    except (ssl.SSLError, OSError, ValueError) as exc:
        # OpenSSL's reason (NO_CERTIFICATE_OR_CRL_FOUND) in words; the OS's otherwise.
        reason = getattr(exc, "reason", None) if isinstance(exc, ssl.SSLError) else None
        why = getattr(exc, "strerror", None) or exc
        if reason:
            why = str(reason).replace("_", " ").lower()
        raise UsageError(
            f"{name} '{clip(bundle)}' holds no certificate that can be read "
            f"({clip(why)}): point it at the PEM file of the certificates to trust, "
            f"or {undo} it"
        ) from exc


def check_url(option: str, url: str) -> None:
    """An endpoint URL botocore can use: http(s), a host, nothing after the path."""
    from urllib.parse import urlsplit

    why = None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - reading it validates it
    except ValueError as exc:
        why = str(exc)
    else:
        if parts.scheme not in ("http", "https"):
            why = "it needs http:// or https://"
        elif not parts.hostname:
            why = "it has no host"
        elif any(c.isspace() for c in url):
            why = "it contains spaces"
    if why:
        raise UsageError(f"{option} '{clip(url)}' is not a URL: {why} (e.g. http://127.0.0.1:4566)")


def client_config(settings: Given, attempts: int | None = None, mode: str = "standard") -> Any:
    """The botocore Config of a client made with ``settings``, making ``attempts``
    attempts a call when given (the user's, :func:`asked_attempts`, or a create's one),
    retrying in botocore's retry ``mode`` (:func:`retry_mode`)."""
    from botocore.config import Config

    from exportctl.domain.version import __version__

    # AWS_MAX_ATTEMPTS wins when set, as it does for the AWS CLI; read here, so
    # that a bad value is a usage error rather than botocore's ValueError.
    retries: dict[str, Any] = {
        "mode": mode,
        "total_max_attempts": attempts or env_max_attempts() or settings.max_attempts,
    }
    return Config(
        retries=retries,
        user_agent_extra=f"exportctl/{__version__}",
        connect_timeout=settings.connect_timeout,
        read_timeout=settings.read_timeout,
        max_pool_connections=settings.pool_connections,
        # None: botocore's proxies, from the environment.
        proxies={} if settings.direct else None,
    )


def env_max_attempts() -> int | None:
    """``AWS_MAX_ATTEMPTS`` as a number of attempts, None when unset."""
    raw = os.environ.get("AWS_MAX_ATTEMPTS")
    if raw is None or raw == "":
        return None
    return _attempts(raw, f"AWS_MAX_ATTEMPTS={raw[:40]!r}", "unset")


def asked_attempts(session: botocore.session.Session) -> tuple[int | None, str | None]:
    """The attempts a call the user asked for, and the setting that asked, as a
    message names it (``AWS_MAX_ATTEMPTS=1``, ``max_attempts = 1 of profile 'x'``):
    ``AWS_MAX_ATTEMPTS``, else the profile's ``max_attempts`` (botocore's order);
    both None when neither is set (exportctl's own number of attempts). The profile's is
    read from its section, not with get_config_variable, which takes the variable
    set to nothing for a number and fails on it: unset, here."""
    asked = env_max_attempts()
    if asked is not None:
        return asked, f"AWS_MAX_ATTEMPTS={clip(os.environ['AWS_MAX_ATTEMPTS'].strip(), 40)}"
    raw = session.get_scoped_config().get("max_attempts")
    if raw is None:
        return None, None
    said = f"{_profile_named(session)}: max_attempts = {clip(str(raw))!r}"
    profile = clip(session.profile or "default")
    setting = f"max_attempts = {clip(str(raw).strip(), 40)} of profile {profile!r}"
    return _attempts(str(raw), said, "remove"), setting


def env_retry_mode() -> str | None:
    """``AWS_RETRY_MODE``, checked; None when unset (or set to nothing)."""
    raw = os.environ.get("AWS_RETRY_MODE", "")
    return _retry_mode(raw, f"AWS_RETRY_MODE={raw[:40]!r}", "unset") if raw.strip() else None


def retry_mode(session: botocore.session.Session, notice: bool = False) -> str:
    """The retry mode of ``session``'s clients: ``AWS_RETRY_MODE``, else the profile's
    ``retry_mode`` (botocore's order), else ``standard``. ``adaptive`` is botocore's
    (standard's retries, which the deadlines bound, and its client-side rate limiter,
    whose waits they do not). ``legacy`` is ``standard``, said in a notice (``notice``: a
    command's own session, not its accounts'): its retry handler is not the one the
    deadlines (``aws.deadlines``) bound."""
    asked = env_retry_mode()
    setting = f"AWS_RETRY_MODE={asked}"
    raw = str(session.get_scoped_config().get("retry_mode") or "")
    if asked is None and raw.strip():
        asked = _retry_mode(raw, f"{_profile_named(session)}: retry_mode = {clip(raw)!r}", "remove")
        setting = f"retry_mode = {asked} of {_profile_named(session)}"
    if asked == "legacy" and notice:
        logging.getLogger("exportctl").warning(
            "%s: exportctl retries in botocore's standard mode instead, whose retries "
            "wait --timeout can bound (set standard or adaptive)",
            setting,
        )
    return "adaptive" if asked == "adaptive" else "standard"


def _retry_mode(raw: str, said: str, undo: str) -> str:
    if raw.strip() not in RETRY_MODES:
        raise UsageError(f"{said} is not a retry mode: use {', '.join(RETRY_MODES)}, or {undo} it")
    return raw.strip()


def _attempts(raw: str, said: str, undo: str) -> int:
    text = raw.strip()
    if not text.isdigit() or not 1 <= int(text) <= MAX_ATTEMPTS_LIMIT:
        raise UsageError(
            f"{said} is not a number of attempts: "
            f"use a whole number from 1 to {MAX_ATTEMPTS_LIMIT}, or {undo} it"
        )
    return int(text)


def env_region() -> str | None:
    """``AWS_REGION``, which the AWS CLI v2 and the other SDKs read before
    ``AWS_DEFAULT_REGION``; botocore reads only the latter (and then the profile)."""
    return os.environ.get("AWS_REGION", "").strip() or None


def configured_region(scoped: Mapping[str, Any]) -> str | None:
    """The region of the environment or of the profile (``scoped``, its settings), in
    the AWS CLI v2's order, an empty variable as unset: botocore takes an empty
    ``AWS_DEFAULT_REGION`` for the region, and then reads no profile's."""
    default = os.environ.get("AWS_DEFAULT_REGION", "").strip()
    return env_region() or default or (str(scoped["region"]) if scoped.get("region") else None)


def region_source(session: botocore.session.Session) -> str:
    """Where the region of :func:`configured_region` was set, as a message names it."""
    if env_region():
        return "AWS_REGION"
    if os.environ.get("AWS_DEFAULT_REGION", "").strip():
        return "AWS_DEFAULT_REGION"
    profile = session.profile or "default"
    return f"profile {clip(profile)!r} ({session.get_config_variable('config_file')})"
