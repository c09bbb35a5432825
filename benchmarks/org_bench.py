"""`--org-role ROLE --region all list -o ndjson` over an organization of N accounts.

Run by hand (not in CI)::

    .venv/bin/python benchmarks/org_bench.py [--accounts 100] [--latency 0.1] [--runs 1]

The sandbox serves an organization of --accounts accounts (``exportctl sandbox
--accounts N``: the scenario's six, then members holding jobs in two regions each)
in this process, with --latency seconds added to every call; the command is a
process of its own, so the two share the machine's cores as they would a laptop's.
Reported: wall time, the command's CPU time and peak memory (its own rusage), the
sandbox's CPU time, the exit code, whether every job was printed exactly once, and
the API calls against the minimum:

* organizations:ListAccounts once per page of accounts (20 a page);
* sts:AssumeRole once per ACTIVE account (refused where the role is missing);
* one listing call per (account, region, service) target of every account whose
  role could be assumed, in every region botocore offers the service in (an
  opt-in region that is not enabled answers too: with a refusal);
* one pinpoint:GetExportJobs per application in the accounts that answer.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from exportctl.aws.clients import AwsSettings, Clients
from exportctl.ops.credentials import offered_regions
from exportctl.sandbox import Sandbox
from exportctl.sandbox.accounts import DISABLED_REGION

ROLE = "OrganizationAccountAccessRole"
SERVICES = {
    "backupsearch": ("backupsearch", "ListSearchResultExportJobs"),
    "personalize": ("personalize", "ListDatasetExportJobs"),
    "discovery": ("discovery", "DescribeExportTasks"),
    "pinpoint": ("pinpoint", "GetApps"),
}
EXPORT_KINDS = frozenset({"export", "dataset-export-job", "export-task"})
ACCOUNTS_PAGE = 20


@dataclass(frozen=True)
class Run:
    seconds: float
    cpu: float
    peak_mib: float
    sandbox_cpu: float
    exit_code: int
    jobs: int
    duplicates: int
    missing: int
    calls: Counter[tuple[str, str]]


def minimum_calls(sb: Sandbox, every: dict[str, tuple[str, ...]]) -> Counter[tuple[str, str]]:
    expected: Counter[tuple[str, str]] = Counter()
    accounts = sb.accounts
    expected[("organizations", "ListAccounts")] = math.ceil(len(accounts) / ACCOUNTS_PAGE)
    for account in accounts:
        if account.status != "ACTIVE":
            continue
        expected[("sts", "AssumeRole")] += 1
        if ROLE not in account.roles:
            continue
        for service, regions in every.items():
            expected[SERVICES[service]] += len(regions)
        if account.denied:
            continue
        for region in every["pinpoint"]:
            if region == DISABLED_REGION:
                continue
            apps = [
                j
                for j in sb.jobs(service="pinpoint", region=region, account=account.id)
                if j["kind"] == "application"
            ]
            expected[("pinpoint", "GetExportJobs")] += len(apps)
    return expected


def seeded(sb: Sandbox) -> Counter[tuple[str, str, str, str]]:
    reachable = {
        a.id for a in sb.accounts if a.status == "ACTIVE" and ROLE in a.roles and not a.denied
    }
    # A job's id is the last part of the ARN the sandbox knows it by (Personalize's
    # name, RDS's identifier after "export-task:").
    return Counter(
        (j["account"], j["region"], j["service"], re.split("[/:]", j["id"])[-1])
        for j in sb.jobs(account=None)
        if j["kind"] in EXPORT_KINDS and j["account"] in reachable
    )


def run_once(sb: Sandbox) -> Run:
    exe = Path(sys.executable).parent / "exportctl"
    # What points any AWS tool at the sandbox; its key is the management account's.
    env = {**os.environ, **sb.env()}
    sb.reset_calls()
    served_before = os.times()
    start = time.perf_counter()
    process = subprocess.Popen(
        [str(exe), "--org-role", ROLE, "--region", "all", "list", "-o", "ndjson"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert process.stdout is not None
    printed: Counter[tuple[str, str, str, str]] = Counter()
    for line in process.stdout:
        job = json.loads(line)
        printed[(job["account"], job["region"], job["service"], job["id"])] += 1
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    served_after = os.times()
    expected = seeded(sb)
    return Run(
        seconds=seconds,
        cpu=usage.ru_utime + usage.ru_stime,
        peak_mib=usage.ru_maxrss / 1024,
        sandbox_cpu=(served_after.user + served_after.system)
        - (served_before.user + served_before.system),
        exit_code=os.waitstatus_to_exitcode(status),
        jobs=sum(printed.values()),
        duplicates=sum(n - 1 for n in printed.values() if n > 1),
        missing=len(set(expected) - set(printed)),
        calls=Counter(sb.calls),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--accounts", type=int, default=100)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    clients = Clients(AwsSettings(region="us-east-1", access_key="x", secret_key="x"))
    every = {s: offered_regions(clients, s) for s in SERVICES}
    with Sandbox(port=0, clock=lambda: 0.0, accounts=args.accounts) as sb:
        sb.faults.latency = args.latency
        minimum = minimum_calls(sb, every)
        runs = [run_once(sb) for _ in range(args.runs)]
    targets = sum(len(regions) for regions in every.values()) * sum(
        1 for a in sb.accounts if a.status == "ACTIVE" and ROLE in a.roles
    )
    print(
        f"{args.accounts} accounts, {targets} targets, latency {args.latency * 1000:.0f} ms a call"
    )
    print(f"{'time':>8}{'cpu':>8}{'peak':>9}{'sandbox':>9}{'exit':>6}{'jobs':>7}"
          f"{'dup':>5}{'missing':>9}{'calls':>7}{'minimum':>9}")  # fmt: skip
    for run in runs:
        print(
            f"{run.seconds:>7.1f}s{run.cpu:>7.1f}s{run.peak_mib:>6.0f}MiB{run.sandbox_cpu:>8.1f}s"
            f"{run.exit_code:>6}{run.jobs:>7}{run.duplicates:>5}{run.missing:>9}"
            f"{sum(run.calls.values()):>7}{sum(minimum.values()):>9}"
        )
        if run.calls != minimum:
            keys = set(run.calls) | set(minimum)
            extra = {k: run.calls[k] - minimum[k] for k in keys if run.calls[k] != minimum[k]}
            print(f"  calls differ from the minimum: {extra}", file=sys.stderr)


if __name__ == "__main__":
    main()
