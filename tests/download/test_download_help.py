"""--help of download and backups loads neither boto3 nor botocore."""

from __future__ import annotations

import subprocess
import sys

import pytest

PROBE = """
import sys
from exportctl.cli.root import cli
try:
    cli.main(args=sys.argv[1:], prog_name="exportctl")
except SystemExit:
    pass
heavy = sorted(
    m for m in ("boto3", "botocore", "moto", "exportctl.ops.download") if m in sys.modules
)
print("HEAVY:" + ",".join(heavy))
"""


@pytest.mark.parametrize("command", ["download", "backups"])
def test_help_stays_light(command: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, command, "--help"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "Usage: exportctl " + command in result.stdout
    assert result.stdout.rstrip().endswith("HEAVY:")
