"""Every test starts from a known environment, as on a fresh user's machine.

The environment is built, not cleaned: a test sees PATH, a temporary folder and the
variables pytest and coverage use for themselves from the machine running it, and
otherwise only what is set here (an empty home of its own, a UTF-8 locale, no AWS
configuration, no instance metadata). Whatever the shell that ran pytest exports
(COLUMNS and LINES, AWS_REGION, a profile, NO_COLOR, CI) never reaches a test; a
test that means to try one sets it.

What is the same for every test and slow to make, botocore's endpoint data indexed
in the cache, is made once per session and copied into each test's home.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# Taken from the machine: where programs are, where temporary files go.
_MACHINE = ("PATH", "TMPDIR")
# pytest's and pytest-xdist's own variables, and coverage's in a subprocess.
_RUNNER_PREFIXES = ("PYTEST_", "COV_CORE_")


# A full collection of the garbage this many collections of the middle generation
# apart (CPython's default: 10). A test process runs hundreds of commands and keeps
# every botocore model it decoded, and each full collection walks them all: measured
# 2026-12-06, 107 of them in a run at the default (53 s of the workers' time), 10 at
# this (14 s; the explicit ones of a listing that lets its clients go included), for
# a worker's peak memory of 350-640 MiB instead of 310-410. At 1,000, 5 (7 s) and
# the same wall time. A command's own pacing (``one_shot``) is unchanged: it sets
# its thresholds from these and puts these back.
FULL_COLLECTION_PACE = 100


def pytest_configure(config: pytest.Config) -> None:
    import gc

    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_COLLECTION_PACE)


@pytest.fixture
def frozen_heap() -> Iterator[None]:
    """What the test process holds, garbage included, out of the collector's sight
    for the test (``gc.freeze``): a full collection then walks what the test makes,
    as it would in a command's own process, not the hundreds of commands' worth a
    worker holds (about 1 s a collection by the end of a run)."""
    import gc

    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def known_environment(home: Path) -> dict[str, str]:
    """The environment a test starts from, with ``home`` as its home folder."""
    environ = {
        name: value
        for name, value in os.environ.items()
        if name in _MACHINE or name.startswith(_RUNNER_PREFIXES)
    }
    environ.update(
        HOME=str(home),
        LANG="C.UTF-8",
        XDG_CACHE_HOME=str(home / ".cache"),
        AWS_CONFIG_FILE=str(home / ".aws" / "config"),
        AWS_SHARED_CREDENTIALS_FILE=str(home / ".aws" / "credentials"),
        AWS_EC2_METADATA_DISABLED="true",
    )
    return environ


@pytest.fixture(scope="session", autouse=True)
def _known_session_environment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The same environment for what a whole session or module shares (servers, sessions)."""
    with pytest.MonkeyPatch.context() as patch:
        _replace_environment(patch, known_environment(tmp_path_factory.mktemp("session-home")))
        yield


@pytest.fixture(scope="session")
def warm_cache(_known_session_environment: None, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache folder in which one command has already indexed botocore's endpoint data
    and kept the pruned models of the clients and of the sandbox."""
    from exportctl.aws import prunedmodels
    from exportctl.aws.loader import ServiceLoader
    from exportctl.sandbox.services import emulated_operations
    from exportctl.services import client_operations

    cache = tmp_path_factory.mktemp("warm-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(cache))
        loader = ServiceLoader()
        loader.load_data_with_path("endpoints")
        for operations in (client_operations(), emulated_operations()):
            for service, called in operations.items():
                prunedmodels.load(loader, service, "service-2", None, called)
    assert any((cache / "exportctl").glob("endpoints-*.index")), "no index was written"
    assert any((cache / "exportctl").glob("model-ec2-*.json")), "no pruned model was kept"
    return cache


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    """moto's own server on 127.0.0.1, one per module that asks (moto is slow to start)."""
    from moto_server import moto_server

    with moto_server() as url:
        yield url


@pytest.fixture(autouse=True)
def _known_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory, warm_cache: Path
) -> None:
    home = tmp_path_factory.mktemp("home")
    # Linked, not copied: a cache file is only ever replaced whole (a new file renamed
    # into place), so no test can change another's through a link.
    shutil.copytree(warm_cache, home / ".cache", copy_function=_link_or_copy)
    _replace_environment(monkeypatch, known_environment(home))


@pytest.fixture(autouse=True)
def _known_signals() -> Iterator[None]:
    """Each test starts with Python's own Ctrl-C, Ctrl-\\ and SIGTERM handling, and
    the run's SIGHUP: a command run in-process through ``main()`` installs exportctl's
    (and notes a signal received) for the rest of the process."""
    import signal

    from exportctl.ops import interrupts

    handled = (signal.SIGINT, signal.SIGQUIT, signal.SIGTERM, signal.SIGHUP)
    handlers = {s: signal.getsignal(s) for s in handled}
    # SIGHUP is given back as found, not made the default: a run under nohup ignores it.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGQUIT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    interrupts.reset()
    yield
    interrupts.reset()
    for signum, handler in handlers.items():
        signal.signal(signum, handler)


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _replace_environment(patch: pytest.MonkeyPatch, wanted: dict[str, str]) -> None:
    for name in list(os.environ):
        if name not in wanted:
            patch.delenv(name)
    for name, value in wanted.items():
        patch.setenv(name, value)


@pytest.fixture
def zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    """Sets the local time zone (``TZ``) for the test; the run's own after it."""
    import time

    def set_zone(name: str) -> None:
        monkeypatch.setenv("TZ", name)
        time.tzset()

    yield set_zone
    monkeypatch.undo()
    time.tzset()
