"""AWS sessions and clients: one client per service and region, reused.

A botocore session, not boto3's: botocore brings everything a call needs
(credentials, endpoints, signing, retries), and boto3 adds only resources and
managed transfers, which exportctl does not use. botocore is imported here,
lazily, and nowhere on the path of --help or --version.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from exportctl.aws.attempts import keep_attempts
from exportctl.aws.callmarks import name_calls
from exportctl.aws.deadlines import bound_by_deadlines
from exportctl.aws.providers import only_credentials
from exportctl.aws.released import RELEASED
from exportctl.aws.translate import translate
from exportctl.aws.translatingclient import CallErrors, TranslatingClient
from exportctl.aws.usersettings import (
    asked_attempts,
    check_profile,
    check_role_endpoint,
    check_settings,
    client_config,
    configured_endpoint,
    configured_region,
    endpoint_setting,
    given_endpoint,
    region_source,
    retry_mode,
)
from exportctl.domain.errors import ExportctlError, UsageError, clip
from exportctl.domain.naming import Named, flag, with_endpoint

if TYPE_CHECKING:
    import botocore.session

    from exportctl.aws.loader import Loaders
    from exportctl.aws.sharedclients import Shared


# botocore's loaders by search paths, kept for the life of the process: a model or the endpoint data
# is read and decoded once, however many commands the process runs (the Python API, a test run) and
# however many accounts each reaches; a loader keeps what it read, as one botocore session would.
PROCESS_LOADERS: Loaders = {}


@dataclass(frozen=True)
class AwsSettings:
    profile: str | None = None
    region: str | None = None
    endpoint_url: str | None = None
    # S3 alone (downloads), which may live apart from the export APIs: a sandbox
    # serves S3 on its own port. AWS_ENDPOINT_URL_S3 does the same from the environment.
    s3_endpoint_url: str | None = None
    # Static credentials, for the sandbox; None means botocore's usual chain.
    access_key: str | None = None
    secret_key: str | None = None
    max_attempts: int = 10
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    # Connections a client keeps open to its endpoint: calls in flight beyond them
    # open connections of their own, dropped after.
    pool_connections: int = 16
    # The region a command given no --region and no region variable uses, when it
    # is not the profile's (the embedded sandbox's own): see Clients.home_region.
    home_region: str | None = None
    # Straight to the endpoints, past any proxy (HTTP_PROXY & co.): the embedded sandbox's.
    direct: bool = False
    # How the messages composed while calls run name an option (--region, the API's
    # region): those who gave the settings gave the options, so they say how.
    named: Named = field(default=flag, repr=False, compare=False)
    # A call that cannot connect, when its server is known to be gone: see CallErrors.of.
    gone: Callable[[], str | None] | None = field(default=None, repr=False, compare=False)


class Clients:
    """Creates botocore clients on first use and hands the same one back after.

    With ``shared``, the clients of its services are its, each call of them signed
    with this set's credentials (its session's): see exportctl.aws.sharedclients."""

    def __init__(
        self,
        settings: AwsSettings,
        endpoints: Mapping[str, Callable[[], str]] | None = None,
        credentials: Any = None,
        loaders: Loaders | None = None,
        ready: Callable[[], None] | None = None,
        operations: Mapping[str, frozenset[str]] | None = None,
        shared: Shared | None = None,
    ) -> None:
        check_settings(settings)
        self.settings = settings
        # Shared by every Clients of the process (:func:`exportctl.aws.loader.use_service_loader`).
        self.loaders: Loaders = PROCESS_LOADERS if loaders is None else loaders
        # The operations called, by service: its clients have those alone (see
        # exportctl.aws.prunedmodels.pruned); None, every operation of the model.
        self.operations = operations
        # A botocore credential provider that comes before the usual chain (an assumed role).
        self._credentials = credentials
        # Why the session's credential chain failed, once it has (see _credentials_of).
        self._credentials_failure: ExportctlError | None = None
        # Runs before each client is handed out, and may raise: those credentials
        # cannot be had (see exportctl.ops.organization.RoleProvider.ready).
        self._ready = ready
        # Endpoints known only once needed: the sandbox starts its S3 on first use.
        self._lazy_endpoints = dict(endpoints or {})
        # Over the tables below alone, never while botocore works: a release (a listing's end,
        # Ctrl-C's) must not wait for a client being made, whose credentials may run a
        # credential_process that never ends. Reentrant: a listing's reading may be closed by the
        # garbage collector, in a thread holding it, and let its clients go here.
        self._lock = threading.RLock()
        # Over the session: made once, its credentials resolved by one thread at a time.
        self._session_lock = threading.RLock()
        # One a client being made: two threads asking for it make it once.
        self._making: dict[tuple[str, str], threading.Lock] = {}
        self._closed: str | None = None  # close(): no client is made after it, said so
        self._session: botocore.session.Session | None = None
        # The session's retry mode, read with it (usersettings.retry_mode).
        self._retry_mode = "standard"
        self._clients: dict[tuple[str, str], TranslatingClient] = {}
        self._shared = shared
        # The (service, region) pairs of the shared clients it holds (see Shared.hold).
        self._holds: Counter[tuple[str, str]] = Counter()
        # The region of the environment or the profile, once it was found to be a region.
        self._known_region: str | None = None
        # Where the endpoint of each service's clients was set, once one was had.
        self._sources: dict[str, str | None] = {}

    @property
    def session(self) -> botocore.session.Session:
        with self._session_lock:
            return self._made_session()

    def _made_session(self) -> botocore.session.Session:
        if self._session is None:
            from exportctl.aws.loader import use_service_loader
            from exportctl.aws.sessions import new_session
            from exportctl.domain.timeutil import parse_timestamp

            s = self.settings
            try:
                session = new_session(s.profile)
                use_service_loader(session, self.loaders, self.operations)
                if s.access_key and s.secret_key:
                    session.set_credentials(s.access_key, s.secret_key)
                elif self._credentials is not None:
                    only_credentials(session, self._credentials)
                # botocore's public hook, as the AWS CLI uses it: its default parser goes
                # through dateutil for every timestamp of every page.
                factory = session.get_component("response_parser_factory")
                factory.set_parser_defaults(timestamp_parser=parse_timestamp)
                # Like boto3's constructor: an unknown profile fails here, not at the first call.
                scoped = session.get_scoped_config()
                region = s.region or configured_region(scoped)
                if region:
                    session.set_config_variable("region", region)
            except Exception as exc:
                raise translate(exc, named=s.named) from exc
            check_profile(session, s.endpoint_url)
            # Said once: an account's session reads the same settings as the command's.
            self._retry_mode = retry_mode(session, notice=self._credentials is None)
            if session.get_config_variable("ca_bundle") == "":
                # botocore takes an empty bundle (AWS_CA_BUNDLE set to nothing, or
                # `ca_bundle =`) for no certificate checks at all: empty is unset here,
                # as it is for the other variables: the profile's, else the system's.
                profile_bundle = scoped.get("ca_bundle")
                session.set_config_variable("ca_bundle", profile_bundle or True)
            if not s.access_key and self._credentials is None:
                # The profile's own chain assumes its role: not these clients' (theirs is).
                check_role_endpoint(session, s.endpoint_url, s.named)
            self._session = session
        return self._session

    @property
    def default_region(self) -> str:
        if self.settings.region:
            # --region, checked with the command's options, or one exportctl chose.
            return self.settings.region
        region = self.session.get_config_variable("region")
        if not region:
            profile = self.settings.profile or self.session.profile
            # With several profiles (--profile a,b), which one has none.
            where = f"profile {clip(profile)!r}" if profile else "the profile"
            raise UsageError(
                f"no AWS region: pass {self.settings.named('region')}, set AWS_REGION, or set "
                f"a region in {where}"
            )
        if region != self._known_region:
            # A mistyped AWS_REGION lists nothing, as a mistyped --region would.
            from exportctl.aws.regions import check_region

            # Against the data this session's clients will resolve with: its loader
            # searches what a profile's data_path adds, as AWS_DATA_PATH does.
            paths = self.session.get_component("data_loader").search_paths
            check_region(region, source=region_source(self.session), paths=paths)
            self._known_region = region
        return str(region)

    @property
    def home_region(self) -> str | None:
        """The region a command resolves with no --region, AWS_REGION or
        AWS_DEFAULT_REGION: the profile's (or the sandbox's). A reference printed
        without its region is read back in this one, so it is the only region a
        printed reference may leave out; None when there is no such region."""
        if self.settings.home_region:
            return self.settings.home_region
        region = self.session.get_scoped_config().get("region")
        return str(region) if region else None

    def partition(self, region: str) -> str:
        partition: str = self.session.get_partition_for_region(region)
        return partition

    def client(
        self,
        service: str,
        region: str | None = None,
        *,
        attempts: int | None = None,
        errors: CallErrors | None = None,
    ) -> TranslatingClient:
        """The client of a service in a region, its calls raising exportctl's errors
        (said as ``errors`` says; by default naming no service); ``attempts`` asks for
        one that makes that many attempts a call (creates retry on their own: ``starts``)."""
        if self._closed:
            raise UsageError(self._closed)
        if self._ready is not None:
            self._ready()
        region = region or self.default_region
        key = (service, region) if attempts is None else (service, f"{region}#{attempts}")
        with self._lock:
            client = self._clients.get(key)
            making = self._making.setdefault(key, threading.Lock())
        if client is None:
            with making:
                with self._lock:
                    client = self._clients.get(key)
                if client is None:
                    # Taken anew each time, not kept: the shared client may have been
                    # let go and made again since (see Shared).
                    client = self._borrow(service, region) if attempts is None else None
                    if client is None:
                        bare = self._create(service, region, attempts)
                        said = self.named_for(service)
                        client = TranslatingClient(bare, named=said, gone=self.settings.gone)
                        with self._lock:
                            self._clients[key] = client
                        if self._closed:  # while it was made: let it go too
                            self.close(self._closed)
                            raise UsageError(self._closed)
        return client if errors is None else client.said_as(errors)

    def _borrow(self, service: str, region: str) -> TranslatingClient | None:
        """The shared client of ``service`` in ``region``, its calls signed with this
        set's credentials (its session's: refreshed as they would be there); None
        when there is none to share, or no credentials to sign with (a client of
        this set's own then says so at its first call, as botocore does)."""
        shared = self._sharing(service)
        if shared is None:
            return None
        try:
            with self._session_lock:
                credentials = self._credentials_of(self._made_session())
                self._source(self._made_session(), service)
        except ExportctlError:
            raise
        except Exception as exc:
            raise translate(exc, named=self.settings.named) from exc
        if credentials is None:
            return None
        return shared.take(service, region, credentials, self.named_for(service))

    def named_for(self, service: str) -> Named:
        """How messages about ``service``'s calls and answers name options (its endpoint's too)."""
        with self._lock:
            return with_endpoint(self.settings.named, self._sources.get(service))

    def _source(self, session: botocore.session.Session, service: str) -> str | None:
        """Where ``service``'s endpoint is set (``endpoint_setting``), for :meth:`named_for`."""
        lazy = service in self._lazy_endpoints
        source = endpoint_setting(session, self.settings, service, lazy)
        with self._lock:
            self._sources[service] = source
        return source

    def hold(self, service: str, region: str) -> None:
        """Say that a :meth:`release` of ``service`` in ``region`` will come: a shared
        client is kept until every set holding it released it (see :class:`Shared`)."""
        shared = self._sharing(service)
        if shared is not None:
            with self._lock:
                self._holds[(service, region)] += 1
            shared.hold(service, region)

    def _sharing(self, service: str) -> Shared | None:
        """What shares this set's clients of ``service`` with others, if anything does."""
        shared = self._shared
        return shared if shared is not None and service in shared.services else None

    def release(self, service: str, region: str) -> None:
        """Let the clients of a service in a region go (the next :meth:`client` makes another;
        a shared one held is given back): a listing of every account and region uses each
        once, and kept they would hold about 0.2 MiB each, thousands in an organization."""
        with self._lock:
            gone = [
                self._clients.pop(key)
                for key in list(self._clients)
                if key[0] == service and key[1].partition("#")[0] == region
            ]
            held = self._holds[(service, region)] > 0
            if held:
                self._holds[(service, region)] -= 1
        if held and self._shared is not None:
            self._shared.give_back(service, region)
        self._let_go(gone)

    def close(self, said: str | None = None) -> None:
        """Close every client made and its connections (a closed exportctl.api Client's at
        once, not when garbage is collected); ``said``: what refuses a call after. Idempotent."""
        with self._lock:
            self._closed = said or "the client is closed: make another"
            gone = list(self._clients.values())
            self._clients.clear()
        self._let_go(gone)

    def _let_go(self, gone: list[TranslatingClient]) -> None:
        for client in gone:
            client.close()
        if gone and RELEASED.count(len(gone)):
            # A client is cyclic garbage (botocore makes a class per client), old
            # enough by then to wait for a full collection, which a one-shot command
            # does not otherwise make (exportctl.cli.context.one_shot).
            import gc

            gc.collect()

    def _create(self, service: str, region: str, attempts: int | None = None) -> Any:
        s = self.settings
        endpoint = self._endpoint(service)
        try:
            # One at a time: a botocore session is no more thread-safe than that.
            with self._session_lock:
                session = self._made_session()
                asked, setting = asked_attempts(session)
                config = client_config(s, attempts or asked, self._retry_mode)
                source = self._source(session, service)
                self._credentials_of(session)
                if self._closed:
                    # Closed while this waited its turn (or for the credentials): no
                    # botocore client is made after a close, not even one let go at once.
                    raise UsageError(self._closed)
                client = session.create_client(
                    service, region_name=region, endpoint_url=endpoint, config=config
                )
                name_calls(client, source, None if attempts else setting)
        except ValueError as exc:
            # botocore's word for an endpoint URL it cannot use (AWS_ENDPOINT_URL_*,
            # the profile's endpoint_url): a value the user gave.
            said = f"{clip(exc)}: check {s.named('endpoint-url')} and AWS_ENDPOINT_URL*"
            raise UsageError(said) from exc
        except Exception as exc:
            raise translate(exc, named=s.named) from exc
        bound_by_deadlines(client, s.read_timeout)
        keep_attempts(client)
        return client

    def _credentials_of(self, session: botocore.session.Session) -> Any:
        """The session's credentials, had once for the session before a client is made
        (those a role or a credential_process refreshes included): a chain that found
        nothing or failed is said to every later client without running again."""
        from exportctl.aws.credentialfailures import again, credentials_failure, had

        if self._credentials_failure is not None:
            raise again(self._credentials_failure)
        profile = None if self._credentials is not None else session.profile  # a role's
        try:
            return had(session, profile)
        except Exception as exc:
            self._credentials_failure = credentials_failure(exc, profile, self.settings.named)
            raise again(self._credentials_failure) from exc

    def endpoint_url(self, service: str) -> str | None:
        """Where the calls of ``service`` go when the user says (an option, a variable,
        the profile: botocore's order); None for AWS's own endpoints."""
        return self._endpoint(service) or configured_endpoint(self.session, service)

    def _endpoint(self, service: str) -> str | None:
        chosen, _ = given_endpoint(self.settings, service)
        lazy = self._lazy_endpoints.get(service)
        # A URL given for this service alone still wins.
        if lazy and chosen in (None, self.settings.endpoint_url):
            return lazy()
        return chosen
