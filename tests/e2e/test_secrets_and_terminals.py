"""No signed URL in human output; nothing a service sent drives the terminal.

The installed command prints, on the streams of a process of its own, the first human
format of a signed URL and of a service's control characters, and a message's control
characters; the other formats, the machine ones and the download lines run in-process,
as what they check is the text written, which no process boundary changes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_support import exportctl, in_process

from exportctl.sandbox import Sandbox
from exportctl.sandbox.s3 import S3Sandbox, start_s3

pytestmark = pytest.mark.e2e

# ESC (a colour), OSC (a window title ended by BEL), the one-byte CSI (clear the
# screen), a carriage return, DEL, and a right-to-left override and isolate (the
# terminal would show what follows them backwards).
HOSTILE = "\x1b[31mred\x1b]0;owned\x07\x9b2J\rback\x7f\u202edi-bor\u2067x\u2069"
RAW = ("\x1b", "\x07", "\x9b", "\r", "\x7f", "\u202e", "\u2067", "\u2069")


def _discovery_job(sandbox: Sandbox) -> dict[str, str]:
    records = json.loads(in_process(sandbox, "list", "-s", "discovery", "--json").stdout)
    return next(r for r in records if r["destination"] and "X-Amz-Signature" in r["destination"])


def _clean(text: str) -> None:
    for char in RAW:
        assert char not in text, repr(char)


def test_a_signed_url_is_redacted_in_every_human_format(sandbox: Sandbox) -> None:
    job = _discovery_job(sandbox)
    for n, args in enumerate(
        (
            ["list", "-s", "discovery", "--fields", "ref,destination"],
            ["status", job["ref"], "--fields", "destination"],
            ["status", job["ref"]],
            ["list", "-s", "discovery", "--fields", "destination", "-o", "table"],
        )
    ):
        # The first as a user runs it, the console script; the other formats in-process.
        done = (exportctl if n == 0 else in_process)(sandbox, *args)
        assert done.returncode == 0, done.stderr
        assert "X-Amz-Signature" not in done.stdout + done.stderr, args
        assert job["destination"].split("?")[0] + "?…" in done.stdout
    # Machine output keeps it whole (csv and text as json: what scripts read).
    whole = in_process(sandbox, "status", job["ref"], "--json")
    assert json.loads(whole.stdout)["destination"] == job["destination"]
    csv = in_process(sandbox, "status", job["ref"], "-o", "csv", "--fields", "destination")
    assert job["destination"] in csv.stdout
    text = in_process(sandbox, "status", job["ref"], "-o", "text", "--fields", "destination")
    assert text.stdout == job["destination"] + "\n"


def test_control_characters_from_a_service_are_escaped_everywhere(sandbox: Sandbox) -> None:
    job = _discovery_job(sandbox)
    sandbox.set_status("discovery", job["id"], HOSTILE)
    for n, args in enumerate(
        (
            ["list", "-s", "discovery"],
            ["list", "-s", "discovery", "--fields", "ref,status"],
            ["status", job["ref"]],
            ["status", job["ref"], "-o", "csv"],
            ["status", job["ref"], "-o", "text", "--fields", "status"],
            ["list", "-s", "discovery", "-o", "text", "--query", "status"],
            ["list", "-s", "discovery", "-o", "ndjson"],
        )
    ):
        # The first as a user runs it, the console script; the other formats in-process.
        done = (exportctl if n == 0 else in_process)(sandbox, *args)
        assert done.returncode == 0, done.stderr
        _clean(done.stdout + done.stderr)
        # Shown as an escape people can read; ndjson escapes as JSON does.
        assert "\\x1b[31mred" in done.stdout or "\\u001b[31mred" in done.stdout, args
        assert "\\u202edi-bor" in done.stdout, args
    as_json = in_process(sandbox, "status", job["ref"], "--json")
    _clean(as_json.stdout)
    # JSON escapes them and keeps every character.
    assert json.loads(as_json.stdout)["status"] == HOSTILE


def test_control_characters_in_a_message_are_escaped(sandbox: Sandbox) -> None:
    done = exportctl(sandbox, "status", "backupsearch:\x1b]0;owned\x07x")
    assert done.returncode == 2
    _clean(done.stderr)
    assert "\\x1b]0;owned\\x07x" in done.stderr


@pytest.fixture
def s3_sandbox() -> Iterator[tuple[Sandbox, S3Sandbox]]:
    with Sandbox(port=0, clock=lambda: 0.0) as sb, start_s3(sb) as s3:
        yield sb, s3


def test_an_s3_key_is_escaped_in_download_lines(
    s3_sandbox: tuple[Sandbox, S3Sandbox], tmp_path: Path
) -> None:
    sb, s3 = s3_sandbox
    loc = next(x for x in sb.output_locations() if x.service == "personalize")
    bucket, _, prefix = loc.uri.removeprefix("s3://").partition("/")
    client = s3.client("us-east-1")
    # A tab inside a key would break its line into fields: escaped as the others.
    names = ("\x9b2Jx.csv", "tab\tname.csv")
    # moto's S3 is one per process: leave the bucket as the other tests expect it.
    for name in names:
        client.put_object(Bucket=bucket, Key=prefix + name, Body=b"x")
    try:
        done, planned = (
            in_process(
                sb, "download", loc.job_id, str(tmp_path / dest), *more, AWS_ENDPOINT_URL_S3=s3.url
            )
            for dest, more in (("d", ()), ("d\tx", ("--dry-run",)))
        )
    finally:
        for name in names:
            client.delete_object(Bucket=bucket, Key=prefix + name)
    assert done.returncode == 0, done.stderr
    assert planned.returncode == 0, planned.stderr
    _clean(done.stdout + done.stderr)
    for escaped in ("\\u009b2Jx.csv", "tab\\x09name.csv"):
        assert f"fetched {escaped}\n" in done.stderr
        assert f"would fetch {escaped}\n" in planned.stdout
    assert "\t" not in done.stderr + planned.stdout
    assert f" to {tmp_path}/d\\x09x\n" in planned.stdout


def test_what_the_locales_encoding_cannot_hold_is_escaped_and_json_stays_json(
    sandbox: Sandbox,
) -> None:
    job = _discovery_job(sandbox)
    word = "caf\u00e9 \u2713 \U0001f600"
    sandbox.set_status("discovery", job["id"], word)
    # A locale whose encoding is ASCII (LC_ALL=en_US.ASCII gives the same stdout).
    as_json = exportctl(sandbox, "status", job["ref"], "--json", PYTHONIOENCODING="ascii")
    assert as_json.returncode == 0, as_json.stderr
    assert as_json.stdout.isascii() and json.loads(as_json.stdout)["status"] == word
    table = in_process(sandbox, "list", "-s", "discovery", PYTHONIOENCODING="ascii")
    assert table.returncode == 0, table.stderr
    plain = exportctl(sandbox, "list", "-s", "discovery", "--fields", "ref,status",
                      PYTHONIOENCODING="ascii")  # fmt: skip
    assert plain.returncode == 0, plain.stderr
    assert "caf\\u00e9 \\u2713 \\ud83d\\ude00" in plain.stdout
    # The C locale without UTF-8 mode: Python's own surrogateescape, which encodes
    # none of these either.
    c_locale = {"LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}
    posix = exportctl(sandbox, "status", job["ref"], "--json", **c_locale)
    assert posix.returncode == 0, posix.stderr
    assert json.loads(posix.stdout)["status"] == word
    # And an argument typed there in UTF-8 is that text, not bytes no request encodes.
    typed = exportctl(sandbox, "start", "ec2", "--image-id", "ami-05b0afc72e48f9d3f", "--to",
                      "s3://exportctl-exports/amis/", "--description", "caf\u00e9", "--dry-run",
                      **c_locale)  # fmt: skip
    assert typed.returncode == 0, typed.stderr
    assert json.loads(typed.stdout)["request"]["Description"] == "caf\u00e9"


def test_force_color_colours_a_pipe_and_leaves_its_layout(sandbox: Sandbox) -> None:
    import re

    args = ("list", "--status", "failed")
    plain = in_process(sandbox, *args)
    coloured = in_process(sandbox, *args, FORCE_COLOR="1")
    assert plain.returncode == coloured.returncode == 0
    assert "\x1b[" in coloured.stdout and "\x1b[" not in plain.stdout
    # Off a terminal nothing is fitted or cut: the same lines, in colour.
    assert re.sub(r"\x1b\[[0-9;]*m", "", coloured.stdout) == plain.stdout
