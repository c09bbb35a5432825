"""`exportctl download`: a completed export job's files, on this disk."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from exportctl.cli.complete import complete_ref
from exportctl.cli.context import AppContext, pass_app
from exportctl.cli.examples import epilog
from exportctl.cli.numbers import IntRange
from exportctl.cli.options import Folder, service_option
from exportctl.cli.output import check_headers, json_on_failure, output_options
from exportctl.cli.servicehelp import DescribedCommand
from exportctl.domain.printable import inline
from exportctl.output.formats import emit
from exportctl.output.outputspec import OutputSpec, Records

if TYPE_CHECKING:
    from exportctl.ops.download.records import Summary

SUMMARY_FIELDS = (
    "source",
    "destination",
    "files",
    "bytes",
    "skipped",
    "skipped_bytes",
    "dry_run",
    "paths",
)


def _where() -> str:
    """Where each service's output is, as its spec declares it (``Output``): one line,
    which the help wraps as the paragraph it is."""
    from exportctl.cli.servicehelp import in_prose_order

    declared = [(spec.short_title, spec.output) for spec in in_prose_order() if spec.output]
    s3 = [name for name, output in declared if output.kind == "s3"]
    by_key = [name for name, output in declared if output.kind == "s3" and output.keys_name_job]
    folders = [name for name, output in declared if output.kind == "s3" and output.folder]
    # The services whose URL holds alike, in one sentence.
    urls: dict[str, list[str]] = {}
    for name, output in declared:
        if output.kind == "url":
            urls.setdefault(output.holds, []).append(name)
    listed = [name for name, output in declared if output.kind == "manifest"]
    said = []
    if s3:
        named = []
        if by_key:
            named.append(f"{', '.join(by_key)}: the objects whose key names the export job")
        if folders:
            named.append(f"{', '.join(folders)}: the folder, also given without its last '/'")
        said.append(
            f"{', '.join(s3)}: every object of the job under its S3 destination"
            f"{' (' + '; '.join(named) + ')' if named else ''}."
        )
    for holds, names in urls.items():
        said.append(f"{', '.join(names)}: {holds} at the job's pre-signed download URL.")
    if listed:
        said.append(
            f"{', '.join(listed)}: the files the job's manifest lists, each checked against "
            "the MD5 listed for it, and the manifests."
        )
    return " ".join(said)


def _help_text() -> str:
    return f"""Fetch what a COMPLETED export job exported into DEST.

    {_where()}

    DEST defaults to ./SERVICE-ID (./SERVICE where the files' own names name the
    job). Files already there with the same size (and
    MD5, for single-part objects) are skipped, so an interrupted download resumes;
    files are renamed into place only when complete.

    Exit codes: 1 the job is not COMPLETED; 2 a key would land outside DEST, or a
    different file is in the way (--force replaces it); 3 no job, no bucket or no
    objects; 4 access denied (or the URL expired); 5 other AWS or network error;
    73 a file cannot be written (DEST a file, a full disk, names that collide, a key
    ending in '/' that holds bytes).
    """


@click.command(
    cls=DescribedCommand,
    describe=_help_text,
    epilog=epilog(
        "exportctl --sandbox download --dry-run $(exportctl \\\n"
        "    --sandbox list --status completed --limit 1 \\\n"
        "    -o text --fields ref)",
        "exportctl download --force $(exportctl list \\\n"
        "    --status completed --limit 1 -o text --fields ref) \\\n"
        "    exports",
    ),
)
@click.argument("ref", metavar="REF", shell_complete=complete_ref)
@click.argument("dest", metavar="[DEST]", required=False, type=Folder())
@service_option(multiple=False, help="Service of a bare id (ARNs and prefixed refs need none).")
@click.option("--force", is_flag=True, help="Replace local files that differ from the export.")
@click.option("--dry-run", is_flag=True, help="List what would be fetched; fetch nothing.")
@click.option(
    "--concurrency",
    type=IntRange(1, 32),
    metavar="N",
    default=8,
    show_default=True,
    help="Objects fetched at once.",
)
@click.option(
    "--s3-endpoint-url",
    metavar="URL",
    help="Send S3 calls to this URL (AWS_ENDPOINT_URL_S3 works too); beats --endpoint-url.",
)
@output_options(SUMMARY_FIELDS)
@pass_app
def download(
    app: AppContext,
    ref: str,
    dest: Path | None,
    service: str | None,
    force: bool,
    dry_run: bool,
    concurrency: int,
    s3_endpoint_url: str | None,
    out: OutputSpec,
) -> None:
    """Fetch a completed job's output: its help is _help_text's."""
    from exportctl.ops.download.records import NullReporter
    from exportctl.output.downloadprogress import progress_reporter

    out.check_fields(SUMMARY_FIELDS)
    check_headers(out)
    if s3_endpoint_url:
        app.settings = dataclasses.replace(app.settings, s3_endpoint_url=s3_endpoint_url)
    reporter = progress_reporter(app.err) if not dry_run else NullReporter()
    try:
        with json_on_failure(out):
            summary = app.client.download(
                ref,
                dest,
                service=service,
                force=force,
                dry_run=dry_run,
                concurrency=concurrency,
                progress=reporter,
            )
    finally:
        close = getattr(reporter, "close", None)
        if close:
            close()

    def table(items: Sequence[Summary], fields: tuple[str, ...]) -> None:
        from exportctl.output import recordtable

        if fields or out.wide:
            # -o wide: the summary's every column (its paths are -o json's, a list).
            shown = fields or tuple(f for f in SUMMARY_FIELDS if f != "paths")
            app.out.print(
                recordtable.record_table([s.to_dict() for s in items], shown, headers=out.headers),
                soft_wrap=True,
            )
            return
        for s in items:
            _describe(app, s)

    emit(
        out,
        Records(
            [summary],
            to_dict=lambda s: s.to_dict(),
            table=table,
            # dry_run too: a dry run's csv is not to be read as a download made.
            default_fields=("source", "destination", "files", "bytes", "skipped", "dry_run"),
            single=True,
            known_fields=SUMMARY_FIELDS,
        ),
    )
    app.debug_calls()


def _describe(app: AppContext, s: Summary) -> None:
    from rich.filesize import decimal

    if s.dry_run:
        for path in s.paths:
            app.out.print(f"would fetch {inline(path)}", markup=False, soft_wrap=True)
        verb = "Would fetch"
    else:
        verb = "Fetched"
    skipped = f"; {s.skipped} already present" if s.skipped else ""
    size = "size unknown" if s.bytes is None else decimal(s.bytes)
    app.out.print(
        f"{verb} {s.files} file{'' if s.files == 1 else 's'} ({size}) "
        f"from {inline(s.source)} to {inline(str(s.destination))}{skipped}",
        markup=False,
        soft_wrap=True,
    )
