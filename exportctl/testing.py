"""exportctl's pytest plugin: the sandbox for your tests (docs/API.md).

Installed with exportctl, it is registered as a pytest plugin (entry point
``pytest11``: ``exportctl.testing``; ``-p exportctl.testing`` loads it where plugins
are not loaded automatically). Loading it costs a test run nothing: this module
imports pytest and the standard library only, and nothing starts until a test asks
for the fixture ``exportctl_sandbox``.

That fixture starts the sandbox once per session (per worker, with pytest-xdist)
on 127.0.0.1 and points the test at it: the environment (``AWS_ENDPOINT_URL``, the
keys, ``AWS_REGION``; no other ``AWS_`` variable of the machine's, no AWS configuration
files, 127.0.0.1 in ``NO_PROXY``), so that
``exportctl.Client()`` and the ``exportctl`` command both talk to it, and exportctl's
clock, so that its waits in the test's process move the sandbox's clock instead of
sleeping. The sandbox's clock moves only then, or by :meth:`SandboxHandle.advance`:
a job started in a test stays where it is until the test moves time on. Jobs and
the clock carry over from one test to the next: a test starts the jobs it needs.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

if TYPE_CHECKING:
    from exportctl.api.client import Client
    from exportctl.domain.model import ExportJob
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
        self._patch: pytest.MonkeyPatch | None = None
        self._client: Client | None = None

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
        """The variables that point a process at the sandbox (for a subprocess of your own)."""
        env = self.sandbox.env()
        env["AWS_CONFIG_FILE"] = str(self._home / "config")
        env["AWS_SHARED_CREDENTIALS_FILE"] = str(self._home / "credentials")
        if self._s3 is not None:
            env["AWS_ENDPOINT_URL_S3"] = self._s3.url
        return env

    # -- time ---------------------------------------------------------------------

    @property
    def elapsed(self) -> float:
        """Seconds on the sandbox's clock since it started."""
        return self.sandbox.clock.elapsed()

    def advance(self, seconds: float) -> float:
        """Move the sandbox's clock on (jobs go through their phases); the new elapsed time."""
        return self.sandbox.advance(seconds)

    # -- jobs ----------------------------------------------------------------------

    def client(self) -> Client:
        """An :class:`exportctl.Client` of the sandbox, whatever the environment says
        (one for the session: its botocore clients are made once; a test that closed
        it gets another, as the tests after it do)."""
        if self._client is None or self._client.closed:
            from exportctl.api.client import Client

            creds = self.credentials
            self._client = Client(
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
        completed jobs wrote, for downloads; started once, and pointed at from
        then on (``AWS_ENDPOINT_URL_S3``). Its URL."""
        if self._s3 is None:
            from exportctl.sandbox.s3 import start_s3

            self._s3 = start_s3(self.sandbox)
        if self._patch is not None:
            self._patch.setenv("AWS_ENDPOINT_URL_S3", self._s3.url)
        return self._s3.url

    # -- the fixture's ---------------------------------------------------------------

    def point(self, patch: pytest.MonkeyPatch) -> None:
        """The environment and exportctl's clock of one test, pointed at the sandbox
        (``patch`` undoes it after the test)."""
        self._patch = patch
        for name in list(os.environ):
            if name in _CLEARED or name.startswith(_CLEARED_PREFIX):
                patch.delenv(name)
        for name, value in self.env.items():
            patch.setenv(name, value)
        # A proxy the machine names (HTTP_PROXY & co.) is not in the way to 127.0.0.1.
        host = urlsplit(self.url).hostname or "127.0.0.1"
        for name in _NO_PROXY:
            given = os.environ.get(name)
            patch.setenv(name, f"{given},{host}" if given else host)
        from exportctl.domain import timeutil
        from exportctl.ops.polling.timing import TIMING

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

    def stop(self) -> None:
        if self._s3 is not None:
            self._s3.stop()
            self._s3 = None
        self.sandbox.stop()


@pytest.fixture(scope="session")
def exportctl_sandbox_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxHandle]:
    """The session's sandbox, started on first use; :func:`exportctl_sandbox` points a
    test at it."""
    from exportctl.sandbox.server import Sandbox

    home = tmp_path_factory.mktemp("exportctl-sandbox")
    # Empty AWS configuration files: nothing of the machine's reaches the tests.
    for name in ("config", "credentials"):
        (home / name).write_text("")
    # A clock that stands still: only the tests move it.
    handle = SandboxHandle(Sandbox(port=0, clock=_still).start(), home)
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture
def exportctl_sandbox(
    exportctl_sandbox_server: SandboxHandle, monkeypatch: pytest.MonkeyPatch
) -> SandboxHandle:
    """The exportctl sandbox, this test pointed at it: see :class:`SandboxHandle`."""
    exportctl_sandbox_server.point(monkeypatch)
    return exportctl_sandbox_server


def _still() -> float:
    return 0.0
