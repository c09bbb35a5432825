"""Rich tables and panels for people; nothing here talks to AWS."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from exportctl.model import ExportJob, State
from exportctl.refs import short_ref
from exportctl.timeutil import human_duration, local, now, relative

STATE_STYLES = {
    State.PENDING: "yellow",
    State.RUNNING: "cyan",
    State.COMPLETED: "green",
    State.FAILED: "bold red",
    State.UNKNOWN: "magenta",
}


def state_text(state: State) -> Text:
    return Text(state.value, style=STATE_STYLES[state])


def when(value: datetime | None, reference: datetime | None = None) -> str:
    if value is None:
        return ""
    return f"{local(value)} ({relative(value, reference)})"


def redact_url(url: str) -> str:
    """A pre-signed URL grants access: show where it points, not its signature."""
    if url.startswith(("http://", "https://")) and "?" in url:
        return url.split("?", 1)[0] + "?…"
    return url


def jobs_table(
    jobs: Sequence[ExportJob], default_region: str | None, reference: datetime | None = None
) -> Table:
    reference = reference or now()
    table = Table(box=None, header_style="bold", pad_edge=False, expand=False)
    table.add_column("SERVICE", no_wrap=True)
    # A reference is what people copy into the next command: it gives way last.
    longest = max((len(short_ref(j, default_region)) for j in jobs), default=3)
    table.add_column("REF", overflow="fold", min_width=min(longest, 90))
    table.add_column("STATE", no_wrap=True)
    table.add_column("STATUS", no_wrap=True)
    table.add_column("CREATED", no_wrap=True)
    table.add_column("MESSAGE", overflow="ellipsis", max_width=60)
    for job in jobs:
        table.add_row(
            job.service,
            short_ref(job, default_region),
            state_text(job.state),
            job.status or "-",
            relative(job.created, reference) if job.created else "",
            _progress_text(job) or (job.message or ""),
        )
    return table


def _progress_text(job: ExportJob) -> str | None:
    p = job.progress
    if p is None or p.fraction is None or job.state.terminal:
        return None
    return f"{p.completed_pieces}/{p.total_pieces} pieces ({p.fraction:.0%})"


def job_panel(job: ExportJob, reference: datetime | None = None) -> Panel:
    """Every field of one job that has a value."""
    reference = reference or now()
    rows: list[tuple[str, RenderableType]] = [
        ("service", job.service),
        ("ref", job.ref),
        ("id", job.id),
        ("arn", job.arn or ""),
        ("name", job.name or ""),
        ("region", job.region),
        ("state", state_text(job.state)),
        ("status", job.status),
        ("created", when(job.created, reference)),
        ("updated", when(job.updated, reference)),
        ("completed", when(job.completed, reference)),
    ]
    if job.created and job.completed:
        rows.append(("took", human_duration((job.completed - job.created).total_seconds())))
    rows.append(("destination", redact_url(job.destination or "")))
    rows.append(("message", job.message or ""))
    if job.progress:
        for key, value in job.progress.to_dict().items():
            if value not in (None, [], ()):
                rows.append((key.replace("_", " "), _plain(value)))
    for key, value in job.details.items():
        if value not in (None, "", [], {}):
            rows.append((key.replace("_", " "), _plain(value)))
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    for label, value in rows:
        if isinstance(value, str) and not value:
            continue
        grid.add_row(label, value)
    title = Text.assemble((job.service, "bold"), " ", job.name or job.id)
    return Panel(grid, title=title, title_align="left", expand=False)


def _plain(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{k}={_plain(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return "; ".join(_plain(v) for v in value)
    if isinstance(value, datetime):
        return local(value)
    return str(value)


def panels(jobs: Sequence[ExportJob]) -> Group:
    reference = now()
    return Group(*(job_panel(job, reference) for job in jobs))


JOB_FIELDS = ("service", "ref", "state", "status", "created", "message")


def record_table(records: Sequence[dict[str, Any]], fields: Sequence[str]) -> Table:
    """A plain table of chosen fields (``--fields``), dotted paths allowed."""
    table = Table(box=None, header_style="bold", pad_edge=False)
    for name in fields:
        table.add_column(name.upper(), overflow="fold")
    for record in records:
        row = []
        for name in fields:
            value: Any = record
            for part in name.split("."):
                value = value.get(part) if isinstance(value, dict) else None
            row.append("" if value is None else _plain(value))
        table.add_row(*row)
    return table
