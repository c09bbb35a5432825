"""exportctl against the AWS CLI, whole processes, both against the same sandbox.

Run by hand (not in CI), with the AWS CLI in a virtualenv of its own, since it pins
its own botocore::

    python3 -m venv /tmp/benchvenv && /tmp/benchvenv/bin/pip install 'awscli>=1.36'
    .venv/bin/python benchmarks/cli_bench.py --aws /tmp/benchvenv/bin/aws

Each case is run once to warm caches, then --runs times; the median wall time and
the median peak resident memory (the child's own, from wait4) are reported.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from exportctl.sandbox import Faults, Sandbox

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Sample:
    seconds: float
    peak_kib: int


@dataclass(frozen=True)
class Row:
    case: str
    ours: Sample
    theirs: Sample
    target_time: float
    target_memory: float | None = None
    note: str = ""


# Forked from a small interpreter, not from this process: a child's peak RSS counts
# the pages of the process it was forked from, which here hold the sandbox.
LAUNCHER = """
import os, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.Popen(sys.argv[2:])
_, status, usage = os.wait4(proc.pid, 0)
seconds = time.perf_counter() - start
with open(sys.argv[1], "w") as out:
    out.write(f"{os.waitstatus_to_exitcode(status)} {seconds} {usage.ru_maxrss}")
"""


def run_once(argv: Sequence[str], env: dict[str, str]) -> Sample:
    """One process: wall time, and its peak RSS as the kernel counted it."""
    with tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile("r") as result:
        launcher = [sys.executable, "-S", "-c", LAUNCHER, result.name, *argv]
        subprocess.run(launcher, stdout=subprocess.DEVNULL, stderr=err, env=env, check=True)
        code, seconds, peak = result.read().split()
        if int(code) != 0:
            err.seek(0)
            message = err.read().decode(errors="replace")[-800:]
            raise SystemExit(f"{' '.join(argv)} failed ({code}):\n{message}")
    return Sample(float(seconds), int(peak))


# What a tool built on boto3 cannot go below: import, one client, the calls.
BOTO3_ONE = """
import sys, boto3
client = boto3.session.Session().client("personalize", endpoint_url=sys.argv[1])
print(client.describe_dataset_export_job(datasetExportJobArn=sys.argv[2]))
"""
BOTO3_PAGES = """
import json, sys, boto3
client = boto3.session.Session().client("discovery", endpoint_url=sys.argv[1])
for page in client.get_paginator("describe_export_tasks").paginate():
    for task in page["exportsInfo"]:
        sys.stdout.write(json.dumps(task, default=str) + "\\n")
"""


def run_sequence(commands: Sequence[Sequence[str]], env: dict[str, str]) -> Sample:
    """Commands one after another: the sum of their times, the largest peak."""
    samples = [run_once(c, env) for c in commands]
    return Sample(sum(s.seconds for s in samples), max(s.peak_kib for s in samples))


def median(runs: int, make: Callable[[], Sample]) -> Sample:
    make()  # warm the page cache and the bytecode caches
    samples = [make() for _ in range(runs)]
    return Sample(
        statistics.median(s.seconds for s in samples),
        int(statistics.median(s.peak_kib for s in samples)),
    )


def environment(sandbox: Sandbox, home: Path) -> dict[str, str]:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "TERM")}
    return {
        **keep,
        **sandbox.env(),
        "HOME": str(home),
        "AWS_CONFIG_FILE": str(home / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(home / "credentials"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "AWS_PAGER": "",
        "NO_COLOR": "1",
    }


def personalize_arn(sandbox: Sandbox) -> str:
    job = next(j for j in sandbox.jobs("personalize", sandbox.region))
    return str(job["id"])


def pinpoint_apps(sandbox: Sandbox) -> list[str]:
    return [
        str(j["id"]) for j in sandbox.jobs("pinpoint", sandbox.region) if j["kind"] == "application"
    ]


def bench(exportctl: str, aws: str, runs: int, only: set[str], home: Path) -> list[Row]:
    rows: list[Row] = []
    if only & {"start", "one"}:
        with Sandbox(port=0, clock=lambda: 0.0) as sb:
            env = environment(sb, home)
            aws_base = [aws, "--endpoint-url", sb.url, "--region", sb.region]
            if "start" in only:
                rows.append(
                    Row(
                        "start: `exportctl --help` / `aws --version`",
                        median(runs, lambda: run_once([exportctl, "--help"], env)),
                        median(runs, lambda: run_once([aws, "--version"], env)),
                        0.3,
                    )
                )
            if "one" in only:
                arn = personalize_arn(sb)
                ours = [exportctl, "status", arn]
                theirs = [*aws_base, "personalize", "describe-dataset-export-job",
                          "--dataset-export-job-arn", arn]  # fmt: skip
                rows.append(
                    Row(
                        "one job: `status ARN` / `personalize describe-dataset-export-job`",
                        median(runs, lambda: run_once(ours, env)),
                        median(runs, lambda: run_once(theirs, env)),
                        0.6,
                    )
                )
                aws_one = median(runs, lambda: run_once(theirs, env))
                rows.append(
                    Row(
                        "one job, --json: `status ARN --json` / the same",
                        median(runs, lambda: run_once([*ours, "--json"], env)),
                        aws_one,
                        0.6,
                    )
                )
                floor = [sys.executable, "-c", BOTO3_ONE, sb.url, arn]
                rows.append(
                    Row(
                        "one job, floor: a bare boto3 script making the same call / the same",
                        median(runs, lambda: run_once(floor, env)),
                        aws_one,
                        0.6,
                        note="not exportctl: what any boto3 tool starts from",
                    )
                )
    if "scale" in only:
        with Sandbox(port=0, clock=lambda: 0.0, discovery_tasks=10_000) as sb:
            env = environment(sb, home)
            ours = [exportctl, "list", "--service", "discovery", "--output", "ndjson"]
            theirs = [aws, "--endpoint-url", sb.url, "--region", sb.region,
                      "discovery", "describe-export-tasks"]  # fmt: skip
            aws_scale = median(max(1, runs // 2), lambda: run_once(theirs, env))
            rows.append(
                Row(
                    "scale: 10,000 Discovery tasks, `list -s discovery -o ndjson` / "
                    "`discovery describe-export-tasks`",
                    median(max(1, runs // 2), lambda: run_once(ours, env)),
                    aws_scale,
                    0.7,
                    0.5,
                )
            )
            floor = [sys.executable, "-c", BOTO3_PAGES, sb.url]
            rows.append(
                Row(
                    "scale, floor: a bare boto3 script paging and printing the raw tasks "
                    "/ the same",
                    median(max(1, runs // 2), lambda: run_once(floor, env)),
                    aws_scale,
                    0.7,
                    0.5,
                    note="not exportctl: no normalising, no record schema",
                )
            )
    if "fanout" in only:
        faults = Faults(latency=0.2)
        with Sandbox(port=0, clock=lambda: 0.0, faults=faults) as sb:
            env = environment(sb, home)
            base = [aws, "--endpoint-url", sb.url, "--region", sb.region]
            sequential = [
                [*base, "backupsearch", "list-search-result-export-jobs"],
                [*base, "personalize", "list-dataset-export-jobs"],
                [*base, "discovery", "describe-export-tasks"],
                [*base, "pinpoint", "get-apps"],
                *([*base, "pinpoint", "get-export-jobs", "--application-id", app]
                  for app in pinpoint_apps(sb)),
            ]  # fmt: skip
            fan_runs = max(1, runs // 2)
            ours_all = median(fan_runs, lambda: run_once([exportctl, "list"], env))
            rows.append(
                Row(
                    "fan-out, 200 ms a call: `list` / the four services with `aws`, "
                    "one after another",
                    ours_all,
                    median(fan_runs, lambda: run_sequence(sequential, env)),
                    0.4,
                    note=f"{len(sequential)} aws processes",
                )
            )
            one_by_one = [[exportctl, "list", "--service", s] for s in
                          ("backupsearch", "personalize", "discovery", "pinpoint")]  # fmt: skip
            rows.append(
                Row(
                    "fan-out, 200 ms a call: `list` / `list -s X` for each service in turn",
                    ours_all,
                    median(fan_runs, lambda: run_sequence(one_by_one, env)),
                    0.4,
                )
            )
    return rows


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} CPUs (nproc), {model}, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def table(rows: Sequence[Row], aws_version: str) -> str:
    lines = [
        f"Machine: {machine()}",
        f"AWS CLI: {aws_version}",
        "",
        "| case | exportctl | aws | time ratio (target) | peak memory ratio (target) |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        ratio = r.ours.seconds / r.theirs.seconds
        mem = r.ours.peak_kib / r.theirs.peak_kib
        time_ok = "ok" if ratio <= r.target_time else "MISSED"
        if r.target_memory is None:
            mem_cell = f"{mem:.2f}"
        else:
            mem_ok = "ok" if mem <= r.target_memory else "MISSED"
            mem_cell = f"**{mem:.2f}** (≤ {r.target_memory}, {mem_ok})"
        note = f" ({r.note})" if r.note else ""
        lines.append(
            f"| {r.case}{note} | {r.ours.seconds * 1000:.0f} ms, {r.ours.peak_kib / 1024:.0f} MiB "
            f"| {r.theirs.seconds * 1000:.0f} ms, {r.theirs.peak_kib / 1024:.0f} MiB "
            f"| **{ratio:.2f}** (≤ {r.target_time}, {time_ok}) | {mem_cell} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--aws", default=shutil.which("aws") or "/tmp/benchvenv/bin/aws")
    parser.add_argument("--exportctl", default=str(Path(sys.executable).parent / "exportctl"))
    parser.add_argument("--runs", type=int, default=7, help="timed runs per case (median)")
    parser.add_argument(
        "--only", default="start,one,scale,fanout", help="comma-separated cases to run"
    )
    args = parser.parse_args(argv)
    if not Path(args.aws).exists():
        parser.error(f"no AWS CLI at {args.aws}: install awscli into a venv of its own")
    only = {c.strip() for c in args.only.split(",") if c.strip()}
    aws_version = subprocess.run(
        [args.aws, "--version"], capture_output=True, text=True, check=True
    )
    with tempfile.TemporaryDirectory(prefix="exportctl-bench-") as home:
        rows = bench(args.exportctl, args.aws, args.runs, only, Path(home))
    version = (aws_version.stdout or aws_version.stderr).strip()
    print(table(rows, version))
    return 0


if __name__ == "__main__":
    sys.exit(main())
