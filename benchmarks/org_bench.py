"""`--org-role ROLE --region all list -o ndjson` over an organization of N accounts.

Run by hand (not in CI)::

    .venv/bin/python benchmarks/org_bench.py [--accounts 100] [--latency 0.1] [--runs 1]
        [--service NAME ...]

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
  opt-in region that is not enabled answers too: with a refusal), and where a
  service lists jobs of another kind apart (EC2's instance exports), one more call
  for them where the first answered;
* where the answering targets' first listing is of parents (Pinpoint's
  applications), one listing call per parent, and where it lists summaries
  (DynamoDB's exports), one describe per job listed.

The minimum is made from the specs (``exportctl.services``): every service counts,
or those of ``--service`` (repeatable; passed to the command as ``-s``), to measure an
organization over fewer services (the seed four: 6,800 targets at 100 accounts).
Services named are asked for by name: one that answers in none of the regions of
an account is then an error of the command (exit 5), not a notice, as the
command's rule has it (the sandbox's organization has two such accounts: one whose
role may do nothing, one with no Migration Hub home region).
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
from exportctl.services import all_specs

ROLE = "OrganizationAccountAccessRole"
# The sandbox's kinds of export job, of every service (the others are their sources).
EXPORT_KINDS = frozenset(
    {"export", "dataset-export-job", "export-task", "export-image-task", "export-instance-task"}
)
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
    minimum: Counter[tuple[str, str]]


def minimum_calls(
    sb: Sandbox, every: dict[str, tuple[str, ...]], printed: Counter[tuple[str, str, str, str]]
) -> Counter[tuple[str, str]]:
    """The calls the listing cannot do without, from the specs (see the module's doc);
    ``every``: the regions of each service listed."""
    expected: Counter[tuple[str, str]] = Counter()
    accounts = sb.accounts
    expected[("organizations", "ListAccounts")] = math.ceil(len(accounts) / ACCOUNTS_PAGE)
    for account in accounts:
        if account.status != "ACTIVE":
            continue
        expected[("sts", "AssumeRole")] += 1
        if ROLE not in account.roles:
            continue
        for spec in all_specs():
            if spec.name not in every:
                continue
            regions = every[spec.name]
            first = spec.fan_out.parents if spec.fan_out else spec.list
            expected[(spec.client, first.operation)] += len(regions)
            if account.denied:
                continue
            answering = [r for r in regions if r != DISABLED_REGION]
            for kind in spec.kinds:
                expected[(spec.client, kind.list.operation)] += len(answering)
            for region in answering:
                if spec.fan_out is not None:
                    parents = sb.jobs(service=spec.name, region=region, account=account.id)
                    expected[(spec.client, spec.list.operation)] += sum(
                        1 for j in parents if j["kind"] == "application"
                    )
                if spec.summaries is not None:
                    # One describe a listed job: each is printed.
                    expected[(spec.client, spec.get.operation)] += sum(
                        n for (a, r, s, _), n in printed.items()
                        if (a, r, s) == (account.id, region, spec.name)
                    )  # fmt: skip
    return expected


def seeded(sb: Sandbox, services: frozenset[str]) -> Counter[tuple[str, str, str, str]]:
    reachable = {
        a.id for a in sb.accounts if a.status == "ACTIVE" and ROLE in a.roles and not a.denied
    }
    # A job's id is the last part of the ARN the sandbox knows it by (Personalize's
    # name, RDS's identifier after "export-task:").
    return Counter(
        (j["account"], j["region"], j["service"], re.split("[/:]", j["id"])[-1])
        for j in sb.jobs(account=None)
        if j["kind"] in EXPORT_KINDS and j["account"] in reachable and j["service"] in services
    )


def run_once(sb: Sandbox, every: dict[str, tuple[str, ...]]) -> Run:
    exe = Path(sys.executable).parent / "exportctl"
    # What points any AWS tool at the sandbox; its key is the management account's.
    env = {**os.environ, **sb.env()}
    sb.reset_calls()
    served_before = os.times()
    start = time.perf_counter()
    process = subprocess.Popen(
        [str(exe), "--org-role", ROLE, "--region", "all", "list", "-o", "ndjson"]
        + [f"--service={name}" for name in every if len(every) < len(all_specs())],
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
    expected = seeded(sb, frozenset(every))
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
        minimum=minimum_calls(sb, every, printed),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--accounts", type=int, default=100)
    parser.add_argument("--latency", type=float, default=0.1)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--service", action="append", default=[], dest="services")
    args = parser.parse_args()
    clients = Clients(AwsSettings(region="us-east-1", access_key="x", secret_key="x"))
    named = set(args.services) or {spec.name for spec in all_specs()}
    every = {
        spec.name: offered_regions(clients, spec.client)
        for spec in all_specs()
        if spec.name in named
    }
    with Sandbox(port=0, clock=lambda: 0.0, accounts=args.accounts) as sb:
        sb.faults.latency = args.latency
        runs = [run_once(sb, every) for _ in range(args.runs)]
    targets = sum(len(regions) for regions in every.values()) * sum(
        1 for a in sb.accounts if a.status == "ACTIVE" and ROLE in a.roles
    )
    print(
        f"{args.accounts} accounts, {targets} targets of {len(every)} services, "
        f"latency {args.latency * 1000:.0f} ms a call"
    )
    print(f"{'time':>8}{'cpu':>8}{'peak':>9}{'sandbox':>9}{'exit':>6}{'jobs':>7}"
          f"{'dup':>5}{'missing':>9}{'calls':>7}{'minimum':>9}")  # fmt: skip
    for run in runs:
        print(
            f"{run.seconds:>7.1f}s{run.cpu:>7.1f}s{run.peak_mib:>6.0f}MiB{run.sandbox_cpu:>8.1f}s"
            f"{run.exit_code:>6}{run.jobs:>7}{run.duplicates:>5}{run.missing:>9}"
            f"{sum(run.calls.values()):>7}{sum(run.minimum.values()):>9}"
        )
        if run.calls != run.minimum:
            keys = set(run.calls) | set(run.minimum)
            extra = {
                k: run.calls[k] - run.minimum[k] for k in keys if run.calls[k] != run.minimum[k]
            }
            print(f"  calls differ from the minimum: {extra}", file=sys.stderr)


if __name__ == "__main__":
    main()
