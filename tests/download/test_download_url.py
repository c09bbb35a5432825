"""Fetching a pre-signed URL (Discovery) from a local http.server: success, 403, drops."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from download_support import TEMP_GLOB, files_under

from exportctl.aws.clients import AwsSettings, Clients
from exportctl.domain.errors import ExitCode, ExportctlError
from exportctl.domain.model import ExportJob, State
from exportctl.ops.download.job import fetch_job
from exportctl.ops.download.records import NullReporter, Summary
from exportctl.ops.download.url import fetch_url
from exportctl.services.locations import UrlLocation, output_of, redact

BODY = bytes(range(256)) * 4096  # 1 MiB: several chunks
SECRET = "X-Amz-Signature=deadbeefcafe"


class _Handler(BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        # A client that has what it needs from the headers hangs up mid-body.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._answer()

    def _answer(self) -> None:
        self.hits.append(self.path)
        if self.path.startswith("/export.zip"):
            self.send_response(200)
            self.send_header("Content-Length", str(len(BODY)))
            self.end_headers()
            self.wfile.write(BODY)
        elif self.path.startswith("/expired.zip"):
            self.send_response(403)
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path.startswith("/missing.zip"):
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path.startswith("/drop.zip"):
            # Promise the whole body, send a part, hang up.
            self.send_response(200)
            self.send_header("Content-Length", str(len(BODY)))
            self.end_headers()
            self.wfile.write(BODY[: len(BODY) // 3])
            self.wfile.flush()
            self.close_connection = True

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def url(server: str, name: str) -> UrlLocation:
    return UrlLocation(f"{server}/{name}?X-Amz-Expires=3600&{SECRET}")


def get(server: str, name: str, dest: Path, **kwargs: bool) -> Summary:
    return fetch_url(url(server, name), dest, "export.zip", NullReporter(), **kwargs)


def test_the_file_is_fetched_and_a_second_run_skips_it(server: str, tmp_path: Path) -> None:
    summary = get(server, "export.zip", tmp_path)
    assert (summary.files, summary.bytes, summary.skipped) == (1, len(BODY), 0)
    assert (tmp_path / "export.zip").read_bytes() == BODY
    # The summary's source is the URL (json, csv and text keep it whole, as they keep a
    # job's destination); what people read is shown without its query string.
    assert summary.source == url(server, "export.zip").url

    again = get(server, "export.zip", tmp_path)
    assert (again.files, again.skipped) == (0, 1)


def test_a_different_file_in_the_way_needs_force(server: str, tmp_path: Path) -> None:
    (tmp_path / "export.zip").write_bytes(b"mine")
    with pytest.raises(ExportctlError) as caught:
        get(server, "export.zip", tmp_path)
    assert caught.value.exit_code == ExitCode.USAGE
    assert (tmp_path / "export.zip").read_bytes() == b"mine"
    get(server, "export.zip", tmp_path, force=True)
    assert (tmp_path / "export.zip").read_bytes() == BODY


@pytest.mark.parametrize(
    ("name", "code"), [("expired.zip", ExitCode.CREDENTIALS), ("missing.zip", ExitCode.NOT_FOUND)]
)
def test_refusals_have_their_exit_code_and_hide_the_signature(
    server: str, tmp_path: Path, name: str, code: ExitCode
) -> None:
    with pytest.raises(ExportctlError) as caught:
        get(server, name, tmp_path)
    assert caught.value.exit_code == code
    assert f"{server}/{name}?…" in caught.value.message
    assert SECRET not in caught.value.message
    # Not even a --debug traceback shows the signed URL urllib saw.
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert files_under(tmp_path) == {}


def test_a_dropped_connection_leaves_no_partial_file(server: str, tmp_path: Path) -> None:
    with pytest.raises(ExportctlError) as caught:
        get(server, "drop.zip", tmp_path)
    assert caught.value.exit_code == ExitCode.AWS
    assert SECRET not in caught.value.message
    assert not (tmp_path / "export.zip").exists()
    assert list(tmp_path.rglob(TEMP_GLOB)) == []


def test_dry_run_does_not_touch_the_url(server: str, tmp_path: Path) -> None:
    _Handler.hits.clear()
    summary = get(server, "export.zip", tmp_path, dry_run=True)
    assert (summary.files, summary.dry_run, summary.paths) == (1, True, ["export.zip"])
    # Its size is told by the answer alone: unknown, not 0.
    assert summary.bytes is None
    assert _Handler.hits == []


def test_dry_run_skips_what_the_run_would_skip(server: str, tmp_path: Path) -> None:
    get(server, "export.zip", tmp_path)
    _Handler.hits.clear()
    summary = get(server, "export.zip", tmp_path, dry_run=True)
    assert (summary.files, summary.bytes, summary.paths) == (0, 0, [])
    assert (summary.skipped, summary.skipped_bytes) == (1, len(BODY))
    # The run's own rule, the file's size against the answer's: its one GET.
    assert len(_Handler.hits) == 1
    # --force fetches whatever is there: nothing to ask.
    _Handler.hits.clear()
    forced = get(server, "export.zip", tmp_path, dry_run=True, force=True)
    assert (forced.files, forced.bytes, forced.skipped) == (1, None, 0)
    assert _Handler.hits == []
    # A file that differs is the run's conflict, told by the dry run too.
    (tmp_path / "export.zip").write_bytes(b"mine")
    with pytest.raises(ExportctlError) as caught:
        get(server, "export.zip", tmp_path, dry_run=True)
    assert caught.value.exit_code == ExitCode.USAGE
    assert (tmp_path / "export.zip").read_bytes() == b"mine"


def test_redact_keeps_where_and_drops_the_query() -> None:
    assert redact("https://b.s3.amazonaws.com/x/y.zip?X-Amz-Signature=s") == (
        "https://b.s3.amazonaws.com/x/y.zip?…"
    )
    assert redact("s3://bucket/prefix/") == "s3://bucket/prefix/"


def test_a_discovery_job_names_its_file_after_the_url(server: str, tmp_path: Path) -> None:
    job = ExportJob(
        service="discovery",
        ref="discovery:us-east-1:export-1",
        id="export-1",
        region="us-east-1",
        state=State.COMPLETED,
        status="SUCCEEDED",
        destination=url(server, "export.zip").url,
    )
    assert isinstance(output_of(job), UrlLocation)
    # A URL is fetched by urllib: the clients only say whether to go past a proxy.
    summary = fetch_job(Clients(AwsSettings()), job, tmp_path, NullReporter())
    assert summary.paths == ["export.zip"]
    assert (tmp_path / "export.zip").read_bytes() == BODY
