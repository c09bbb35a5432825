"""exportctl's pytest plugin: the sandbox for your tests (docs/API.md).

Installed with exportctl, it is registered as a pytest plugin (entry point
``pytest11``: ``exportctl.testing``; ``-p exportctl.testing`` loads it where plugins
are not loaded automatically, ``-p no:exportctl.testing`` keeps it out). Loading it
costs a test run nothing: this module imports pytest and the standard library only,
and nothing starts until a test asks for the fixture ``exportctl_sandbox``.

That fixture starts the sandbox once per session (per worker, with pytest-xdist)
on 127.0.0.1 and points the test at it: the environment (``AWS_ENDPOINT_URL``, the
keys, ``AWS_REGION``; no other ``AWS_`` variable of the machine's, no AWS configuration
files, 127.0.0.1 in ``NO_PROXY``, a cache folder of the session's), boto3's default
session (none during the test, the one before given back after), and exportctl's
clock, so that its waits and botocore's backoffs in exportctl's clients, in the
test's process, move the sandbox's clock instead of sleeping. The sandbox's clock
moves only then, or by :meth:`SandboxHandle.advance`: a job started in a test stays
where it is until the test moves time on. Jobs and the clock carry over from one
test to the next (a test starts the jobs it needs); faults set in a test are put
back as they were after it.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

if TYPE_CHECKING:
    from exportctl.api.client import Client
    from exportctl.domain.model import ExportJob
    from exportctl.sandbox.faults import Faults
    from exportctl.sandbox.s3 import S3Sandbox
    from exportctl.sandbox.server import Sandbox

__all__ = ["Credentials", "SandboxHandle", "exportctl_sandbox", "exportctl_sandbox_server"]

# What the fixture takes out of a test's environment: every AWS setting of the machine
# (a profile, a session token, an endpoint of one service, AWS_IGNORE_CONFIGURED_
# ENDPOINT_URLS, FIPS endpoints...) and the command's own embedded sandbox would send
# calls elsewhere than the session's sandbox; the sandbox's own settings are put back.
_CLEARED_PREFIX = "AWS_"
_CLEARED = ("EXPORTCTL_SANDBOX",)
# The variables that name hosts no proxy stands in front of: the sandbox's is added.
_NO_PROXY = ("NO_PROXY", "no_proxy")


def _cleared(name: str) -> bool:
    return name in _CLEARED or name.startswith(_CLEARED_PREFIX)


def _with_host(given: str | None, host: str) -> str:
    if not given:
        return host
    return given if host in (part.strip() for part in given.split(",")) else f"{given},{host}"


@dataclass(frozen=True)
class Credentials:
    """What reaches the sandbox's management account (``123456789012``)."""

    access_key_id: str
    secret_access_key: str
    region: str


class SandboxHandle:
    """The session's sandbox, as a test sees it.

    ``url`` and ``credentials`` reach it from any AWS tool; ``env`` is what the
    fixture puts in the environment; ``sandbox`` is the server itself
    (:class:`exportctl.sandbox.Sandbox`: its ``faults``, ``calls``, ``jobs()``).
    """

    def __init__(self, sandbox: Sandbox, home: Path) -> None:
        self.sandbox = sandbox
        self._home = home
        self._s3: S3Sandbox | None = None
        self._client: Client | None = None
        # Held while the process's pointing changes hands (calls run in any thread;
        # reentrant: a listing dropped mid-change lets its pointing go, see _Hold).
        self._lock = threading.RLock()
        # The pointings in force, outermost first (a test's, pointed() blocks).
        self._pointings: list[_Pointing] = []
        # The pointing the client's calls share where nothing else points the process:
        # made by the first of them, undone by the last to end (_calls: those running).
        self._shared: _Pointing | None = None
        self._calls = 0
        self._stopped = False

    @property
    def url(self) -> str:
        return self.sandbox.url

    @property
    def region(self) -> str:
        return self.sandbox.region

    @property
    def credentials(self) -> Credentials:
        env = self.sandbox.env()
        return Credentials(env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"], self.region)

    @property
    def env(self) -> dict[str, str]:
        """The variables that point a process at the sandbox, put over an environment
        of no ``AWS_`` settings (:meth:`environ` is a whole one, for a subprocess)."""
        env = self.sandbox.env()
        env["AWS_CONFIG_FILE"] = str(self._home / "config")
        env["AWS_SHARED_CREDENTIALS_FILE"] = str(self._home / "credentials")
        if self._s3 is not None:
            env["AWS_ENDPOINT_URL_S3"] = self._s3.url
        # exportctl's caches (the references shell completion offers, the durations
        # of jobs by endpoint) hold the sandbox's jobs: not in the user's own folder.
        env["XDG_CACHE_HOME"] = str(self._home / "cache")
        # A proxy the machine names (HTTP_PROXY & co.) is not in the way to 127.0.0.1.
        host = urlsplit(self.url).hostname or "127.0.0.1"
        for name in _NO_PROXY:
            env[name] = _with_host(os.environ.get(name), host)
        return env

    def environ(self) -> dict[str, str]:
        """This process's environment pointed at the sandbox, for a subprocess
        (``subprocess.run(..., env=handle.environ())``): every ``AWS_`` variable of
        the machine's taken out (a profile, keys, endpoints), :attr:`env` put in."""
        env = {name: value for name, value in os.environ.items() if not _cleared(name)}
        env.update(self.env)
        return env

    # -- time ---------------------------------------------------------------------

    @property
    def elapsed(self) -> float:
        """Seconds on the sandbox's clock since it started."""
        return self.sandbox.clock.elapsed()

    def advance(self, seconds: float) -> float:
        """Move the sandbox's clock on (jobs go through their phases); the new elapsed time."""
        self._live()
        return self.sandbox.advance(seconds)

    # -- jobs ----------------------------------------------------------------------

    def client(self) -> Client:
        """An :class:`exportctl.Client` of the sandbox, whatever the environment says,
        whose calls run pointed at it wherever they run (a fixture of a wider scope's,
        another thread's), and so do the reads of the listings, waits, watches and
        backups it hands out (a listing from its first job to its end): their waits
        and botocore's backoffs move the sandbox's clock. One for the session (its
        botocore clients are made once): a test that closed it gets another, as the
        tests after it do."""
        self._live()
        if self._client is None or self._client.closed:
            from exportctl.testing.client import Calls, clocked_client

            creds = self.credentials
            self._client = clocked_client(
                Calls(self._enter_calls, self._leave_calls),
                region=creds.region,
                endpoint_url=self.url,
                access_key_id=creds.access_key_id,
                secret_access_key=creds.secret_access_key,
            )
        return self._client

    def add_job(self, service: str, /, **options: Any) -> ExportJob:
        """A new job of ``service``, started through its real create call with
        ``options`` as :meth:`exportctl.Client.start` takes them. It follows the
        service's timeline on the sandbox clock (docs/SANDBOX.md); a destination
        naming ``denied`` makes it fail."""
        return self.client().start(service, **options)

    def set_status(self, job: ExportJob | str, status: str) -> None:
        """Pin a job's status word (any string, even one its service does not know)."""
        self._on_job(job, lambda service, job_id: self.sandbox.set_status(service, job_id, status))

    def delete_job(self, job: ExportJob | str) -> None:
        """Make a job disappear, as a service forgets a deleted one."""
        self._on_job(job, self.sandbox.delete_job)

    def _on_job(self, job: ExportJob | str, act: Any) -> None:
        if isinstance(job, str):
            job = self.client().get(job)
        self._live()
        tried = [job.id, *([job.arn] if job.arn else [])]
        for job_id in tried:
            try:
                act(job.service, job_id)
                return
            except LookupError:
                continue
        raise LookupError(f"the sandbox has no {job.service} job {job.ref}")

    def start_s3(self) -> str:
        """The sandbox's S3 (moto: ``pip install 'exportctl[sandbox]'``), holding what
        completed jobs wrote, for downloads; started once for the session. Its URL, in
        :attr:`env` from then on (``AWS_ENDPOINT_URL_S3``), and so in every test's
        environment the fixture points."""
        self._live()
        if self._s3 is None:
            from exportctl.sandbox.s3 import start_s3

            self._s3 = start_s3(self.sandbox)
        with self._lock:
            pointing = self._pointings[0] if self._pointings else self._shared
            if pointing is not None:
                # Only where a test is pointed now, undone with the rest after it.
                pointing.patch.setenv("AWS_ENDPOINT_URL_S3", self._s3.url)
        return self._s3.url

    # -- pointing --------------------------------------------------------------------

    @contextlib.contextmanager
    def pointed(self) -> Iterator[SandboxHandle]:
        """Point the code in the block at the sandbox as the fixture points a test
        (the environment, boto3's default session, exportctl's clock; faults set in it
        put back after it), for a fixture of a wider scope: ``with
        exportctl_sandbox_server.pointed(): ...``."""
        with pytest.MonkeyPatch.context() as patch, self.pointing(patch):
            yield self

    @contextlib.contextmanager
    def pointing(self, patch: pytest.MonkeyPatch, *, own_faults: bool = True) -> Iterator[None]:
        """What :meth:`pointed` does, undone by ``patch`` (the fixture's: the test's
        ``monkeypatch``, so that what the test patches itself is undone in order);
        faults set in the block are left as they are unless ``own_faults``."""
        with self._lock:
            self._live()
            faults = None
            if own_faults:
                faults = self.sandbox.saved_faults()
            if self._shared is not None:
                # Calls of other threads pointed the process: undone first, so that
                # what this puts back after it is what was there before them; they
                # run on under this one.
                self._unpoint(self._shared)
                self._shared = None
            pointing = self._point(patch, faults)
            self._pointings.append(pointing)
        try:
            yield
        finally:
            with self._lock:
                self._pointings.remove(pointing)
                self._unpoint(pointing, undo=False)
            if pointing.faults is not None and not self._stopped:
                self.sandbox.restore_faults(pointing.faults)

    def _enter_calls(self) -> None:
        """Point the process at the sandbox for a call of :meth:`client`, wherever it
        is made (its clock, the cache it writes, the proxies the clients it makes go
        past), where nothing points it already; faults left as set. Calls of several
        threads at once share one pointing, in force until the last of them ends
        (:meth:`_leave_calls`): none runs on unpointed, none puts back another's."""
        with self._lock:
            if self._shared is None and not self._pointings:
                self._live()
                self._shared = self._point(pytest.MonkeyPatch(), None)
            self._calls += 1

    def _leave_calls(self) -> None:
        with self._lock:
            self._calls -= 1
            if self._calls == 0 and self._shared is not None:
                shared, self._shared = self._shared, None
                self._unpoint(shared)

    def _point(self, patch: pytest.MonkeyPatch, faults: Faults | None) -> _Pointing:
        pointing = _Pointing(patch, faults, had_boto3="boto3" in sys.modules)
        for name in list(os.environ):
            if _cleared(name):
                patch.delenv(name)
        for name, value in self.env.items():
            patch.setenv(name, value)
        if pointing.had_boto3:
            # boto3 makes its default session from the environment once and keeps it:
            # one made before would sign with the machine's keys, and one made in the
            # test would reach the sandbox with its keys from the tests after it.
            patch.setattr(sys.modules["boto3"], "DEFAULT_SESSION", None)
        self._clock(patch)
        return pointing

    def _unpoint(self, pointing: _Pointing, *, undo: bool = True) -> None:
        if undo:
            pointing.patch.undo()
        boto3: Any = sys.modules.get("boto3")
        if not pointing.had_boto3 and boto3 is not None:
            # Imported while pointed: the session it made is the sandbox's.
            boto3.DEFAULT_SESSION = None

    def _clock(self, patch: pytest.MonkeyPatch) -> None:
        from exportctl.aws.deadlines import BACKOFFS
        from exportctl.domain import timeutil
        from exportctl.ops.polling.timing import TIMING

        # botocore's backoffs in exportctl's clients too (not in clients of your own).
        patch.setattr(BACKOFFS, "sleep", self._sleep)
        patch.setattr(BACKOFFS, "clock", self.sandbox.clock.elapsed)
        patch.setattr(TIMING, "clock", self.sandbox.clock.elapsed)
        patch.setattr(TIMING, "sleep", self._sleep)
        patch.setattr(TIMING, "pause", self._pause)
        patch.setattr(timeutil, "wall_clock", self.sandbox.clock.now_epoch)

    def _sleep(self, seconds: float) -> None:
        self.sandbox.advance(max(0.0, seconds))

    async def _pause(self, seconds: float) -> None:
        import asyncio

        self.sandbox.advance(max(0.0, seconds))
        # The loop runs what else is ready, as it would while sleeping.
        await asyncio.sleep(0)

    def _live(self) -> None:
        if self._stopped:
            raise RuntimeError(
                "exportctl's sandbox of this test session has stopped (its fixture was "
                "torn down): use the handle from a test or a fixture that asks for it"
            )

    def stop(self) -> None:
        self._stopped = True
        if self._client is not None:
            self._client.close()
        if self._s3 is not None:
            self._s3.stop()
            self._s3 = None
        self.sandbox.stop()


@dataclass(frozen=True)
class _Pointing:
    patch: pytest.MonkeyPatch
    # The sandbox's faults before, put back after: a test's faults are its own.
    faults: Faults | None
    had_boto3: bool


@pytest.fixture(scope="session")
def exportctl_sandbox_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxHandle]:
    """The session's sandbox, started on first use; :func:`exportctl_sandbox` points a
    test at it."""
    from exportctl.sandbox.server import Sandbox

    home = tmp_path_factory.mktemp("exportctl-sandbox")
    # Empty AWS configuration files: nothing of the machine's reaches the tests.
    for name in ("config", "credentials"):
        (home / name).write_text("")
    # A clock that stands still: only the tests move it. What it caches is in the
    # session's cache folder too, with what its tests do.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(home / "cache"))
        handle = SandboxHandle(Sandbox(port=0, clock=_still).start(), home)
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture
def exportctl_sandbox(
    exportctl_sandbox_server: SandboxHandle, monkeypatch: pytest.MonkeyPatch
) -> Iterator[SandboxHandle]:
    """The exportctl sandbox, this test pointed at it: see :class:`SandboxHandle`."""
    with exportctl_sandbox_server.pointing(monkeypatch):
        yield exportctl_sandbox_server


def _still() -> float:
    return 0.0
