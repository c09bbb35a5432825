"""What a user or a service sent is printed as it was sent: `:rocket:` is no emoji
code to rich, nor `[/x]` a markup tag, in an error line, a notice, a table cell or a
status panel, on a terminal (the installed command on a pty) and off one."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from e2e_support import ESCAPE, in_process, on_terminal

from exportctl.cli.context import AppContext
from exportctl.sandbox import Sandbox

pytestmark = pytest.mark.e2e

# A reference without its region, whose id makes an emoji code with the colon before
# it; and a status that holds emoji codes and a markup tag with no opening one.
REF = "rds:rocket"
STATUS = "stuck :rocket: at [/x] :fire:"


def _first_job(sandbox: Sandbox) -> tuple[str, str]:
    listed = in_process(sandbox, "list", "-s", "discovery", "-o", "text", "--fields", "ref,id")
    assert listed.returncode == 0, listed.stderr
    ref, job_id = listed.stdout.splitlines()[0].split("\t")
    return ref, job_id


def test_a_reference_in_an_error_line_is_not_an_emoji(sandbox: Sandbox, tmp_path: Path) -> None:
    off = in_process(sandbox, "wait", REF)
    on = on_terminal(100, tmp_path, "wait", REF, **sandbox.env())
    for code, text in ((off.returncode, off.stderr), (on.code, on.text)):
        assert code == 3, text
        assert f"exportctl: error: {REF}: not found: " in text
        assert "\U0001f680" not in text


def test_a_status_in_a_table_and_a_panel_is_printed_as_sent(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    ref, job_id = _first_job(sandbox)
    sandbox.set_status("discovery", job_id, STATUS)
    for args in (("list", "-s", "discovery", "-o", "wide"), ("status", ref)):
        off = in_process(sandbox, *args)
        on = on_terminal(200, tmp_path, *args, **sandbox.env())
        for code, text in ((off.returncode, off.stdout), (on.code, on.text)):
            assert code == 0, text
            assert STATUS in text, args


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize("tty", [True, False])
def test_a_notice_and_an_error_quote_as_sent(monkeypatch: pytest.MonkeyPatch, tty: bool) -> None:
    stream = _Terminal() if tty else io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    app = AppContext()
    app.notice(f"the job was started: {REF}:fire: [/x]")
    app.error(f"{REF}:fire: [/x] not found")
    assert ESCAPE.sub("", stream.getvalue()).splitlines() == [
        f"exportctl: notice: the job was started: {REF}:fire: [/x]",
        f"exportctl: error: {REF}:fire: [/x] not found",
    ]
