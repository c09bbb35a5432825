"""How far a listing is, for its progress line: the jobs read, and over several
targets the regions and accounts whose every target has ended."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Sequence

from exportctl.ops.listing.targets import Span, Target


class Progress:
    """Counts kept by the reading threads and read by the progress ticker's."""

    def __init__(self, targets: Sequence[Target], span: Span) -> None:
        self._span = span
        # Reentrant: the collector may end a listing's reading (which counts its
        # target ended) in the ticker's thread while it holds this.
        self._lock = threading.RLock()
        self._left_by_region: Counter[str] = Counter(t.region for t in targets)
        self._left_by_account: Counter[int] = Counter(id(t.reach) for t in targets)
        self._read = 0

    def read(self, jobs: int) -> None:
        with self._lock:
            self._read += jobs

    def ended(self, target: Target) -> None:
        with self._lock:
            self._left_by_region[target.region] -= 1
            self._left_by_account[id(target.reach)] -= 1

    def text(self) -> str:
        """``jobs 3,400``, and over several targets the regions (and accounts) done first."""
        with self._lock:
            regions = len(self._left_by_region)
            regions_done = sum(1 for n in self._left_by_region.values() if n == 0)
            accounts = len(self._left_by_account)
            accounts_done = sum(1 for n in self._left_by_account.values() if n == 0)
            read = self._read
        if not self._span.many:
            return f"jobs {read:,}"
        parts = [f"regions {regions_done}/{regions}"]
        if accounts > 1:
            parts.append(f"accounts {accounts_done}/{accounts}")
        parts.append(f"jobs {read:,}")
        return ", ".join(parts)
