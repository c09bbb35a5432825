"""What a start through the Python API advises, when the job it may have made cannot
be found: a command that, run as printed, reads where the client did."""

from __future__ import annotations

import os
import shlex
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sleepless import FakeTime
from start_support import CREATES, Run

from exportctl import ApiError, Client
from exportctl.cli.root import cli
from exportctl.ops.start.starter import ATTEMPTS
from exportctl.sandbox import Sandbox

# Reads that would find the job, refused while the start looks for it.
READS = {"personalize": "DescribeDatasetExportJob", "backupsearch": "ListSearchResultExportJobs"}


def _profile(name: str) -> None:
    """A profile holding the sandbox's keys and region: the only credentials there are."""
    config = Path(os.environ["AWS_CONFIG_FILE"])
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(
        f"[profile {name}]\nregion = us-east-1\n"
        "aws_access_key_id = sandbox\naws_secret_access_key = sandbox\n"
    )


def _keywords(args: list[str]) -> dict[str, str]:
    """``--dataset-arn A --to B`` as the API's ``dataset_arn="A", to="B"``."""
    return {
        k.removeprefix("--").replace("-", "_"): v
        for k, v in zip(args[::2], args[1::2], strict=True)
    }


@pytest.mark.parametrize("service", sorted(READS))
def test_a_lost_starts_advice_run_as_printed_finds_the_job_where_the_client_made_it(
    sandbox: Sandbox, fake_time: FakeTime, service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _profile("exports")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    before = {j["id"] for j in sandbox.jobs(service, "us-east-1")}
    sandbox.faults.fates = {
        CREATES[service][0]: ["drop-after-commit", *["throttle"] * (ATTEMPTS - 1)],
        READS[service]: ["throttle"] * 20,
    }
    client = Client(profile="exports", endpoint_url=sandbox.url)
    with pytest.raises(ApiError) as lost:
        client.start(service, **_keywords(Run(sandbox).start_args(service)))
    made = {j["id"] for j in sandbox.jobs(service, "us-east-1")} - before
    assert len(made) == 1
    message = str(lost.value)
    advised = message[message.rindex("exportctl ") :]
    assert advised.startswith(f"exportctl --profile exports --endpoint-url {sandbox.url} ")

    # Run as printed, with nothing refused now: it reads the sandbox, with the
    # profile's keys (the environment has none), and finds the job.
    sandbox.faults.fates = {}
    words = shlex.split(advised)
    assert words[0] == "exportctl"
    done = CliRunner().invoke(cli, words[1:], catch_exceptions=False)
    assert done.exit_code == 0, done.output
    assert next(iter(made)).rsplit("/", 1)[-1] in done.stdout


@pytest.mark.parametrize(
    ("spans", "given"),
    [
        ({"profile": ["a", "b c"]}, "--profile a --profile 'b c'"),
        (
            {"profile": "a", "org_role": "Exporter", "accounts": "111111111111,222222222222"},
            "--profile a --accounts 111111111111,222222222222 --org-role Exporter",
        ),
    ],
)
def test_a_clients_advice_gives_its_options_again_never_its_keys(
    spans: dict[str, Any], given: str
) -> None:
    client = Client(
        region="eu-west-1",
        endpoint_url="http://127.0.0.1:9",
        access_key_id="AKIAEXAMPLE",
        secret_access_key="not-to-be-shown",
        **spans,
    )
    # The region is the advice's own (the job's), as the command line's is.
    assert client.commanded("list -s rds --region us-east-1") == (
        f"exportctl {given} --endpoint-url http://127.0.0.1:9 list -s rds --region us-east-1"
    )
    assert Client().commanded("status x") == "exportctl status x"
