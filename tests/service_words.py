"""Every way the specs name a service, and a pattern that finds them in text: for the
tests that no code outside a service's own modules names one (tests/cli,
tests/sandbox). tests/ is on every test's path."""

from __future__ import annotations

import re

from exportctl.services import all_specs


def service_words() -> set[str]:
    """Every way the specs name a service: name, titles, client, prefix, ARN services."""
    names: set[str] = set()
    for spec in all_specs():
        names |= {spec.name, spec.title, spec.short_title, spec.client, spec.prefix or ""}
        names |= {spec.arn.service if spec.arn else ""}
        names |= {spec.searches.arn.service if spec.searches else ""}
        # An alias that is a plain word (backup) is left out: it is the CLI's word
        # too (`exportctl backups`).
        names |= {alias for alias in spec.aliases if not alias.isalpha()}
    return names - {""}


def anywhere(names: set[str]) -> re.Pattern[str]:
    """Any of ``names`` as a word of its own, in any case."""
    alternatives = "|".join(sorted(map(re.escape, names), key=len, reverse=True))
    return re.compile(rf"(?<![A-Za-z0-9])({alternatives})(?![A-Za-z0-9])", re.IGNORECASE)
