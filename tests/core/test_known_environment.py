"""A test sees the environment tests/conftest.py builds, whatever the shell exported."""

from __future__ import annotations

import os
from pathlib import Path


def test_only_the_known_variables_reach_a_test() -> None:
    runner = {name for name in os.environ if name.startswith(("PYTEST_", "COV_CORE_"))}
    assert set(os.environ) - runner <= {
        "PATH",
        "TMPDIR",
        "HOME",
        "LANG",
        "XDG_CACHE_HOME",
        "AWS_CONFIG_FILE",
        "AWS_SHARED_CREDENTIALS_FILE",
        "AWS_EC2_METADATA_DISABLED",
    }


def test_each_test_has_an_empty_home_of_its_own_with_botocores_data_cached() -> None:
    home = Path(os.environ["HOME"])
    assert sorted(p.name for p in home.iterdir()) == [".cache"]
    cached = sorted(p.name for p in (home / ".cache" / "exportctl").iterdir())
    # The endpoint index and the pruned models, nothing a command keeps of its own.
    assert [n for n in cached if n.startswith("endpoints-")] == cached[:1], cached
    assert all(n.startswith("model-") and n.endswith(".json") for n in cached[1:]), cached
    assert any(n.startswith("model-ec2-") for n in cached), cached
    assert not Path(os.environ["AWS_CONFIG_FILE"]).exists()


def test_a_signal_handler_a_command_installs_is_not_the_next_tests() -> None:
    # main() in process installs exportctl's handlers for the rest of the process;
    # the next test starts with the run's. Two tests in one: their order is the point.
    import signal

    from exportctl.ops import interrupts

    found = {s: signal.getsignal(s) for s in (signal.SIGHUP, signal.SIGTERM)}
    interrupts.install()
    assert signal.getsignal(signal.SIGHUP) is not found[signal.SIGHUP]
    _FOUND.update(found)


_FOUND: dict[int, object] = {}


def test_and_the_next_test_has_the_runs_handlers_again() -> None:
    import signal

    assert _FOUND, "runs after the test before it"
    assert signal.getsignal(signal.SIGHUP) is _FOUND[signal.SIGHUP]
    assert signal.getsignal(signal.SIGTERM) is _FOUND[signal.SIGTERM]
