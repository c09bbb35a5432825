"""moto's S3 over real HTTP on 127.0.0.1, one server per module, one bucket per test."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from download_support import S3Env

_BUCKETS = itertools.count()


@pytest.fixture
def s3env(moto_url: str, tmp_path: Any) -> S3Env:
    env = S3Env(moto_url, f"exportctl-test-{next(_BUCKETS)}", tmp_path / "dest")
    env.client.create_bucket(Bucket=env.bucket)
    return env
