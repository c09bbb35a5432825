"""Rich tables and panels for people; nothing here talks to AWS."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from exportctl.model import ExportJob, State, field_value
from exportctl.refs import compact_ref, short_ref
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
    jobs: Sequence[ExportJob],
    default_region: str | None,
    reference: datetime | None = None,
    width: int | None = None,
) -> Table:
    """One row per job, fitted to ``width`` columns when given.

    When the table is too wide the message shrinks first, then goes; ARNs of
    services that have a compact reference (Backup Search) become it, since
    `status` accepts both; then the vendor status and the age go; the reference
    gives way last, folding rather than being cut, since it is what people copy
    into the next command.
    """
    reference = reference or now()
    refs = [short_ref(job, default_region) for job in jobs]
    if width is not None and _too_wide(jobs, refs, width):
        refs = [compact_ref(job, default_region) for job in jobs]
    rows = [
        {
            "SERVICE": job.service,
            "REF": ref,
            "STATE": job.state.value,
            "STATUS": job.status or "-",
            "CREATED": relative(job.created, reference) if job.created else "",
            "MESSAGE": " ".join((_progress_text(job) or job.message or "").split()),
        }
        for job, ref in zip(jobs, refs, strict=True)
    ]
    columns = _fit(rows, width)
    table = Table(box=None, header_style="bold", pad_edge=False, expand=False)
    for name, size in columns.items():
        table.add_column(
            name,
            no_wrap=name != "REF",
            overflow="fold" if name == "REF" else "ellipsis",
            width=size,
        )
    for row, job in zip(rows, jobs, strict=True):
        cells: list[str | Text] = [row[name] for name in columns]
        if "STATE" in columns:
            cells[list(columns).index("STATE")] = state_text(job.state)
        table.add_row(*cells)
    return table


_MESSAGE_MIN = 20
_GAP = 2


def _too_wide(jobs: Sequence[ExportJob], refs: Sequence[str], width: int) -> bool:
    """Whether the columns that always show would not fit with these references."""
    fixed = [
        max([len("SERVICE")] + [len(j.service) for j in jobs]),
        max([len("REF")] + [len(r) for r in refs]),
        max([len("STATE")] + [len(j.state.value) for j in jobs]),
        max([len("STATUS")] + [len(j.status or "-") for j in jobs]),
        len("CREATED") + 8,
    ]
    return sum(fixed) + _GAP * (len(fixed) - 1) > width


def _fit(rows: list[dict[str, str]], width: int | None) -> dict[str, int | None]:
    """Column name -> fixed width (None: natural), dropping columns that do not fit."""
    names = ["SERVICE", "REF", "STATE", "STATUS", "CREATED", "MESSAGE"]
    natural = {n: max([len(n)] + [len(r[n]) for r in rows]) for n in names}
    natural["MESSAGE"] = min(natural["MESSAGE"], 60)
    if not any(r["MESSAGE"] for r in rows):
        names.remove("MESSAGE")
    if width is None:
        return {n: (natural[n] if n == "MESSAGE" else None) for n in names}

    def total(cols: list[str]) -> int:
        return sum(natural[c] for c in cols) + _GAP * (len(cols) - 1)

    if "MESSAGE" in names and total(names) > width:
        room = width - total([n for n in names if n != "MESSAGE"]) - _GAP
        if room >= _MESSAGE_MIN:
            natural["MESSAGE"] = room
        else:
            names.remove("MESSAGE")
    for optional in ("STATUS", "CREATED"):
        if total(names) > width:
            names.remove(optional)
    if total(names) > width:
        natural["REF"] = max(20, width - total([n for n in names if n != "REF"]) - _GAP)
    return {n: natural[n] for n in names}


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


def record_table(records: Sequence[dict[str, Any]], fields: Sequence[str]) -> Table:
    """A plain table of chosen fields (``--fields``), dotted paths allowed."""
    table = Table(box=None, header_style="bold", pad_edge=False)
    for name in fields:
        table.add_column(name.upper(), overflow="fold")
    for record in records:
        row = []
        for name in fields:
            value = field_value(record, name)
            row.append("" if value is None else _plain(value))
        table.add_row(*row)
    return table
