"""The index of botocore's endpoint data, as the installed console script keeps it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from e2e_support import exportctl

from exportctl.aws.endpointindex import FORMAT
from exportctl.sandbox import Sandbox

pytestmark = pytest.mark.e2e

ARGS = ("--region", "us-east-1", "list", "-s", "discovery", "--json")


def test_the_first_command_indexes_and_a_broken_index_changes_nothing(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    first = exportctl(sandbox, *ARGS, XDG_CACHE_HOME=str(cache))
    assert first.returncode == 0, first.stderr
    (index,) = (cache / "exportctl").glob("endpoints-*.index")
    assert index.read_bytes().startswith(FORMAT.encode() + b"\t")
    again = exportctl(sandbox, *ARGS, XDG_CACHE_HOME=str(cache))
    assert (again.returncode, again.stdout, again.stderr) == (0, first.stdout, "")
    index.write_bytes(b"\x00garbage\n{\n0\tdiscovery\t[")
    broken = exportctl(sandbox, *ARGS, XDG_CACHE_HOME=str(cache))
    assert (broken.returncode, broken.stdout, broken.stderr) == (0, first.stdout, "")
    assert index.read_bytes().startswith(FORMAT.encode() + b"\t")
    assert json.loads(first.stdout)


def test_a_cache_that_cannot_be_written_is_no_error(sandbox: Sandbox, tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("", encoding="utf-8")
    done = exportctl(sandbox, *ARGS, XDG_CACHE_HOME=str(blocked))
    assert done.returncode == 0, done.stderr
    assert done.stderr == "" and json.loads(done.stdout)
