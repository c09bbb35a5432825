"""Every reference exportctl prints is one `status` finds again, from a shell with no
region: the console script against the embedded sandbox (--sandbox), whose default
region, the one a shell without --region or AWS_REGION gets, is us-east-1.

A table may shorten a reference (an ARN to ``backupsearch:ID``, a Personalize ARN to
its name), never by leaving out the region or the account the job is found by.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pytest
from click.testing import CliRunner
from e2e_support import exportctl

from exportctl.cli.root import cli
from exportctl.services.refs import JobKey, parse

pytestmark = pytest.mark.e2e

TWO_REGIONS = ("--sandbox", "--region", "eu-west-1,us-east-1")
ORG = ("--sandbox", "--org-role", "exportctl-reader")
# The accounts of the organization that hold jobs (the others are denied or cannot
# be assumed: notices in a listing of every service, errors once services are named).
DATA_ACCOUNTS = ("--accounts", "123456789012,210987654321,345678901234")
# The table's widths (COLUMNS), each a layout of its own: references stacked a line
# each, Personalize ARNs by name, compact references side by side, ARNs whole.
WIDTHS = (80, 100, 120, 200)
# (format, width): what `list` prints in each format.
OUTPUTS = [("table", width) for width in WIDTHS] + [
    ("wide", 100),
    ("text", None),
    ("csv", None),
    ("json", None),
    ("ndjson", None),
]
# The scenario's failed Backup Search export of eu-west-1 (issue #31, item 8).
EU_FAILED = "9639e35a-eeb9-4210-af2a-83fdf6a0b298"
# The account of the sandbox's default credentials.
DEFAULT_ACCOUNT = "123456789012"


@dataclass(frozen=True)
class Listed:
    stdout: str


def _run(*args: str, width: int | None = None) -> Listed:
    """What a listing prints in a shell with no region (nor any AWS configuration),
    piped (a set COLUMNS fits tables to it, as a terminal would). In-process: the
    many listings of these tests would each pay an interpreter's start; the `status`
    that reads every reference back is the console script."""
    env = {"COLUMNS": str(width)} if width else {}
    done = CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)
    assert done.exit_code == 0, done.output
    return Listed(done.stdout)


def _table_refs(text: str) -> list[str]:
    """The REF column of a jobs table, side by side or stacked (a reference a line)."""
    lines = text.splitlines()
    if lines[0] == "REF":
        return [line for line in lines[2:] if not line.startswith(" ")]
    header = lines[0]
    names = header.split()
    start = header.index("REF")
    end = header.index(names[names.index("REF") + 1], start)
    return [line[start:end].strip() for line in lines[1:]]


def _printed_refs(fmt: str, width: int | None, stdout: str) -> list[str]:
    if fmt in ("table", "wide"):
        return _table_refs(stdout)
    if fmt == "text":
        return [line.split("\t")[1] for line in stdout.splitlines()]
    if fmt == "csv":
        return [row["ref"] for row in csv.DictReader(io.StringIO(stdout))]
    if fmt == "json":
        return [record["ref"] for record in json.loads(stdout)]
    return [json.loads(line)["ref"] for line in stdout.splitlines()]


def _listed(
    where: Sequence[str], *args: str, outputs: Sequence[tuple[str, int | None]] = OUTPUTS
) -> dict[str, list[str]]:
    """Each output of `list` (``table@80``, ``csv``...) and the references it printed."""
    printed = {}
    for fmt, width in outputs:
        done = _run(*where, "list", *args, "-o", fmt, width=width)
        refs = _printed_refs(fmt, width, done.stdout)
        assert refs and all(ref and " " not in ref and "…" not in ref for ref in refs), refs
        printed[f"{fmt}@{width}" if width else fmt] = refs
    return printed


def _place(record: dict[str, Any]) -> tuple[str, str, str, str]:
    # A Pinpoint or Discovery record read in one region of one account names no
    # account (no call is made for it): it is the default credentials'.
    account = record["account"] or DEFAULT_ACCOUNT
    return (account, record["region"], record["service"], record["id"])


def _in_default_region(ref: str) -> JobKey:
    return parse(ref).in_region("us-east-1")


def _assert_round_trip(
    printed: dict[str, list[str]], jobs: list[dict[str, Any]], reader: Sequence[str]
) -> None:
    """`status` of every reference printed finds that very job."""
    everywhere = sorted(map(_place, jobs))
    refs = list(dict.fromkeys(ref for shown in printed.values() for ref in shown))
    done = exportctl(None, *reader, "status", *refs, "--json")
    assert done.returncode == 0, done.stderr
    # A job named with and without its region (the default one) is read once.
    jobs_named = list(dict.fromkeys(map(_in_default_region, refs)))
    records = dict(zip(jobs_named, json.loads(done.stdout), strict=True))
    found = {ref: records[_in_default_region(ref)] for ref in refs}
    for output, shown in printed.items():
        for ref in shown:
            record, key = found[ref], parse(ref)
            # The job the reference names, in the region and account it names.
            assert record["id"] == key.id, (output, ref, record["ref"])
            assert key.region in (None, record["region"]), (output, ref, record["ref"])
            assert key.account in (None, record["account"]), (output, ref, record["ref"])
        # One job a reference, and every job listed.
        got = sorted(_place(found[ref]) for ref in shown)
        assert got == everywhere, output


def test_refs_of_two_regions_are_found_from_a_shell_with_no_region() -> None:
    jobs = json.loads(_run(*TWO_REGIONS, "list", "--json").stdout)
    assert {j["region"] for j in jobs} == {"eu-west-1", "us-east-1"}
    printed = _listed(TWO_REGIONS)
    _assert_round_trip(printed, jobs, ("--sandbox",))


def test_the_failed_backup_search_export_of_eu_west_1_keeps_its_region() -> None:
    where = (*TWO_REGIONS, "list", "-s", "backupsearch", "--status", "failed")
    table = _run(*where, width=100).stdout
    refs = _table_refs(table)
    assert f"backupsearch:eu-west-1:{EU_FAILED}" in refs
    done = exportctl(None, "--sandbox", "status", f"backupsearch:eu-west-1:{EU_FAILED}", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["region"] == "eu-west-1"


def test_refs_of_several_accounts_are_found_with_the_same_role() -> None:
    where = (*ORG, *DATA_ACCOUNTS, "--region", "eu-west-1,us-east-1")
    # The services whose table refs stand for an ARN the account is part of (a
    # Personalize name) or name no account at all (Pinpoint's compact form); the
    # others follow the same rule, read back in every format in the test above.
    services = ("-s", "personalize", "-s", "pinpoint")
    jobs = json.loads(_run(*where, "list", *services, "--json").stdout)
    assert len({j["account"] for j in jobs}) > 1
    # The same Personalize job names in two accounts: only the account tells them apart.
    names = [j["id"] for j in jobs if j["service"] == "personalize"]
    assert len(names) > len(set(names))
    # The machine formats print the record's own ref, as json does (every format is
    # read back in the test above); what the accounts change is how tables shorten it.
    outputs = [(fmt, width) for fmt, width in OUTPUTS if fmt not in ("text", "csv", "ndjson")]
    printed = _listed(where, *services, outputs=outputs)
    _assert_round_trip(printed, jobs, ORG)


def _one_error(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 3, (done.returncode, done.stderr)
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr, done.stderr
    return done.stderr.rstrip("\n")


def test_not_found_names_the_region_and_account_it_looked_in() -> None:
    # The eu-west-1 job, without its region, from a shell with no region.
    done = exportctl(None, "--sandbox", "status", f"backupsearch:{EU_FAILED}")
    assert _one_error(done) == (
        f"exportctl: error: no AWS Backup Search export job {EU_FAILED} in us-east-1 "
        f"(account {DEFAULT_ACCOUNT}); jobs in other regions need their region in the ref "
        "or --region"
    )
    assert done.stdout == ""


def test_not_found_over_several_regions_names_each() -> None:
    where = ("--sandbox", "--region", "us-east-1,us-west-2")
    done = exportctl(None, *where, "status", f"backupsearch:{EU_FAILED}", "--json")
    assert _one_error(done) == (
        f"exportctl: error: no AWS Backup Search export job {EU_FAILED} in us-east-1, "
        f"us-west-2 (account {DEFAULT_ACCOUNT}; looked in 2 account and region pairs)"
    )
    assert json.loads(done.stdout) is None


def test_a_ref_of_another_account_is_not_a_job_of_this_one() -> None:
    # Both accounts have a Personalize job of this name in eu-west-1; the default
    # credentials read only their own.
    ref = "personalize:345678901234:eu-west-1:users-denied-eu"
    done = exportctl(None, "--sandbox", "status", ref, "--json")
    message = _one_error(done)
    assert "account 345678901234" in message and f"account {DEFAULT_ACCOUNT}" in message
    assert message.endswith("reach it with --profile or --org-role")
    assert json.loads(done.stdout) is None
    # Through the organization's role, the reference finds its own account's job.
    found = exportctl(None, *ORG, "status", ref, "--json")
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout)["account"] == "345678901234"
