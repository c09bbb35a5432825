"""Every test runs with no real AWS configuration: no profile, no credentials, no IMDS."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

_CLEARED = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_SECURITY_TOKEN",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_ENDPOINT_URL",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "EXPORTCTL_SANDBOX",
    "EXPORTCTL_DEBUG",
    "NO_COLOR",
)


@pytest.fixture(autouse=True)
def _isolated_aws(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    home = tmp_path_factory.mktemp("aws-home")
    for name in _CLEARED:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(Path(home) / "config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(Path(home) / "credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("XDG_CACHE_HOME", str(Path(home) / "cache"))
    yield
