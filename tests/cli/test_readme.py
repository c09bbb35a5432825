"""The README's tables say what the code does."""

from __future__ import annotations

import re
from pathlib import Path

from exportctl.adapters import all_specs
from exportctl.errors import ExitCode

README = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")


def test_state_table_matches_the_adapters() -> None:
    rows = set(re.findall(r"^\| (\w+) \| `([A-Z_ ]+)`[^|]* \| (\w+)", README, re.MULTILINE))
    expected = {
        (spec.name, word, state.value)
        for spec in all_specs()
        for word, state in {**spec.statuses, **spec.documented_statuses}.items()
    }
    assert rows == expected


def test_every_exit_code_is_documented() -> None:
    documented = {int(c) for c in re.findall(r"^\| (\d+) \| ", README, re.MULTILINE)}
    assert documented == {int(code) for code in ExitCode}
