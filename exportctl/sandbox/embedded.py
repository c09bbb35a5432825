"""The sandbox started inside an exportctl process (``--sandbox``)."""

from __future__ import annotations

import dataclasses
import threading
from typing import TYPE_CHECKING

from exportctl.aws import AwsSettings
from exportctl.errors import UsageError
from exportctl.sandbox.clock import scaled_clock
from exportctl.sandbox.server import DUMMY_ACCESS_KEY, DUMMY_SECRET_KEY, Sandbox

if TYPE_CHECKING:
    from exportctl.sandbox.s3 import S3Sandbox

SPEED_VARIABLE = "EXPORTCTL_SANDBOX_SPEED"


def _speed() -> float:
    """How many times faster than real time the scenario runs (EXPORTCTL_SANDBOX_SPEED)."""
    import os

    raw = os.environ.get(SPEED_VARIABLE, "").strip()
    if not raw:
        return 1.0
    try:
        speed = float(raw)
    except ValueError:
        speed = 0.0
    if not 0 < speed <= 1000:
        raise UsageError(f"{SPEED_VARIABLE}={raw!r}: use a number from 0 to 1000, such as 5")
    return speed


class Embedded:
    """The export APIs at once; S3 (moto, slower to start) only when a command needs it."""

    def __init__(self, settings: AwsSettings) -> None:
        speed = _speed()
        clock = None if speed == 1.0 else scaled_clock(speed)
        self.sandbox = Sandbox(port=0, clock=clock).start()
        self._s3: S3Sandbox | None = None
        self._lock = threading.Lock()
        # The user's profile is left out: the sandbox needs no AWS configuration.
        # An explicit --region still picks that region's sandbox data.
        self.settings = dataclasses.replace(
            settings,
            profile=None,
            region=settings.region or self.sandbox.region,
            endpoint_url=self.sandbox.url,
            access_key=DUMMY_ACCESS_KEY,
            secret_key=DUMMY_SECRET_KEY,
        )

    def s3_url(self) -> str:
        with self._lock:
            if self._s3 is None:
                from exportctl.sandbox.s3 import S3Unavailable, start_s3

                try:
                    self._s3 = start_s3(self.sandbox)
                except S3Unavailable as exc:
                    raise UsageError(str(exc)) from exc
            return self._s3.url

    def stop(self) -> None:
        with self._lock:
            if self._s3 is not None:
                self._s3.stop()
                self._s3 = None
        self.sandbox.stop()
