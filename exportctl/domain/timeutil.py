"""Time: timezone-aware UTC inside, ISO 8601 out, local and relative for people."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from exportctl.domain.errors import clip

# Units as README lists them, in lower case only: "6M" read as 6 minutes would be a
# silent misreading of 6 months. Digits are ASCII's: \d would take "٣" for 3.
_DURATION = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*(ms|s|m|h|d|w)")
_ANY_CASE = re.compile(_DURATION.pattern, re.IGNORECASE)
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_FRACTION = re.compile(r"\.(\d+)(?=[+-]\d\d:?\d\d$|$)")
_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


# Where "now" comes from: the system's clock, except where an output must not depend
# on when it was made (the README's example outputs, tests/readme_outputs.py).
wall_clock: Callable[[], float] = time.time


def now() -> datetime:
    return datetime.fromtimestamp(wall_clock(), timezone.utc)


def as_utc(value: datetime | str | float | int | None) -> datetime | None:
    """Any timestamp a service returns (datetime, ISO 8601 string, epoch) as aware UTC;
    None for what is no time (an epoch out of any calendar's range, an object)."""
    if value is None or value == "":
        return None
    try:
        if isinstance(value, datetime):
            if value.tzinfo is timezone.utc:
                # What exportctl's own parser gives botocore: every timestamp of every page.
                return value
            dt = value
        elif isinstance(value, (int, float)):
            dt = datetime.fromtimestamp(value, timezone.utc)
        elif isinstance(value, str):
            read = _from_iso(value.strip())
            if read is None:
                return None
            dt = read
        else:
            return None
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=timezone.utc)
        return dt.astimezone(timezone.utc)
    except (OverflowError, ValueError, OSError):
        return None


def _from_iso(text: str) -> datetime | None:
    """ISO 8601 as services write it: Python 3.11's fromisoformat reads "Z" and 1 to
    9 fraction digits itself; for 3.10's, those are rewritten first."""
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    text = _FRACTION.sub(lambda m: "." + (m.group(1) + "000000")[:6], text)
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def parse_timestamp(value: str | float | int) -> datetime:
    """botocore's timestamp parser for exportctl's clients: aware UTC, without dateutil.

    Epoch numbers (the JSON protocols) and ISO 8601 strings take the fast path;
    anything else (RFC 822 dates in headers) goes to botocore's own parser. Raises
    ValueError for what neither reads, as botocore's does.
    """
    if isinstance(value, str) and value[4:5] == "-":
        # The XML protocols' ISO 8601 (RDS, EC2: every timestamp of every page),
        # without first failing float() on it.
        parsed = as_utc(value)
    else:
        try:
            return datetime.fromtimestamp(float(value), timezone.utc)
        except (TypeError, ValueError, OverflowError, OSError):
            pass
        parsed = as_utc(value) if isinstance(value, str) else None
    if parsed is not None:
        return parsed
    from botocore.utils import parse_timestamp as botocore_parse

    try:
        result: datetime = botocore_parse(value)
    except (RuntimeError, OverflowError, OSError) as exc:
        # botocore says some of what is no time so ("Unable to calculate correct
        # timezone offset"): said as every answer it cannot read is.
        raise ValueError(f"Invalid timestamp {value!r}: {exc}") from exc
    return as_utc(result) or result


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is not timezone.utc:
        value = value.astimezone(timezone.utc)
    # An aware UTC time is written with "+00:00" last, and only there.
    return value.isoformat()[:-6] + "Z"


# Values JSON holds as they are: a listing's details are mostly these, so they are
# passed without a call each.
_AS_THEY_ARE = frozenset({str, int, float, bool, type(None)})


def jsonable(value: Any) -> Any:
    """``value`` ready for ``json.dumps``: timestamps as ISO 8601 UTC, at any depth,
    mappings' keys as text (``str``: ``True`` gives "True", where ``json`` writes
    "true" and refuses a tuple), tuples as lists; everything else as it is."""
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, Mapping):
        return {str(k): v if type(v) in _AS_THEY_ARE else jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [v if type(v) in _AS_THEY_ARE else jsonable(v) for v in value]
    return value


# The longest duration taken (a --timeout, an interval): longer than any wait, and
# short enough for every date and timer sum.
MAX_DURATION = 366 * 86400.0


def longer_than_a_year(given: str) -> str:
    """What a duration past :data:`MAX_DURATION` is refused with: ``given`` as the
    user gave it (the command line's ``'400d'``, the API's ``31622401 seconds``),
    never rounded to where it looks like the limit."""
    return f"{given} is longer than a year"


class UnitCaseError(ValueError):
    """A duration whose units are upper case: said as such, not as no duration."""


def parse_duration(text: str) -> float:
    """Seconds in '90', '90s', '5m', '1h30m', '2d', '500ms'. Raises ValueError."""
    raw = text.strip()
    if _NUMBER.fullmatch(raw):
        return float(raw)
    parts = _parts(raw, _DURATION)
    if parts is None:
        upper = _parts(raw, _ANY_CASE)
        if upper is not None:
            raise UnitCaseError(_unit_case(text, [unit for _, unit in upper]))
        raise ValueError(f"not a duration: '{clip(text)}' (use e.g. 30s, 5m, 2h, 1d)")
    return sum(float(number) * _UNITS[unit] for number, unit in parts)


def _parts(raw: str, pattern: re.Pattern[str]) -> list[tuple[str, str]] | None:
    """Each number and its unit, when ``raw`` is nothing else; None otherwise."""
    pos, parts = 0, list[tuple[str, str]]()
    for match in pattern.finditer(raw):
        if raw[pos : match.start()].strip():
            break
        parts.append((match.group(1), match.group(2)))
        pos = match.end()
    return None if pos == 0 or raw[pos:].strip() else parts


def _unit_case(text: str, units: list[str]) -> str:
    said = f"'{clip(text)}': units are lower case (ms, s, m, h, d, w)"
    if "M" in units:
        # A month, most likely: no unit, and never minutes by a guess.
        return f"{said}: m is minutes; a month is no unit (use days, e.g. 30d)"
    return f"{said}: use '{clip(text.strip().lower())}'"


def parse_since(text: str, reference: datetime | None = None) -> datetime:
    """A point in time from a duration back from now ('2h') or a date/ISO 8601 timestamp."""
    if _NUMBER.fullmatch(text.strip()):
        # A bare number back in time is seconds to a parser and days to some people.
        number = clip(text.strip())
        raise ValueError(
            f"'{number}' has no unit: use e.g. {number}s, {number}m, {number}h or {number}d"
        )
    try:
        return (reference or now()) - timedelta(seconds=parse_duration(text))
    except UnitCaseError:
        raise
    except ValueError:
        pass
    read = _from_iso(text.strip())
    if read is None:
        raise ValueError(
            f"not a duration or date: '{clip(text)}' (use e.g. 2h, 7d, 2026-11-01 or "
            "2026-11-01T08:00Z)"
        )
    parsed = as_utc(read)
    if parsed is None:
        # Out of range once in UTC: before year 1 (a zone east of UTC on 0001-01-01)
        # or after year 9999.
        early = read.year == 1
        edge = (
            "before the first time there is (year 1"
            if early
            else "past the last time there is (year 9999"
        )
        raise ValueError(f"'{clip(text)}' is {edge}, UTC)")
    return parsed


def relative(value: datetime, reference: datetime | None = None) -> str:
    """'3 min ago', 'in 2 h', 'just now'."""
    delta = ((reference or now()) - value).total_seconds()
    future = delta < 0
    secs = abs(delta)
    if secs < 10:
        return "just now"
    for limit, unit, size in ((60, "s", 1), (3600, "min", 60), (86400, "h", 3600)):
        if secs < limit:
            amount = f"{int(secs // size)} {unit}"
            break
    else:
        amount = f"{int(secs // 86400)} d"
    return f"in {amount}" if future else f"{amount} ago"


def local(value: datetime, reference: datetime | None = None) -> str:
    """``2026-12-04 16:22:17`` in local time, the year in four digits; its zone's name
    too where the wall time alone could be misread (:func:`_zone_to_say`)."""
    here, zone = _local_view(value, _today(reference))
    text = f"{here.year:04d}-{here:%m-%d %H:%M:%S}"
    return f"{text} {zone}" if zone else text


def clock_time(value: datetime, reference: datetime | None = None) -> str:
    """``15:35`` in local time, for a time soon; ``Dec 10 07:02`` for one on another
    day, ``Dec 8 2027 06:45`` in another year (an estimate a year away read as
    tomorrow); its zone's name too where the wall time alone could be misread
    (:func:`_zone_to_say`)."""
    today = _today(reference)
    here, zone = _local_view(value, today)
    text = f"{here:%H:%M}"
    if today is None or here.year != today.year:
        text = f"{here:%b} {here.day} {here.year:04d} {text}"
    elif here.date() != today.date():
        text = f"{here:%b} {here.day} {text}"
    return f"{text} {zone}" if zone else text


def _today(reference: datetime | None) -> datetime | None:
    try:
        return (reference or now()).astimezone()
    except (OverflowError, ValueError, OSError):
        return None


def _local_view(value: datetime, today: datetime | None) -> tuple[datetime, str]:
    """``value`` on the local clock, and the zone's name to write after it ('' for
    none). A time within a day of year 1 or year 9999 may have no local time (year
    0 or 10000 east or west of UTC): it is shown in UTC, which it has, named so."""
    try:
        here = value.astimezone()
    except (OverflowError, ValueError, OSError):
        return value.astimezone(timezone.utc), "UTC"
    return here, (here.tzname() or "") if _zone_to_say(here, today) else ""


def _zone_to_say(here: datetime, today: datetime | None) -> bool:
    """A wall time is read at now's offset unless it says otherwise: it names its zone
    when its offset is not now's, and when the clock shows it twice (the hour the
    clocks go back), at either offset."""
    if today is None or here.utcoffset() != today.utcoffset():
        return True
    wall = here.replace(tzinfo=None)
    try:
        return wall.replace(fold=0).timestamp() != wall.replace(fold=1).timestamp()
    except (OverflowError, ValueError, OSError):
        return False


def human_duration(seconds: float) -> str:
    secs = int(max(0, seconds))
    hours, rest = divmod(secs, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{secs}s"


def given_duration(seconds: float) -> str:
    """A duration the user gave (a --timeout) said back whole, in human_duration's
    form: what it would cut is kept (``500ms``, ``1.5s``, ``1h00m30s``), where a
    timeout of 500ms that "timed out after 0s" says it never waited."""
    seconds = max(0.0, seconds)
    whole = int(seconds)
    if seconds == whole and (whole < 3600 or whole % 60 == 0):
        return human_duration(seconds)
    if seconds < 1:
        return f"{seconds * 1000:.6g}ms"
    # To the millisecond, parse_duration's smallest unit: `.5`, `.25`, or none.
    whole, millis = divmod(round(seconds * 1000), 1000)
    fraction = f".{millis:03d}".rstrip("0") if millis else ""
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m{secs:02d}{fraction}s"
    if minutes:
        return f"{minutes}m{secs:02d}{fraction}s"
    return f"{secs}{fraction}s"
