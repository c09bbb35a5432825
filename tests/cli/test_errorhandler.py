"""The chains that say every failure: which handler takes which exception, in order."""

from __future__ import annotations

import botocore.exceptions as bex
import click
import pytest

from exportctl.cli.errorhandler import command_errors, run_errors
from exportctl.cli.stdout import OutputError
from exportctl.domain.errors import ExitCode, Interrupted, NotFoundError


@pytest.fixture(autouse=True)
def _stdout_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """What stdout still holds would go to /dev/null: the test process's is kept."""
    monkeypatch.setattr("exportctl.cli.stdout.discard", lambda: None)
    monkeypatch.setattr("exportctl.cli.errorhandler.discard", lambda: None)


@pytest.mark.parametrize(
    ("exc", "code", "said"),
    [
        (NotFoundError("no such job"), ExitCode.NOT_FOUND, "exportctl: error: no such job\n"),
        (Interrupted("it may exist"), 130, "exportctl: interrupted: it may exist\n"),
        (KeyboardInterrupt(), 130, "exportctl: interrupted\n"),
        (BrokenPipeError(), ExitCode.CLOSED_PIPE, ""),
        (
            bex.NoRegionError(),
            ExitCode.USAGE,
            "exportctl: error: no AWS region: pass --region, set AWS_REGION, "
            "or set a region in the profile\n",
        ),
        (
            RuntimeError("kaput"),
            ExitCode.INTERNAL,
            "exportctl: error: unexpected error: RuntimeError: kaput (--debug shows where)\n",
        ),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, BaseException) else None,
)
def test_what_a_command_raises(
    exc: BaseException, code: int, said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert command_errors(debug=False).handle(exc) == code
    assert capsys.readouterr().err == said


def test_a_botocore_exception_it_cannot_translate_is_unexpected(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Raised by botocore's module, but no error of AWS's: exportctl's bug, exit 70.
    odd = type("Odd", (Exception,), {"__module__": "botocore.odd"})("?")
    assert command_errors(debug=False).handle(odd) == ExitCode.INTERNAL
    assert "unexpected error: Odd: ?" in capsys.readouterr().err


def test_what_ends_the_run_around_the_command(capsys: pytest.CaptureFixture[str]) -> None:
    chain = run_errors()
    assert chain.handle(click.UsageError("No such option: --x.")) == 2
    assert capsys.readouterr().err == "exportctl: error: no such option: --x\n"
    assert chain.handle(click.exceptions.Abort()) == 130
    assert capsys.readouterr().err == "exportctl: interrupted\n"
    # Anything else is not the run's to say.
    assert chain.handle(RuntimeError("kaput")) is None


def test_a_full_disk_is_said_once(capsys: pytest.CaptureFixture[str]) -> None:
    import errno

    assert run_errors().handle(OutputError(errno.ENOSPC, "full")) == ExitCode.LOCAL
    assert capsys.readouterr().err == (
        "exportctl: error: cannot write to stdout: no space left on the device\n"
    )
