"""A plan's files fetched by a bounded pool of workers: the first error stops the rest,
and no file being written outlives it."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable

from exportctl.ops.download.records import Item, Plan, Reporter, Summary, total_size
from exportctl.ops.workers import Workers
from exportctl.store.cachefiles import remove_parts

CONCURRENCY = 8

# What fetches one item: its bytes reported as they come, ``stop`` obeyed; the size.
FetchOne = Callable[[Item, Callable[[int], None], threading.Event], int]


def run(
    plan: Plan,
    fetch_one: FetchOne,
    reporter: Reporter,
    *,
    concurrency: int = CONCURRENCY,
) -> Summary:
    """Fetch every item of the plan with a bounded pool; the first error stops the rest."""
    summary = Summary(plan.source, plan.destination)
    summary.skipped = len(plan.present)
    summary.skipped_bytes = sum(i.size or 0 for i in plan.present)
    reporter.planned(len(plan.fetch), total_size(plan.fetch))
    stop = threading.Event()
    lock = threading.Lock()

    def one(item: Item) -> None:
        if stop.is_set():
            return
        size = fetch_one(item, lambda n: reporter.advanced(item, n), stop)
        with lock:
            summary.files += 1
            summary.bytes = (summary.bytes or 0) + size
            summary.paths.append(item.rel)
            # Once another file failed, its error is the command's last word: no
            # "fetched" line may come after it (``stop`` is set under this lock).
            if not stop.is_set():
                reporter.finished(item)

    workers: Workers[None] = Workers(min(concurrency, len(plan.fetch)), "exportctl-fetch")
    try:
        for item in plan.fetch:
            workers.submit(item, functools.partial(one, item))
        for _ in plan.fetch:
            outcome = workers.next()
            assert outcome is not None
            outcome.result()
    except BaseException:
        # The first error, Ctrl-C or SIGTERM: no new file is started, and those being
        # written are removed here, since their writers may never return.
        with lock:
            stop.set()
        # This plan's files alone: another download of the command may be writing.
        remove_parts({item.path for item in plan.fetch})
        raise
    finally:
        workers.close()
    summary.paths.sort()
    return summary
