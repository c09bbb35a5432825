"""Where output goes: stdout for records, stderr for diagnostics."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from rich.console import Console


def make_console(*, stderr: bool = False, no_color: bool = False) -> Console:
    # rich already honours NO_COLOR and leaves escape codes out off a terminal.
    return Console(
        stderr=stderr,
        no_color=no_color or bool(os.environ.get("NO_COLOR")),
        highlight=False,
        soft_wrap=False,
    )


def write_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")
    sys.stdout.flush()
