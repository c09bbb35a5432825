"""The table of jobs `list` prints (and `-o wide` of `status`, `wait` and `start`): its
columns at a width, and printing it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from rich.console import Console, RenderableType

from exportctl.domain.model import ExportJob, State
from exportctl.domain.printable import one_line
from exportctl.domain.timeutil import now, relative
from exportctl.output.columns import Column, Layout, Step, choose
from exportctl.output.console import on_terminal
from exportctl.output.plainlines import write_lines
from exportctl.output.statestyles import STATE_STYLES
from exportctl.output.styledlines import Lines, styled_lines
from exportctl.services.refs import compact_ref, short_ref

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

# Rows beyond which a table is written by write_lines even on a terminal: rich
# builds, measures and renders every cell, seconds for ten thousand rows.
PLAIN_ROWS = 500


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
        Column("STATUS", [one_line(job.status) or "-" for job in jobs]),
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
        return f"{job.state.value} ({one_line(job.status)})"
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


def _progress_text(job: ExportJob) -> str | None:
    p = job.progress
    if p is None or p.fraction is None or job.state.terminal:
        return None
    return f"{p.completed_pieces}/{p.total_pieces} pieces ({p.fraction:.0%})"


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
    if on_terminal(console) and len(jobs) <= PLAIN_ROWS:
        table = jobs_table(
            jobs, default_region, width=width, wide=wide, headers=headers, accounts=accounts
        )
        console.print(table, soft_wrap=True)
        return
    layout = job_layout(jobs, default_region, width, wide=wide, accounts=accounts)
    styles = {"STATE": [STATE_STYLES[job.state] for job in jobs]}
    write_lines(console, layout, len(jobs), styles, headers=headers)
