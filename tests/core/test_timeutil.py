"""Durations, 'since' points, timestamps of every service, and times for people."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import pytest
from dateutil.tz import tzutc

from exportctl.domain.timeutil import (
    as_utc,
    given_duration,
    human_duration,
    iso,
    parse_duration,
    parse_since,
    parse_timestamp,
    relative,
)

UTC = timezone.utc
T = datetime(2026, 11, 1, 8, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90", 90.0),
        ("0", 0.0),
        ("2.5", 2.5),
        ("90s", 90.0),
        ("5m", 300.0),
        ("1h30m", 5400.0),
        ("1h 30m", 5400.0),
        (" 2d ", 172800.0),
        ("1w", 604800.0),
        ("500ms", 0.5),
        ("1.5h", 5400.0),
        ("1m30s", 90.0),
    ],
)
def test_parse_duration(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", " ", "soon", "5x", "5m30", "-5m", "m5", "1h and 2m", "5 m s"])
def test_parse_duration_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration(text)


@pytest.mark.parametrize("text", ["٣d", "３h", "1٫5h", "٣", "9\u0663s"])
def test_parse_duration_takes_ascii_digits_only(text: str) -> None:
    with pytest.raises(ValueError, match="not a duration"):
        parse_duration(text)
    with pytest.raises(ValueError, match="not a duration or date"):
        parse_since(text, reference=T)


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("2H", "use '2h'"),
        ("1h30S", "use '1h30s'"),
        ("500MS", "use '500ms'"),
        ("1W", "use '1w'"),
        # Months, most likely: never read as minutes, nor suggested as such.
        ("6M", "m is minutes; a month is no unit (use days, e.g. 30d)"),
        ("1h 30M", "m is minutes; a month is no unit"),
    ],
)
def test_an_upper_case_unit_is_refused_with_the_lower_case_one(text: str, hint: str) -> None:
    for parse in (parse_duration, lambda t: parse_since(t, reference=T)):
        with pytest.raises(ValueError) as caught:
            parse(text)
        message = str(caught.value)
        assert message.startswith(f"'{text}': units are lower case (ms, s, m, h, d, w): ")
        assert hint in message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2h", T - timedelta(hours=2)),
        ("7d", T - timedelta(days=7)),
        ("90s", T - timedelta(seconds=90)),
        # Not capped at a year as the durations of --timeout or --interval are: a
        # date reaches back as far, so its duration does too (README, Global options).
        ("53w", T - timedelta(weeks=53)),
        ("1000d", T - timedelta(days=1000)),
        ("2026-10-01", datetime(2026, 10, 1, tzinfo=UTC)),
        ("2026-10-01T08:00Z", datetime(2026, 10, 1, 8, 0, tzinfo=UTC)),
        ("2026-10-01T10:00:00+02:00", datetime(2026, 10, 1, 8, 0, tzinfo=UTC)),
    ],
)
def test_parse_since(text: str, expected: datetime) -> None:
    since = parse_since(text, reference=T)

    assert since == expected
    assert since.utcoffset() == timedelta(0)


@pytest.mark.parametrize("text", ["yesterday", "2026-13-01", ""])
def test_parse_since_refuses_with_examples(text: str) -> None:
    with pytest.raises(ValueError, match=r"not a duration or date: .*e\.g\. 2h"):
        parse_since(text, reference=T)


def test_parse_since_refuses_a_number_without_a_unit() -> None:
    # Seconds to a parser, days to some people: the unit is asked for, not guessed.
    with pytest.raises(ValueError, match=r"'90' has no unit: use e\.g\. 90s, 90m, 90h or 90d"):
        parse_since("90", reference=T)


def test_parse_since_defaults_to_now() -> None:
    before = datetime.now(UTC)
    since = parse_since("1h")
    assert before - timedelta(hours=1, seconds=1) <= since <= datetime.now(UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # Pinpoint sends ISO 8601 strings.
        ("2026-11-01T08:30:00Z", T),
        ("2026-11-01T08:30:00.000Z", T),
        ("2026-11-01T08:30:00.250Z", T + timedelta(milliseconds=250)),
        ("2026-11-01T08:30:00z", T),
        ("2026-11-01T10:30:00+02:00", T),
        ("2026-11-01T03:30:00-05:00", T),
        ("2026-11-01T08:30:00", T),  # naive: taken as UTC
        (" 2026-11-01T08:30:00Z ", T),
        (datetime(2026, 11, 1, 8, 30), T),
        (datetime(2026, 11, 1, 9, 30, tzinfo=timezone(timedelta(hours=1))), T),
        # UTC by another tzinfo (botocore's own parser gives dateutil's): made timezone.utc.
        (datetime(2026, 11, 1, 8, 30, tzinfo=tzutc()), T),
        (T, T),
        (T.timestamp(), T),
        (int(T.timestamp()), T),
        (None, None),
        ("", None),
        ("not a date", None),
    ],
)
def test_as_utc(value: datetime | str | float | None, expected: datetime | None) -> None:
    result = as_utc(value)

    assert result == expected
    if result is not None:
        assert result.tzinfo is UTC


def test_iso_is_utc_with_z() -> None:
    assert iso(T) == "2026-11-01T08:30:00Z"
    assert iso(datetime(2026, 11, 1, 9, 30, tzinfo=timezone(timedelta(hours=1)))) == (
        "2026-11-01T08:30:00Z"
    )
    assert iso(T + timedelta(microseconds=5)) == "2026-11-01T08:30:00.000005Z"
    assert iso(datetime(2026, 11, 1, 8, 30, tzinfo=tzutc())) == "2026-11-01T08:30:00Z"
    assert iso(None) is None


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(0), "just now"),
        (timedelta(seconds=9), "just now"),
        (timedelta(seconds=-9), "just now"),
        (timedelta(seconds=45), "45 s ago"),
        (timedelta(minutes=3, seconds=59), "3 min ago"),
        (timedelta(hours=5), "5 h ago"),
        (timedelta(days=3, hours=23), "3 d ago"),
        (timedelta(hours=-2), "in 2 h"),
        (timedelta(minutes=-30), "in 30 min"),
    ],
)
def test_relative(delta: timedelta, text: str) -> None:
    assert relative(T - delta, reference=T) == text


@pytest.mark.parametrize(
    ("seconds", "text"), [(0, "0s"), (-3, "0s"), (59.9, "59s"), (61, "1m01s"), (3725, "1h02m")]
)
def test_human_duration(seconds: float, text: str) -> None:
    assert human_duration(seconds) == text


@pytest.mark.parametrize(
    ("given", "text"),
    [
        ("500ms", "500ms"),
        ("1.5s", "1.5s"),
        ("0.25", "250ms"),
        ("90.5s", "1m30.5s"),
        ("65s", "1m05s"),
        ("2m", "2m00s"),
        ("1h", "1h00m"),
        ("1h30s", "1h00m30s"),
        ("1h30m", "1h30m"),
        ("2d", "48h00m"),
        ("0s", "0s"),
    ],
)
def test_a_given_duration_is_said_back_whole(given: str, text: str) -> None:
    # human_duration cuts to whole seconds (and minutes past an hour): a --timeout of
    # 500ms that "timed out after 0s" said it never waited.
    assert given_duration(parse_duration(given)) == text


@pytest.mark.parametrize(
    ("text", "micro"),
    [
        ("2026-11-20T10:00:00.1Z", 100_000),
        ("2026-11-20T10:00:00.12Z", 120_000),
        ("2026-11-20T10:00:00.1234567Z", 123_456),
        ("2026-11-20T10:00:00.123456789+00:00", 123_456),
    ],
)
def test_as_utc_reads_any_number_of_fraction_digits(text: str, micro: int) -> None:
    parsed = as_utc(text)
    assert parsed is not None and parsed.microsecond == micro and parsed.tzinfo is timezone.utc


@pytest.mark.parametrize(
    "value",
    [
        1763863915.171,
        0,
        1700000000,
        "1700000000.5",
        "2026-11-23T01:51:55.171Z",
        "2026-11-23T01:51:55.1Z",
        "2026-11-23T01:51:55.123456789Z",
        "2026-11-23T01:51:55Z",
        "2026-11-23T01:51:55.5-05:00",
        "2026-11-23T01:51:55.123456789+02:00",
        "2026-11-23T01:51:55",
        "2026-11-23",
        "Mon, 23 Nov 2026 01:51:55 GMT",
    ],
    ids=repr,
)
def test_client_timestamp_parser_agrees_with_botocores(value: str | float) -> None:
    from botocore.utils import parse_timestamp as botocore_parse

    ours = parse_timestamp(value)
    assert ours.tzinfo is UTC
    assert iso(ours) == iso(as_utc(botocore_parse(value)))


def test_client_timestamp_parser_refuses_what_botocore_refuses() -> None:
    with pytest.raises(ValueError):
        parse_timestamp("not a time")


def test_a_clock_time_says_its_day_and_its_zone_where_they_are_not_now_s(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import time

    from exportctl.domain.timeutil import clock_time

    monkeypatch.setenv("TZ", "Europe/London")
    time.tzset()
    try:
        # 01:40 BST, 20 minutes before the clocks go back.
        reference = datetime(2026, 10, 25, 0, 40, tzinfo=timezone.utc)
        # 01:50 comes twice tonight: this one is BST's.
        assert clock_time(reference + timedelta(minutes=10), reference) == "01:50 BST"
        assert clock_time(reference - timedelta(minutes=50), reference) == "00:50"
        # 24 minutes on: 01:04 once more, in GMT.
        assert clock_time(reference + timedelta(minutes=24), reference) == "01:04 GMT"
        assert clock_time(reference + timedelta(days=4), reference) == "Oct 29 00:40 GMT"
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


LAST = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)
FIRST = datetime(1, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("name", "value", "shown", "clock"),
    [
        # Past year 9999 east of UTC, before year 1 west of it: no local time there.
        ("Asia/Kolkata", LAST, "9999-12-31 23:59:59 UTC", "Dec 31 9999 23:59 UTC"),
        ("America/Los_Angeles", FIRST, "0001-01-01 00:00:00 UTC", "Jan 1 0001 00:00 UTC"),
        ("America/Los_Angeles", LAST, "9999-12-31 15:59:59", "Dec 31 9999 15:59"),
        ("UTC", FIRST, "0001-01-01 00:00:00", "Jan 1 0001 00:00"),
        ("UTC", datetime(999, 3, 1, 12, tzinfo=UTC), "0999-03-01 12:00:00", "Mar 1 0999 12:00"),
    ],
)
def test_a_time_at_the_calendars_ends_is_shown_not_a_crash(
    zone: Callable[[str], None], name: str, value: datetime, shown: str, clock: str
) -> None:
    from exportctl.domain.timeutil import clock_time, local

    zone(name)
    reference = datetime(2026, 12, 7, 4, 0, tzinfo=UTC)
    assert local(value, reference) == shown
    assert local(value) == shown
    assert clock_time(value, reference) == clock


def test_a_clock_time_of_another_year_says_its_year(zone: Callable[[str], None]) -> None:
    from exportctl.domain.timeutil import clock_time

    zone("UTC")
    reference = datetime(2026, 12, 7, 6, 45, tzinfo=UTC)
    # An estimate 366 days on: without its year, it read as tomorrow.
    assert clock_time(reference + timedelta(days=366), reference) == "Dec 8 2027 06:45"
    assert clock_time(datetime(2025, 12, 31, 23, 0, tzinfo=UTC), reference) == "Dec 31 2025 23:00"
    # This year's: the day without it, as ever.
    assert clock_time(datetime(2026, 12, 31, 23, 0, tzinfo=UTC), reference) == "Dec 31 23:00"
    assert clock_time(reference + timedelta(hours=1), reference) == "07:45"


def test_a_wall_time_the_clock_shows_twice_names_its_zone(zone: Callable[[str], None]) -> None:
    from exportctl.domain.timeutil import clock_time, local

    zone("America/New_York")
    # 01:30 EDT, then 01:10 EST 40 minutes later: without their zones, backwards.
    first, second = (
        datetime(2026, 11, 1, 5, 30, tzinfo=UTC),
        datetime(2026, 11, 1, 6, 10, tzinfo=UTC),
    )
    for reference in (datetime(2026, 10, 20, tzinfo=UTC), datetime(2026, 11, 23, tzinfo=UTC)):
        assert local(first, reference) == "2026-11-01 01:30:00 EDT"
        assert local(second, reference) == "2026-11-01 01:10:00 EST"
        assert clock_time(first, reference) == "Nov 1 01:30 EDT"
        assert clock_time(second, reference) == "Nov 1 01:10 EST"
    # At now's offset and once on the clock: the wall time alone, as ever.
    reference = datetime(2026, 11, 23, 15, 4, tzinfo=UTC)
    assert local(reference - timedelta(hours=1), reference) == "2026-11-23 09:04:00"
    assert clock_time(reference + timedelta(hours=1), reference) == "11:04"
    # A summer time seen in winter says its zone, in a panel as in a clock time.
    assert local(datetime(2026, 7, 1, 14, tzinfo=UTC), reference) == "2026-07-01 10:00:00 EDT"
