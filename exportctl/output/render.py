"""Rich tables and panels for people; nothing here talks to AWS."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from rich.console import COLOR_SYSTEMS, Console, ConsoleOptions, RenderableType, RenderResult
from rich.panel import Panel
from rich.style import Style
from rich.table import Table
from rich.text import Text

from exportctl.domain.model import ExportJob, State, field_value
from exportctl.domain.printable import for_people
from exportctl.domain.timeutil import human_duration, local, now, relative
from exportctl.output.columns import GAP, STACK_INDENT, Column, Layout, Step, cells, choose
from exportctl.services.refs import compact_ref, short_ref

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


# What a jobs table gives up first when it is too wide. SERVICE goes first: every
# reference already starts with its service. A failed job's message is the
# most important cell of its row, so it is cut short, never dropped, while one
# of the jobs failed; the reference is never cut (see exportctl.output.columns).
# The vendor's word says more than the state (FAILING, COMPLETING, CREATE PENDING):
# when did it start matters less, so CREATED goes first.
_GIVE_UP = (
    Step("drop", "SERVICE"),
    Step("shrink", "MESSAGE"),
    Step("shorten", "REF"),
    Step("drop", "CREATED"),
    Step("drop", "STATUS"),
)
_MESSAGE_MIN = 30


def job_layout(
    jobs: Sequence[ExportJob],
    default_region: str | None,
    width: int | None,
    *,
    wide: bool = False,
    reference: datetime | None = None,
    accounts: bool = False,
) -> Layout:
    """The columns of a jobs table at ``width``: the choice both table writers share.

    ``wide`` shows every column (REGION too) with nothing cut or shortened.
    ``default_region`` is the region a reference may leave out (see
    :meth:`exportctl.aws.clients.Clients.home_region`); ``accounts``, that the command spans
    accounts, so that a shortened reference names its account.
    """
    reference = reference or now()
    many_accounts, places = place_columns(jobs, wide=wide)
    # Read back without its account, a reference is looked for with the default
    # credentials, or in every account: a Personalize name may be in several.
    named = many_accounts or accounts
    # Without a width nothing is fitted: no shorter references are needed.
    fitted = width is not None and not wide
    columns = [
        Column("SERVICE", [job.service for job in jobs]),
        Column(
            "REF",
            [short_ref(job, default_region) for job in jobs],
            short_cells=[compact_ref(job, default_region, account=named) for job in jobs]
            if fitted
            else None,
            fallback_cells=[name_ref(job, default_region, account=named) for job in jobs]
            if fitted
            else None,
        ),
        *places,
        Column("STATE", [state_cell(job) for job in jobs]),
        Column("STATUS", [job.status or "-" for job in jobs]),
        Column(
            "CREATED", [relative(job.created, reference) if job.created else "" for job in jobs]
        ),
        Column(
            "MESSAGE",
            [" ".join((_progress_text(job) or job.message or "").split()) for job in jobs],
            min_width=_MESSAGE_MIN,
            always=False,
        ),
    ]
    steps = list(_GIVE_UP)
    if not any(job.state is State.FAILED for job in jobs):
        steps.append(Step("drop", "MESSAGE"))
    return choose(columns, width, steps, key="REF", wide=wide)


def state_cell(job: ExportJob) -> str:
    """The state, with the vendor's word when that word says the job can no longer end
    as its state suggests (Pinpoint's FAILING is RUNNING, towards FAILED): a table too
    narrow for STATUS must not show it as a healthy RUNNING."""
    from exportctl.services import spec_for

    if job.status and spec_for(job.service).doomed.get(job.status):
        return f"{job.state.value} ({job.status})"
    return job.state.value


def place_columns(
    jobs: Sequence[ExportJob | None], *, wide: bool = False
) -> tuple[bool, list[Column]]:
    """Whether the jobs span several accounts, and the ACCOUNT and REGION columns: where
    a job lives is a column only when the table shows more than one place (REGION always
    when ``wide``). A row not read yet (None) has empty cells."""
    known = [job for job in jobs if job is not None]
    many_accounts = len({job.account for job in known if job.account}) > 1
    many_regions = len({job.region for job in known}) > 1
    columns = []
    if many_accounts:
        columns.append(Column("ACCOUNT", [(j.account or "-") if j else "" for j in jobs]))
    if wide or many_regions:
        columns.append(Column("REGION", [j.region if j else "" for j in jobs]))
    return many_accounts, columns


def name_ref(job: ExportJob, default_region: str | None, *, account: bool = False) -> str:
    """``SERVICE:[[ACCOUNT:]REGION:]ID`` for a job known by its ARN: the shortest
    reference `status` and `wait` accept (a Personalize job is then looked up by name,
    at the cost of one listing); the table form for the others. ``account`` keeps
    its account, as :func:`exportctl.services.refs.compact_ref`."""
    if not job.arn or "/" in job.id:
        return compact_ref(job, default_region, account=account)
    if account and job.account:
        return f"{job.service}:{job.account}:{job.region}:{job.id}"
    region = "" if job.region == default_region else f"{job.region}:"
    return f"{job.service}:{region}{job.id}"


def jobs_table(
    jobs: Sequence[ExportJob],
    default_region: str | None,
    reference: datetime | None = None,
    width: int | None = None,
    *,
    wide: bool = False,
    headers: bool = True,
    accounts: bool = False,
) -> RenderableType:
    """One row per job, fitted to ``width`` columns when given (see job_layout)."""
    layout = job_layout(
        jobs, default_region, width, wide=wide, reference=reference, accounts=accounts
    )
    styles = {"STATE": [STATE_STYLES[job.state] for job in jobs]}
    return Lines(list(styled_lines(layout, len(jobs), styles, headers=headers)))


# Rows beyond which a table is written by write_lines even on a terminal: rich
# builds, measures and renders every cell, seconds for ten thousand rows.
PLAIN_ROWS = 500


def print_jobs_table(
    console: Console,
    jobs: Sequence[ExportJob],
    default_region: str | None,
    width: int | None = None,
    *,
    wide: bool = False,
    headers: bool = True,
    accounts: bool = False,
) -> None:
    """:func:`jobs_table` printed: by rich for a small table on a terminal, else by
    :func:`write_lines`, which writes the same characters."""
    if console.is_terminal and len(jobs) <= PLAIN_ROWS:
        table = jobs_table(
            jobs, default_region, width=width, wide=wide, headers=headers, accounts=accounts
        )
        console.print(table, soft_wrap=True)
        return
    layout = job_layout(jobs, default_region, width, wide=wide, accounts=accounts)
    styles = {"STATE": [STATE_STYLES[job.state] for job in jobs]}
    write_lines(console, layout, len(jobs), styles, headers=headers)


def write_lines(
    console: Console,
    layout: Layout,
    rows: int,
    styles: Mapping[str, Sequence[str | None]] | None = None,
    *,
    headers: bool = True,
) -> None:
    """The lines :func:`styled_lines` gives rich, written straight to the console's file.

    Each style is rendered once by rich (or not at all without colour) and the
    lines are joined as plain strings: the same characters as ``console.print``
    of :class:`Lines`, without a rich object per cell.
    """
    styles = styles or {}
    painted: dict[tuple[str, str], str] = {}
    # The console's colours, by the name its color_system argument takes (None: no
    # escape codes at all, as off a terminal).
    name = console.color_system
    system = None if name is None else COLOR_SYSTEMS[name]

    def paint(text: str, style: str) -> str:
        if not text or not style or system is None:
            return text
        key = (text, style)
        done = painted.get(key)
        if done is None:
            # As rich renders a segment: without colours under no_color, bold kept.
            parsed = Style.parse(style)
            if console.no_color:
                parsed = parsed.without_color
            done = painted[key] = parsed.render(
                text, color_system=system, legacy_windows=console.legacy_windows
            )
        return done

    def line(layout: Layout, values: Sequence[str], row: int | None, indent: int) -> str:
        parts: list[tuple[str, str]] = [(" " * indent, "")] if indent else []
        last = len(values) - 1
        for i, (column, value, width) in enumerate(
            zip(layout.columns, values, layout.widths, strict=True)
        ):
            padded = value.rjust(width) if column.justify == "right" else value
            if row is None:
                style = "bold"
            else:
                per_row = styles.get(column.name)
                style = (per_row[row] or "") if per_row else ""
            parts.append((padded, style))
            if i < last:
                parts.append((" " * (width - len(padded) + GAP), ""))
        # As Text.rstrip: trailing whitespace goes, whatever its style.
        while parts and not parts[-1][0].rstrip():
            parts.pop()
        if parts:
            parts[-1] = (parts[-1][0].rstrip(), parts[-1][1])
        return "".join(paint(text, style) for text, style in parts) + "\n"

    if system is None and all(
        len(c.name) <= w
        for part in (layout, layout.below)
        if part is not None
        for c, w in zip(part.columns, part.widths, strict=True)
    ):
        # Nothing to paint, and no cell wider than its column (the headers fit, the
        # rows are cut): each line is one %-format of its cells, padded to the widths.
        formats: dict[tuple[int, int], str] = {}

        def line(layout: Layout, values: Sequence[str], row: int | None, indent: int) -> str:
            key = (id(layout), indent)
            form = formats.get(key)
            if form is None:
                last = len(layout.columns) - 1
                form = formats[key] = " " * indent + (" " * GAP).join(
                    "%s"
                    if i == last and c.justify != "right"
                    else f"%{'' if c.justify == 'right' else '-'}{w}s"
                    for i, (c, w) in enumerate(zip(layout.columns, layout.widths, strict=True))
                )
            return (form % tuple(values)).rstrip() + "\n"

    # Columns none of whose cells is wider than the column need no cutting.
    uncut: dict[int, bool] = {}

    def row_cells(layout: Layout, row: int) -> list[str]:
        key = id(layout)
        if key not in uncut:
            uncut[key] = all(
                max(map(len, c.cells), default=0) <= w
                for c, w in zip(layout.columns, layout.widths, strict=True)
            )
        if uncut[key]:
            return [c.cells[row] for c in layout.columns]
        return cells(layout, row)

    below = layout.below
    out: list[str] = []
    if headers:
        out.append(line(layout, [c.name for c in layout.columns], None, 0))
        if below is not None:
            out.append(line(below, [c.name for c in below.columns], None, STACK_INDENT))
    for row in range(rows):
        out.append(line(layout, row_cells(layout, row), row, 0))
        if below is not None:
            out.append(line(below, row_cells(below, row), row, STACK_INDENT))
    console.file.write("".join(out))
    console.file.flush()


class Lines:
    """Lines printed as they are: never wrapped, never cut (a reference stays whole)."""

    def __init__(self, lines: Sequence[Text]) -> None:
        self.lines = lines

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for line in self.lines:
            line.no_wrap = True
            line.overflow = "ignore"
            line.end = "\n"
            yield line


def styled_lines(
    layout: Layout,
    rows: int,
    styles: Mapping[str, Sequence[str | None]] | None = None,
    *,
    headers: bool = True,
    prefix: Sequence[Text] | None = None,
    rich_cells: Mapping[str, Sequence[Text | None]] | None = None,
) -> Iterator[Text]:
    """The lines of a table laid out by exportctl.output.columns, with styled cells.

    ``styles`` gives a style per row for some columns; ``rich_cells`` a styled
    text that stands for a row's plain cell where it fits (a progress bar);
    ``prefix`` a text put before each row (a mark), its header blank.
    """
    styles = styles or {}
    rich_cells = rich_cells or {}
    lead = max((p.cell_len for p in prefix), default=0) if prefix else 0

    def line(layout: Layout, values: Sequence[str], row: int | None, indent: int) -> Text:
        text = Text(" " * indent)
        last = len(values) - 1
        for i, (column, value, width) in enumerate(
            zip(layout.columns, values, layout.widths, strict=True)
        ):
            style = styles.get(column.name)
            padded = value.rjust(width) if column.justify == "right" else value
            fancy = (
                rich_cells[column.name][row]
                if column.name in rich_cells and row is not None
                else None
            )
            if fancy is not None and fancy.cell_len <= width:
                text.append_text(fancy)
                padded = fancy.plain
            elif row is None:
                text.append(padded, style="bold")
            else:
                text.append(padded, style=(style[row] or "") if style else "")
            if i < last:
                text.append(" " * (width - len(padded) + GAP))
        return text

    def head(row: int | None) -> Text:
        if not lead:
            return Text()
        if row is None or prefix is None:
            return Text(" " * (lead + 1))
        mark = prefix[row].copy()
        mark.append(" " * (lead - mark.cell_len + 1))
        return mark

    def joined(mark: Text, rest: Text) -> Text:
        whole = mark + rest
        whole.rstrip()
        return whole

    below = layout.below
    if headers:
        yield joined(head(None), line(layout, [c.name for c in layout.columns], None, 0))
        if below is not None:
            names = [c.name for c in below.columns]
            yield joined(head(None), line(below, names, None, STACK_INDENT))
    for row in range(rows):
        yield joined(head(row), line(layout, cells(layout, row), row, 0))
        if below is not None:
            yield joined(head(None), line(below, cells(below, row), row, STACK_INDENT))


def _progress_text(job: ExportJob) -> str | None:
    p = job.progress
    if p is None or p.fraction is None or job.state.terminal:
        return None
    return f"{p.completed_pieces}/{p.total_pieces} pieces ({p.fraction:.0%})"


def job_panel(
    job: ExportJob, reference: datetime | None = None, eta: Callable[[ExportJob], str] | None = None
) -> JobPanel:
    """Every field of one job that has a value; ``eta`` gives its estimate's line."""
    reference = reference or now()
    rows: list[tuple[str, RenderableType]] = [
        ("service", job.service),
        ("ref", job.ref),
        ("id", job.id),
        ("arn", job.arn or ""),
        ("account", job.account or ""),
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
    if eta is not None:
        rows.append(("eta", eta(job)))
    # The console shows a pre-signed URL without its signature, as every URL it prints.
    rows.append(("destination", job.destination or ""))
    rows.append(("message", job.message or ""))
    if job.progress:
        for key, value in job.progress.to_dict().items():
            if value not in (None, [], ()):
                rows.append((key.replace("_", " "), _plain(value)))
    for key, value in job.details.items():
        if value not in (None, "", [], {}):
            rows.append((key.replace("_", " "), _plain(value)))
    title = Text.assemble((job.service, "bold"), " ", for_people(job.name or job.id))
    return JobPanel([(label, value) for label, value in rows if value != ""], title)


class JobPanel:
    """One job's fields in a box. A value that is one word too wide for the box (a
    reference, an ARN, an S3 URL) goes whole on a line of its own below it: folded
    inside the box, it could not be copied."""

    # The box's borders and padding, and the gap between a label and its value.
    FRAME = 4
    GAP = 2

    def __init__(self, rows: list[tuple[str, RenderableType]], title: Text) -> None:
        self.rows = rows
        self.title = title

    def split(self, width: int) -> tuple[Panel, list[Text]]:
        """The box for a console ``width`` wide, and the lines to print below it
        unwrapped (``soft_wrap``: a terminal folds them, and copies them whole)."""
        label_width = max((len(label) for label, _ in self.rows), default=0)
        room = width - self.FRAME - label_width - self.GAP
        grid = Table.grid(padding=(0, self.GAP))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column(overflow="fold")
        below: list[Text] = []
        for label, value in self.rows:
            if isinstance(value, str) and " " not in value and len(for_people(value)) > room:
                line = Text.assemble((label.ljust(label_width), "bold"), " " * self.GAP)
                line.append(for_people(value))
                below.append(line)
            else:
                grid.add_row(label, value)
        return Panel(grid, title=self.title, title_align="left", expand=False), below


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        where = _s3_location(value)
        if where is not None:
            return where
        return ", ".join(f"{k}={_plain(v)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return "; ".join(_plain(v) for v in value)
    if isinstance(value, datetime):
        return local(value)
    return str(value)


def _s3_location(value: Mapping[str, Any]) -> str | None:
    """An S3 location given as a bucket and a prefix (as AWS APIs describe one, maybe
    wrapped in one member naming its kind), as the s3:// URL it is; None otherwise."""
    if len(value) == 1:
        (inner,) = value.values()
        if isinstance(inner, Mapping):
            value = inner
    bucket = [v for k, v in value.items() if str(k).endswith("bucket")]
    prefix = [v for k, v in value.items() if str(k).endswith(("prefix", "key"))]
    if len(value) != 2 or len(bucket) != 1 or len(prefix) != 1:
        return None
    if not isinstance(bucket[0], str) or not isinstance(prefix[0], str) or not bucket[0]:
        return None
    return f"s3://{bucket[0]}/{prefix[0]}"


def print_panels(
    console: Console, jobs: Sequence[ExportJob], eta: Callable[[ExportJob], str] | None = None
) -> None:
    """Each job's panel, fitted to the console; its unbreakable values below it, whole."""
    reference = now()
    for job in jobs:
        box, below = job_panel(job, reference, eta).split(console.width)
        console.print(box)
        for line in below:
            console.print(line, soft_wrap=True)


def record_table(
    records: Sequence[dict[str, Any]], fields: Sequence[str], *, headers: bool = True
) -> RenderableType:
    """A plain table of chosen fields (``--fields``), dotted paths allowed; nothing cut."""
    columns = []
    for name in fields:
        values = [field_value(record, name) for record in records]
        cells_ = [" ".join(("" if v is None else _plain(v)).split()) for v in values]
        columns.append(Column(name.upper(), cells_))
    layout = choose(columns, None)
    return Lines(list(styled_lines(layout, len(records), headers=headers)))
