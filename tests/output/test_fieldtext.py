"""What panels and --fields tables show of values that are not plain strings."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from exportctl.output.fieldtext import field_text


@pytest.fixture
def kathmandu(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "Asia/Kathmandu")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_a_records_time_is_shown_in_local_time(kathmandu: None) -> None:
    # UTC+05:45: what JSON writes as UTC, a table shows as the clock on the wall.
    assert field_text("2026-12-04T10:37:17.323611Z") == "2026-12-04 16:22:17"
    assert field_text("2026-12-04T10:37:17Z") == "2026-12-04 16:22:17"
    assert field_text({"from": "2026-12-04T10:37:17Z"}) == "from=2026-12-04 16:22:17"


def test_text_that_only_looks_like_a_time_stays_as_it_is(kathmandu: None) -> None:
    for text in ("2026-12-04", "2026-12-04T10:37:17+05:00", "run 2026-12-04T10:37:17Z"):
        assert field_text(text) == text


def test_an_empty_member_of_a_structure_says_nothing() -> None:
    progress = {"completed_pieces": 0, "total_pieces": 0, "failures": [], "note": None}
    assert field_text(progress) == "completed_pieces=0, total_pieces=0"
