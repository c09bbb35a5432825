"""The data files botocore decodes whole, recorded as a test goes."""

from __future__ import annotations

import os
from typing import Any

import pytest
from botocore.loaders import JSONFileLoader


def record_whole_reads(monkeypatch: pytest.MonkeyPatch, name: str) -> list[str]:
    """The files named ``name`` (``endpoints``, ``service-2``) that botocore decodes
    whole from now on, in order, without their extension."""
    reads: list[str] = []
    real = JSONFileLoader.load_file

    def load_file(self: JSONFileLoader, file_path: str) -> Any:
        if os.path.basename(file_path) == name:
            reads.append(file_path)
        return real(self, file_path)

    monkeypatch.setattr(JSONFileLoader, "load_file", load_file)
    return reads
