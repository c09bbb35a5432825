"""The jobs of a sandbox world, indexed, and the seeded randomness their ids come from.

What the content modules (``world/``) build on: they add jobs here, and know
nothing of the scenario that assembles them.
"""

from __future__ import annotations

import random

from exportctl.sandbox.jobs import ACCOUNT, HOME_REGION, Job

_HEX = "0123456789abcdef"


def hex_digits(rng: random.Random, n: int) -> str:
    """``n`` hex digits from ``rng``: each a draw of five bits, drawn again from 16
    up. The digits ``rng.choice`` of the 16 gives, a call a digit instead of three
    (a world's ids are ~10,000 digits; tests/sandbox/test_sandbox_ids.py pins them)."""
    draw = rng.getrandbits
    digits: list[str] = []
    while len(digits) < n:
        bits = draw(5)
        if bits < 16:
            digits.append(_HEX[bits])
    return "".join(digits)


class Registry:
    """Every job, by service and id (and alias), with seeded id makers."""

    def __init__(
        self,
        seed: int = 7,
        *,
        account: str = ACCOUNT,
        primary: str = HOME_REGION,
        home_region: str | None = HOME_REGION,
    ) -> None:
        self.rng = random.Random(seed)
        self.jobs: list[Job] = []
        self._index: dict[tuple[str, str], Job] = {}
        # Listings made once per set of jobs (add and delete start over): a
        # 10,000-task listing is read a page at a time, and making it again for
        # each page made the sandbox, not the client, the slow end of every large
        # listing.
        self._sorted: dict[tuple[str, str, str, str | None], list[Job]] = {}
        # Whose jobs these are, the region holding the most of them, and the
        # Migration Hub home region where Discovery answers ("" for none).
        self.account = account
        self.primary = primary
        self.home_region = home_region or ""

    # -- lookups ---------------------------------------------------------------

    def add(self, job: Job) -> Job:
        self.jobs.append(job)
        self._sorted.clear()
        for key in (job.id, *job.aliases):
            self._index[(job.service, key)] = job
        return job

    def find(self, service: str, ident: str, kind: str | None = None) -> Job | None:
        job = self._index.get((service, ident))
        if job is None or job.deleted or (kind is not None and job.kind != kind):
            return None
        return job

    def find_any(self, service: str, ident: str) -> Job | None:
        """Any job, deleted or not: the control API works on those too."""
        return self._index.get((service, ident))

    def listing(self, service: str, kind: str, region: str, parent: str | None = None) -> list[Job]:
        """Live jobs, newest first (the order the services list in); the list is
        shared by every call until a job is added or deleted: not to be changed."""
        key = (service, kind, region, parent)
        ordered = self._sorted.get(key)
        if ordered is None:
            ordered = [
                j
                for j in self.jobs
                if j.service == service
                and j.kind == kind
                and j.region == region
                and not j.deleted
                and (parent is None or j.parent == parent)
            ]
            ordered.sort(key=lambda j: (-j.created, j.id))
            self._sorted[key] = ordered
        return ordered

    def delete(self, job: Job) -> None:
        """Gone from every listing and lookup, as the service forgets a deleted job."""
        job.deleted = True
        self._sorted.clear()

    def truncate(self, count: int) -> None:
        """Forget every job after the first ``count``: a saved world's own jobs are
        put back on the seeded ones, whatever this one added since."""
        freed = set()
        for job in self.jobs[count:]:
            for key in (job.id, *job.aliases):
                if self._index.get((job.service, key)) is job:
                    del self._index[(job.service, key)]
                    freed.add((job.service, key))
        del self.jobs[count:]
        # An added job that took a seeded one's place (a cancel does) hands its key back.
        if freed:
            for job in self.jobs:
                for key in (job.id, *job.aliases):
                    if (job.service, key) in freed:
                        self._index.setdefault((job.service, key), job)
        self._sorted.clear()

    # -- id makers -------------------------------------------------------------

    def hex(self, n: int) -> str:
        return hex_digits(self.rng, n)

    def uuid(self) -> str:
        h = self.hex(32)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"
