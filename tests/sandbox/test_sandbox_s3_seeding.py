"""The sandbox's S3 started again in one process: moto keeps its buckets, so only what
differs from the sandbox's objects is put again (some hold the time they were
written, and differ from one start to the next)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from exportctl.sandbox import Sandbox
from exportctl.sandbox.s3 import S3Sandbox, start_s3

pytest.importorskip("moto")


def _counting_puts(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """PutObject and CreateBucket calls of every S3Sandbox's clients, counted."""
    calls: Counter[str] = Counter()
    made = S3Sandbox.client

    def client(self: S3Sandbox, region: str) -> Any:
        new = region not in self._clients
        c = made(self, region)
        if new:
            c.meta.events.register("before-call.s3", lambda model, **_: calls.update([model.name]))
        return c

    monkeypatch.setattr(S3Sandbox, "client", client)
    return calls


def test_a_second_start_puts_only_what_was_changed_or_removed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls = _counting_puts(monkeypatch)
    with Sandbox(port=0) as sandbox, start_s3(sandbox) as s3:
        first = dict(s3.objects)
        changed, removed = sorted(uri for uri in first if "-us-east-1/" in uri)[:2]
        assert len(first) > 2
        client = s3.client("us-east-1")
        bucket, _, key = changed.removeprefix("s3://").partition("/")
        client.put_object(Bucket=bucket, Key=key, Body=b"changed by a user")
        bucket, _, key = removed.removeprefix("s3://").partition("/")
        client.delete_object(Bucket=bucket, Key=key)
    calls.clear()
    with Sandbox(port=0) as sandbox, start_s3(sandbox) as s3:
        assert s3.objects.keys() == first.keys()
        differing = {uri for uri, body in s3.objects.items() if body != first[uri]}
        assert calls["PutObject"] == len(differing | {changed, removed}) < len(first) / 2
        assert calls["CreateBucket"] == 0
        for uri in (changed, removed):
            bucket, _, key = uri.removeprefix("s3://").partition("/")
            body = s3.client("us-east-1").get_object(Bucket=bucket, Key=key)["Body"].read()
            assert body == s3.objects[uri]


def test_a_stopped_s3_gives_its_port_back() -> None:
    """moto's public stop() is all it takes: werkzeug's serving loop closes the
    listening socket as it ends. Should a moto or werkzeug stop leave it open, this
    fails rather than a port be kept in silence."""
    import socket

    with Sandbox(port=0) as sandbox, start_s3(sandbox) as s3:
        port = int(s3.url.rsplit(":", 1)[1])
    with socket.socket() as probe:
        # Where the socket still listens, binding its port fails even so.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", port))
