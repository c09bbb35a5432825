"""exportctl against the AWS CLI and a bare botocore script, whole processes, all
three against the same sandbox in one run.

Run by hand (not in CI), with the AWS CLI in a virtualenv of its own, since it pins
its own botocore, and exportctl installed as users install it (``pip install .``,
not the editable install of development, whose import hook every start pays).
``make bench`` does all this and rewrites the table in docs/BENCHMARKS.md::

    python3 -m venv /tmp/benchvenv && /tmp/benchvenv/bin/pip install 'awscli>=1.36'
    python3 -m venv /tmp/benchvenv-exportctl && /tmp/benchvenv-exportctl/bin/pip install .
    .venv/bin/python benchmarks/cli_bench.py --aws /tmp/benchvenv/bin/aws \
        --exportctl /tmp/benchvenv-exportctl/bin/exportctl

Each case is run once to warm caches, then --runs times, the three commands of a
case taking turns so that a busy machine weighs on them alike. Reported: the
median wall time, the median CPU time (user + system) and the median peak
resident memory, the last two the child's own, from wait4. The *floor* is a
bare botocore script making the same calls and printing the raw answers: what is
physically left once credentials, endpoints, signing, retries and parsing are paid.
It runs on the interpreter exportctl is installed with: the same botocore, the
same start.

The 10,000-job listing is measured for Discovery (``scale``, in the first table with
the other cases), CloudWatch Logs (``logs``, 50 tasks a page), EC2's AMI exports
(``ec2``, 500 a page) and, only when asked, RDS (``rds``), each new service in a
table of its own: ``--only logs --readme docs/BENCHMARKS.md`` measures one alone and
rewrites its table only. The sandbox grows each world as ``exportctl sandbox
--discovery-tasks N``, ``--logs-tasks N``, ``--rds-tasks N`` and ``--ec2-tasks N`` do.
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
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from exportctl.sandbox import Faults, Sandbox

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Sample:
    seconds: float
    peak_kib: int
    cpu: float = 0.0


@dataclass(frozen=True)
class Row:
    case: str
    ours: Sample
    theirs: Sample
    target_time: float | None
    target_memory: float | None = None
    note: str = ""
    floor: Sample | None = None
    # The table of docs/BENCHMARKS.md it goes to ("": the first; see BLOCKS).
    block: str = ""


# Forked from a small interpreter, not from this process: a child's peak RSS counts
# the pages of the process it was forked from, which here hold the sandbox.
# With a first argument "tty:COLUMNS", stdout is a terminal of that width (a pty
# whose other end the launcher drains), as for a person at a terminal.
LAUNCHER = """
import os, subprocess, sys, threading, time
stdout = None
if sys.argv[2].startswith("tty:"):
    import fcntl, pty, struct, termios
    master, stdout = pty.openpty()
    cols = int(sys.argv[2][4:])
    fcntl.ioctl(stdout, termios.TIOCSWINSZ, struct.pack("HHHH", 50, cols, 0, 0))
    def drain():
        try:
            while os.read(master, 65536):
                pass
        except OSError:
            pass
    threading.Thread(target=drain, daemon=True).start()
argv = sys.argv[3:]
start = time.perf_counter()
proc = subprocess.Popen(argv, stdout=stdout)
_, status, usage = os.wait4(proc.pid, 0)
seconds = time.perf_counter() - start
cpu = usage.ru_utime + usage.ru_stime
with open(sys.argv[1], "w") as out:
    out.write(f"{os.waitstatus_to_exitcode(status)} {seconds} {usage.ru_maxrss} {cpu}")
"""


def run_once(argv: Sequence[str], env: dict[str, str], tty: int | None = None) -> Sample:
    """One process: wall time, CPU time and peak RSS as the kernel counted them."""
    with tempfile.TemporaryFile() as err, tempfile.NamedTemporaryFile("r") as result:
        mode = f"tty:{tty}" if tty else "pipe"
        launcher = [sys.executable, "-S", "-c", LAUNCHER, result.name, mode, *argv]
        subprocess.run(launcher, stdout=subprocess.DEVNULL, stderr=err, env=env, check=True)
        code, seconds, peak, cpu = result.read().split()
        if int(code) != 0:
            err.seek(0)
            message = err.read().decode(errors="replace")[-800:]
            raise SystemExit(f"{' '.join(argv)} failed ({code}):\n{message}")
    return Sample(float(seconds), int(peak), float(cpu))


# The floor: what no tool built on botocore goes below: import botocore, one
# session and client with botocore's defaults, the same calls, the raw answers out.
BOTOCORE_ONE = """
import json, sys, botocore.session
client = botocore.session.Session().create_client("personalize", endpoint_url=sys.argv[1])
answer = client.describe_dataset_export_job(datasetExportJobArn=sys.argv[2])
print(json.dumps(answer["datasetExportJob"], default=str))
"""
# Arguments: the endpoint, the service, the paginated operation, the list's member.
BOTOCORE_PAGES = """
import json, sys, botocore.session
client = botocore.session.Session().create_client(sys.argv[2], endpoint_url=sys.argv[1])
size = {"PageSize": int(sys.argv[5])} if len(sys.argv) > 5 else {}
for page in client.get_paginator(sys.argv[3]).paginate(PaginationConfig=size):
    for task in page[sys.argv[4]]:
        sys.stdout.write(json.dumps(task, default=str) + "\\n")
"""


def run_sequence(commands: Sequence[Sequence[str]], env: dict[str, str]) -> Sample:
    """Commands one after another: the sum of their times, the largest peak."""
    samples = [run_once(c, env) for c in commands]
    return Sample(
        sum(s.seconds for s in samples),
        max(s.peak_kib for s in samples),
        sum(s.cpu for s in samples),
    )


def _median(samples: Sequence[Sample]) -> Sample:
    return Sample(
        statistics.median(s.seconds for s in samples),
        int(statistics.median(s.peak_kib for s in samples)),
        statistics.median(s.cpu for s in samples),
    )


def medians(runs: int, *makers: Callable[[], Sample]) -> list[Sample]:
    """Each maker once to warm the caches, then ``runs`` rounds of all of them in turn."""
    for make in makers:
        make()
    rounds = [[make() for make in makers] for _ in range(runs)]
    return [_median([r[i] for r in rounds]) for i in range(len(makers))]


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


SCALE = 10_000
TERMINAL_COLUMNS = 200


@dataclass(frozen=True)
class Scale:
    """A 10,000-job listing of one service: the sandbox's scale keyword that grows
    its world, and what the AWS CLI and the floor call to read it all."""

    service: str
    title: str
    sandbox_keyword: str
    operation: str  # the paginated operation, as the AWS CLI and botocore name it
    items: str  # the member of each page holding the jobs
    block: str = ""
    # The page size exportctl asks for where the service's own default is not known
    # (EC2's): the AWS CLI and the floor are given it too, so that all three make the
    # same calls.
    page_size: int | None = None


# The seed services' case (Discovery, 100 tasks a page), CloudWatch Logs' (50 a page),
# RDS's (100 a page, the query protocol's XML) and EC2's AMI exports (500 a page, EC2's
# own XML).
SCALES = {
    "scale": Scale("discovery", "Discovery tasks", "discovery_tasks",
                   "describe-export-tasks", "exportsInfo"),
    "logs": Scale("logs", "CloudWatch Logs tasks", "logs_tasks",
                  "describe-export-tasks", "exportTasks", block="logs"),
    "rds": Scale("rds", "RDS snapshot export tasks", "rds_tasks",
                 "describe-export-tasks", "ExportTasks", block="rds"),
    "ec2": Scale("ec2", "EC2 AMI export tasks", "ec2_tasks",
                 "describe-export-image-tasks", "ExportImageTasks", block="ec2",
                 page_size=500),
}  # fmt: skip


def scale_rows(case: Scale, exportctl: str, aws: str, runs: int, home: Path) -> list[Row]:
    """`list -s SERVICE` of 10,000 jobs in four outputs, against the AWS CLI paginating
    them all and the floor: the six commands take turns."""
    sizes: dict[str, Any] = {case.sandbox_keyword: SCALE}
    with Sandbox(port=0, clock=lambda: 0.0, **sizes) as sb:
        env = environment(sb, home)
        ours = [exportctl, "list", "--service", case.service]
        sized = [str(case.page_size)] if case.page_size else []
        paging = ["--page-size", *sized] if sized else []
        aws_command = " ".join(["aws", case.service, case.operation, *paging])
        theirs = [aws, "--endpoint-url", sb.url, "--region", sb.region,
                  case.service, case.operation, *paging]  # fmt: skip
        floor = [interpreter(exportctl), "-c", BOTOCORE_PAGES, sb.url, case.service,
                 case.operation.replace("-", "_"), case.items, *sized]  # fmt: skip
        as_json, ndjson, piped, terminal, aws_scale, floor_scale = medians(
            max(1, runs),
            lambda: run_once([*ours, "--json"], env),
            lambda: run_once([*ours, "-o", "ndjson"], env),
            lambda: run_once(ours, env),
            lambda: run_once(ours, env, tty=TERMINAL_COLUMNS),
            lambda: run_once(theirs, env),
            lambda: run_once(floor, env),
        )
    title = f"{SCALE:,} {case.title}"
    block = case.block
    return [
        Row(f"scale: {title}, `list -s {case.service} --json` / `{aws_command}`", as_json,
            aws_scale, 0.80, 0.90, floor=floor_scale, block=block),
        Row("scale: the same, `-o ndjson`", ndjson, aws_scale, 0.75, 0.75,
            floor=floor_scale, block=block),
        Row("scale: the same, the default table, stdout a pipe", piped, aws_scale,
            1.0, floor=floor_scale, block=block),
        Row(f"scale: the same, the default table on a {TERMINAL_COLUMNS}-column "
            "terminal", terminal, aws_scale, 1.0, floor=floor_scale, block=block),
    ]  # fmt: skip


def interpreter(exportctl: str) -> str:
    """The Python beside an installed ``exportctl`` script: the floor's interpreter."""
    return str(Path(exportctl).parent / "python")


def bench(exportctl: str, aws: str, runs: int, only: set[str], home: Path) -> list[Row]:
    rows: list[Row] = []
    python = interpreter(exportctl)
    if only & {"start", "one"}:
        with Sandbox(port=0, clock=lambda: 0.0) as sb:
            env = environment(sb, home)
            aws_base = [aws, "--endpoint-url", sb.url, "--region", sb.region]
            if "start" in only:
                helped, versioned = medians(
                    runs,
                    lambda: run_once([exportctl, "--help"], env),
                    lambda: run_once([aws, "--version"], env),
                )
                rows.append(
                    Row("start: `exportctl --help` / `aws --version`", helped, versioned, 0.22)
                )
            if "one" in only:
                arn = personalize_arn(sb)
                ours = [exportctl, "status", arn]
                theirs = [*aws_base, "personalize", "describe-dataset-export-job",
                          "--dataset-export-job-arn", arn]  # fmt: skip
                floor = [python, "-c", BOTOCORE_ONE, sb.url, arn]
                as_json, panel, aws_one, floor_one = medians(
                    runs,
                    lambda: run_once([*ours, "--json"], env),
                    lambda: run_once(ours, env),
                    lambda: run_once(theirs, env),
                    lambda: run_once(floor, env),
                )
                rows.append(
                    Row(
                        "one job: `status ARN --json` / `aws personalize "
                        "describe-dataset-export-job`",
                        as_json,
                        aws_one,
                        0.65,
                        floor=floor_one,
                    )
                )
                rows.append(
                    Row("one job: `status ARN` (panel) / the same", panel, aws_one, 0.70,
                        floor=floor_one)
                )  # fmt: skip
    for name, case in SCALES.items():
        if name in only:
            rows += scale_rows(case, exportctl, aws, runs, home)
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
            one_by_one = [[exportctl, "list", "--service", s] for s in
                          ("backupsearch", "personalize", "discovery", "pinpoint")]  # fmt: skip
            ours_all, aws_all, ours_each = medians(
                max(1, runs // 2),
                lambda: run_once([exportctl, "list"], env),
                lambda: run_sequence(sequential, env),
                lambda: run_sequence(one_by_one, env),
            )
            rows.append(
                Row(
                    "fan-out, 200 ms a call: `list` / the four services with `aws`, "
                    "one after another",
                    ours_all,
                    aws_all,
                    0.4,
                    note=f"{len(sequential)} aws processes",
                )
            )
            rows.append(
                Row(
                    "fan-out, 200 ms a call: `list` / `list -s X` for each service in turn",
                    ours_all,
                    ours_each,
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


# exportctl's version, its botocore's and whether the install is editable (its
# import hook costs every start some milliseconds), from the install measured.
PROBE = """
import importlib.metadata as m, json
url = json.loads(m.distribution("exportctl").read_text("direct_url.json") or "{}")
print(m.version("exportctl"), m.version("botocore"), url.get("dir_info", {}).get("editable", False))
"""


def versions(exportctl: str, aws_version: str) -> str:
    """What was measured: exportctl's install and its botocore, the AWS CLI's own."""
    installed = subprocess.run(
        [interpreter(exportctl), "-I", "-c", PROBE], capture_output=True, text=True, check=True
    )
    version, botocore, editable = installed.stdout.split()
    kind = "an editable install" if editable == "True" else "installed with pip install ."
    return (
        f"exportctl {version} ({kind}; botocore {botocore}); {aws_version}; "
        f"floor: botocore {botocore}"
    )


def _cell(sample: Sample) -> str:
    return (
        f"{sample.seconds * 1000:.0f} ms, {sample.cpu * 1000:.0f} ms CPU, "
        f"{sample.peak_kib / 1024:.0f} MiB"
    )


def _ratio(value: float, target: float | None) -> str:
    if target is None:
        return f"{value:.2f}"
    met = value <= target
    # A miss shows as many decimals as it takes to be seen above the target.
    digits = 2
    while not met and digits < 5 and round(value, digits) <= target:
        digits += 1
    return f"**{value:.{digits}f}** (≤ {target}, {'ok' if met else 'MISSED'})"


def table(rows: Sequence[Row]) -> str:
    lines = [
        "| case | exportctl | aws | botocore floor | time ratio (target) "
        "| CPU ratio | floor's time ratio | time against the floor "
        "| peak memory ratio (target) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        ratio = r.ours.seconds / r.theirs.seconds
        cpu = r.ours.cpu / r.theirs.cpu if r.theirs.cpu else float("nan")
        mem = r.ours.peak_kib / r.theirs.peak_kib
        floor = _cell(r.floor) if r.floor else "-"
        floor_ratio = f"{r.floor.seconds / r.theirs.seconds:.2f}" if r.floor else "-"
        # What is left to win above botocore, whatever the machine's waiting did to both.
        over_floor = f"{r.ours.seconds / r.floor.seconds:.2f}" if r.floor else "-"
        note = f" ({r.note})" if r.note else ""
        lines.append(
            f"| {r.case}{note} | {_cell(r.ours)} | {_cell(r.theirs)} | {floor} "
            f"| {_ratio(ratio, r.target_time)} | {cpu:.2f} | {floor_ratio} | {over_floor} "
            f"| {_ratio(mem, r.target_memory)} |"
        )
    return "\n".join(lines)


def report(
    rows: Sequence[Row],
    versions_text: str,
    runs: int,
    load_before: Sequence[float],
) -> str:
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    load = ", ".join(f"{x:.1f}" for x in load_before)
    return "\n".join(
        [
            f"Measured {when} by `benchmarks/cli_bench.py --runs {runs}` "
            "(median of the runs; the commands of a case take turns).",
            f"Machine: {machine()}; load average before the run: {load}.",
            f"Versions: {versions_text}.",
            "",
            table(rows),
        ]
    )


BEGIN = "<!-- cli_bench: begin -->"
END = "<!-- cli_bench: end -->"


def markers(block: str) -> tuple[str, str]:
    """The markers of a table in the document: the seed services' (``""``) or another's."""
    if not block:
        return BEGIN, END
    return f"<!-- cli_bench {block}: begin -->", f"<!-- cli_bench {block}: end -->"


def rewrite_readme(path: Path, text: str, block: str = "") -> None:
    """Put ``text`` between the markers of ``block``, leaving the rest as it is."""
    first, last = markers(block)
    readme = path.read_text(encoding="utf-8")
    head, begin, rest = readme.partition(first)
    _, end, tail = rest.partition(last)
    if not begin or not end:
        raise SystemExit(f"{path}: no {first} ... {last} block to rewrite")
    path.write_text(f"{head}{first}\n{text}\n{last}{tail}", encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--aws", default=shutil.which("aws") or "/tmp/benchvenv/bin/aws")
    parser.add_argument("--exportctl", default=str(Path(sys.executable).parent / "exportctl"))
    # One process's time swings by 15% either way on a shared 2-CPU machine, from run
    # to run: the median of 11 runs moves a third less than that of 5.
    parser.add_argument("--runs", type=int, default=11, help="timed runs per case (median)")
    parser.add_argument(
        "--only",
        default="start,one,scale,fanout,logs,ec2",
        help="comma-separated cases to run (logs: the 10,000-task case for CloudWatch Logs, "
        "a table of its own)",
    )
    parser.add_argument(
        "--readme", type=Path, help="rewrite the benchmark block of this file (docs/BENCHMARKS.md)"
    )
    args = parser.parse_args(argv)
    if not Path(args.aws).exists():
        parser.error(f"no AWS CLI at {args.aws}: install awscli into a venv of its own")
    only = {c.strip() for c in args.only.split(",") if c.strip()}
    load_before = os.getloadavg()
    aws_version = subprocess.run(
        [args.aws, "--version"], capture_output=True, text=True, check=True
    )
    with tempfile.TemporaryDirectory(prefix="exportctl-bench-") as home:
        rows = bench(args.exportctl, args.aws, args.runs, only, Path(home))
    version = (aws_version.stdout or aws_version.stderr).strip()
    measured = versions(args.exportctl, version)
    # One table a block, each with what was measured and how.
    for block in dict.fromkeys(r.block for r in rows):
        text = report([r for r in rows if r.block == block], measured, args.runs, load_before)
        print(text, end="\n\n")
        if args.readme:
            rewrite_readme(args.readme, text, block)
    return 0


if __name__ == "__main__":
    sys.exit(main())
