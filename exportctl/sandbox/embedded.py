"""The sandbox started inside an exportctl process (``--sandbox``)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from exportctl.aws import AwsSettings
from exportctl.sandbox.server import DUMMY_ACCESS_KEY, DUMMY_SECRET_KEY, Sandbox


def start(settings: AwsSettings) -> tuple[AwsSettings, Callable[[], None]]:
    """Serve the sandbox on a free loopback port; settings that point every client at it.

    The user's profile is left out: the sandbox needs no AWS configuration at all.
    An explicit --region still picks that region's sandbox data.
    """
    sandbox = Sandbox(port=0).start()
    pointed = dataclasses.replace(
        settings,
        profile=None,
        region=settings.region or sandbox.region,
        endpoint_url=sandbox.url,
        access_key=DUMMY_ACCESS_KEY,
        secret_key=DUMMY_SECRET_KEY,
    )
    return pointed, sandbox.stop
