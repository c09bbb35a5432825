"""S3 for the sandbox: moto's server, seeded with the output of every completed job.

The export APIs and S3 listen on different ports, so S3 gets its own endpoint::

    from exportctl.sandbox import Sandbox
    from exportctl.sandbox.s3 import start_s3

    with Sandbox(port=0) as sb, start_s3(sb) as s3:
        s3.url      # "http://127.0.0.1:PORT": --endpoint-url sb.url plus
                    # AWS_ENDPOINT_URL_S3=s3.url (or AwsSettings(s3_endpoint_url=s3.url))
        s3.objects  # {"s3://bucket/key": bytes} seeded

Jobs that complete later (on the sandbox clock, or created with a start call) get
their objects when they complete, before any answer shows them completed.

Objects are deterministic (the same sandbox seed gives the same bytes):

* Backup Search: ``DestinationPrefix + ExportJobIdentifier + "/"`` holds the
  result CSV parts and a manifest, so every key names its export job.
* Pinpoint: gzipped JSON-lines endpoint files in the folder ``S3UrlPrefix``.
* Personalize: CSV parts in the folder ``jobOutput.s3DataDestination.path`` (both
  also when it was given without its last '/').
* EC2: one object per export, ``S3Prefix`` + task id + ``.vmdk``/``.raw``/``.vhd``
  (``.ova`` for an instance export in that container): a disk image's first bytes.

Needs the ``sandbox`` extra (moto[server,s3]); the export APIs do not.
"""

from __future__ import annotations

import hashlib
import socket
import threading
from types import TracebackType
from typing import TYPE_CHECKING, Any

from exportctl.sandbox.catalog import BY_NAME

if TYPE_CHECKING:
    from exportctl.sandbox.jobs import OutputLocation
    from exportctl.sandbox.server import Sandbox


# The one thing said when S3 is asked for and moto is missing.
S3_EXTRA_HINT = "the sandbox's S3 needs moto: pip install 'exportctl[sandbox]'"


class S3Unavailable(ImportError):
    """moto, which serves the sandbox's S3, is not installed."""


class S3Sandbox:
    def __init__(self, sandbox: Sandbox, port: int = 0) -> None:
        self.sandbox = sandbox
        self.port = port
        self.objects: dict[str, bytes] = {}
        self._server: Any = None
        # What each bucket held when this sandbox first wrote to it, by key: ETags.
        self._held: dict[str, dict[str, str]] = {}
        # One client a region: making a boto3 client costs more than a put.
        self._clients: dict[str, Any] = {}
        self._clients_lock = threading.Lock()
        self._held_lock = threading.Lock()

    @property
    def url(self) -> str:
        host, port = self._server.get_host_and_port()
        return f"http://{host}:{port}"

    def start(self) -> S3Sandbox:
        import logging

        try:
            from moto.server import ThreadedMotoServer
        except ImportError as exc:
            raise S3Unavailable(S3_EXTRA_HINT) from exc

        if self.port:
            _check_free(self.port)
        # moto's web server logs every request to stderr: not what a CLI user reads.
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self._server.start()
        self.seed()
        return self

    def client(self, region: str) -> Any:
        with self._clients_lock:
            made = self._clients.get(region)
            if made is None:
                import boto3
                from botocore.config import Config

                made = self._clients[region] = boto3.client(
                    "s3",
                    region_name=region,
                    endpoint_url=self.url,
                    aws_access_key_id="sandbox",
                    aws_secret_access_key="sandbox",
                    # Its own server, on this machine: past any proxy of the environment.
                    config=Config(proxies={}),
                )
            return made

    def seed(self) -> None:
        """Objects for every completed job's S3 output, now and as jobs complete."""
        self.sandbox.on_output(self.put)

    def put(self, location: OutputLocation) -> None:
        if not location.uri.startswith("s3://"):
            return
        bucket, _, prefix = location.uri.removeprefix("s3://").partition("/")
        client = self.client(location.region)
        held = self._held_in(client, bucket, location.region)
        for key, body in self._objects_of(location, prefix).items():
            etag = f'"{hashlib.md5(body, usedforsecurity=False).hexdigest()}"'
            if held.get(key) != etag:
                client.put_object(Bucket=bucket, Key=key, Body=body)
                held[key] = etag
            self.objects[f"s3://{bucket}/{key}"] = body

    def _held_in(self, client: Any, bucket: str, region: str) -> dict[str, str]:
        """The ETags of what ``bucket`` holds, made if missing. moto keeps its buckets
        for the life of the process, so a sandbox started again in one (a test run,
        the Python API) finds the same objects there and puts only what differs: one
        listing a bucket instead of a put an object."""
        with self._held_lock:
            held = self._held.get(bucket)
            if held is not None:
                return held
            held = {}
            try:
                for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
                    held.update((o["Key"], o["ETag"]) for o in page.get("Contents", ()))
            except client.exceptions.NoSuchBucket:
                params: dict[str, Any] = {"Bucket": bucket}
                if region != "us-east-1":
                    params["CreateBucketConfiguration"] = {"LocationConstraint": region}
                client.create_bucket(**params)
            self._held[bucket] = held
            return held

    def _objects_of(self, location: OutputLocation, prefix: str) -> dict[str, bytes]:
        world = BY_NAME[location.service]
        job = self.sandbox.scenario.find_any(location.service, location.job_id)
        if world.job_objects is not None and job is not None:
            return world.job_objects(job, self.sandbox.clock.to_epoch)
        if world.objects is not None:
            return world.objects(location, prefix)
        return {}

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            # Its port is free once this returns: werkzeug's serving loop closes the
            # listening socket as it ends (tests/sandbox/test_sandbox_s3_seeding.py).
            server.stop()

    def __enter__(self) -> S3Sandbox:
        return self if self._server is not None else self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _check_free(port: int) -> None:
    """moto binds in its own thread and would wait forever for a busy port."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", port))


def start_s3(sandbox: Sandbox, port: int = 0) -> S3Sandbox:
    """moto's S3 on 127.0.0.1 (``port`` 0: a free one), holding the sandbox's completed
    output; :class:`S3Unavailable` without moto."""
    return S3Sandbox(sandbox, port).start()
