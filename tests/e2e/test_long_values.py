"""A long value quoted in a message is cut at 120 characters with its length, whatever
option it came by, click's own messages (a bad choice) included; a short one is quoted
in the words it always was. In-process: what is checked is the line written."""

from __future__ import annotations

import pytest
from e2e_support import in_process

from exportctl.sandbox import Sandbox

pytestmark = pytest.mark.e2e

LONG = "y" * 5000
# What clip() makes of LONG: its first 119 characters, then its length.
CUT = f"'{'y' * 119}… (5,000 characters)'"
# A whole number too long to be said, that click reads and finds out of range.
NUMBER = "9" * 300


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["list", "--fields", LONG], f"unknown field {CUT} for --fields"),
        (["--profile", LONG, "list"], f"no AWS profile named {CUT} (--profile)"),
        (["wait", "rds:x", "--until", LONG], f"unknown --until word {CUT}: use one of"),
        (["list", "-s", LONG], f"invalid value for '--service' / '-s': {CUT} is not one of"),
        (["list", "-s", f"rds,{LONG}"], f"'-s': {CUT} is not one of"),
        (["list", "-o", LONG], f"invalid value for '--output' / '-o': {CUT} is not one of"),
        (["list", "--status", LONG], f"invalid value for '--status': {CUT} is not one of"),
        (["watch", "-o", LONG], f"'-o': {CUT} is not one of 'table', 'ndjson'"),
        (["completion", LONG], f"{CUT} is not one of 'bash', 'zsh', 'fish'"),
        (
            ["list", "--query", f"[{LONG}"],
            f'Incomplete expression: "[{"y" * 118}… (5,001 characters)"',
        ),
        (["list", "--query", f"a {LONG}"], f"Unexpected token: {CUT[1:-1]}: Parse error"),
        (["list", "--limit", LONG], f"'--limit': {CUT} is not a whole number"),
        (["sandbox", "--seed", LONG], f"'--seed': {CUT} is not a whole number"),
        (["sandbox", "--drop-rate", LONG], f"'--drop-rate': {CUT} is not a number"),
        # click's unknown option, quoted whole before: a command's, and the root's.
        (
            ["list", f"--{LONG}"],
            f"no such option '--{'y' * 117}… (5,002 characters)' (see 'exportctl list --help')",
        ),
        ([f"--{LONG}", "list"], f"no such option '--{'y' * 117}… (5,002 characters)' (see "),
        # exportctl's own unknown command, and an unknown service of start.
        ([LONG], f"no such command {CUT}"),
        (["start", LONG], f"no such command {CUT}"),
        (
            ["sandbox", "--port", NUMBER],
            f"'--port': {'9' * 119}… (300 characters) is not in the range 0<=x<=65535",
        ),
    ],
)
def test_a_long_value_is_cut_in_the_message(sandbox: Sandbox, args: list[str], said: str) -> None:
    done = in_process(sandbox, *args)
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and done.stderr.startswith("exportctl: error: ")
    assert said in done.stderr
    assert LONG[:200] not in done.stderr and len(done.stderr) < 1000


def test_a_short_value_is_quoted_as_it_was(sandbox: Sandbox) -> None:
    done = in_process(sandbox, "list", "-s", "rdss")
    assert done.stderr.startswith(
        "exportctl: error: invalid value for '--service' / '-s': 'rdss' is not one of "
        "'backupsearch', 'backup-search', "
    )
    unknown = in_process(sandbox, "list", "--fields", "ref,nope")
    assert unknown.stderr.startswith("exportctl: error: unknown field 'nope' for --fields; ")
    for args, said in (
        (["list", "--limit", "abc"], "'--limit': 'abc' is not a whole number"),
        (["download", "x", "--concurrency", "99"], "99 is not in the range 1<=x<=32"),
    ):
        assert said in in_process(sandbox, *args).stderr


def test_an_unknown_option_up_to_the_limit_is_quoted_whole(sandbox: Sandbox) -> None:
    whole = f"--{'y' * 118}"
    done = in_process(sandbox, "list", whole)
    assert done.returncode == 2, done.stderr
    assert done.stderr == (
        f"exportctl: error: no such option {whole!r} (see 'exportctl list --help')\n"
    )
    # One near an option is still said with it.
    near = in_process(sandbox, "list", "--statu")
    assert near.returncode == 2, near.stderr
    assert near.stderr == (
        "exportctl: error: no such option '--statu'; did you mean '--status'? "
        "(see 'exportctl list --help')\n"
    )


def test_what_click_quotes_whole_is_cut_with_the_line(sandbox: Sandbox) -> None:
    # Extra arguments: the line is cut as every error line is.
    done = in_process(sandbox, "list", "--query", "ref", LONG)
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1 and len(done.stderr) < 2200
    assert done.stderr.rstrip().endswith(" characters) (see 'exportctl list --help')")
