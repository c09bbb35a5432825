"""Tab pressed in real shells (bash, zsh, fish under tmux), with the scripts
`exportctl completion SHELL` prints and the references a real `list` left in
the cache: what lands on the command line is what a user would see."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from exportctl.ops import refcache

pytestmark = pytest.mark.e2e

PROMPT = "$ "
STARTS = {
    "bash": (
        ["bash", "--norc", "--noprofile"],
        [f"PS1='{PROMPT}'", 'eval "$(exportctl completion bash)"'],
    ),
    "zsh": (
        ["zsh", "-f"],
        [
            f"PROMPT='{PROMPT}'",
            "autoload -Uz compinit && compinit -u",
            'eval "$(exportctl completion zsh)"',
        ],
    ),
    "fish": (
        ["fish", "--no-config"],
        [
            f"function fish_prompt; echo -n '{PROMPT}'; end",
            "function fish_greeting; end",
            "exportctl completion fish | source",
        ],
    ),
}


def console_dir() -> Path:
    beside = Path(os.sys.executable).parent / "exportctl"
    found = beside if beside.exists() else Path(shutil.which("exportctl") or "")
    assert found.name == "exportctl", "the exportctl console script is not installed"
    return found.parent


@dataclass
class Seeded:
    env: dict[str, str]
    refs: list[str]


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    """A home whose reference cache a real `exportctl --sandbox list` wrote."""
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed: no terminal to press Tab in")
    home = tmp_path_factory.mktemp("home")
    env = {
        "HOME": str(home),
        "PATH": f"{console_dir()}:/usr/local/bin:/usr/bin:/bin",
        "TERM": "xterm-256color",
        "LANG": "C.UTF-8",
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    if os.environ.get("PYTHONPATH"):
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    done = subprocess.run(
        ["exportctl", "--sandbox", "list"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    refs = [entry.ref for entry in refcache.load(home / "cache" / "exportctl" / "refs")]
    assert refs
    return Seeded(env, refs)


class Terminal:
    """One shell in a detached tmux session of its own."""

    def __init__(
        self, shell: str, env: dict[str, str], socket: Path, setup: Sequence[str] = ()
    ) -> None:
        self.socket = socket
        argv, start = STARTS[shell]
        self._tmux("new-session", "-d", "-x", "250", "-y", "50", *argv, env=env)
        for line in (*start, *setup):
            self.type(line)
            self.keys("Enter")
        self.type("clear")
        self.keys("Enter")
        self.wait_for(lambda lines: lines == [PROMPT.rstrip()], "a clear screen")

    def _tmux(self, *args: str, env: dict[str, str] | None = None) -> str:
        done = subprocess.run(
            ["tmux", "-S", str(self.socket), "-f", os.devnull, *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
        return done.stdout

    def type(self, text: str) -> None:
        self._tmux("send-keys", "-l", text)

    def keys(self, *keys: str) -> None:
        self._tmux("send-keys", *keys)

    def lines(self) -> list[str]:
        screen = self._tmux("capture-pane", "-p", "-J")
        return [line.rstrip() for line in screen.splitlines() if line.strip()]

    def wait_for(self, check: Callable[[list[str]], bool], what: str, timeout: float = 20) -> None:
        deadline = time.monotonic() + timeout
        while True:
            lines = self.lines()
            if check(lines):
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"no {what} on the screen:\n" + "\n".join(lines))
            time.sleep(0.1)

    def close(self) -> None:
        subprocess.run(
            ["tmux", "-S", str(self.socket), "kill-server"], capture_output=True, check=False
        )


@pytest.fixture(params=sorted(STARTS))
def terminal(request: pytest.FixtureRequest, seeded: Seeded, tmp_path: Path) -> Iterator[Terminal]:
    shell = str(request.param)
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed")
    term = Terminal(shell, seeded.env, tmp_path / "tmux.sock")
    try:
        yield term
    finally:
        term.close()


def press_tab(term: Terminal, typed: str, expected: str) -> None:
    """Type ``typed``, press Tab, and see the command line become ``expected``."""
    term.type(typed)
    term.keys("Tab")
    wanted = (PROMPT + expected).rstrip()

    def command_line(lines: list[str]) -> str:
        # Below it a shell may list the candidates (fish, zsh).
        prompts = [line for line in lines if line.startswith(PROMPT.rstrip())]
        return prompts[-1] if prompts else ""

    term.wait_for(lambda lines: command_line(lines) == wanted, repr(wanted))


def unique_prefix(refs: list[str], ref: str) -> str:
    """The shortest prefix of ``ref`` that no other cached reference starts with."""
    for end in range(len(ref)):
        prefix = ref[:end]
        if prefix.count(":") >= 3 and not any(r.startswith(prefix) for r in refs if r != ref):
            return prefix
    return ref


DISCOVERY = "discovery:us-east-1:export-4ba6e1a0-2da1-47e9-a6ec-e6615d3142f5"
PINPOINT_SHOWN = "pinpoint:ae7689447ab57a683536c4499d863386/9fe8110102c995f1abef543b5dfce8a9"


def test_a_reference_completes_past_its_colons(terminal: Terminal, seeded: Seeded) -> None:
    assert DISCOVERY in seeded.refs
    press_tab(terminal, f"exportctl status {DISCOVERY[:29]}", f"exportctl status {DISCOVERY}")


def test_right_after_a_colon(terminal: Terminal) -> None:
    typed = "exportctl status discovery:"
    press_tab(terminal, typed, typed + "us-east-1:export-")


def test_the_short_form_tables_print(terminal: Terminal) -> None:
    # In the sandbox's region, which the listing left out (it finds that job there alone).
    typed = "exportctl --sandbox wait "
    press_tab(terminal, typed + PINPOINT_SHOWN[:44], typed + PINPOINT_SHOWN)


def test_an_arn(terminal: Terminal, seeded: Seeded) -> None:
    arn = next(r for r in seeded.refs if r.startswith("arn:aws:personalize:"))
    typed = f"exportctl status {unique_prefix(seeded.refs, arn)}"
    press_tab(terminal, typed, f"exportctl status {arn}")


def test_a_second_reference_and_a_field_list(terminal: Terminal) -> None:
    typed = "exportctl list -o csv --fields ref,crea"
    press_tab(terminal, typed, typed + "ted")


def test_a_list_of_services_after_its_comma(terminal: Terminal) -> None:
    press_tab(
        terminal, "exportctl list --service logs,pinp", "exportctl list --service logs,pinpoint"
    )


def test_a_list_of_states_after_its_comma(terminal: Terminal) -> None:
    press_tab(
        terminal, "exportctl list --status failed,ru", "exportctl list --status failed,running"
    )


def test_an_option_given_with_its_value_after_an_equals_sign(terminal: Terminal) -> None:
    # The word is --status=fa: what replaces it keeps its option (zsh and fish
    # replace the whole word, bash the part after the "=").
    press_tab(terminal, "exportctl list --status=fa", "exportctl list --status=failed")


@pytest.mark.parametrize(
    ("setup", "typed", "expected"),
    [
        # The answer line `plain,ref,details.*`, globbed, would print "no match"...
        ("shopt -s failglob", "--fields ref,details.", "--fields ref,details.\\*"),
        # ...or be dropped...
        ("shopt -s nullglob", "--fields ref,details.", "--fields ref,details.\\*"),
        # ...or become the file it matches, on the line or later when Enter is pressed.
        (
            "touch plain,ref,details.csv ref,details.json",
            "--fields ref,details.",
            "--fields ref,details.\\*",
        ),
        # Inside a quote the user opened, the value needs no escape.
        ("touch ref,details.json", "--fields 'ref,details.", "--fields 'ref,details.*'"),
    ],
)
def test_bash_puts_a_value_on_the_line_as_it_is_never_as_a_pattern(
    seeded: Seeded, tmp_path: Path, setup: str, typed: str, expected: str
) -> None:
    if shutil.which("bash") is None:
        pytest.skip("bash is not installed")
    here = tmp_path / "here"
    here.mkdir()
    term = Terminal("bash", seeded.env, tmp_path / "tmux.sock", [f"cd {here}", setup])
    try:
        press_tab(term, f"exportctl list {typed}", f"exportctl list {expected}")
    finally:
        term.close()
