"""The sandbox HTTP server and its Python control API."""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import json
import logging
import os
import selectors
import socket
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from exportctl.sandbox import admin, identity, protocols
from exportctl.sandbox.accounts import (
    DENIED_ACCESS_KEY,
    DISABLED_REGION,
    MANAGEMENT,
    Account,
    Caller,
    Identities,
)
from exportctl.sandbox.accounts import organization as organization_of
from exportctl.sandbox.bodies import Unreadable, read_body
from exportctl.sandbox.catalog import BY_NAME
from exportctl.sandbox.clock import MonotonicSource, SandboxClock
from exportctl.sandbox.context import Context
from exportctl.sandbox.errors import ApiError, unknown_operation
from exportctl.sandbox.faults import Dice, Faults
from exportctl.sandbox.jobs import OutputLocation
from exportctl.sandbox.routing import (
    DEFAULT_REGION,
    IDENTITY_SERVICES,
    SERVICES,
    Call,
    RouteError,
    Router,
)
from exportctl.sandbox.scenario import Scenario
from exportctl.sandbox.services import (
    ANSWERED,
    HANDLERS,
    MUTATING,
    SERVICE_ERRORS,
    emulated_operations,
)
from exportctl.sandbox.worldfile import WorldFile
from exportctl.sandbox.worlds import Worlds, world_of

log = logging.getLogger(__name__)

OutputListener = Callable[[OutputLocation], None]

HOST = "127.0.0.1"
__all__ = ["DENIED_ACCESS_KEY", "DUMMY_ACCESS_KEY", "DUMMY_SECRET_KEY", "Sandbox"]
DUMMY_ACCESS_KEY = "AKIASANDBOXEXAMPLE01"
DUMMY_SECRET_KEY = "sandbox/secret/not-a-real-key"
# What env() sets, in its order.
ENV_NAMES = (
    "AWS_ENDPOINT_URL",
    "AWS_DEFAULT_REGION",
    "AWS_REGION",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_EC2_METADATA_DISABLED",
)


class Sandbox:
    """Four AWS services on one loopback port. See the package docstring."""

    def __init__(
        self,
        port: int = 0,
        faults: Faults | None = None,
        seed: int = 7,
        clock: MonotonicSource | SandboxClock | None = None,
        *,
        accounts: int | None = None,
        **scale: int | None,
    ) -> None:
        """``scale``: the counts of generated jobs, by the keyword each service's
        record declares (``Bulk.keyword``), handed to :class:`Scenario` as given, so
        that a service that grows its world needs no keyword here."""
        self.port = port
        self.faults = faults if faults is not None else Faults()
        self.faults.bind(ANSWERED, emulated_operations())
        self.seed = seed
        self.clock = clock if isinstance(clock, SandboxClock) else SandboxClock(clock)
        self.scenario = Scenario(seed=seed, scale=scale)
        organization = organization_of(accounts)
        self.identities = Identities(organization)
        self.lock = threading.RLock()
        # Every account's own jobs; the default access key is the management account's.
        self.worlds = Worlds((MANAGEMENT, self.scenario), organization, seed, self.lock)
        self.region = DEFAULT_REGION
        self.calls: Counter[tuple[str, str]] = Counter()
        # Successful answers by service, for ``Faults.garble_after``: since the faults'
        # garble was set (``_counted_from``, its ``garbled_from``) or the calls reset.
        self._answered: Counter[str] = Counter()
        self._counted_from: object = None
        # The same calls by the account that made them (once the caller is known).
        self.account_calls: Counter[tuple[str, str, str]] = Counter()
        self.dice = Dice(seed)
        self.router = Router(emulated_operations())
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._wake: socket.socket | None = None
        # Told of each job's output once the job has completed (the sandbox's S3).
        self._output_listeners: list[tuple[OutputListener, set[tuple[str, str]]]] = []
        self._publish_lock = threading.Lock()
        # Where the embedded sandbox keeps its worlds between commands (--sandbox).
        self.kept: WorldFile | None = None
        # Served by the process `exportctl sandbox --detach` started: said in its
        # state, since that is the only server `--stop` may end.
        self.detached = False

    # -- lifecycle -----------------------------------------------------------------

    def start(self) -> Sandbox:
        if self._server is not None:
            return self
        server = _Server((HOST, self.port), _handler_class(self))
        server.daemon_threads = True
        # handle_request() is called once a connection waits; should it be gone by
        # then, the call returns instead of blocking the loop.
        server.timeout = 0
        self._server = server
        self.port = server.server_address[1]
        self._wake, waker = socket.socketpair()
        self._thread = threading.Thread(target=_serve, args=(server, waker), daemon=True)
        self._thread.name = f"exportctl-sandbox-{self.port}"
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving now, connections kept open between requests included: every
        command that used the sandbox waits for this."""
        server, self._server = self._server, None
        if server is None:
            return
        wake, self._wake = self._wake, None
        if wake is not None:
            # The serving loop wakes on this socket's close, at once.
            wake.close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        server.close_connections()
        server.server_close()

    def serve_forever(self) -> None:
        """Serve in the calling thread (foreground mode) until interrupted."""
        self.start()
        try:
            while self._thread is not None and self._thread.is_alive():
                self._thread.join(timeout=0.5)
        finally:
            self.stop()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def env(self) -> dict[str, str]:
        values = (self.url, self.region, self.region, DUMMY_ACCESS_KEY, DUMMY_SECRET_KEY, "true")
        return dict(zip(ENV_NAMES, values, strict=True))

    # -- control API -----------------------------------------------------------------

    def advance(self, seconds: float) -> float:
        """Move the scenario clock forward; returns the new elapsed time."""
        return self.clock.advance(seconds)

    def set_status(self, service: str, job_id: str, status: str) -> None:
        """Pin a job's status (any string, even one the model does not know)."""
        with self.lock, self._changing(True):
            self._job(service, job_id).override = status

    def delete_job(self, service: str, job_id: str) -> None:
        with self.lock, self._changing(True):
            job = self._job(service, job_id)
            for world in self.worlds.at_hand().values():
                found = world.find_any(service, job_id)
                if found is not None and found is job:
                    world.delete(found)

    def saved_faults(self) -> Faults:
        """A copy of the faults as they are now, for :meth:`restore_faults`: taken
        under the lock, since calls in flight take their scripted fates meanwhile."""
        with self.lock:
            return copy.deepcopy(self.faults)

    def restore_faults(self, saved: Faults) -> None:
        """Every fault setting back as ``saved`` holds it (fates left unused dropped)."""
        with self.lock:
            for setting in dataclasses.fields(saved):
                setattr(self.faults, setting.name, getattr(saved, setting.name))

    def reset_calls(self) -> None:
        with self.lock:
            self.calls.clear()
            self.account_calls.clear()
            # garble_after's answers too: counted from here.
            self._answered.clear()

    @property
    def accounts(self) -> tuple[Account, ...]:
        return tuple(self.identities.accounts.values())

    def access_key(self, account: str) -> str:
        """The long-term access key id of an account (its secret is any string)."""
        return self.identities.key_of(account)

    def output_locations(self) -> list[OutputLocation]:
        # The management account's: the sandbox's S3 holds one account's buckets.
        with self.lock:
            return self.scenario.output_locations(self.clock.elapsed(), self.url)

    def on_output(self, listener: OutputListener) -> None:
        """Call ``listener`` with the output of every completed job, now and as jobs complete.

        Jobs complete on the sandbox clock; a job's output is handed over before any
        answer shows the job completed.
        """
        with self._publish_lock:
            self._output_listeners.append((listener, set()))
        self._publish(self.clock.elapsed())

    def _publish(self, elapsed: float) -> None:
        if not self._output_listeners:
            return
        with self._publish_lock:
            with self.lock:
                ready = self.scenario.output_locations(elapsed, self.url)
            for listener, told in self._output_listeners:
                for location in ready:
                    if (location.service, location.job_id) not in told:
                        told.add((location.service, location.job_id))
                        try:
                            listener(location)
                        except Exception:
                            # An output S3 refuses (a bad bucket name) is no output; the
                            # API answers stay as they are.
                            log.exception("sandbox could not publish %s", location.uri)

    def jobs(
        self,
        service: str | None = None,
        region: str | None = None,
        account: str | None = MANAGEMENT,
    ) -> list[dict[str, Any]]:
        """Every live job with its current status, for people poking at the sandbox
        (the management account's; ``account=None`` for every account's at hand: see
        ``Worlds.at_hand``, since a large organization's would all be made)."""
        if service is not None and service not in SERVICES:
            # A misspelt one listed nothing, as if it had no jobs.
            raise LookupError(f"unknown service {service!r}; expected one of {list(SERVICES)}")
        elapsed = self.clock.elapsed()
        with self.lock:
            if account is None:
                worlds = self.worlds.at_hand()
            else:
                worlds = {account: self.worlds[account]} if account in self.worlds else {}
            return [
                {
                    "service": j.service,
                    "kind": j.kind,
                    "account": owner,
                    "region": j.region,
                    "id": j.id,
                    "parent": j.parent,
                    "status": j.state(elapsed)[0],
                }
                for owner, world in worlds.items()
                for j in world.jobs
                if not j.deleted
                and (service is None or j.service == service)
                and (region is None or j.region == region)
            ]

    def calls_report(self) -> dict[str, Any]:
        with self.lock:
            rows = [
                {"service": s, "operation": o, "count": n}
                for (s, o), n in sorted(self.calls.items())
            ]
            by_account = [
                {"account": a, "service": s, "operation": o, "count": n}
                for (a, s, o), n in sorted(self.account_calls.items())
            ]
        return {"calls": rows, "total": sum(r["count"] for r in rows), "by_account": by_account}

    def state(self) -> dict[str, Any]:
        return {
            "pid": os.getpid(),
            "detached": self.detached,
            "url": self.url,
            "region": self.region,
            "seed": self.seed,
            "elapsed": self.clock.elapsed(),
            "faults": self.faults.to_dict(),
            "jobs": sum(1 for w in self.worlds.at_hand().values() for j in w.jobs if not j.deleted),
            "accounts": [
                {"id": a.id, "name": a.name, "access_key": a.access_key, "status": a.status}
                for a in self.accounts
            ],
        }

    def _job(self, service: str, job_id: str) -> Any:
        if service not in SERVICES:
            raise LookupError(f"unknown service {service!r}; expected one of {list(SERVICES)}")
        job = next(
            (
                j
                for w in self.worlds.at_hand().values()
                if (j := w.find_any(service, job_id)) is not None
            ),
            None,
        )
        if job is None:
            raise LookupError(f"no {service} job {job_id!r}")
        return job

    # -- request handling -------------------------------------------------------------

    def request_id(self) -> str:
        h = self.dice.hex(16)
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def dispatch(
        self, method: str, path: str, headers: Any, body: bytes
    ) -> protocols.HttpResponse | None:
        """Answer one request; ``None`` means drop the connection without a reply."""
        if self.kept is not None:
            self.kept.refresh()
        request_id = self.request_id()
        if path == admin.PREFIX or path.startswith(admin.PREFIX + "/"):
            response = admin.handle(self, method, path, body)
        else:
            api_response = self._dispatch_api(method, path, headers, body, request_id)
            if api_response is None:
                return None
            response = api_response
        response.headers["x-amzn-RequestId"] = request_id
        return response

    def _dispatch_api(
        self, method: str, path: str, headers: Any, body: bytes, request_id: str
    ) -> protocols.HttpResponse | None:
        try:
            call = self.router.route(method, path, headers, body)
        except RouteError as exc:
            return _route_error(self, exc, request_id)
        model = self.router.models[call.service]
        protocol = str(model.protocol)
        with self.lock:
            self.calls[(call.service, call.operation.name)] += 1
        faults = self.faults
        try:
            if faults.latency > 0:
                time.sleep(faults.latency)
            fate = self._next_fate(call.service, call.operation.name)
            if fate is not None:
                return self._fated(call, fate, request_id)
            if self.dice.roll(faults.drop_rate):
                if (call.service, call.operation.name) in MUTATING and self.dice.roll(0.5):
                    # The request took effect; only its answer is lost.
                    with contextlib.suppress(ApiError):
                        self._handle(call)
                return None
            return self._answer(call, faults, request_id)
        except ApiError as err:
            return protocols.error(model, protocol, err, request_id)
        except Exception:
            log.exception("sandbox handler failed for %s.%s", call.service, call.operation.name)
            internal = SERVICE_ERRORS[call.service].internal_error()
            return protocols.error(model, protocol, internal, request_id)

    def _next_fate(self, service: str, operation: str) -> str | None:
        # "ec2:CancelExportTask" scripts one service's operation; a bare name, every
        # service's operation of that name.
        with self.lock:
            queued = self.faults.fates.get(f"{service}:{operation}")
            if not queued:
                queued = self.faults.fates.get(operation)
            return queued.pop(0) if queued else None

    def _fated(self, call: Call, fate: str, request_id: str) -> protocols.HttpResponse | None:
        """Answer a call as its scripted fate says (see ``faults.FATES``)."""
        errors = SERVICE_ERRORS[call.service]
        if fate.endswith("-after-commit"):
            with contextlib.suppress(ApiError):
                self._handle(call)
        if fate.startswith("drop"):
            return None
        if fate == "throttle":
            raise errors.throttled()
        if fate.startswith("error"):
            raise errors.internal_error()
        if fate.startswith("raise:"):
            _, code, status, message = fate.split(":", 3)
            raise ApiError(code, message, int(status))
        # "ok": answered as if no fault were set.
        return self._answer(call, Faults(), request_id)

    def _answer(self, call: Call, faults: Faults, request_id: str) -> protocols.HttpResponse:
        errors = SERVICE_ERRORS[call.service]
        model = self.router.models[call.service]
        caller = self.identities.caller(call.access_key)
        with self.lock:
            self.account_calls[(caller.account, call.service, call.operation.name)] += 1
        if call.service in IDENTITY_SERVICES:
            return self._identity(call, caller, faults, request_id)
        if call.region == DISABLED_REGION:
            # What AWS answers in an opt-in region the account has not enabled.
            raise ApiError(
                "UnrecognizedClientException",
                "The security token included in the request is invalid.",
                403,
            )
        if caller.denied or faults.denies(call.service):
            who = caller.arn
            if call.access_key == DENIED_ACCESS_KEY:
                who = f"arn:aws:iam::{MANAGEMENT}:user/{call.access_key}"
            raise errors.access_denied(who)
        if self.dice.roll(faults.throttle_rate):
            raise errors.throttled()
        if self.dice.roll(faults.error_rate):
            if (call.service, call.operation.name) in MUTATING and self.dice.roll(0.5):
                # A 5xx does not say the request did nothing: half of them come after it.
                with contextlib.suppress(ApiError):
                    self._handle(call)
            raise errors.internal_error()
        response = protocols.success(model, call.operation, self._handle(call), request_id)
        return self._garbled(call, faults, response)

    def _garbled(
        self, call: Call, faults: Faults, response: protocols.HttpResponse
    ) -> protocols.HttpResponse:
        with self.lock:
            if self._counted_from is not faults.garbled_from:
                self._answered.clear()
                self._counted_from = faults.garbled_from
            answered = self._answered[call.service]
            self._answered[call.service] += 1
        mode = faults.garbling(call.service)
        if mode and answered >= faults.garble_after:
            protocols.garble(response, mode)
        return response

    def _handle(self, call: Call) -> dict[str, Any]:
        errors = SERVICE_ERRORS[call.service]
        model = self.router.models[call.service]
        handler = HANDLERS.get((call.service, call.operation.name))
        if handler is None:
            raise unknown_operation(f"The sandbox does not emulate {call.operation.name}.")
        elapsed = self.clock.elapsed()
        self._publish(elapsed)
        account = self.identities.caller(call.access_key).account
        world = self.worlds.get(account) or world_of(Account(account, "", None), 0)
        ctx = Context(
            scenario=world,
            clock=self.clock,
            elapsed=elapsed,
            region=call.region,
            base_url=self.url,
            page_cap=self.faults.page_size,
            listing_lag=self.faults.listing_lag,
            errors=errors,
            model=model,
            download_suffix=download.suffix if (download := BY_NAME[call.service].download) else "",
        )
        with self.lock, self._changing((call.service, call.operation.name) in MUTATING):
            return handler(ctx, call.params)

    def _changing(self, changes: bool) -> contextlib.AbstractContextManager[None]:
        """Around a change of the worlds: kept for the next command (see ``kept``)."""
        if changes and self.kept is not None:
            return self.kept.changing()
        return contextlib.nullcontext()

    def _identity(
        self, call: Call, caller: Caller, faults: Faults, request_id: str
    ) -> protocols.HttpResponse:
        errors = SERVICE_ERRORS[call.service]
        model = self.router.models[call.service]
        if faults.denies(call.service):
            raise errors.access_denied(caller.arn)
        if self.dice.roll(faults.throttle_rate):
            raise errors.throttled()
        if self.dice.roll(faults.error_rate):
            raise errors.internal_error()
        self.identities.session_seconds = faults.session_seconds
        output = identity.answer(
            self.identities,
            call.service,
            call.operation.name,
            caller,
            call.params,
            errors,
            faults.page_size,
        )
        return self._garbled(
            call, faults, protocols.success(model, call.operation, output, request_id)
        )


def _route_error(sb: Sandbox, exc: RouteError, request_id: str) -> protocols.HttpResponse:
    if exc.service is not None:
        model = sb.router.models[exc.service]
        return protocols.error(model, str(model.protocol), exc, request_id)
    # Service unknown: answer in a form both the json and rest-json parsers read.
    response = protocols.error(None, "rest-json", exc, request_id)
    response.status = exc.status or 404
    response.body = (
        b'{"__type": "' + exc.code.encode() + b'", "message": ' + _quote(exc.message) + b"}"
    )
    return response


def _quote(text: str) -> bytes:
    return json.dumps(text).encode()


class _Server(ThreadingHTTPServer):
    """The HTTP server, knowing its open connections: a stopped sandbox closes them.

    A client keeps its connection open between requests (botocore's pool does), and
    the thread serving it waits on the next request until the client closes it:
    without this, a stopped sandbox still answered there, and each such thread kept
    the sandbox and its worlds alive for as long as the client lived.
    """

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        super().__init__(address, handler)
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """End every open connection: the threads serving them see it closed."""
        with self._open_lock:
            connections = list(self._open)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that went away mid-answer (a command ended by Ctrl-C or `| head`) is
        # nobody's error; socketserver would print its traceback on stderr.
        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError)):
            return
        log.exception("sandbox: the request from %s failed", client_address)


def _serve(server: ThreadingHTTPServer, waker: socket.socket) -> None:
    """Serve until ``waker``'s peer is closed.

    socketserver's own loop looks for a stop request between two waits of a fixed
    interval, so every stop would cost up to that interval; this loop waits on the
    listening socket and ``waker`` together, and ends as soon as ``waker`` can be read.
    """
    with waker, selectors.DefaultSelector() as selector:
        selector.register(server, selectors.EVENT_READ)
        selector.register(waker, selectors.EVENT_READ)
        while True:
            ready = {key.fileobj for key, _ in selector.select()}
            if waker in ready:
                return
            # The listening socket is readable: a connection waits to be accepted.
            server.handle_request()


def _handler_class(sandbox: Sandbox) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "AmazonWebServices"
        sys_version = ""

        def setup(self) -> None:
            super().setup()
            # Headers and body go out in separate writes; without this, Nagle plus
            # delayed ACKs add ~40 ms to every loopback request.
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def date_time_string(self, timestamp: float | None = None) -> str:
            # The service's own clock, as AWS's Date is: a client's skew shows in it.
            when = sandbox.clock.now_epoch() if timestamp is None else timestamp
            return super().date_time_string(when)

        def _handle(self) -> None:
            try:
                body = read_body(self.headers, self.rfile, self.connection)
            except Unreadable as exc:
                self.close_connection = True
                message = json.dumps({"message": str(exc)}).encode()
                self._send(protocols.HttpResponse(exc.status, message, {
                    "Content-Type": "application/json", "Connection": "close"
                }))  # fmt: skip
                return
            try:
                response = sandbox.dispatch(self.command, self.path, self.headers, body)
            except Exception:
                log.exception("sandbox failed on %s %s", self.command, self.path)
                response = protocols.HttpResponse(
                    500, b'{"message": "sandbox failure"}', {"Content-Type": "application/json"}
                )
            if response is None:
                self._drop()
                return
            self._send(response)

        def _send(self, response: protocols.HttpResponse) -> None:
            self.send_response(response.status)
            for name, value in response.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(response.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(response.body)

        def _drop(self) -> None:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)

        do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _handle

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("%s - %s", self.address_string(), format % args)

    return Handler
