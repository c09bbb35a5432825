"""Client: the commands as methods, against the sandbox, and the errors each raises."""

from __future__ import annotations

import gc
import logging
import re
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from background_reads import read_in_a_thread

import exportctl
from exportctl import (
    ApiError,
    BadInput,
    Client,
    ExportctlError,
    ExportJob,
    JobFailed,
    JobNotFound,
    RequestRefused,
    State,
    Unreachable,
    WaitTimeout,
)
from exportctl.domain.errors import NotFoundError, UsageError
from exportctl.domain.timeutil import now
from exportctl.ops.polling.timing import TIMING, interruptible_sleep
from exportctl.testing import SandboxHandle

TABLE = "arn:aws:dynamodb:us-east-1:123456789012:table/orders"


def test_import_loads_nothing_and_a_client_sends_nothing() -> None:
    code = (
        "import sys, exportctl\n"
        "print(sorted(m for m in sys.modules if m.startswith('exportctl')))\n"
        "exportctl.Client(region='eu-west-1')\n"
        "print(sorted({'boto3', 'botocore', 'rich', 'click'} & set(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    first, second = done.stdout.splitlines()
    assert first == "['exportctl', 'exportctl.domain', 'exportctl.domain.version']"
    assert second == "[]"


def test_a_job_by_reference_by_record_or_by_bare_id(exportctl_sandbox: SandboxHandle) -> None:
    client = Client()
    job = client.start("discovery")
    assert job.state is State.RUNNING and job.raw["exportId"] == job.id
    assert client.get(job) == client.get(job.ref) == client.get(job.id, service="ads")
    assert "raw" not in job.to_dict() and "raw=" not in repr(job)


def test_errors_are_typed_and_say_what_the_command_says(exportctl_sandbox: SandboxHandle) -> None:
    client = Client()
    with pytest.raises(JobNotFound) as missing:
        client.get("discovery:export-00000000-0000-4000-a000-000000000000")
    assert isinstance(missing.value, (Unreachable, NotFoundError, ExportctlError))
    assert missing.value.exit_code == 3 and missing.value.refs[0].startswith("discovery:")
    assert isinstance(missing.value.__cause__, NotFoundError)
    with pytest.raises(BadInput) as bad:
        client.get("nonsense")
    assert isinstance(bad.value, UsageError) and bad.value.exit_code == 2
    with pytest.raises(BadInput, match="unknown region 'mars-1'"):
        Client(region="mars-1").get("discovery:export-x")
    with pytest.raises(BadInput, match="go together"):
        Client(access_key_id="AKIA")
    with pytest.raises(BadInput, match="not a URL"):
        Client(endpoint_url="localhost:4566")


def test_listing_filters_as_the_command_does(exportctl_sandbox: SandboxHandle) -> None:
    client = Client()
    newest = list(client.list(limit=5))
    assert len(newest) == 5
    assert [j.created for j in newest] == sorted((j.created for j in newest), reverse=True)
    failed = list(client.list(states=["failed", State.CANCELLED]))
    assert failed and {j.state for j in failed} <= {State.FAILED, State.CANCELLED}
    assert {j.service for j in client.list("ads")} == {"discovery"}
    streamed = {j.ref for j in client.list("personalize", stream=True)}
    assert streamed == {j.ref for j in client.list("personalize")}
    recent = list(client.list(since=timedelta(hours=1)))
    # Jobs whose service says no creation time (EC2's) are kept, as the command keeps them.
    created = [j.created for j in recent if j.created is not None]
    assert created and min(created) >= now() - timedelta(hours=1, seconds=5)
    assert len(created) < len(list(client.list(since="30d")))
    elsewhere = list(client.list(["dynamodb", "personalize"], regions="eu-west-1"))
    assert elsewhere and {j.region for j in elsewhere} == {"eu-west-1"}
    with pytest.raises(BadInput, match="no filter colour"):
        client.list(colour="red")
    with pytest.raises(BadInput, match="is no state"):
        client.list(states="done")
    # Commas separate states as the command's --status a,b; commas alone are no state.
    assert {j.ref for j in client.list(states="failed, cancelled")} == {j.ref for j in failed}
    for empty in ("", ",", ["failed", ","]):
        with pytest.raises(BadInput, match="is no state"):
            client.list(states=empty)
    # And services as its -s a,b: one named again, or by an alias, is read once.
    two = {j.ref for j in client.list(["personalize", "logs"])}
    assert {j.ref for j in client.list("personalize, logs,cwl")} == two
    assert len(two) == len(list(client.list(["logs,personalize", "cwl"], stream=True)))
    for nothing in (",", ["logs", " , "]):
        with pytest.raises(BadInput, match="unknown service"):
            client.list(nothing)


def test_the_regions_a_client_reads_in_and_writes_references_without(
    exportctl_sandbox: SandboxHandle, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert Client().default_region() == exportctl_sandbox.region == "us-east-1"
    assert Client(region="eu-west-1,us-west-2").default_region() == "eu-west-1"
    assert Client().home_region() is None
    config = tmp_path / "config"
    config.write_text("[default]\nregion = eu-west-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    # A reference without its region is read in the profile's whatever AWS_REGION says.
    assert (Client().default_region(), Client().home_region()) == ("us-east-1", "eu-west-1")
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION"):
        monkeypatch.delenv(name, raising=False)
    assert Client().default_region() == "eu-west-1"
    config.write_text("")
    with pytest.raises(BadInput, match=r"^no AWS region: pass region, set AWS_REGION"):
        Client().default_region()
    # A region setting that cannot be used is said when asked, before any call.
    monkeypatch.setenv("AWS_REGION", "us-eest-1")
    with pytest.raises(BadInput, match="'us-eest-1'") as bad:
        Client().default_region()
    assert bad.value.exit_code == 2


def test_estimates_are_made_and_learnt_as_the_commands_make_them(
    exportctl_sandbox: SandboxHandle, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from exportctl.ops.estimates import Estimate

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    client = Client()
    estimator = client.estimator()
    jobs = list(client.list("dynamodb"))
    running = next(job for job in jobs if job.state is State.RUNNING)
    # Nothing learnt yet: no estimate, and no basis.
    assert estimator.of(running) == Estimate()
    estimator.learn(jobs)
    estimate = estimator.of(running)
    assert estimate.eta is not None and running.created is not None
    assert estimate.eta > running.created
    # The jobs the session's other tests started and saw complete count too.
    assert re.fullmatch(
        r"median of \d+ recent completed dynamodb jobs \(\w+\)", estimate.basis or ""
    )
    record = estimator.record(running)
    assert record == {**running.to_dict(), "eta": record["eta"], "eta_basis": estimate.basis}
    # Kept on this machine: the next estimator (and the commands') read it.
    assert estimator.save()
    assert (tmp_path / "exportctl" / "durations.json").is_file()
    assert client.estimator().of(running) == estimate


def test_a_listing_says_its_failures_after_its_jobs(
    exportctl_sandbox: SandboxHandle, caplog: pytest.LogCaptureFixture
) -> None:
    client = Client()
    faults = exportctl_sandbox.sandbox.faults
    faults.deny = {"personalize"}
    try:
        with pytest.raises(ExportctlError) as denied:
            list(client.list("personalize"))
        assert isinstance(denied.value, (Unreachable, RequestRefused))
        assert denied.value.exit_code == 4
        # Not asked for by name: a notice, and the other services' jobs.
        with caplog.at_level(logging.WARNING, logger="exportctl"):
            listing = client.list()
            jobs = list(listing)
        assert jobs and "personalize" not in {j.service for j in jobs}
        assert [n.service for n in listing.notices] == ["personalize"]
        assert "Amazon Personalize" in caplog.text
    finally:
        faults.deny = set()


def test_a_listing_not_strict_keeps_the_apis_errors(
    exportctl_sandbox: SandboxHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    faults = exportctl_sandbox.sandbox.faults
    monkeypatch.setattr(faults, "garble", {"dynamodb": "html"})
    monkeypatch.setattr(faults, "deny", {"pinpoint"})
    client = Client()
    with pytest.raises(Unreachable) as raised:
        list(client.list())
    told: list[ExportctlError] = []
    listing = client.list(strict=False, on_notice=told.append)
    assert list(listing)
    # The same failure as strict raises, of the same class, whichever way it is met.
    (failure,) = listing.failures
    assert type(failure) is type(raised.value) is Unreachable
    assert failure.message == raised.value.message and failure.service == "dynamodb"
    assert failure.refs == () and failure.exit_code == raised.value.exit_code
    assert isinstance(failure.__cause__, ExportctlError)
    (notice,) = listing.notices
    assert isinstance(notice, Unreachable) and notice.service == "pinpoint"
    assert notice.exit_code == 4 and told == [notice]


def test_wait_returns_the_jobs_in_the_order_given(exportctl_sandbox: SandboxHandle) -> None:
    client = Client()
    first, second = client.start("discovery"), client.start("discovery")
    done = client.wait([second.ref, first, second.id], service="discovery", interval=1)
    assert [j.id for j in done] == [second.id, first.id, second.id]
    assert {j.state for j in done} == {State.COMPLETED}


def test_a_failed_job_is_raised_with_every_job_as_last_read(
    exportctl_sandbox: SandboxHandle,
) -> None:
    client = Client()
    ok = client.start("discovery")
    bad = client.start("dynamodb", table=TABLE, to="s3://exports-denied/x/")
    with pytest.raises(JobFailed) as failed:
        client.wait([ok, bad])
    assert [j.ref for j in failed.value.jobs] == [bad.ref] == list(failed.value.refs)
    assert failed.value.jobs[0].message and failed.value.exit_code == 1
    states = [j.state for j in failed.value.results if j is not None]
    assert states == [State.COMPLETED, State.FAILED]
    assert "ended FAILED, not COMPLETED" in failed.value.message


def test_a_timeout_carries_the_jobs_still_pending(exportctl_sandbox: SandboxHandle) -> None:
    client = Client()
    slow = client.start("dynamodb", table=TABLE, to="s3://exports/slow/")
    started = exportctl_sandbox.elapsed
    with pytest.raises(WaitTimeout) as timed_out:
        client.wait(slow, timeout=timedelta(seconds=30), interval=5)
    assert exportctl_sandbox.elapsed - started == pytest.approx(30)
    assert timed_out.value.exit_code == 124
    assert [j.state for j in timed_out.value.jobs] == [State.RUNNING]


def test_a_throttled_create_backs_off_on_the_sandbox_clock_and_says_it_retries(
    exportctl_sandbox: SandboxHandle, caplog: pytest.LogCaptureFixture
) -> None:
    sandbox = exportctl_sandbox.sandbox
    sandbox.faults.fates = {"discovery:StartExportTask": ["throttle"] * 3}
    before = sandbox.calls[("discovery", "StartExportTask")]
    started = exportctl_sandbox.elapsed
    with caplog.at_level(logging.INFO, logger="exportctl"):
        job = Client().start("discovery")
    assert job.state is State.RUNNING
    # No AWS_MAX_ATTEMPTS under the fixture: the create's own retries, 10 at most.
    assert sandbox.calls[("discovery", "StartExportTask")] - before == 4
    # Its backoffs moved the sandbox's clock (no real sleep), and were said once.
    assert exportctl_sandbox.elapsed > started
    said = [r.getMessage() for r in caplog.records if "retrying after" in r.getMessage()]
    assert said == [
        "retrying after: AWS Application Discovery: StartExportTask: "
        "ThrottlingException (HTTP 400): Rate exceeded"
    ]


def test_a_read_throttled_to_the_end_says_the_time_its_backoffs_took_on_the_sandbox_clock(
    exportctl_sandbox: SandboxHandle,
) -> None:
    job = exportctl_sandbox.add_job("discovery")
    exportctl_sandbox.sandbox.faults.fates = {"discovery:DescribeExportTasks": ["throttle"] * 40}
    started = exportctl_sandbox.elapsed
    with pytest.raises(ApiError) as throttled:
        Client().get(job.ref)
    # botocore's backoffs moved the sandbox's clock, not time: the message says theirs.
    took = exportctl_sandbox.elapsed - started
    assert took > 0
    said = rf"DescribeExportTasks failed \d+ times over {took:.1f} s,"
    assert re.search(said, str(throttled.value)), throttled.value


def test_a_job_that_disappears_is_not_found(
    exportctl_sandbox: SandboxHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = Client()
    job = client.start("discovery")
    sleep = TIMING.sleep

    def gone_after_the_first_round(seconds: float) -> None:
        exportctl_sandbox.delete_job(job)
        sleep(seconds)

    monkeypatch.setattr(TIMING, "sleep", gone_after_the_first_round)
    with pytest.raises(JobNotFound, match="disappeared while waiting") as gone:
        client.wait(job)
    assert [j.ref for j in gone.value.jobs] == [job.ref]
    with pytest.raises(JobNotFound) as never:
        client.wait("discovery:export-00000000-0000-4000-a000-000000000000")
    assert never.value.jobs == () and never.value.results == (None,)


def test_what_a_wait_is_given_is_checked_before_anything_is_sent(
    exportctl_sandbox: SandboxHandle,
) -> None:
    client = Client()
    job = client.start("discovery")
    calls = exportctl_sandbox.sandbox.calls.total()
    for wrong in (
        {"interval": 0},
        {"until": "SOMEDAY"},
        {"timeout": -1},
        {"max_interval": "1m"},
        {"interval": float("nan")},
        {"timeout": float("nan")},
        {"timeout": float("inf")},
    ):
        with pytest.raises(BadInput):
            client.wait(job, **wrong)  # type: ignore[arg-type]
    with pytest.raises(BadInput, match="no job to wait for"):
        client.wait([])
    assert exportctl_sandbox.sandbox.calls.total() == calls


def test_a_period_that_does_not_end_after_it_begins_names_the_keywords(
    exportctl_sandbox: SandboxHandle,
) -> None:
    client = Client()
    calls = exportctl_sandbox.sandbox.calls.total()
    given = {"log_group": "/app/web", "bucket": "log-archive"}
    with pytest.raises(BadInput, match=r"Logs: start_time must be before end_time$"):
        client.start("logs", **given, start_time="1h", end_time="2h")
    later = now() + timedelta(hours=1)
    with pytest.raises(BadInput, match=r"start_time must be before now \(end_time's default\)$"):
        client.plan_start("logs", **given, start_time=later)
    with pytest.raises(BadInput, match=r"incremental_from must be before incremental_to$"):
        client.plan_start(
            "dynamodb", table=TABLE, to="s3://exports/t/", incremental_from="1h",
            incremental_to="2h",
        )  # fmt: skip
    assert exportctl_sandbox.sandbox.calls.total() == calls


def test_start_takes_the_commands_options(exportctl_sandbox: SandboxHandle) -> None:
    client = Client()
    with pytest.raises(BadInput, match="no option tabel; start dynamodb takes table, to"):
        client.start("dynamodb", tabel=TABLE)
    with pytest.raises(BadInput, match=r"DynamoDB: to is required$"):
        client.start("dynamodb", table=TABLE)
    with pytest.raises(BadInput, match="unknown service"):
        client.start("s3")
    job = client.start("dynamodb", table=TABLE, to="s3://exports/t/", format="ion")
    assert job.raw["ExportFormat"] == "ION"
    with pytest.raises(BadInput, match="rerun a job once it has finished") as early:
        client.rerun(job)
    assert early.value.jobs == (job,) or early.value.jobs[0].ref == job.ref


def test_a_rerun_starts_a_new_job_like_the_old(exportctl_sandbox: SandboxHandle) -> None:
    client = Client()
    old = client.start("dynamodb", table=TABLE, to="s3://exports-denied/r/")
    client.wait(old, until="terminal")
    new = client.rerun(old.ref)
    assert new.ref != old.ref and new.destination == old.destination


def test_cancel_where_the_service_can(exportctl_sandbox: SandboxHandle) -> None:
    client = Client()
    task = client.start("logs", log_group="/app/api", start_time="2h", bucket="b", queue=True)
    assert client.cancel(task).status == "PENDING_CANCEL"
    client.wait(task, until="cancelled")
    # Where a cancel takes it already: the job, as a cancel under way is, no error.
    assert client.cancel(task).state is State.CANCELLED
    with pytest.raises(BadInput, match="has no cancel call"):
        client.cancel(client.start("discovery"))


def test_a_cancel_sent_whose_job_cannot_be_read_after_names_the_job_as_read_before(
    exportctl_sandbox: SandboxHandle,
) -> None:
    client = Client()
    task = client.start("logs", log_group="/app/api", start_time="2h", bucket="b", queue=True)
    exportctl_sandbox.sandbox.faults.fates = {"logs:DescribeExportTasks": ["ok", *["error"] * 12]}
    [unread] = client.cancel_many([task])
    assert isinstance(unread, Unreachable) and "the cancel was sent" in unread.message
    assert [(job.ref, job.state.terminal) for job in unread.jobs] == [(task.ref, False)]


def test_download_of_what_a_job_wrote(exportctl_sandbox: SandboxHandle, tmp_path: Path) -> None:
    client = Client()
    job = client.start("discovery")
    with pytest.raises(BadInput, match="not COMPLETED: nothing to download"):
        client.download(job, tmp_path / "early")
    [done] = client.wait(job)
    planned = client.download(done.ref, tmp_path / "out", dry_run=True)
    assert planned.dry_run and planned.files == 1 and not (tmp_path / "out").exists()
    fetched = client.download(done, tmp_path / "out")
    assert (tmp_path / "out" / fetched.paths[0]).stat().st_size == fetched.bytes > 0
    again = client.download(done, tmp_path / "out")
    assert again.files == 0 and again.skipped == 1
    failed = client.start("dynamodb", table=TABLE, to="s3://exports-denied/d/")
    client.wait(failed, until="terminal")
    with pytest.raises(JobFailed, match="nothing to download"):
        client.download(failed, tmp_path / "failed")
    with pytest.raises(BadInput, match="concurrency"):
        client.download(done, tmp_path, concurrency=0)


@pytest.mark.parametrize("dest", ["", "  "])
def test_an_empty_dest_is_refused_as_the_command_line_refuses_it(
    exportctl_sandbox: SandboxHandle,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    dest: str,
) -> None:
    client = Client()
    [done] = client.wait(client.start("discovery"))
    # An unset "$DEST" would otherwise have the files written into the current folder.
    monkeypatch.chdir(tmp_path)
    before = exportctl_sandbox.sandbox.calls_report()["total"]
    for ref in (done, done.ref):
        with pytest.raises(BadInput, match="dest: empty: name a folder"):
            client.download(ref, dest)
    assert list(tmp_path.iterdir()) == []
    assert exportctl_sandbox.sandbox.calls_report()["total"] == before


@pytest.mark.parametrize("service", ["personalize", "backupsearch"])
def test_a_listed_job_whose_listing_tells_no_output_is_read_before_its_download(
    exportctl_sandbox: SandboxHandle, tmp_path: Path, service: str
) -> None:
    exportctl_sandbox.start_s3()
    client = Client()
    # The seeded world has completed jobs of both (the clock is left where it is: the
    # session's other tests share it).
    listed = next(iter(client.list(service, states=State.COMPLETED)))
    # These services' listings carry no output location; their describe calls do.
    assert listed.destination is None
    fetched = client.download(listed, tmp_path / "out")
    assert fetched.files > 0
    assert fetched.files == client.download(listed.ref, tmp_path / "by-ref", dry_run=True).files


def test_the_handle_pins_a_status_and_reaches_the_sandbox_from_anywhere(
    exportctl_sandbox: SandboxHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    job = exportctl_sandbox.add_job("discovery")
    exportctl_sandbox.set_status(job.ref, "REHYDRATING")
    # Whatever the environment says: the handle's own client.
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    read = exportctl_sandbox.client().get(job)
    assert (read.state, read.status) == (State.UNKNOWN, "REHYDRATING")
    creds = exportctl_sandbox.credentials
    assert creds.region == exportctl_sandbox.region == "us-east-1"
    assert exportctl_sandbox.env["AWS_ACCESS_KEY_ID"] == creds.access_key_id
    assert exportctl_sandbox.url.startswith("http://127.0.0.1:")
    with pytest.raises(LookupError):
        exportctl_sandbox.delete_job(exportctl.ExportJob(**{**vars(read), "id": "x", "arn": None}))


def test_the_public_names_are_those_of_the_api_package() -> None:
    import exportctl.api

    offered = {name for name in dir(exportctl.api) if name[0].isupper()}
    assert set(exportctl.__all__) == {*offered, "__version__"}
    for name in offered:
        assert getattr(exportctl.api, name) is getattr(exportctl, name)


def test_the_default_pace_is_the_commands() -> None:
    import inspect

    from exportctl.api.options import intervals, keyword
    from exportctl.ops.polling.schedule import DEFAULT_CAP, DEFAULT_INTERVAL

    for method in (Client.wait, Client.waiting, Client.submit, Client.watching):
        parameters = inspect.signature(method).parameters
        assert parameters["interval"].default == DEFAULT_INTERVAL
        if "max_interval" in parameters:
            # Left out, the longest delay is the command's: 60 s, or interval if longer.
            assert parameters["max_interval"].default is None
    assert intervals(DEFAULT_INTERVAL, None, keyword) == (DEFAULT_INTERVAL, DEFAULT_CAP)
    assert intervals(120, None, keyword) == (120, 120)


def test_several_jobs_each_read_or_said_why_not(exportctl_sandbox: SandboxHandle) -> None:
    client = Client()
    job = client.start("discovery")
    missing = "discovery:export-00000000-0000-4000-a000-000000000000"
    found, lost = client.get_many([job, missing])
    assert isinstance(found, ExportJob) and found.id == job.id
    assert isinstance(lost, JobNotFound) and lost.refs == (missing,)
    with pytest.raises(BadInput):
        client.get_many([job.ref, "not a reference"])
    # One reference is one job, not a job a letter.
    [again] = client.get_many(job.ref)
    assert isinstance(again, ExportJob) and again.id == job.id
    assert client.get_many([]) == []
    # A job named twice is read once, where first named, as `exportctl status` shows it.
    twice = client.get_many([missing, job, missing, job.ref])
    lost_again, found_again = twice
    assert isinstance(lost_again, JobNotFound) and lost_again.refs == (missing,)
    assert found_again == job


def test_the_backups_of_a_search_job_given_as_the_job_it_exported(
    exportctl_sandbox: SandboxHandle,
) -> None:
    client = Client()
    export = next(iter(client.list("backupsearch", limit=1)))
    by_job, by_ref = client.backups(export), client.backups(export.ref)
    assert by_job.report == by_ref.report
    assert [b.to_dict() for b in by_job] == [b.to_dict() for b in by_ref]
    with pytest.raises(BadInput, match="not int"):
        client.backups(5)  # type: ignore[arg-type]


def _readers() -> set[threading.Thread]:
    """The threads a listing reads its targets on (see exportctl.ops.listing.fanout)."""
    return {t for t in threading.enumerate() if t.name == "fanout" or t.name.startswith("read-")}


def test_a_streamed_listing_dropped_half_read_stops_at_once(
    exportctl_sandbox: SandboxHandle,
) -> None:
    # Dropped, a listing is freed and its reading closed there and then, as a file
    # is: its readers stop (more pages than its queue holds: left running, they
    # would wait on it for good) without the garbage collector's help.
    client = Client(region=["us-east-1", "us-west-2", "eu-west-1"])
    before = _readers()
    gc.disable()
    try:
        listing = client.list(stream=True)
        next(listing)
        assert _readers() - before, "the listing read on no thread of its own"
        del listing
        deadline = time.monotonic() + 30
        while _readers() - before and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _readers() - before
    finally:
        gc.enable()


def test_a_listing_the_collector_ends_takes_no_lock_its_thread_holds(
    exportctl_sandbox: SandboxHandle,
) -> None:
    # A listing half read and kept in a cycle of its owner's is ended by the garbage
    # collector, in whichever thread collects: possibly one making a client under
    # the clients' lock (collections happen on allocation). Ending it lets its
    # clients go under that same lock: it must not wait for itself.
    client = Client(region=["us-east-1", "us-west-2"])
    owner: dict[str, Any] = {"listing": client.list(stream=True)}
    owner["self"] = owner
    next(owner["listing"])
    clients = client.board().clients
    del owner
    done = threading.Event()

    def collect_holding_the_lock() -> None:
        with clients._lock:
            gc.collect()
        done.set()

    threading.Thread(target=collect_holding_the_lock, daemon=True).start()
    assert done.wait(30), "the collector's end of the listing waited on the clients' lock"


def test_a_listing_closed_before_it_is_read_reads_nothing(
    exportctl_sandbox: SandboxHandle,
) -> None:
    # Its targets settled (open), then closed unread: read, it ends at once.
    for regions in (["us-east-1"], ["us-east-1", "us-west-2"]):
        listing = Client(region=regions).list("discovery", stream=True).open()
        listing.close()
        reader, read = read_in_a_thread(listing)
        reader.join(30)
        assert not reader.is_alive(), f"{regions}: reading a closed listing never ended"
        assert read == [] and listing.notices == () and listing.failures == ()


@pytest.mark.parametrize("stream", [True, False])
def test_a_listing_closed_from_another_thread_ends_its_readers_loop(
    own_sandbox: SandboxHandle, monkeypatch: pytest.MonkeyPatch, stream: bool
) -> None:
    # A reader waiting on slow pages, and a close from elsewhere (a deadline, a
    # cancel button): close returns, the reader's loop ends without an error, with
    # some of the jobs when streamed, none when it was to be read whole first. The
    # calls in flight at the close are left to end: on a sandbox of the test's own.
    everything = len(list(Client(region=["us-east-1", "us-west-2"]).list()))
    monkeypatch.setattr(own_sandbox.sandbox.faults, "latency", 0.3)
    sandbox = own_sandbox.sandbox
    before = sandbox.calls_report()["total"]
    listing = Client(region=["us-east-1", "us-west-2"]).list(stream=stream)
    reader, read = read_in_a_thread(listing)
    # Closed once the listing is under way: some answers in (streamed: a job read).
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (
        sandbox.calls_report()["total"] == before or (stream and not read)
    ):
        time.sleep(0.01)
    listing.close()
    reader.join(30)
    assert not reader.is_alive(), "the reader's loop went on after close"
    assert all(isinstance(job, ExportJob) for job in read), read
    assert (0 < len(read) < everything) if stream else read == []
    assert listing.notices == () and listing.failures == ()


def test_a_watch_told_to_stop_from_another_thread_ends(
    exportctl_sandbox: SandboxHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An application's watch runs on a thread of its own, an hour between rounds;
    # stop() from another ends it there and then, not an hour later. (On the real
    # clock: the fixture's sleeps would otherwise pass at once.)
    monkeypatch.setattr(TIMING, "sleep", interruptible_sleep)
    monkeypatch.setattr(TIMING, "clock", time.monotonic)
    watcher = Client().watching("discovery", interval=3600)
    rounds: list[Any] = []
    watcher.on_event = lambda event: rounds.append(event) if event.kind == "round" else None
    runner = threading.Thread(target=watcher.run, daemon=True)
    runner.start()
    deadline = time.monotonic() + 30
    while not rounds and time.monotonic() < deadline:
        time.sleep(0.01)
    assert rounds, "the watch listed nothing"
    watcher.stop()
    runner.join(10)
    assert not runner.is_alive(), "the watch went on sleeping after stop()"
    assert len(rounds) == 1 and watcher.rows()
    # Told to stop before it runs, it runs no round.
    stopped = Client().watching("discovery")
    stopped.stop()
    stopped.run()
    assert stopped.rounds == 0


def test_a_listing_of_one_target_closed_from_another_thread_leaves_its_call(
    own_sandbox: SandboxHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One service in one region is read on the reader's own thread, its next page
    # asked for on another: closed while that call hangs (the sandbox answers a
    # minute later), the reader's loop ends without waiting for it. The call left
    # hanging is on a sandbox of the test's own, which ends it.
    monkeypatch.setattr(own_sandbox.sandbox.faults, "latency", 60.0)
    listing = Client(region="us-east-1").list("discovery", stream=True)
    reader, read = read_in_a_thread(listing)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not any(
        t.name == "list-discovery" for t in threading.enumerate()
    ):
        time.sleep(0.01)
    listing.close()
    reader.join(20)
    assert not reader.is_alive(), "the reader waited for the call in progress"
    assert read == [] and listing.notices == () and listing.failures == ()


def test_the_engines_handed_out_raise_the_apis_errors(exportctl_sandbox: SandboxHandle) -> None:
    client = Client()
    planned = client.submit(client.plan_start("discovery"))
    watcher = client.watching("discovery")
    wait = client.waiting([(planned.ref, planned.key)], timeout=600)
    faults = exportctl_sandbox.sandbox.faults
    faults.deny = {"discovery"}
    try:
        with pytest.raises(Unreachable) as watched:
            watcher.run()
        with pytest.raises(Unreachable) as waited:
            wait.waiter.run()
    finally:
        faults.deny = set()
    assert watched.value.exit_code == waited.value.exit_code == 4
    assert waited.value.refs == (planned.ref,) and len(waited.value.results) == 1


def test_a_naive_time_is_local_and_times_out_of_range_are_bad_input(
    exportctl_sandbox: SandboxHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import datetime

    # Far from UTC, with a half hour: a naive time read as UTC would be 5:45 off.
    monkeypatch.setenv("TZ", "Asia/Kathmandu")
    time.tzset()
    try:
        client = Client()
        started = client.start("discovery")
        # As datetime.now() gives it, on the clock the sandbox and exportctl read
        # (the sandbox's, which only tests move), not the machine's.
        hour_ago = now().astimezone().replace(tzinfo=None) - timedelta(hours=1)
        recent = [j.ref for j in client.list(since=timedelta(hours=1))]
        assert started.ref in recent
        assert [j.ref for j in client.list(since=hour_ago)] == recent
        plan = client.plan_start(
            "logs", log_group="/aws/lambda/orders-api",
            bucket="exportctl-sandbox-logs-us-east-1", start_time=hour_ago,
        )  # fmt: skip
        # From an hour ago: the naive time's epoch, as Python reads it (local).
        assert abs(plan.request["from"] - hour_ago.timestamp() * 1000) < 1000
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    for given in ({"since": timedelta(days=999999999)}, {"since": datetime(1, 1, 1)}):
        with pytest.raises(BadInput, match="since"):
            client.list(**given)  # type: ignore[arg-type]
    with pytest.raises(BadInput, match=r"keep: .* longer than a year"):
        client.watching(keep=1e300)
    # Said as given, as the command says '367d': not rounded to look like the limit.
    for timeout, said in (
        (31622401, "31622401 seconds"),
        (timedelta(days=367), "367 days, 0:00:00"),
    ):
        with pytest.raises(BadInput) as long:
            client.wait("discovery:us-east-1:export-1", timeout=timeout)
        assert long.value.message == f"timeout: {said} is longer than a year"


def test_a_plan_is_placed_as_submit_would_send_it(exportctl_sandbox: SandboxHandle) -> None:
    plan = Client().plan_start("discovery")
    assert Client().placed(plan).region == "us-east-1"
    # Over several accounts a start names one: said before anything is sent.
    with pytest.raises(BadInput, match="started in one account"):
        Client(org_role="exportctl-reader").placed(plan)
    with pytest.raises(BadInput, match="started in one region"):
        Client(region=["us-east-1", "eu-west-1"]).plan_start("discovery")


def test_a_wait_bounds_its_own_calls_not_another_threads(
    exportctl_sandbox: SandboxHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One client, two threads: a short wait whose calls its timeout cuts, and a get
    # made meanwhile, which the wait's deadline is no bound of (the sandbox answers
    # each call well after the wait's timeout).
    client = Client()
    job = client.start("discovery")
    sandbox = exportctl_sandbox.sandbox
    monkeypatch.setattr(sandbox.faults, "latency", 2.0)
    before = sandbox.calls_report()["total"]
    out: dict[str, Any] = {}

    def wait() -> None:
        try:
            client.wait(job, timeout=0.3, interval=0.2)
        except Exception as exc:
            out["wait"] = exc

    def get() -> None:
        try:
            out["get"] = client.get(job.ref)
        except Exception as exc:
            out["get"] = exc

    waiting = threading.Thread(target=wait, daemon=True)
    waiting.start()
    # The get is made while the wait's first call is in flight.
    deadline = time.monotonic() + 30
    while sandbox.calls_report()["total"] == before and time.monotonic() < deadline:
        time.sleep(0.01)
    getting = threading.Thread(target=get, daemon=True)
    getting.start()
    waiting.join(30)
    getting.join(30)
    assert isinstance(out["wait"], WaitTimeout), out
    assert isinstance(out["get"], ExportJob) and out["get"].ref == job.ref, out


RDS_SOURCE = "arn:aws:rds:us-east-1:123456789012:snapshot:orders-pg-2026-11-16"


@pytest.mark.parametrize(
    ("service", "options"),
    [
        # A generated name (RDS), a client token (DynamoDB), neither (Discovery).
        ("rds", {"source_arn": RDS_SOURCE, "bucket": "exportctl-exports", "kms_key": "k",
                 "role_arn": "arn:aws:iam::123456789012:role/RdsSnapshotExportRole"}),
        ("dynamodb", {"table": TABLE, "to": "s3://exportctl-exports/p/"}),
        ("discovery", {}),
    ],
)  # fmt: skip
def test_a_plan_submitted_twice_is_one_job(
    exportctl_sandbox: SandboxHandle, service: str, options: dict[str, Any]
) -> None:
    sandbox = exportctl_sandbox.sandbox

    def creates() -> int:
        return sum(
            n for (s, op), n in sandbox.calls.items()
            if s == service and op.startswith(("Start", "Create", "Export"))
        )  # fmt: skip

    client = Client()
    plan = client.plan_start(service, **options)
    before = creates()
    first = client.submit(plan)
    again = client.submit(client.placed(plan))
    assert (again.ref, again.key) == (first.ref, first.key)
    assert creates() - before == 1
