"""Help on a real terminal narrower than click's least width (50 columns): laid out
at the terminal's width, its lines broken at spaces only."""

from __future__ import annotations

from pathlib import Path

import pytest
from e2e_support import on_terminal

pytestmark = pytest.mark.e2e

TEMPLATE = "(arn:aws:backup-search:REGION:ACCOUNT:search-job/ID"


def test_help_fits_a_40_column_terminal_and_keeps_its_words_whole(tmp_path: Path) -> None:
    screen = on_terminal(40, tmp_path, "backups", "--help")
    assert screen.code == 0, screen.text
    text, _, examples = screen.text.partition("\n  Examples:\n")
    assert examples
    # Longer than the line, the ARN's template stands alone on its line, whole.
    assert f"  {TEMPLATE}" in screen.lines
    wide = [
        line
        for line in text.splitlines()
        if len(line) > 40 and len(line.split()) > 1 and not line.lstrip().startswith("-")
    ]
    assert wide == []
