"""Sessions that start from one copy of botocore's built-in handlers are the sessions
botocore makes: the same handlers, a handler a library adds to botocore's list
included, an initializer's handlers once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import botocore
import botocore.handlers
import botocore.hooks
import botocore.session
import pytest

from exportctl.aws import sessions
from exportctl.aws.sessions import new_session

# Events of every kind the built-in handlers listen to, and some of a client's
# life that no built-in handler names exactly (found by their prefixes).
EVENTS = sorted(
    {spec[0] for spec in botocore.handlers.BUILTIN_HANDLERS}
    | {
        "before-parameter-build.s3.PutObject",
        "before-call.ec2.CopySnapshot",
        "needs-retry.dynamodb.ExportTableToPointInTime",
        "after-call.logs.DescribeExportTasks",
        "creating-client-class.rds",
        "choose-signer.cognito-identity.GetId",
        "request-created.personalize.ListDatasetExportJobs",
        "added-by-a-library.s3.PutObject",
    }
)


def _handlers(session: botocore.session.Session) -> dict[str, list[Any]]:
    """What each event calls in this session, in order. botocore keeps no public
    view of it: this reads its emitter's insides, so that the test fails, rather
    than the sessions differ, when botocore changes them."""
    emitter = session.get_component("event_emitter")._emitter
    return {event: list(emitter._handlers.prefix_search(event)) for event in EVENTS}


@pytest.fixture
def fresh_copy(monkeypatch: pytest.MonkeyPatch) -> None:
    """The next session makes the kept handlers again, as the first of a process does."""
    monkeypatch.setattr(sessions, "_kept", None)


@pytest.fixture
def registrations(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The event names handlers are registered for, on any session's emitter."""
    seen: list[str] = []
    for method in ("register", "register_first", "register_last"):
        real = getattr(botocore.hooks.EventAliaser, method)

        def noted(self: Any, event_name: str, *args: Any, _real: Any = real, **kwargs: Any) -> Any:
            seen.append(event_name)
            return _real(self, event_name, *args, **kwargs)

        monkeypatch.setattr(botocore.hooks.EventAliaser, method, noted)
    yield seen


def test_a_session_has_the_handlers_botocore_registers(fresh_copy: None) -> None:
    expected = _handlers(botocore.session.Session(profile="default"))
    first, second = new_session("default"), new_session()
    assert _handlers(first) == expected and _handlers(second) == expected
    assert first.profile == "default" and second.profile is None


def test_the_built_in_handlers_are_registered_once_for_every_session(
    fresh_copy: None, registrations: list[str]
) -> None:
    new_session()
    once = len(registrations)
    assert once >= len(botocore.handlers.BUILTIN_HANDLERS)
    for _ in range(3):
        new_session()
    assert len(registrations) == once
    botocore.session.Session()
    assert len(registrations) == 2 * once


def test_a_handler_a_library_adds_to_botocores_list_is_in_the_next_session(
    fresh_copy: None,
) -> None:
    calls: list[str] = []

    def stub(**kwargs: Any) -> None:
        calls.append(kwargs["event_name"])

    before = new_session()
    # As moto does when it is imported (its handler is on before-send): the list
    # itself grows. An event of its own, which no other handler listens to.
    botocore.handlers.BUILTIN_HANDLERS.append(("added-by-a-library", stub))
    try:
        after = new_session()
        before.emit("added-by-a-library.s3.PutObject")
        after.emit("added-by-a-library.s3.PutObject")
        assert calls == ["added-by-a-library.s3.PutObject"]
        assert _handlers(after) == _handlers(botocore.session.Session())
    finally:
        botocore.handlers.BUILTIN_HANDLERS.remove(("added-by-a-library", stub))
    assert _handlers(new_session()) == _handlers(botocore.session.Session())


@pytest.mark.parametrize("registered", ["before the first session", "after it"])
def test_an_initializers_handler_is_called_once(fresh_copy: None, registered: str) -> None:
    calls: list[str] = []

    def on_call(**kwargs: Any) -> None:
        calls.append(kwargs["event_name"])

    def initializer(session: botocore.session.Session) -> None:
        session.register("initialized-test", on_call)

    if registered == "after it":
        new_session()
    botocore.register_initializer(initializer)
    try:
        for _ in range(2):
            session = new_session()
            session.emit("initialized-test.rds")
            assert _handlers(session) == _handlers(botocore.session.Session())
    finally:
        botocore.unregister_initializer(initializer)
    assert calls == ["initialized-test.rds"] * 2
    # Without the initializer, sessions have botocore's own handlers alone again.
    assert _handlers(new_session()) == _handlers(botocore.session.Session())
