"""AWS sessions and clients: one client per service and region, reused.

boto3 is imported here, lazily, and nowhere on the path of --help or --version.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from exportctl import __version__
from exportctl.errors import UsageError, translate

if TYPE_CHECKING:
    import boto3


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


class Clients:
    """Creates boto3 clients on first use and hands the same one back after."""

    def __init__(
        self, settings: AwsSettings, endpoints: Mapping[str, Callable[[], str]] | None = None
    ) -> None:
        self.settings = settings
        # Endpoints known only once needed: the sandbox starts its S3 on first use.
        self._lazy_endpoints = dict(endpoints or {})
        self._lock = threading.Lock()
        self._session: boto3.session.Session | None = None
        self._clients: dict[tuple[str, str], Any] = {}

    @property
    def session(self) -> boto3.session.Session:
        with self._lock:
            return self._session_unlocked()

    def _session_unlocked(self) -> boto3.session.Session:
        if self._session is None:
            import boto3

            s = self.settings
            try:
                self._session = boto3.session.Session(
                    profile_name=s.profile,
                    region_name=s.region or env_region(),
                    aws_access_key_id=s.access_key,
                    aws_secret_access_key=s.secret_key,
                )
            except Exception as exc:
                raise translate(exc) from exc
        return self._session

    @property
    def default_region(self) -> str:
        region = self.settings.region or self.session.region_name
        if not region:
            raise UsageError(
                "no AWS region: pass --region, set AWS_REGION, or set a region in the profile"
            )
        return region

    def partition(self, region: str) -> str:
        partition: str = self.session.get_partition_for_region(region)
        return partition

    def client(self, service: str, region: str | None = None) -> Any:
        region = region or self.default_region
        key = (service, region)
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                client = self._create(service, region)
                self._clients[key] = client
            return client

    def _create(self, service: str, region: str) -> Any:
        from botocore.config import Config

        s = self.settings
        # AWS_MAX_ATTEMPTS wins when set, as it does for the AWS CLI.
        retries: dict[str, Any] = {"mode": "standard"}
        if not os.environ.get("AWS_MAX_ATTEMPTS"):
            retries["total_max_attempts"] = s.max_attempts
        config = Config(
            retries=retries,
            user_agent_extra=f"exportctl/{__version__}",
            connect_timeout=s.connect_timeout,
            read_timeout=s.read_timeout,
            max_pool_connections=16,
        )
        try:
            return self._session_unlocked().client(
                service,
                region_name=region,
                endpoint_url=self._endpoint(service),
                config=config,
            )
        except Exception as exc:
            raise translate(exc) from exc

    def _endpoint(self, service: str) -> str | None:
        chosen = _endpoint(self.settings, service)
        lazy = self._lazy_endpoints.get(service)
        # A URL given for this service alone still wins.
        if lazy and chosen in (None, self.settings.endpoint_url):
            return lazy()
        return chosen


def env_region() -> str | None:
    """``AWS_REGION``, which the AWS CLI v2 and the other SDKs read before
    ``AWS_DEFAULT_REGION``; botocore reads only the latter (and then the profile)."""
    return os.environ.get("AWS_REGION", "").strip() or None


def _endpoint(settings: AwsSettings, service: str) -> str | None:
    """The URL a client of ``service`` talks to; S3's own setting beats the shared one."""
    if service == "s3":
        return (
            settings.s3_endpoint_url
            or os.environ.get("AWS_ENDPOINT_URL_S3")
            or settings.endpoint_url
        )
    return settings.endpoint_url
