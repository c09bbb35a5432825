"""The backups of a search job as `backups` prints them for people: the search job
above (status, progress, message, whether the list is final), the backups' table, and
below it their counts and why some were not searched."""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console, RenderableType

from exportctl.domain.model import State
from exportctl.domain.timeutil import local, relative
from exportctl.ops.backups import Backup, SearchReport, summary
from exportctl.ops.searchjobs import SearchJob, searches
from exportctl.output import recordtable
from exportctl.output.columns import Column, Step, choose
from exportctl.output.statestyles import BACKUP_STYLES, DOOMED_BACKUP_STYLE
from exportctl.output.styledlines import Lines, styled_lines
from exportctl.services.snakecase import snake

# The ARNs are never cut: they are what people copy.
_GIVE_UP = tuple(Step("drop", n) for n in ("INDEXED", "TYPE", "BACKED UP", "SOURCE"))


def print_backups(
    console: Console,
    report: SearchReport,
    items: Sequence[Backup],
    fields: tuple[str, ...],
    width: int | None,
    *,
    wide: bool = False,
    headers: bool = True,
    filtered: bool = False,
) -> None:
    """The search job, its backups (``fields`` alone, when given) and what they add up
    to; ``filtered``: the backups are those of some statuses."""
    _header(console, report)
    if fields:
        records = [b.to_dict() for b in items]
        console.print(recordtable.record_table(records, fields, headers=headers), soft_wrap=True)
    elif items:
        console.print(backups_table(items, width, wide=wide, headers=headers), soft_wrap=True)
    _explain(console, report.search.display, items, filtered=filtered)


def not_final(report: SearchReport) -> str:
    """Why the list of backups is not (or may not be) final."""
    job = report.job
    if job is None:
        return f"status unknown ({report.unread}); this list may not be final"
    if searches().states.state_of(job.status) is State.RUNNING:
        return f"the search is {job.status}: this list is not final yet"
    return (
        f"the search is {job.status or 'without a status'}, not {searches().final}: "
        "backups it did not reach are not listed"
    )


def status_style(status: str) -> str:
    """How a backup's status word looks, by the state it gives."""
    states = searches().states
    if states.doomed.get(status):
        return DOOMED_BACKUP_STYLE
    return BACKUP_STYLES[states.state_of(status)]


def _header(console: Console, report: SearchReport) -> None:
    job = report.job
    title = report.search.display + (f" ({job.name})" if job and job.name else "")
    lines = [f"Search job {title}: {job.status if job else 'status unknown'}"]
    if job is not None:
        when = job.completed or job.created
        if when is not None:
            verb = "completed" if job.completed else "created"
            lines.append(f"  {verb} {local(when)} ({relative(when)})")
        progress = progress_text(job)
        if progress:
            lines.append(f"  progress: {progress}")
        if job.status_message:
            lines.append(f"  message: {' '.join(job.status_message.split())}")
    if report.final is not True:
        lines.append(f"  not final: {not_final(report)}")
    for line in lines:
        style = "bold" if line is lines[0] else ("yellow" if "not final:" in line else "")
        console.print(line, style=style, markup=False, soft_wrap=True)


def progress_text(job: SearchJob) -> str:
    """How far the search got, in the counts its spec declares (``Count``)."""
    parts = []
    for count in searches().members.counts:
        done = job.progress.get(snake(count.done))
        if done is None:
            continue
        total = job.scope_summary.get(snake(count.total)) if count.total else None
        parts.append(
            f"{done:,} of {total:,} {count.what}" if total is not None else f"{done:,} {count.what}"
        )
    return ", ".join(parts)


def backups_table(
    items: Sequence[Backup], width: int | None, *, wide: bool = False, headers: bool = True
) -> RenderableType:
    """One row per backup, fitted to ``width`` columns when given; ``wide``: every
    column, the messages too."""
    columns = [
        Column("STATUS", [b.status for b in items]),
        Column("TYPE", [b.resource_type or "" for b in items]),
        Column("BACKUP", [b.backup_resource_arn or "" for b in items]),
        Column("SOURCE", [b.source_resource_arn or "" for b in items]),
        Column(
            "BACKED UP",
            [local(b.backup_creation_time) if b.backup_creation_time else "" for b in items],
        ),
        Column(
            "INDEXED",
            [local(b.index_creation_time) if b.index_creation_time else "" for b in items],
        ),
    ]
    if wide:
        # Elsewhere the messages are printed in full below the table, where they have room.
        messages = [" ".join((b.status_message or "").split()) for b in items]
        columns.append(Column("MESSAGE", messages, always=False))
    layout = choose(columns, None if wide else width, list(_GIVE_UP), key="BACKUP", wide=wide)
    styles = {"STATUS": [status_style(b.status) for b in items]}
    return Lines(list(styled_lines(layout, len(items), styles, headers=headers)))


def _explain(console: Console, search: str, items: Sequence[Backup], *, filtered: bool) -> None:
    """The counts by status, then each backup that was not searched, and why."""
    counts = summary(list(items))
    word = "backup" if len(items) == 1 else "backups"
    parts = ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    scope = " matching --status" if filtered else ""
    console.print(
        f"{len(items)} {word}{scope} in search job {search}" + (f": {parts}" if parts else ""),
        markup=False,
        soft_wrap=True,
    )
    problems = [b for b in items if b.problem]
    notes = [b for b in items if not b.problem and b.status_message]
    for title, rows in (("Not searched:", problems), ("Messages:", notes)):
        if rows:
            console.print(title, style="bold", markup=False)
        for b in rows:
            console.print(
                f"  {b.status} {b.backup_resource_arn or '?'}: {b.status_message or 'no message'}",
                style=status_style(b.status) if b.problem else "",
                markup=False,
                soft_wrap=True,
            )
