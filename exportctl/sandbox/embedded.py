"""The sandbox started inside an exportctl process (``--sandbox``).

Its worlds are kept from one command to the next (``exportctl.sandbox.worldfile``),
and it is reached with the keys and region of the profile the command names, as
AWS would be: a profile's access key picks the sandbox's account (see
``exportctl/sandbox/accounts.py``).
"""

from __future__ import annotations

import dataclasses
import os
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from exportctl.aws.clients import AwsSettings
from exportctl.aws.usersettings import configured_region
from exportctl.domain.errors import UsageError
from exportctl.sandbox.clock import scaled_clock
from exportctl.sandbox.server import DUMMY_ACCESS_KEY, DUMMY_SECRET_KEY, Sandbox
from exportctl.sandbox.worldfile import WorldFile

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
        raise UsageError(f"{SPEED_VARIABLE}={raw!r}: use a number above 0, up to 1000, such as 5")
    return speed


class Embedded:
    """The export APIs at once; S3 (moto, slower to start) only when a command needs it."""

    def __init__(self, settings: AwsSettings, notice: Callable[[str], None] | None = None) -> None:
        """``notice``: told, once, when the world cannot be kept for the next command."""
        speed = _speed()
        # Made here at every speed, real time's included: one place to replace it
        # with a clock of one's own (the README's outputs are made on a fixed one).
        sandbox = Sandbox(port=0, clock=scaled_clock(speed))
        sandbox.kept = WorldFile.open(
            sandbox.worlds,
            sandbox.clock,
            sandbox.lock,
            seed=sandbox.seed,
            speed=speed,
            notice=notice,
        )
        self.sandbox = sandbox.start()
        self._s3: S3Sandbox | None = None
        self._lock = threading.Lock()
        # The region the command asked for, whatever profile each client has.
        self._region = settings.region
        self.settings = self.settings_for(settings)

    def settings_for(self, settings: AwsSettings) -> AwsSettings:
        """``settings`` pointed at this sandbox, with the keys and region of their
        profile, for the command's clients and those of each profile of ``--profile
        a,b``. No profile, or one without keys, is the sandbox's dummy keys (its
        management account). With a profile the region is found as against AWS
        (and checked there: ``Clients.default_region``), else it is the sandbox's.
        An unknown profile is left to the clients, which say so as they do without
        the sandbox."""
        named = settings.profile
        profile = named or os.environ.get("AWS_DEFAULT_PROFILE") or os.environ.get("AWS_PROFILE")
        config = _profile_config(profile) if profile else {}
        keys = (config.get("aws_access_key_id"), config.get("aws_secret_access_key"))
        if not named:
            # As in botocore's chain: keys in the environment beat AWS_PROFILE's.
            found = (os.environ.get("AWS_ACCESS_KEY_ID"), os.environ.get("AWS_SECRET_ACCESS_KEY"))
            if all(found):
                keys = found
        access_key, secret_key = keys if all(keys) else (DUMMY_ACCESS_KEY, DUMMY_SECRET_KEY)
        region, home = self._region, None
        if not (profile and configured_region(config)):
            # Nothing names a region (no profile: no AWS configuration at all): the
            # sandbox's, unless --region picks another region's sandbox data.
            region, home = self._region or self.sandbox.region, self.sandbox.region
        return dataclasses.replace(
            settings,
            region=region,
            home_region=home,
            endpoint_url=self.sandbox.url,
            access_key=access_key,
            secret_key=secret_key,
            direct=True,
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
        if self.sandbox.kept is not None:
            # The clock reached, and the world's last use, for the next command.
            self.sandbox.kept.save()


def _profile_config(name: str) -> dict[str, Any]:
    """A profile's settings as botocore reads them (its config and credentials files
    merged); empty when it cannot be read, for the clients to say why."""
    import botocore.session

    try:
        return dict(botocore.session.Session(profile=name).get_scoped_config())
    except Exception:
        return {}
