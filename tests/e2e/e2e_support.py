"""Running the installed console script against a sandbox over HTTP, or the same
command line in-process (:func:`in_process`) where the process is not the point."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import shutil
import struct
import subprocess
import sys
import termios
import time
from dataclasses import dataclass
from pathlib import Path

from click.testing import CliRunner
from ptys import read_some

from exportctl.cli.root import cli
from exportctl.sandbox import Sandbox


def console_script() -> str:
    beside = Path(sys.executable).parent / "exportctl"
    found = str(beside) if beside.exists() else shutil.which("exportctl")
    assert found, "the exportctl console script is not installed"
    return found


def isolated_env(**env: str) -> dict[str, str]:
    """The test process's environment without AWS or exportctl settings, plus ``env``."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "EXPORTCTL_"))}
    environ["AWS_CONFIG_FILE"] = os.devnull
    environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
    environ["AWS_EC2_METADATA_DISABLED"] = "true"
    environ.update(env)
    return environ


def _environment(sandbox: Sandbox | None, env: dict[str, str]) -> dict[str, str]:
    environ = isolated_env()
    if sandbox is not None:
        environ.update(sandbox.env())
    environ.update(env)
    return environ


def exportctl(
    sandbox: Sandbox | None, *args: str, timeout: float = 120, **env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [console_script(), *args],
        env=_environment(sandbox, env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def in_process(
    sandbox: Sandbox | None, *args: str, timeout: float = 120, **env: str
) -> subprocess.CompletedProcess[str]:
    """What :func:`exportctl` gives, from the command run in this process through
    click's test runner: the same environment (nothing else of this process's), the
    same program name, stdout and stderr apart, no terminal and nothing on stdin.

    For the variants of a behaviour one console script run already shows end to end,
    without an interpreter's start each. Not for what only a process has: its
    signals, pipes, start-up and imports, exit without teardown (``main()``'s leave
    at once is not taken here). ``timeout`` is taken for the same signature, not applied."""
    environ = _environment(sandbox, env)
    # click's runner sets what it is given for the call and restores the rest after;
    # None unsets a variable, so that the command sees exactly ``environ``.
    unset: dict[str, str | None] = {name: None for name in os.environ if name not in environ}
    done = CliRunner().invoke(
        cli, list(args), env={**unset, **environ}, catch_exceptions=False, prog_name="exportctl"
    )
    return subprocess.CompletedProcess(
        ["exportctl", *args], done.exit_code, stdout=done.stdout, stderr=done.stderr
    )


# CSI (colours, cursor), OSC (a title, a link), and the two-character escapes.
ESCAPE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]")


@dataclass(frozen=True)
class Screen:
    code: int
    text: str

    @property
    def lines(self) -> list[str]:
        return self.text.splitlines()


def on_terminal(
    width: int, home: Path, *args: str, timeout: float = 60.0, rows: int = 50, **extra: str
) -> Screen:
    """``exportctl ARGS`` with stdout and stderr on a terminal ``width`` columns wide:
    its exit code and all it wrote, colours and carriage returns taken out."""
    env = isolated_env(TERM="xterm-256color", HOME=str(home), XDG_CACHE_HOME=str(home / ".cache"))
    # The test's own shell's, not the test's: a test may set them in ``extra``.
    for name in ("COLUMNS", "LINES", "NO_COLOR", "FORCE_COLOR"):
        env.pop(name, None)
    env.update(extra)
    master, slave = pty.openpty()
    process: subprocess.Popen[bytes] | None = None
    try:
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, width, 0, 0))
        process = subprocess.Popen(
            [console_script(), *args],
            stdin=subprocess.DEVNULL,
            stdout=slave,
            stderr=slave,
            env=env,
        )
        # Only the command holds the terminal now: reading ends when it has exited.
        os.close(slave)
        slave = -1
        written = bytearray()
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            assert left > 0, (
                f"exportctl {' '.join(args)} at {width} columns still running after "
                f"{timeout}s; it wrote: {written.decode('utf-8', 'replace')[-2000:]!r}"
            )
            chunk = read_some(master, left)
            if chunk is None:
                continue
            if not chunk:
                break
            written += chunk
        code = process.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        if process is not None and process.poll() is None:
            process.kill()
            process.wait()
        if slave >= 0:
            os.close(slave)
        os.close(master)
    text = written.decode("utf-8", errors="replace").replace("\r\n", "\n")
    # What the terminal shows of each line: a carriage return starts it over (the
    # progress line of a listing that lasts, erased before the table).
    text = "\n".join(line.rsplit("\r", 1)[-1] for line in text.split("\n"))
    return Screen(code, ESCAPE.sub("", text))
