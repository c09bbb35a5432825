"""A test sees the environment tests/conftest.py builds, whatever the shell exported."""

from __future__ import annotations

import os
from pathlib import Path


def test_only_the_known_variables_reach_a_test() -> None:
    runner = {name for name in os.environ if name.startswith(("PYTEST_", "COV_CORE_"))}
    assert set(os.environ) - runner <= {
        "PATH",
        "TMPDIR",
        "HOME",
        "LANG",
        "XDG_CACHE_HOME",
        "AWS_CONFIG_FILE",
        "AWS_SHARED_CREDENTIALS_FILE",
        "AWS_EC2_METADATA_DISABLED",
    }


def test_each_test_has_an_empty_home_of_its_own_with_the_endpoint_index() -> None:
    home = Path(os.environ["HOME"])
    assert sorted(p.name for p in home.iterdir()) == [".cache"]
    cached = [p.name for p in (home / ".cache" / "exportctl").iterdir()]
    assert len(cached) == 1 and cached[0].startswith("endpoints-"), cached
    assert not Path(os.environ["AWS_CONFIG_FILE"]).exists()
