"""exportctl wait against the sandbox: API calls per round, and how soon it returns.

Run by hand (not in CI)::

    .venv/bin/python benchmarks/wait_bench.py

For 1, 10 and 100 jobs spread over the four services (Pinpoint jobs all of one
application, as the sandbox has them), every job is set running, waited on over
real HTTP with the real clock, and set to its completed status after --finish-after
seconds. Reported: rounds, API calls per round (from the sandbox's own counts),
the median time a round takes, and the delay from the jobs finishing to the wait
returning, which is the rest of the sleep in progress plus one round.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from dataclasses import dataclass

from exportctl.aws.clients import AwsSettings, Clients
from exportctl.ops.conditions import parse_until
from exportctl.ops.jobs import Jobs
from exportctl.ops.polling.events import Event
from exportctl.ops.polling.schedule import Backoff
from exportctl.ops.polling.waiter import Waiter
from exportctl.sandbox import Sandbox
from exportctl.services.refs import JobKey

RUNNING = {
    "pinpoint": "PROCESSING",
    "personalize": "CREATE IN_PROGRESS",
    "backupsearch": "RUNNING",
    "discovery": "IN_PROGRESS",
}
DONE = {
    "pinpoint": "COMPLETED",
    "personalize": "ACTIVE",
    "backupsearch": "COMPLETED",
    "discovery": "SUCCEEDED",
}
KINDS = {"export", "dataset-export-job", "export-task"}


@dataclass(frozen=True)
class Row:
    jobs: int
    mix: str
    rounds: int
    calls_per_round: str
    round_ms: float
    return_delay: float


def pick(sb: Sandbox, count: int) -> list[dict[str, str]]:
    """Up to ``count`` export jobs of us-east-1, round robin over the services."""
    by_service: dict[str, list[dict[str, str]]] = {}
    for job in sb.jobs(region="us-east-1"):
        if job["kind"] in KINDS:
            by_service.setdefault(job["service"], []).append(job)
    chosen: list[dict[str, str]] = []
    while len(chosen) < count and any(by_service.values()):
        for jobs in by_service.values():
            if jobs and len(chosen) < count:
                chosen.append(jobs.pop())
    return chosen


def key(job: dict[str, str]) -> JobKey:
    if job["service"] == "personalize":
        return JobKey("personalize", job["id"].rsplit("/", 1)[1], "us-east-1", arn=job["id"])
    return JobKey(job["service"], job["id"], "us-east-1", parent=job.get("parent"))


def case(count: int, interval: float, cap: float, finish_after: float) -> Row:
    with Sandbox(port=0, clock=lambda: 0.0, discovery_tasks=max(0, count - 20)) as sb:
        chosen = pick(sb, count)
        for job in chosen:
            sb.set_status(job["service"], job["id"], RUNNING[job["service"]])
        settings = AwsSettings(
            endpoint_url=sb.url, region="us-east-1", access_key="x", secret_key="x"
        )
        round_calls: list[int] = []
        round_times: list[float] = []
        started = [time.perf_counter()]

        def on_event(event: Event) -> None:
            if event.kind == "round":
                round_calls.append(sum(event.calls.values()))
                round_times.append(time.perf_counter() - started[0])

        waiter = Waiter(
            Jobs(Clients(settings)),
            [(j["id"], key(j)) for j in chosen],
            parse_until("COMPLETED"),
            backoff=Backoff(interval=interval, cap=cap),
            on_event=on_event,
        )
        original = waiter._round

        def timed_round() -> bool:
            started[0] = time.perf_counter()
            return original()

        waiter._round = timed_round  # type: ignore[method-assign]
        finished: list[float] = []

        def finish() -> None:
            time.sleep(finish_after)
            for job in chosen:
                sb.set_status(job["service"], job["id"], DONE[job["service"]])
            finished.append(time.perf_counter())

        threading.Thread(target=finish, daemon=True).start()
        result = waiter.run()
        returned = time.perf_counter()
        assert result.exit_code == 0, result.exit_code
        mix = ", ".join(
            f"{s} {n}"
            for s, n in sorted(
                {s: sum(1 for j in chosen if j["service"] == s) for s in RUNNING}.items()
            )
            if n
        )
        return Row(
            jobs=count,
            mix=mix,
            rounds=result.rounds,
            calls_per_round=" ".join(str(c) for c in round_calls),
            round_ms=statistics.median(round_times) * 1000,
            return_delay=returned - finished[0],
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--max-interval", type=float, default=4.0)
    parser.add_argument("--finish-after", type=float, default=5.0)
    args = parser.parse_args()
    rows = [case(n, args.interval, args.max_interval, args.finish_after) for n in (1, 10, 100)]
    print(
        f"interval {args.interval:g}s, max interval {args.max_interval:g}s, "
        f"jobs finish after {args.finish_after:g}s"
    )
    header = ("jobs", "services", "rounds", "API calls each round", "round (median)",
              "finished -> returned")  # fmt: skip
    table = [
        (
            str(r.jobs),
            r.mix,
            str(r.rounds),
            r.calls_per_round,
            f"{r.round_ms:.1f} ms",
            f"{r.return_delay:.2f} s",
        )
        for r in rows
    ]
    widths = [max(len(h), *(len(t[i]) for t in table)) for i, h in enumerate(header)]
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    for line in table:
        print("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)))


if __name__ == "__main__":
    main()
