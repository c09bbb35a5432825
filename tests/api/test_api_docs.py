"""docs/API.md's examples, run as written against the sandbox: every ``python`` block
in order in one namespace, but those after a ``<!-- not run: why -->`` line; the
``test_*`` functions a block defines are called as pytest would, with the fixture."""

from __future__ import annotations

import inspect
import os
import re
import sys
from pathlib import Path
from typing import Any

import pytest

import exportctl
from exportctl.testing import SandboxHandle

DOC = Path(__file__).parents[2] / "docs" / "API.md"
_BLOCK = re.compile(r"(?P<before>[^\n]*)\n```python\n(?P<code>.*?)\n```", re.DOTALL)


def examples() -> list[tuple[int, str]]:
    """(line, code) of each block that runs."""
    text = DOC.read_text()
    found = []
    for match in _BLOCK.finditer(text):
        if match.group("before").startswith("<!-- not run:"):
            continue
        line = text.count("\n", 0, match.start("code")) + 1
        found.append((line, match.group("code")))
    return found


def test_the_page_has_examples_that_run_and_one_that_does_not() -> None:
    assert len(examples()) >= 10
    assert "<!-- not run: needs Airflow -->\n```python" in DOC.read_text()


def test_every_example_runs_against_the_sandbox(
    exportctl_sandbox: SandboxHandle,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Where a user's shell finds the installed command, and a folder of the user's own.
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.chdir(tmp_path)
    # As after other tests of the session: the sandbox's clock on, the seeded
    # jobs further on or ended (the examples do not lean on its being fresh).
    exportctl_sandbox.advance(3600)
    namespace: dict[str, Any] = {"__name__": "api_md"}
    ran = []
    for line, code in examples():
        before = set(namespace)
        printed = _printing(namespace)
        exec(compile(code, f"{DOC}:{line}", "exec"), namespace)
        _says_what_it_printed(line, code, printed)
        for name in sorted(set(namespace) - before):
            function = namespace[name]
            if name.startswith("test_") and inspect.isfunction(function):
                function(exportctl_sandbox)
                ran.append(name)
    assert len(ran) >= 3
    assert (tmp_path / "exports" / "discovery").is_dir()


# print(...)  # what it prints: "..." stands for the rest, ": why" may follow it.
_PRINT_SAYS = re.compile(r"^\s*print\(.*\)  # (?P<says>.*)$")


def _printing(namespace: dict[str, Any]) -> dict[int, str]:
    """What each line of the block about to run prints, by its line in the block,
    printed as well."""
    printed: dict[int, str] = {}

    def recorded(*values: Any, **kwargs: Any) -> None:
        print(*values, **kwargs)
        printed[sys._getframe(1).f_lineno] = " ".join(str(v) for v in values)

    namespace["print"] = recorded
    return printed


def _says_what_it_printed(line: int, code: str, printed: dict[int, str]) -> None:
    """A print's comment is what it printed, as a reader of the page takes it."""
    for number, text in enumerate(code.splitlines(), 1):
        match = _PRINT_SAYS.match(text)
        if match is None:
            continue
        says, out = match.group("says"), printed.get(number)
        where = f"{DOC.name}:{line + number - 1}"
        assert out is not None, f"{where}: printed nothing"
        pattern = ".*".join(re.escape(part.strip()) for part in says.split("..."))
        assert re.fullmatch(pattern, out) or says.startswith(f"{out}: "), (where, says, out)


def test_every_public_name_is_documented_and_there() -> None:
    text = DOC.read_text()
    for name in exportctl.__all__:
        assert f"`{name}`" in text, name
        assert getattr(exportctl, name) is not None
