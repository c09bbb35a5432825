"""A signal while the console script starts (its imports) ends it as one during the
command does: its exit code, no traceback, and nothing on stdout or stderr, so that
Ctrl-C during a Tab press puts nothing in the prompt.

Deterministic: the installed console script is run with an import hook that, at the
first import of a given module, says so on stderr and waits for a signal there; the
test sends it once it has read that line.
"""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest
from deadline_support import SCRIPT, ended, environ

pytestmark = pytest.mark.e2e

# The console script as installed, run once the hook is in place.
GATED = """\
import os, runpy, signal, sys
gate, script = sys.argv.pop(1), sys.argv.pop(1)

class Gate:
    def find_spec(self, name, path=None, target=None):
        if name == gate:
            sys.meta_path.remove(self)
            os.write(2, b"importing\\n")
            signal.pause()
        return None

sys.meta_path.insert(0, Gate())
sys.argv[0] = script
runpy.run_path(script, run_name="__main__")
"""

COMPLETING = {
    "_EXPORTCTL_COMPLETE": "bash_complete",
    "COMP_WORDS": "exportctl status disc",
    "COMP_CWORD": "2",
}


def _signalled_while_importing(
    gate: str, signum: int, *args: str, **env: str
) -> tuple[int, str, str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", GATED, gate, str(SCRIPT), *args],
        env=environ(**env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    first = proc.stderr.readline()
    assert first == "importing\n", first + proc.stderr.read()
    proc.send_signal(signum)
    out, err = ended(proc)
    return proc.returncode, out, err


@pytest.mark.parametrize("gate", ["click", "exportctl.cli.root"])
@pytest.mark.parametrize(
    ("args", "env"),
    [(["--version"], {}), (["list"], {}), ([], COMPLETING)],
    ids=["--version", "list", "a Tab press"],
)
def test_ctrl_c_while_the_console_script_imports_exits_130_saying_nothing(
    gate: str, args: list[str], env: dict[str, str]
) -> None:
    code, out, err = _signalled_while_importing(gate, signal.SIGINT, *args, **env)
    assert (code, out, err) == (130, "", "")


@pytest.mark.parametrize(
    "signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT], ids=lambda s: s.name
)
def test_the_other_signals_while_it_imports_give_their_codes(signum: signal.Signals) -> None:
    code, out, err = _signalled_while_importing("click", signum, "--version")
    assert (code, out, err) == (128 + signum, "", "")


def test_importing_exportctl_leaves_the_signal_handlers_alone() -> None:
    """A program that imports exportctl, its command line included, keeps its own
    handlers: only the console script's run installs exportctl's."""
    code = (
        "import signal\n"
        "names = ('SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGTSTP')\n"
        "def handlers():\n"
        "    return [signal.getsignal(getattr(signal, n)) for n in names]\n"
        "before = handlers()\n"
        "import exportctl, exportctl.__main__, exportctl.cli.main, exportctl.cli.root\n"
        "print(handlers() == before)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=environ(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stdout) == (0, "True\n"), done.stderr


def test_ctrl_c_while_the_sandbox_of_a_watch_starts_ends_the_watch() -> None:
    # Ctrl-C is how a watch ends: before its first round is shown too, while the
    # embedded sandbox starts (the clients made after it). The other signals end it
    # with their codes, as during its rounds.
    gate = "exportctl.sandbox.embedded"
    code, out, err = _signalled_while_importing(gate, signal.SIGINT, "--sandbox", "watch")
    assert (code, out, err) == (0, "", "")
    code, out, err = _signalled_while_importing(gate, signal.SIGTERM, "--sandbox", "watch")
    assert (code, out, err) == (143, "", "")
