"""exportctl list over many regions against one region: time and API calls.

Run by hand (not in CI)::

    .venv/bin/python benchmarks/board_bench.py [--latency 0.1] [--runs 5]

The sandbox runs in this process with --latency seconds added to every call;
each case is a whole `exportctl list -o json` process pointed at it, timed from
start to exit (median of --runs). API calls are the sandbox's own counts for one
run, compared with the minimum the case needs: one listing call per (region,
service) target, one GetExportJobs per Pinpoint application of the region, and
one sts:GetCallerIdentity when more than one region is read (the account of the
Pinpoint and Discovery jobs, which have no ARN).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from exportctl.aws.clients import AwsSettings, Clients
from exportctl.ops.credentials import offered_regions
from exportctl.sandbox import Sandbox

# The regions of the aws partition that every account has without opting in.
DEFAULT_REGIONS = (
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "sa-east-1",
    "eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1", "eu-north-1", "ap-south-1",
    "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-southeast-1", "ap-southeast-2",
)  # fmt: skip
SERVICES = {
    "backupsearch": ("backupsearch", "ListSearchResultExportJobs"),
    "personalize": ("personalize", "ListDatasetExportJobs"),
    "discovery": ("discovery", "DescribeExportTasks"),
    "pinpoint": ("pinpoint", "GetApps"),
}


@dataclass(frozen=True)
class Case:
    name: str
    regions: str
    targets: dict[str, tuple[str, ...]]


@dataclass(frozen=True)
class Row:
    case: Case
    seconds: float
    calls: int
    minimum: int
    exit_code: int


def minimum_calls(sb: Sandbox, targets: dict[str, tuple[str, ...]]) -> Counter[tuple[str, str]]:
    expected: Counter[tuple[str, str]] = Counter()
    regions = set()
    for service, where in targets.items():
        for region in where:
            regions.add(region)
            expected[SERVICES[service]] += 1
            if service == "pinpoint":
                apps = [j for j in sb.jobs(region=region) if j["kind"] == "application"]
                expected[("pinpoint", "GetExportJobs")] += len(apps)
    if len(regions) > 1:
        expected[("sts", "GetCallerIdentity")] += 1
    return expected


def run_case(sb: Sandbox, case: Case, runs: int) -> tuple[Row, Counter[tuple[str, str]]]:
    exe = Path(sys.executable).parent / "exportctl"
    # What points any AWS tool at the sandbox; its key is the management account's.
    env = {**os.environ, **sb.env()}
    times = []
    calls: Counter[tuple[str, str]] = Counter()
    code = 0
    for _ in range(runs):
        sb.reset_calls()
        start = time.perf_counter()
        done = subprocess.run(
            [str(exe), "--region", case.regions, "list", "-o", "json"],
            env=env,
            capture_output=True,
            check=False,
        )
        times.append(time.perf_counter() - start)
        code = done.returncode
        calls = Counter(sb.calls)
    expected = minimum_calls(sb, case.targets)
    row = Row(case, statistics.median(times), sum(calls.values()), sum(expected.values()), code)
    if calls != expected:
        keys = set(calls) | set(expected)
        extra = {k: calls[k] - expected[k] for k in keys if calls[k] != expected[k]}
        print(f"  {case.name}: calls differ from the minimum: {extra}", file=sys.stderr)
    return row, calls


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    clients = Clients(AwsSettings(region="us-east-1", access_key="x", secret_key="x"))
    every = {s: offered_regions(clients, s) for s in SERVICES}
    cases = [
        Case("one region", "us-east-1", {s: ("us-east-1",) for s in SERVICES}),
        Case("17 regions", ",".join(DEFAULT_REGIONS), {s: DEFAULT_REGIONS for s in SERVICES}),
        Case("--region all", "all", every),
    ]
    with Sandbox(port=0, clock=lambda: 0.0) as sb:
        sb.faults.latency = args.latency
        rows = [run_case(sb, case, args.runs)[0] for case in cases]
    base = rows[0].seconds
    print(f"latency {args.latency * 1000:.0f} ms a call, median of {args.runs} runs, one account")
    print(f"{'case':<14}{'targets':>9}{'time':>10}{'x one region':>14}{'API calls':>11}"
          f"{'minimum':>9}{'exit':>6}")  # fmt: skip
    for row in rows:
        targets = sum(len(r) for r in row.case.targets.values())
        print(
            f"{row.case.name:<14}{targets:>9}{row.seconds * 1000:>8.0f}ms"
            f"{row.seconds / base:>14.2f}{row.calls:>11}{row.minimum:>9}{row.exit_code:>6}"
        )


if __name__ == "__main__":
    main()
