"""A service the project has never heard of, registered as a spec module alone, is a
service like the others: its scope option in `list --help`, its name on Tab after
--service, its references read by `status`, its jobs in `list`.

The toy speaks an existing API (one botocore knows how to call): a small HTTP server
of the test's own answers it with the toy's jobs, in the toy's own status words.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import re
import threading
import types
from collections.abc import Iterator
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import readme_places
import readme_prose
import readme_tables
from click.shell_completion import BashComplete
from click.testing import CliRunner, Result

from exportctl import services
from exportctl.cli.root import cli
from exportctl.domain.model import State
from exportctl.services.spec import (
    ActiveLimit,
    Cancel,
    Create,
    Fields,
    Get,
    Output,
    Page,
    Scope,
    ServiceSpec,
    StartOption,
    StatusFilter,
    bucket_name,
    s3_uri,
)

ROOT = Path(__file__).parents[2]

WHEN = datetime(2026, 11, 1, 8, 30, tzinfo=timezone.utc).timestamp()
# The toy's jobs as its API lists them, newest first, in its own status words.
JOBS = [
    {"exportId": "loaf-2", "exportStatus": "BAKING", "exportRequestTime": WHEN + 60},
    {
        "exportId": "loaf-1",
        "exportStatus": "BURNT",
        "statusMessage": "left in too long",
        "exportRequestTime": WHEN,
    },
]


def toy_module() -> types.ModuleType:
    """The spec module of the toy service, as a module of the adapters package has it."""
    module = types.ModuleType("toy", "Toy Bakery loaves, exported.")
    module.SPEC = ServiceSpec(  # type: ignore[attr-defined]
        name="toy",
        title="Toy Bakery",
        client="discovery",
        aliases=("toy-bakery",),
        prefix="toy",
        statuses={"PROOFING": State.PENDING, "BAKING": State.RUNNING,
                  "BAKED": State.COMPLETED, "BURNT": State.FAILED},
        fields=Fields(id="exportId", status="exportStatus", created="exportRequestTime",
                      message="statusMessage"),
        get=Get(operation="DescribeExportTasks", item="exportsInfo.0",
                params=lambda key: {"exportIds": [key.id]}),
        list=Page(operation="DescribeExportTasks", items="exportsInfo",
                  input_token="nextToken", output_token="nextToken"),
        scopes=(
            Scope(name="loaf", param="exportIds", help="Toy Bakery: only this loaf (repeatable).",
                  metavar="ID", multiple=True,
                  complete=lambda word: [j["exportId"] for j in JOBS
                                         if j["exportId"].startswith(word)]),
        ),
    )  # fmt: skip
    return module


@pytest.fixture
def toy() -> Iterator[types.ModuleType]:
    with registered() as module:
        yield module


@contextlib.contextmanager
def registered(**change: Any) -> Iterator[types.ModuleType]:
    """The toy, its spec changed by ``change``, served for the block."""
    module = toy_module()
    module.SPEC = dataclasses.replace(module.SPEC, **change)  # type: ignore[attr-defined]
    services.register(module)
    try:
        yield module
    finally:
        services.unregister(module)


def rendered(name: str = "README.md") -> str:
    """What make readme writes in ``name`` (README.md or one of docs/) with the services
    served now, its spaces made one."""
    return " ".join(readme_tables.render((ROOT / name).read_text("utf-8")).split())


class Bakery:
    """The toy's API on 127.0.0.1 (any call is answered by DescribeExportTasks' rule:
    the jobs of ``exportIds``, else all), and the requests it was sent."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        requests = self.requests

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers["Content-Length"])
                request = json.loads(self.rfile.read(length) or b"{}")
                requests.append(request)
                wanted = request.get("exportIds")
                jobs = [j for j in JOBS if not wanted or j["exportId"] in wanted]
                body = json.dumps({"exportsInfo": jobs}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-amz-json-1.1")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def run(self, *args: str) -> Result:
        """exportctl ARGS against this API, in-process."""
        env = {"AWS_ACCESS_KEY_ID": "toy", "AWS_SECRET_ACCESS_KEY": "toy"}
        given = ["--endpoint-url", self.url, "--region", "us-east-1", *args]
        return CliRunner().invoke(cli, given, env=env)


@pytest.fixture
def bakery() -> Iterator[Bakery]:
    bakery = Bakery()
    thread = threading.Thread(target=bakery.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield bakery
    finally:
        bakery.server.shutdown()
        bakery.server.server_close()


def complete(*words: str) -> list[str]:
    shell = BashComplete(cli, {}, "exportctl", "_EXPORTCTL_COMPLETE")
    return [item.value for item in shell.get_completions(list(words[:-1]), words[-1])]


def help_of(*words: str) -> str:
    result = CliRunner().invoke(cli, [*words, "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    return " ".join(result.output.split())


def test_its_scope_option_is_in_the_help_of_list_and_watch(toy: types.ModuleType) -> None:
    for command in ("list", "watch"):
        shown = help_of(command)
        assert "--loaf ID Toy Bakery: only this loaf (repeatable)." in shown
        # Beside the other services' own, and its name among those --service takes.
        assert "--search-job ID|ARN" in shown
        assert "--dataset-arn ARN" in shown
        # After every name of the package's own services.
        ours = [
            n
            for spec in services.all_specs()
            if spec.name != "toy"
            for n in (spec.name, *spec.aliases)
        ]
        assert f"{ours[-1]}, toy, toy-bakery." in shown


def test_it_is_gone_once_unregistered() -> None:
    with registered():
        pass
    assert "--loaf" not in help_of("list")
    assert "toy" not in complete("list", "--service", "")


def test_tab_offers_it_and_its_scope_values(toy: types.ModuleType) -> None:
    assert {"toy", "toy-bakery"} <= set(complete("list", "--service", ""))
    assert complete("status", "-s", "to") == ["toy", "toy-bakery"]
    assert complete("list", "--lo") == ["--loaf"]
    assert complete("list", "--loaf", "loaf-") == ["loaf-2", "loaf-1"]


def test_status_reads_a_reference_of_it(toy: types.ModuleType, bakery: Bakery) -> None:
    result = bakery.run("status", "--json", "toy:us-east-1:loaf-1")
    assert result.exit_code == 0, result.output
    job = json.loads(result.stdout)
    assert (job["service"], job["id"], job["state"], job["status"]) == (
        "toy", "loaf-1", "FAILED", "BURNT"
    )  # fmt: skip
    assert job["message"] == "left in too long"
    # Looked up by the spec's own call, for that one job.
    assert bakery.requests == [{"exportIds": ["loaf-1"]}]
    # A bare id, with --service: its alias will do.
    result = bakery.run("status", "-s", "toy-bakery", "loaf-2", "-o", "text", "--fields", "state")
    assert (result.exit_code, result.stdout) == (0, "RUNNING\n")


def test_list_shows_its_jobs_within_its_scope(toy: types.ModuleType, bakery: Bakery) -> None:
    result = bakery.run("list", "-s", "toy", "-o", "csv", "--fields", "ref,state,status")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "ref,state,status",
        "toy:us-east-1:loaf-2,RUNNING,BAKING",
        "toy:us-east-1:loaf-1,FAILED,BURNT",
    ]
    result = bakery.run("list", "-s", "toy", "--loaf", "loaf-1", "-o", "text", "--fields", "ref")
    assert (result.exit_code, result.stdout) == (0, "toy:us-east-1:loaf-1\n")
    assert bakery.requests[-1] == {"exportIds": ["loaf-1"]}


def _bad_fields(**change: Any) -> dict[str, Any]:
    return {"fields": dataclasses.replace(toy_module().SPEC.fields, **change)}


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (
            _bad_fields(progress={"pieces_done": "donePieces"}),
            "Fields' progress key 'pieces_done' is not one of completed_pieces, total_pieces",
        ),
        (
            _bad_fields(required=("id", "owner")),
            "Fields' required field 'owner' is not one of id, status, arn",
        ),
        (
            _bad_fields(notes={"baker": "who baked it"}),
            "Fields' notes' field 'baker' is not one of id, status, arn",
        ),
        (
            {"create": Create("StartExportTask", (), id="exportId", idempotency="token")},
            "Create's idempotency 'token' needs its member",
        ),
        (
            {"create": Create("StartExportTask", (), id="exportId", idempotency="listing",
                              periods=(("start-time", "end-time"),))},
            "Create's periods 'start-time' is not one of its options",
        ),
    ],
)  # fmt: skip
def test_what_no_record_or_start_has_is_refused_when_the_spec_is_made(
    change: dict[str, Any], said: str
) -> None:
    # Made, loaded and registered, such a spec failed only on the first job that
    # carried the member (Progress's TypeError: exit 70), or at a listing or a start.
    with pytest.raises(ValueError, match=f"^toy: {re.escape(said)}"), registered(**change):
        pass


def test_download_help_says_what_its_output_url_holds() -> None:
    # Every URL was "the archive", whatever the spec's output was.
    with registered(output=Output(kind="url", holds="the loaf's recipe")):
        shown = help_of("download")
    assert "Discovery: the archive at the job's pre-signed download URL." in shown
    assert "Toy Bakery: the loaf's recipe at the job's pre-signed download URL." in shown


def test_the_readme_names_it_where_it_names_every_service() -> None:
    # make readme with the toy registered: its scope among the filters sent to the
    # services, its status filter among those --status is sent to, its details.
    flt = StatusFilter("state", frozenset({"BAKING", "BAKED", "BURNT"}))
    with registered(list=dataclasses.replace(toy_module().SPEC.list, status_filter=flt)):
        made = rendered()

    assert "`--table`, `--loaf`<!-- /generated -->) is sent to the service." in made
    assert "and Toy Bakery (`state`), which take one status a call" in made
    assert "not PENDING, which is Toy Bakery's `PROOFING`, a status its filter does not" in made
    details = "`configurations_download_url`, `is_truncated`, `requested_start_time`"
    assert f"; Toy Bakery {details}, `requested_end_time`<!-- /generated --> |" in made
    # The record's keys some services fill, and cancel: the toy has no ARN, no cancel.
    assert "`pinpoint`, `rds` or `toy`<!-- /generated --> |" in made
    assert "CloudWatch Logs, EC2, Toy Bakery<!-- /generated -->) |" in made
    assert "Discovery, DynamoDB and Toy Bakery<!-- /generated --> have no cancel call" in made
    # Its references, among the others': the sandbox seeds no job of it to show.
    assert "| Toy Bakery: `toy:[[ACCOUNT:]REGION:]ID` | — | | Backup Search without" in made


def test_the_readme_says_where_it_writes_and_what_its_listing_leaves_out() -> None:
    # A toy whose start takes its destination's URI whole and a bucket, over a period,
    # whose output is that folder, with keys that name the job, listed with less than
    # its get has: the sentences that named the eight services by hand name it too.
    spec = toy_module().SPEC
    options = (
        StartOption("to", "Where.", "exportUri", record="destination", check=s3_uri),
        StartOption("bucket", "Which.", "bucket", check=bucket_name),
        StartOption("since", "From.", "startTime", kind="time", metavar="TIME"),
        StartOption("until", "To.", "endTime", kind="time", metavar="TIME"),
    )
    with registered(
        create=Create("StartExportTask", options, id="exportId", idempotency="listing",
                      periods=(("since", "until"),)),
        fields=dataclasses.replace(spec.fields, destination="s3Uri"),
        output=Output(kind="s3", folder=True, keys_name_job=True),
        list=dataclasses.replace(spec.list, operation="DescribeContinuousExports",
                                 items="descriptions"),
    ):  # fmt: skip
        made = rendered()
    assert "Pinpoint, Personalize and Toy Bakery<!-- /generated -->, which take the URI" in made
    assert "Pinpoint's, Personalize's and Toy Bakery's<!-- /generated --> APIs say" in made
    assert "`ec2` for EC2 and `toy` for Toy Bakery<!-- /generated -->), and" in made
    assert "`ec2` for EC2 and `toy` for Toy Bakery<!-- /generated -->; an empty DEST" in made
    assert "a `--bucket` (<!-- generated: start-buckets -->rds, logs, toy<!--" in made
    assert "`--incremental-to` of dynamodb, `--since`/`--until` of toy<!--" in made
    # DescribeContinuousExports' jobs lack members of DescribeExportTasks' jobs.
    assert "; Toy Bakery's has no `exportStatus`, `statusMessage`" in made


def test_the_readme_and_docs_name_it_where_they_name_each_service_alike() -> None:
    # A toy that starts its jobs (found in the listing, from a time), can cancel them,
    # groups its estimates by oven and says what its message holds: make readme, with
    # it registered, names it beside each service alike, in README.md and docs/.
    spec = toy_module().SPEC
    start = StartOption("since", "From.", "startTime", kind="time", metavar="TIME")
    with registered(
        create=Create("StartExportTask", (start,), id="exportId", idempotency="listing",
                      reused="Toy Bakery loaf and oven"),
        cancel=Cancel("StopContinuousExport", lambda key: {"exportId": key.id}),
        fields=dataclasses.replace(spec.fields, notes={"message": "the baker's note"}),
        eta_group="details.oven_arn",
    ):  # fmt: skip
        made = {name: rendered(name) for name in ("README.md", *readme_tables.DOCS)}

    readme = made["README.md"]
    found = "EC2's exports of an instance and Toy Bakery by looking for the job in the listing"
    assert found in readme
    assert "EC2's exports of an image, EC2's exports of an instance, Toy Bakery)" in readme
    assert "of an instance and Toy Bakery<!-- /generated -->), whose creates" in readme
    assert "DynamoDB's, CloudWatch Logs' and Toy Bakery's<!-- /generated -->) take a date" in readme
    assert "formats, destination and description; Toy Bakery loaf and oven<!--" in readme
    assert "its step and percent while active; Toy Bakery: the baker's note<!--" in readme
    assert "CloudWatch Logs log group or Toy Bakery oven<!-- /generated -->)" in readme
    assert "`--role-name` of EC2's exports of an image; `--since` of Toy Bakery<!--" in readme
    docs = made["docs/ARCHITECTURE.md"]
    assert (
        "| Pinpoint, Discovery, CloudWatch Logs, EC2's exports of an instance and Toy Bakery |"
        in docs
    )
    assert "CloudWatch Logs, EC2, Toy Bakery<!-- /generated -->) needs its account" in docs
    assert "RDS, CloudWatch Logs, EC2 and Toy Bakery<!-- /generated -->)" in made["docs/API.md"]
    # The sandbox does not emulate it: docs/SANDBOX.md names the eight alone.
    assert "Toy Bakery" not in made["docs/SANDBOX.md"]
    assert "CloudWatch Logs and EC2<!-- /generated -->) on 127.0.0.1" in made["docs/SANDBOX.md"]
    assert "RDS, CloudWatch Logs and EC2<!-- /generated --> alike" in made["docs/SANDBOX.md"]


def test_a_rerun_that_cannot_queue_names_every_service_that_does_in_a_list(
    bakery: Bakery,
) -> None:
    # Three services that queue read "A and B and C".
    create = Create("StartExportTask", (), id="exportId", idempotency="listing")
    limit = ActiveLimit(count=1, statuses=("BAKING",), says="one loaf bakes at a time")
    limited = dataclasses.replace(create, active_limit=limit)
    oven = {"name": "oven", "title": "Toy Oven", "aliases": (), "prefix": "oven"}
    kiln = {"name": "kiln", "title": "Toy Kiln", "aliases": (), "prefix": "kiln"}
    with (
        registered(create=create),
        registered(create=limited, **oven),
        registered(create=limited, **kiln),
    ):
        done = bakery.run("rerun", "--queue", "toy:loaf-1")
    assert done.exit_code == 2, done.output
    said = " ".join(done.stderr.split())
    assert "only the jobs of Amazon CloudWatch Logs, Toy Oven and Toy Kiln queue" in said


def test_a_service_whose_jobs_name_no_output_is_not_said_to_leave_it_out_of_its_listing() -> None:
    # Its get names none either: there is nothing its listing could leave out.
    fields = toy_module().SPEC.fields
    assert fields.destination is None
    with registered():
        assert "Toy Bakery" not in readme_prose.listed_without_output()
    with registered(fields=dataclasses.replace(fields, destination="exportUri")):
        assert "Toy Bakery" in readme_prose.listed_without_output()


def test_a_create_that_puts_the_uri_in_a_list_takes_it_whole() -> None:
    to = StartOption("to", "Where.", lambda uri: {"targets": [{"uri": uri}]}, check=s3_uri)
    create = Create("StartExportTask", (to,), id="exportId", idempotency="listing")
    with registered(create=create):
        assert "Toy Bakery" in readme_places.whole_uris()
