"""Estimated completion: from pieces, from the history of completed jobs, kept on disk."""

from __future__ import annotations

import dataclasses
import json
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from exportctl.domain.model import ExportJob, Progress, State
from exportctl.ops import estimates as eta

NOW = datetime.now(timezone.utc).replace(microsecond=0)
DATASET = "arn:aws:personalize:us-east-1:123456789012:dataset/g/USERS"
OTHER = "arn:aws:personalize:us-east-1:123456789012:dataset/g/ITEMS"


def job(
    name: str,
    state: State,
    *,
    created: datetime,
    took: float | None = None,
    service: str = "personalize",
    dataset: str = DATASET,
    progress: Progress | None = None,
) -> ExportJob:
    return ExportJob(
        service=service,
        ref=f"{service}:us-east-1:{name}",
        id=name,
        region="us-east-1",
        state=state,
        status=state.value,
        created=created,
        completed=created + timedelta(seconds=took) if took is not None else None,
        progress=progress,
        details={"dataset_arn": dataset} if service == "personalize" else {},
    )


def done(name: str, took: float, dataset: str = DATASET, service: str = "personalize") -> ExportJob:
    return job(name, State.COMPLETED, created=NOW - timedelta(days=1), took=took,
               dataset=dataset, service=service)  # fmt: skip


def test_pieces_give_a_rate() -> None:
    running = job(
        "p", State.RUNNING, created=NOW - timedelta(minutes=10), service="pinpoint",
        progress=Progress(completed_pieces=2, total_pieces=10),
    )  # fmt: skip
    estimate = eta.History().estimate(running, "s", NOW)
    assert estimate.eta == NOW + timedelta(minutes=40)
    assert estimate.basis and "2/10 pieces" in estimate.basis


def test_a_job_that_can_no_longer_complete_has_no_eta_and_says_why() -> None:
    failing = job(
        "p", State.RUNNING, created=NOW - timedelta(minutes=10), service="pinpoint",
        progress=Progress(completed_pieces=2, total_pieces=10),
    )  # fmt: skip
    failing = dataclasses.replace(failing, status="FAILING")
    estimate = eta.History().estimate(failing, "s", NOW)
    assert estimate.eta is None
    assert estimate.basis == "FAILING: it can no longer complete"


def test_no_history_no_estimate_and_finished_jobs_have_none() -> None:
    history = eta.History()
    history.learn([done("a", 60), done("b", 60)], "s")
    running = job("r", State.RUNNING, created=NOW)
    assert history.estimate(running, "s", NOW) == eta.NO_ESTIMATE
    history.learn([done("c", 60)], "s")
    assert history.estimate(running, "s", NOW).eta == NOW + timedelta(seconds=60)
    assert history.estimate(done("c", 60), "s", NOW) == eta.NO_ESTIMATE
    # Another profile or endpoint is another account's history.
    assert history.estimate(running, "other", NOW) == eta.NO_ESTIMATE


def test_the_same_dataset_wins_when_it_has_enough_jobs() -> None:
    history = eta.History()
    history.learn([done(f"o{i}", 100, OTHER) for i in range(5)], "s")
    history.learn([done(f"d{i}", 1000 + i) for i in range(2)], "s")
    running = job("r", State.RUNNING, created=NOW)
    broad = history.estimate(running, "s", NOW)
    assert broad.eta == NOW + timedelta(seconds=100)
    assert broad.basis and "of this dataset" not in broad.basis
    history.learn([done("d2", 1002)], "s")
    narrow = history.estimate(running, "s", NOW)
    assert narrow.eta == NOW + timedelta(seconds=1001)
    assert (
        narrow.basis
        and "median of 3 recent completed personalize jobs of this dataset" in narrow.basis
    )


def test_a_job_past_the_median_has_no_eta_but_says_why() -> None:
    history = eta.History()
    history.learn([done(f"d{i}", 60) for i in range(3)], "s")
    late = history.estimate(job("r", State.RUNNING, created=NOW - timedelta(hours=1)), "s", NOW)
    assert late.eta is None and late.basis and late.basis.startswith("running longer than")
    assert late.to_dict() == {"eta": None, "eta_basis": late.basis}


def test_a_job_seen_running_then_done_counts_without_a_completion_time() -> None:
    history = eta.History()
    created = NOW - timedelta(minutes=5)
    for i in range(3):
        before = job(f"t{i}", State.RUNNING, created=created, service="discovery")
        after = job(f"t{i}", State.COMPLETED, created=created, service="discovery")
        history.learn([after], "s")  # no completion time: nothing learnt
        history.observe(before, after, "s", NOW)
    new = job("new", State.RUNNING, created=NOW, service="discovery")
    estimate = history.estimate(new, "s", NOW)
    assert estimate.eta == NOW + timedelta(minutes=5)


def test_history_survives_on_disk_and_a_broken_file_is_none(tmp_path: Path) -> None:
    where = tmp_path / "durations.json"
    history = eta.History()
    history.learn([done(f"d{i}", 60) for i in range(3)], "s")
    assert eta.save(history, where)
    again = eta.load(where)
    assert again.estimate(job("r", State.RUNNING, created=NOW), "s", NOW).eta is not None
    where.write_text("{not json")
    assert eta.load(where).samples == {}
    # Python's json reads these; no job took them, and the estimates would fail on them.
    for seconds in ("NaN", "Infinity", "-1", "1e300"):
        when = NOW.isoformat()
        where.write_text(f'{{"s": {{"a": ["{when}", {seconds}]}}}}')
        assert eta.load(where).samples == {}, seconds
    # Valid JSON nested deeper than the decoder goes: no history, not exit 70.
    for deep in ('{"a":' * 3000 + "1" + "}" * 3000, "[" * 100_000):
        where.write_text(deep)
        assert eta.load(where).samples == {}


def test_a_history_that_cannot_be_written_is_no_error_and_leaves_nothing(tmp_path: Path) -> None:
    where = tmp_path / "durations.json"
    where.mkdir()  # in the way: the file cannot replace it
    history = eta.History()
    history.learn([done(f"d{i}", 60) for i in range(3)], "s")
    assert eta.save(history, where) is False
    assert history.changed
    # The lock the re-reading and replacing was done under stays, empty, for the next.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["durations.json", "durations.json.lock"]


def test_a_bucket_keeps_the_newest_jobs_in_whatever_order_they_are_learned() -> None:
    # A listing gives the newest first; once a bucket is full, an older job is not
    # even put in to be taken out again. Any order keeps the same KEEP newest.
    jobs = [
        job(f"j{i}", State.COMPLETED, created=NOW - timedelta(hours=i + 1), took=60.0)
        for i in range(3 * eta.KEEP)
    ]
    newest = {j.id for j in jobs[: eta.KEEP]}
    for order in (jobs, jobs[::-1], jobs[1::2] + jobs[::2]):
        history = eta.History()
        history.learn(order, "s")
        buckets = list(history.samples.values())
        assert buckets and all(set(bucket) == newest for bucket in buckets)
    # A full bucket learning only older jobs is unchanged, and says so.
    history.changed = False
    history.learn([job("older", State.COMPLETED, created=NOW - timedelta(days=3), took=60.0)], "s")
    assert not history.changed
    assert all(set(bucket) == newest for bucket in history.samples.values())


def test_the_scope_is_the_endpoint_a_service_calls_from_any_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from exportctl.aws.clients import AwsSettings, Clients

    config = tmp_path / "config"
    config.write_text(
        "[profile p]\nregion = us-east-1\nendpoint_url = http://127.0.0.1:9001\n"
        "[profile q]\nregion = us-east-1\n"
    )
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))

    def scope(profile: str, **settings: str) -> str:
        return eta.scope(Clients(AwsSettings(profile=profile, **settings)), "personalize")

    # AWS's own endpoints: the scope histories were always kept under.
    assert scope("q") == "q|"
    assert scope("q", endpoint_url="http://127.0.0.1:9002") == "q|http://127.0.0.1:9002"
    assert scope("p") == "p|http://127.0.0.1:9001"
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9003")
    assert scope("q") == "q|http://127.0.0.1:9003"
    monkeypatch.setenv("AWS_ENDPOINT_URL_PERSONALIZE", "http://127.0.0.1:9004")
    assert scope("q") == "q|http://127.0.0.1:9004"
    monkeypatch.setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true")
    assert scope("p") == "p|"


def test_a_history_written_before_accounts_is_read_by_account(tmp_path: Path) -> None:
    where = tmp_path / "durations.json"
    arn = "arn:aws:personalize:us-east-1:{}:dataset-export-job/{}"
    when = (NOW - timedelta(days=1)).isoformat()
    old = {f"{a}{i}": [when, 60.0] for a in ("1", "2") for i in range(3)}
    where.write_text(
        json.dumps(
            {"s|personalize|us-east-1": {arn.format(k[0] * 12, k): v for k, v in old.items()}}
        )
    )
    history = eta.load(where)
    mine = dataclasses.replace(job("r", State.RUNNING, created=NOW), account="1" * 12)
    assert (history.estimate(mine, "s", NOW).basis or "").startswith("median of 3 ")
    # A job of no known account is not estimated from those of known accounts.
    assert history.estimate(job("r", State.RUNNING, created=NOW), "s", NOW) == eta.NO_ESTIMATE


def test_a_job_kept_twice_under_two_references_counts_once(tmp_path: Path) -> None:
    where = tmp_path / "durations.json"
    account = "1" * 12
    when = (NOW - timedelta(days=1)).isoformat()
    bucket = {
        ref: [when, 60.0]
        for i in range(3)
        for ref in (f"pinpoint:us-east-1:app/j{i}", f"pinpoint:{account}:us-east-1:app/j{i}")
    }
    where.write_text(json.dumps({f"{account}@s|pinpoint|us-east-1": bucket}))
    running = job("r", State.RUNNING, created=NOW, service="pinpoint")
    estimate = eta.load(where).estimate(dataclasses.replace(running, account=account), "s", NOW)
    assert (estimate.basis or "").startswith("median of 3 ")


def test_a_save_keeps_what_other_commands_saved_since_it_read_the_file(tmp_path: Path) -> None:
    where = tmp_path / "durations.json"
    # A watch reads the file when it starts and saves when it ends, hours later.
    watch = eta.load(where)
    beside = eta.load(where)
    beside.learn([done(f"o{i}", 100, service="discovery") for i in range(3)], "s")
    assert eta.save(beside, where)
    watch.learn([done(f"d{i}", 60) for i in range(3)], "s")
    assert eta.save(watch, where)
    again = eta.load(where)
    for service in ("personalize", "discovery"):
        running = job("r", State.RUNNING, created=NOW, service=service)
        assert (again.estimate(running, "s", NOW).basis or "").startswith("median of 3 "), service
    # Both full: the newest KEEP of the two are kept.
    older = [
        job(f"a{i}", State.COMPLETED, created=NOW - timedelta(hours=2 * i + 2), took=60.0)
        for i in range(eta.KEEP)
    ]
    newer = [
        job(f"b{i}", State.COMPLETED, created=NOW - timedelta(hours=2 * i + 1), took=60.0)
        for i in range(eta.KEEP)
    ]
    first, second = eta.load(where), eta.load(where)
    first.learn(older, "t")
    assert eta.save(first, where)
    second.learn(newer, "t")
    assert eta.save(second, where)
    kept = eta.load(where).samples["t|personalize|us-east-1"]
    both = sorted(older + newer, key=lambda j: j.created or NOW, reverse=True)
    assert set(kept) == {j.id for j in both[: eta.KEEP]}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
@pytest.mark.timeout(30)
def test_a_fifo_or_a_link_to_a_device_in_place_of_the_history_is_left_alone(
    tmp_path: Path,
) -> None:
    # What the user put there (a link to /dev/null, to keep no history) was replaced
    # by a file of durations at the next save.
    where = tmp_path / "durations.json"
    os.mkfifo(where)
    history = eta.History()
    history.learn([done(f"d{i}", 60) for i in range(3)], "s")
    assert eta.save(history, where) is False
    assert where.is_fifo()
    where.unlink()
    where.symlink_to(os.devnull)
    assert eta.save(history, where) is False
    assert where.is_symlink() and os.readlink(where) == os.devnull
    assert [p.name for p in tmp_path.iterdir() if ".exportctl-part-" in p.name] == []
