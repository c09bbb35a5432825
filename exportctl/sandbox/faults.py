"""Fault injection: what can go wrong on the wire, decided by a seeded RNG."""

from __future__ import annotations

import math
import random
import re
import threading
from collections.abc import Collection, Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

ALL_SERVICES = "*"
# Services that "*" leaves alone: an endpoint broken for the export APIs still has
# its STS and Organizations, unless a test names them (``garble={"sts": "html"}``).
GARBLED_BY_NAME_ONLY = frozenset({"sts", "organizations"})


@dataclass
class Faults:
    """Mutable fault settings; the server reads them on every request.

    ``deny`` holds botocore service names (``"pinpoint"``) or ``"*"`` for all.
    ``page_size`` caps the items per page whatever the client asks for.
    ``garble`` maps a service name (or ``"*"``: every export service, see
    ``GARBLED_BY_NAME_ONLY``) to how its successful answers are spoilt, as a
    captive portal or a broken proxy would: see ``GARBLES``.
    ``garble_after`` answers of that service go through intact first (a listing
    broken on a later page), counted from when ``garble`` or ``garble_after`` was
    last set (``garbled_from``), or the sandbox's calls reset.
    """

    latency: float = 0.0
    throttle_rate: float = 0.0
    error_rate: float = 0.0
    page_size: int | None = None
    drop_rate: float = 0.0
    deny: set[str] = field(default_factory=set)
    garble: dict[str, str] = field(default_factory=dict)
    garble_after: int = 0
    # Scripted fates by operation name (``"CreateExportJob"``): each call of the
    # operation takes the next one (see ``FATES``) before the rates are rolled; once
    # they are used up, calls go back to the rates.
    fates: dict[str, list[str]] = field(default_factory=dict)
    # Scenario seconds a new job stays out of its service's listings, as an eventually
    # consistent listing lags behind the create (a get finds it at once).
    listing_lag: float = 0.0

    def __post_init__(self) -> None:
        # The services and operations of the sandbox these faults are its (``bind``):
        # update() checks names against them when its caller gives none.
        self._names: tuple[Collection[str], Mapping[str, Collection[str]] | None] | None = None

    def __setattr__(self, name: str, value: Any) -> None:
        super().__setattr__(name, value)
        if name in ("garble", "garble_after"):
            # The fault is set anew (by update() or an assignment): the answers it
            # lets through are counted from now, not from the sandbox's start.
            super().__setattr__("_garbled_from", object())

    @property
    def garbled_from(self) -> object:
        """A mark of the last time ``garble`` or ``garble_after`` was set: the sandbox
        counts the answers ``garble_after`` lets through since it changed."""
        mark: object = self.__dict__["_garbled_from"]
        return mark

    def bind(
        self, services: Collection[str], operations: Mapping[str, Collection[str]] | None = None
    ) -> None:
        """These faults are a sandbox's, which answers ``services`` (and ``operations``):
        the names they hold are checked now, and on every update() from then on."""
        self.check_services(services, operations)
        self._names = (services, operations)

    def garbling(self, service: str) -> str | None:
        if service in GARBLED_BY_NAME_ONLY:
            return self.garble.get(service)
        return self.garble.get(service) or self.garble.get(ALL_SERVICES)

    # Lifetime of the credentials sts:AssumeRole hands out (at most what is asked for).
    session_seconds: float = 3600.0

    def denies(self, service: str) -> bool:
        return ALL_SERVICES in self.deny or service in self.deny

    def update(
        self,
        changes: dict[str, Any],
        services: Collection[str] = (),
        operations: Mapping[str, Collection[str]] | None = None,
    ) -> None:
        """Apply a partial update (as sent to the admin endpoint), validating values;
        with ``services``, the names ``deny`` and ``garble`` may hold (and ``"*"``),
        and with ``operations`` (by service), those ``fates`` may script; without,
        those the sandbox they are bound to answers (``bind``)."""
        if not services and self._names is not None:
            services, operations = self._names
        known = {f.name for f in fields(self)}
        unknown = set(changes) - known
        if unknown:
            raise ValueError(f"unknown fault settings: {sorted(unknown)}")
        # Every value is read before any is set: a refused update changes nothing.
        parsed = {name: _parsed(name, value) for name, value in changes.items()}
        if services:
            changed = Faults()
            for name in ("deny", "garble", "fates"):
                if name in parsed:
                    setattr(changed, name, parsed[name])
            changed.check_services(services, operations)
        for name, value in parsed.items():
            setattr(self, name, value)

    def check_services(
        self,
        services: Collection[str],
        operations: Mapping[str, Collection[str]] | None = None,
    ) -> None:
        """Refuse a name in ``deny`` or ``garble`` that is no service of ``services``
        (nor ``"*"``), and, with ``operations``, a ``fates`` key that names no operation
        the sandbox answers: a misspelt one would inject no fault, and say nothing."""
        for setting, names in (("deny", self.deny), ("garble", self.garble)):
            unknown = sorted(set(names) - {ALL_SERVICES, *services})
            if unknown:
                raise ValueError(
                    f"{setting}: unknown service {unknown[0]!r}; "
                    f"expected one of {[*services, ALL_SERVICES]}"
                )
        if operations is None:
            return
        anywhere = {name for names in operations.values() for name in names}
        for key in sorted(self.fates):
            service, _, operation = key.rpartition(":")
            known = operations.get(service, ()) if service else anywhere
            if operation not in known:
                raise ValueError(
                    f"fates: unknown operation {key!r}; expected an operation the sandbox "
                    "answers, or SERVICE:Operation for one service's"
                )

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["deny"] = sorted(self.deny)
        return data


# How an answer is spoilt: "html" (a captive portal's page), "empty" (no body),
# "truncated" (half the JSON), "shape" (every list member turned into a string),
# "gzip" (the body compressed, its Content-Encoding lost: bytes that are no text),
# "drop:NAME" (member NAME removed wherever it occurs).
GARBLES = ("html", "empty", "truncated", "shape", "gzip", "drop:")


def _garbles(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping | None):
        raise ValueError(f'garble: {{"SERVICE": "HOW", ...}}, not {value!r}')
    chosen = {str(k): str(v) for k, v in (value or {}).items()}
    for mode in chosen.values():
        if mode not in GARBLES[:-1] and not (mode.startswith("drop:") and len(mode) > 5):
            raise ValueError(f"unknown garble {mode!r}; expected one of {list(GARBLES)}")
    return chosen


# What a scripted call does: "ok" (answered, whatever the rates), "throttle", "error"
# (a 5xx; nothing happened), "error-after-commit" (a 5xx after the request took
# effect), "drop" (no answer; nothing happened), "drop-after-commit" (the request took
# effect, its answer is lost), "raise:CODE:STATUS:MESSAGE" (that error answer).
FATES = ("ok", "throttle", "error", "error-after-commit", "drop", "drop-after-commit", "raise:")


def _fates(value: Any) -> dict[str, list[str]]:
    # A string is a sequence too: "ok" was read as the fates "o" and "k".
    if not isinstance(value, Mapping | None) or not all(
        isinstance(fates, list | tuple) for fates in (value or {}).values()
    ):
        raise ValueError(f'fates: {{"OPERATION": ["FATE", ...], ...}}, not {value!r}')
    chosen = {str(op): [str(f) for f in fates] for op, fates in (value or {}).items()}
    for fates in chosen.values():
        for fate in fates:
            if fate.startswith("raise:") and len(fate.split(":", 3)) == 4:
                status = fate.split(":", 3)[2]
                # Any other is no error answer: a 500 of the sandbox's own, a status
                # line http.client cannot read, or an error body sent as a success.
                if not (re.fullmatch("[0-9]{3}", status) and 400 <= int(status) <= 599):
                    raise ValueError(
                        f"fate {fate!r}: the STATUS of raise:CODE:STATUS:MESSAGE is an"
                        f" HTTP error status, 400 to 599, not {status!r}"
                    )
            elif fate not in FATES[:-1]:
                raise ValueError(f"unknown fate {fate!r}; expected one of {list(FATES)}")
    return chosen


def _parsed(name: str, value: Any) -> Any:
    """A setting's value as given to update(), read as it is kept; a ValueError or a
    TypeError saying why when it is no such value."""
    if name == "deny":
        if isinstance(value, str):
            value = [value]
        if value is True:
            value = [ALL_SERVICES]
        return {str(v) for v in (value or [])}
    if name == "garble":
        return _garbles(value)
    if name == "fates":
        return _fates(value)
    if name == "page_size":
        return None if value is None else _positive_int(value)
    if name == "garble_after":
        return int(_number(value, name))
    if name in ("latency", "listing_lag"):
        return _number(value, name)
    if name == "session_seconds":
        return max(1.0, _number(value, name))
    return _rate(value, name)


# The most a setting in seconds or answers may be: past it, time.sleep() and the
# clock's timestamps overflow, and a call that long is no answer at all.
MAX_SETTING = 86400.0 * 366


def _number(value: Any, name: str) -> float:
    """A finite number from 0 to MAX_SETTING: "Infinity" (which Python's json reads)
    made every call a 500 and /faults unreadable JSON, a negative one was taken as 0."""
    number = float(value)
    if not 0.0 <= number <= MAX_SETTING:
        raise ValueError(f"{name} must be a number from 0 to {MAX_SETTING:.0f}, not {value!r}")
    return number


def _rate(value: Any, name: str) -> float:
    rate = float(value)
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"{name} must be between 0 and 1")
    return rate


def _positive_int(value: Any) -> int:
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"page_size must be a whole number, not {value!r}")
    number = int(value)
    if number < 1:
        raise ValueError("page_size must be at least 1")
    return number


class Dice:
    """A seeded RNG shared by request threads; the lock keeps its sequence intact."""

    def __init__(self, seed: int) -> None:
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    def roll(self, rate: float) -> bool:
        if rate <= 0.0:
            return False
        with self._lock:
            return self._rng.random() < rate

    def hex(self, nbytes: int) -> str:
        with self._lock:
            return self._rng.getrandbits(nbytes * 8).to_bytes(nbytes, "big").hex()
