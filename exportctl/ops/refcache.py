"""The job references `list` and `status` last printed, kept for shell completion.

One line per job: the canonical reference, the form tables print, a short
description and the credentials it was printed with (where they are known),
tab-separated, most recently printed first. Completion reads this
file instead of calling AWS, so it stays instant and works offline. Writing is
best effort: a command never fails because its references could not be kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from exportctl.domain.jobkey import (
    ACCOUNT,
    ACCOUNT_TEXT,
    ID_TEXT,
    PARTITIONS,
    REGION,
    REGION_TEXT,
)
from exportctl.domain.printable import escape_controls
from exportctl.store.cachefiles import (
    cache_dir,
    locked,
    open_cached,
    write_atomically,
)

if TYPE_CHECKING:
    from exportctl.domain.model import ExportJob

MAX_ENTRIES = 2000
# The most of the file read: MAX_ENTRIES lines of the longest a reference, its shorter
# form and its description make (an id of 255 characters, two for Pinpoint's). The
# newest come first, and past them is nothing exportctl wrote, however big the file.
MAX_LINE = 2048
MAX_BYTES = MAX_ENTRIES * MAX_LINE
# The forms of a reference services.refs reads, compact and ARN, by their shape (the
# prefixes and ARN services are the specs', checked there): what has none of them
# in the file is damage, never offered or written again. A bare id is not one: it
# names a job with --service alone, which a line does not carry.
_PARTITION = "|".join(re.escape(name) for name in PARTITIONS)
_FORM = re.compile(
    rf"[a-z][a-z0-9-]*:(?:(?:{ACCOUNT_TEXT}:)?{REGION_TEXT}:)?{ID_TEXT}(?:/{ID_TEXT})?"
    rf"|arn:(?:{_PARTITION}):[a-z0-9-]+:{REGION_TEXT}:{ACCOUNT_TEXT}:[A-Za-z0-9._/-]+"
)


def is_reference(text: str) -> bool:
    """Whether ``text`` has the form of a reference a cache line holds."""
    return _FORM.fullmatch(text) is not None


@dataclass(frozen=True)
class CachedRef:
    ref: str
    shown: str = ""
    about: str = ""
    # The credentials the line was printed with, as a command line names them
    # (:func:`credentials_named`); "" where that is not known.
    where: str = ""

    @property
    def service(self) -> str:
        """The job's service, as ``about`` starts with it, else as the reference names
        it (a line with the reference alone): "" where neither says."""
        said = self.about.split(" ", 1)[0]
        if said:
            return said
        from exportctl.services.refs import named_service

        return named_service(self.ref) or ""

    @property
    def region(self) -> str | None:
        """The region the reference names; None where it names none."""
        return region_of(self.ref)

    def line(self) -> str:
        parts = [self.ref, self.shown or self.ref, self.about]
        # Credentials not known leave the line as it was before they were written.
        if self.where:
            parts.append(self.where)
        return "\t".join(_clean(part) for part in parts)

    @classmethod
    def parse(cls, line: str) -> CachedRef | None:
        """The entry of a line; None for one whose reference has no reference's form.
        A shorter form that has none is the reference, a description or credentials
        holding control characters none: what is damaged never reaches a Tab press."""
        ref, shown, about, where = [*line.rstrip("\n").split("\t"), "", "", ""][:4]
        if not is_reference(ref):
            return None
        return cls(
            ref,
            shown if is_reference(shown) else ref,
            about if about.isprintable() else "",
            where if where.isprintable() else "",
        )


def region_of(form: str) -> str | None:
    """The region a reference names (an ARN's; a compact one's, after its prefix and
    account); None where it names none, as a shorter form that left it out."""
    parts = form.split(":")
    if parts[0] == "arn":
        where = parts[3] if len(parts) > 5 else ""
    elif len(parts) == 4 and ACCOUNT.match(parts[1]):
        where = parts[2]
    else:
        where = parts[1] if len(parts) == 3 else ""
    return where if REGION.match(where) else None


def account_of(form: str) -> str | None:
    """The account a reference names (an ARN's; a compact one's, before its region);
    None where it names none, as a shorter form made from an ARN."""
    parts = form.split(":")
    if parts[0] == "arn":
        whose = parts[4] if len(parts) > 5 else ""
    else:
        whose = parts[1] if len(parts) == 4 else ""
    return whose if ACCOUNT.match(whose) else None


def credentials_named(
    profiles: Sequence[str], *, sandbox: bool, several: bool, environ: Mapping[str, str]
) -> str:
    """The credentials a command reads references with, as its command line names
    them (``--profile NAME``, ``--sandbox --profile NAME``), from the line and the
    environment alone, as botocore picks them; "" where that cannot be said without a
    call: several accounts, or keys in the environment, which beat AWS_PROFILE."""
    if several or len(profiles) > 1:
        return ""
    if profiles:
        name = profiles[0]
    elif environ.get("AWS_ACCESS_KEY_ID"):
        return ""
    else:
        name = environ.get("AWS_DEFAULT_PROFILE") or environ.get("AWS_PROFILE") or "default"
    return f"{'--sandbox ' if sandbox else ''}--profile {name}"


def _clean(text: str) -> str:
    # One line of tab-separated fields, and nothing a terminal would act on.
    return escape_controls(" ".join(text.split()))


def cache_path() -> Path:
    return cache_dir() / "refs"


def load(path: Path | None = None) -> list[CachedRef]:
    """The cached references, most recent first, MAX_ENTRIES at most, from the first
    MAX_BYTES of the file; nothing if it is missing or unreadable."""
    try:
        with open_cached(path or cache_path()) as handle:
            raw = handle.read(MAX_BYTES)
    except OSError:
        return []
    lines = raw.splitlines()
    if len(raw) == MAX_BYTES and not raw.endswith(b"\n"):
        # Cut by the bound: what is left of its last line is no reference.
        lines.pop()
    entries: list[CachedRef] = []
    # A line at a time: one damaged line (a byte that is no UTF-8) costs that line only.
    for line in lines:
        try:
            entry = CachedRef.parse(line.decode("utf-8"))
        except UnicodeDecodeError:
            continue
        if entry:
            entries.append(entry)
            if len(entries) == MAX_ENTRIES:
                break
    return entries


def remember(entries: Iterable[CachedRef], path: Path | None = None) -> bool:
    """Put ``entries`` in front of the cache, bounded to MAX_ENTRIES; False if it failed.

    After a big listing this runs with thousands of entries, at the command's
    peak of memory: the file is compared and written a line at a time, and the
    old one is read whole only when some of it is kept.
    """
    try:
        target = path or cache_path()
        fresh: dict[str, CachedRef] = {}
        for entry in entries:
            if is_reference(entry.ref) and entry.ref not in fresh:
                fresh[entry.ref] = entry
                if len(fresh) >= MAX_ENTRIES:
                    break
        if not fresh:
            return True
        # Commands that end together take turns, each keeping the others' references
        # (a bounded wait for the lock, then on without it: see cachefiles.locked).
        # A FIFO or a device in its place is the user's: never read, nor replaced (the
        # write is refused), and the cache goes without.
        with locked(target):
            if _begins_with(target, fresh.values()):
                # Already in front, as after `status` of the same job twice: nothing to write.
                return True
            if len(fresh) < MAX_ENTRIES:
                for old in load(target):
                    fresh.setdefault(old.ref, old)
                    if len(fresh) >= MAX_ENTRIES:
                        break
            write_atomically(target, (e.line() + "\n" for e in fresh.values()))
        return True
    except Exception:
        # Completion is a convenience: losing it must not cost the command its result.
        return False


def _begins_with(target: Path, entries: Iterable[CachedRef]) -> bool:
    """Whether the file's first lines are those of ``entries``, in order."""
    try:
        with open_cached(target) as handle:
            # A line no longer than any exportctl writes: a longer one is not ours.
            return all(
                handle.readline(MAX_LINE) == (entry.line() + "\n").encode() for entry in entries
            )
    except OSError:
        return False


def entry_for(
    job: ExportJob, default_region: str | None, *, accounts: bool = False, where: str = ""
) -> CachedRef:
    """The line of a job a table printed with ``default_region`` (``accounts``: in a
    command that spans accounts; ``where``: with these credentials): its shorter form
    is the one tables print when an ARN does not fit (``compact_ref``, of which the
    table form is one)."""
    from exportctl.services.refs import compact_ref

    shown = compact_ref(job, default_region, account=accounts)
    return CachedRef(job.ref, shown, f"{job.service} {job.state.value}", where)


def remember_jobs(
    jobs: Iterable[ExportJob],
    default_region: str | None,
    *,
    accounts: bool = False,
    where: str = "",
) -> bool:
    """Keep the references of jobs just printed; False if they could not be kept."""
    try:
        return remember(
            entry_for(job, default_region, accounts=accounts, where=where) for job in jobs
        )
    except Exception:
        return False
