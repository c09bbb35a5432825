"""One job in a box, every field that has a value: what `status` shows people."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from rich.console import Console, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from exportctl.domain.model import ExportJob
from exportctl.domain.printable import for_people, one_line
from exportctl.domain.timeutil import human_duration, local, now, relative
from exportctl.output.columns import text_width
from exportctl.output.fieldtext import field_text
from exportctl.output.statestyles import state_text


def when(value: datetime | None, reference: datetime | None = None) -> str:
    if value is None:
        return ""
    return f"{local(value, reference)} ({relative(value, reference)})"


def job_panel(
    job: ExportJob, reference: datetime | None = None, eta: Callable[[ExportJob], str] | None = None
) -> JobPanel:
    """Every field of one job that has a value; ``eta`` gives its estimate's line."""
    reference = reference or now()
    rows: list[tuple[str, RenderableType]] = [
        ("service", job.service),
        ("ref", job.ref),
        # A name or an id is one value: a tab or a newline in it (CloudWatch Logs
        # takes any task name) is one space, as in the tables, not a line of its own.
        ("id", one_line(job.id)),
        ("arn", job.arn or ""),
        ("account", job.account or ""),
        ("name", one_line(job.name or "")),
        ("region", job.region),
        ("state", state_text(job.state)),
        ("status", one_line(job.status)),
        ("created", when(job.created, reference)),
        ("updated", when(job.updated, reference)),
        ("completed", when(job.completed, reference)),
    ]
    if job.created and job.completed:
        rows.append(("took", human_duration((job.completed - job.created).total_seconds())))
    if eta is not None:
        rows.append(("eta", eta(job)))
    # The console shows a pre-signed URL without its signature, as every URL it prints.
    rows.append(("destination", job.destination or ""))
    rows.append(("message", job.message or ""))
    if job.progress:
        for key, value in job.progress.to_dict().items():
            if value not in (None, [], ()):
                rows.append((key.replace("_", " "), field_text(value)))
    for key, value in job.details.items():
        if value not in (None, "", [], {}):
            rows.append((key.replace("_", " "), field_text(value)))
    title = Text.assemble((job.service, "bold"), " ", for_people(one_line(job.name or job.id)))
    return JobPanel([(label, value) for label, value in rows if value != ""], title)


class JobPanel:
    """One job's fields in a box. A value that is one word too wide for the box (a
    reference, an ARN, an S3 URL) goes whole on a line of its own below it: folded
    inside the box, it could not be copied. A terminal that would leave the values
    less than a local time's width gets every field as such a line and no box:
    folded a few characters at a time, a date or a word could not be read."""

    # The box's borders and padding, and the gap between a label and its value.
    FRAME = 4
    GAP = 2
    # "2026-12-07 04:04:57" and a space: a time of day is never folded inside the box.
    MIN_ROOM = 20

    def __init__(self, rows: list[tuple[str, RenderableType]], title: Text) -> None:
        self.rows = rows
        self.title = title

    def split(self, width: int) -> tuple[Panel | None, list[Text]]:
        """The box for a console ``width`` wide (None when too narrow for one), and
        the lines to print below it unwrapped (``soft_wrap``: a terminal folds them,
        and copies them whole)."""
        label_width = max((len(label) for label, _ in self.rows), default=0)
        room = width - self.FRAME - label_width - self.GAP
        if room < self.MIN_ROOM:
            lines = [Text.assemble(self.title, "")]
            lines += [self.line(label, value, label_width) for label, value in self.rows]
            return None, lines
        grid = Table.grid(padding=(0, self.GAP))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column(overflow="fold")
        below: list[Text] = []
        for label, value in self.rows:
            if isinstance(value, str) and " " not in value and text_width(for_people(value)) > room:
                below.append(self.line(label, value, label_width))
            else:
                grid.add_row(label, value)
        return Panel(grid, title=self.title, title_align="left", expand=False), below

    def line(self, label: str, value: RenderableType, label_width: int) -> Text:
        line = Text.assemble((label.ljust(label_width), "bold"), " " * self.GAP)
        if isinstance(value, Text):
            line.append_text(value)
        else:
            line.append(for_people(str(value)))
        return line


def print_panels(
    console: Console, jobs: Sequence[ExportJob], eta: Callable[[ExportJob], str] | None = None
) -> None:
    """Each job's panel, fitted to the console; its unbreakable values below it, whole."""
    reference = now()
    for number, job in enumerate(jobs):
        box, below = job_panel(job, reference, eta).split(console.width)
        if box is not None:
            console.print(box)
        elif number:
            console.print()
        for line in below:
            console.print(line, soft_wrap=True)
