"""A start through the Python API whose Client is closed (by another thread) while
its create is retried: no create is sent after the close, and the error says so, and
where a job an attempt sent before it may have made is."""

from __future__ import annotations

import threading

import pytest
from sleepless import FakeTime
from start_support import CREATES, Run

from exportctl import BadInput, Client
from exportctl.sandbox import Sandbox


@pytest.fixture(autouse=True)
def _keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "sandbox")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "sandbox")


def _closed_at_the_first_retry(sandbox: Sandbox, service: str, fate: str) -> BadInput:
    """A start of ``service`` whose first create meets ``fate``, its client closed by
    another thread before the create is sent again; what the start raised."""
    sandbox.faults.fates = {CREATES[service][0]: [fate, "ok"]}
    client = Client(endpoint_url=sandbox.url, region="us-east-1")
    args = Run(sandbox).start_args(service)
    pairs = zip(args[::2], args[1::2], strict=True)
    options = {k.removeprefix("--").replace("-", "_"): v for k, v in pairs}
    plan = client.plan_start(service, **options)

    def close_elsewhere(message: str) -> None:
        closer = threading.Thread(target=client.close)
        closer.start()
        closer.join()

    with pytest.raises(BadInput) as raised:
        client.submit(plan, on_retrying=close_elsewhere)
    assert sandbox.calls[(service, CREATES[service][0])] == 1, "a create was sent after the close"
    return raised.value


@pytest.mark.parametrize("service", ["backupsearch", "personalize", "discovery"])
def test_a_create_that_may_have_made_the_job_says_where_it_is(
    sandbox: Sandbox, fake_time: FakeTime, service: str
) -> None:
    error = str(_closed_at_the_first_retry(sandbox, service, "error-after-commit"))
    assert "was closed while this start ran" in error, error
    made = "no create was sent after it, and an attempt before it may have made the job; "
    assert made in error, error
    assert f"exportctl --endpoint-url {sandbox.url} " in error, error


def test_a_create_refused_before_the_close_made_nothing(
    sandbox: Sandbox, fake_time: FakeTime
) -> None:
    error = str(_closed_at_the_first_retry(sandbox, "backupsearch", "throttle"))
    assert "was closed while this start ran" in error, error
    assert "may have made" not in error, error
