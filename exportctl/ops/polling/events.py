"""What a round of `wait` or `watch` tells its caller, who alone prints."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from exportctl.domain.errors import ExportctlError, Place
from exportctl.domain.model import ExportJob
from exportctl.ops.polling.outcome import Tracked


@dataclass(frozen=True)
class Event:
    """Something worth telling: kind is seen, changed, met, missed, gone, retrying or
    round; for a watch also ended (a job first seen already ended, after the first
    round: it ran between two) and notice (a target out of reach, which `list` says
    as a notice: told once while it lasts, never retried)."""

    kind: str
    tracked: Tracked | None = None
    before: ExportJob | None = None
    message: str | None = None
    delay: float | None = None
    calls: dict[tuple[str, str], int] = field(default_factory=dict)


# What a message names rather than counts, kept as it is: an ARN, an account (12
# digits), a region; every other number is a count.
_NAME_OR_NUMBER = re.compile(
    r"(arn:[^\s;,()]+|(?<![\d.])\d{12}(?![\d.])|\b[a-z]{2}(?:-[a-z]+)+-\d\b)"
    r"|\d+(?:[.,]\d+)*"
)


def gist(message: str) -> str:
    """What a problem's message says, its counts aside ("tried 3 times over 4 s" and
    "tried 4 times over 9 s" are one problem): told once while it lasts. The accounts,
    ARNs and regions it names are kept: two accounts' problems are two problems."""
    return _NAME_OR_NUMBER.sub(lambda m: m.group(1) or "#", message)


class Told:
    """The problems of the rounds so far, each told once while it lasts, whatever its
    counts: ``update`` takes a round's messages and gives those to tell now;
    ``current`` holds the round's, in their latest words.

    A listing's error said of several regions (:attr:`ExportctlError.place`) is one
    problem while it lasts, however its regions change from round to round (a
    target failing otherwise, or answering, for a round): told again only when it
    spreads to regions it was not told of, naming those."""

    def __init__(self) -> None:
        # Each problem told (its gist, regions aside), and the regions it was told of.
        self._told: dict[str, frozenset[str]] = {}
        self.current: set[str] = set()

    def update(self, messages: Iterable[str | ExportctlError]) -> list[str]:
        return list(self.said_now(messages).values())

    def said_now(self, problems: Iterable[str | ExportctlError]) -> dict[str, str]:
        """What to tell now of a round's problems: for each message, its words now."""
        said: dict[str, tuple[str, Place | None]] = {}
        for problem in problems:
            if isinstance(problem, str):
                said[gist(problem)] = (problem, None)
            else:
                place = problem.place
                said[gist(place.text(()) if place else problem.message)] = (problem.message, place)
        fresh: dict[str, str] = {}
        told: dict[str, frozenset[str]] = {}
        for key, (message, place) in sorted(said.items()):
            regions = frozenset(place.regions if place else ())
            before = self._told.get(key)
            if before is None:
                fresh[message] = message
            elif place is not None and regions - before:
                fresh[message] = place.text(sorted(regions - before))
            told[key] = regions | (before or frozenset())
        self._told = told
        self.current = {message for message, _ in said.values()}
        return fresh
