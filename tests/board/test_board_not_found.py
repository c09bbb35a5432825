"""A reference looked for in every account of the organization and found in none:
where it was looked for, and which accounts could not be read."""

from __future__ import annotations

import json

import pytest
from board_support import Run

ORG = ("--org-role", "exportctl-reader")
DENIED, NO_ROLE = "444455556666", "666677778888"


def _lines(stderr: str, kind: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith(f"exportctl: {kind}:")]


def test_not_found_in_the_readable_accounts_names_those_out_of_reach(run: Run) -> None:
    done = run(*ORG, "status", "rds:nope-404", "--json")
    # The job may be in the account that denies the service the reference names: as
    # `list -s rds` says of that account, exit 4; never its denial alone.
    assert done.exit_code == 4, done.stderr
    assert json.loads(done.stdout) is None
    (error,) = _lines(done.stderr, "error")
    assert error.startswith("exportctl: error: no Amazon RDS export job nope-404 in us-east-1 (")
    assert "123456789012" in error and "looked in 3 account and region pairs" in error
    assert f"not read (see the notices): account {DENIED}, account {NO_ROLE}" in error
    notices = _lines(done.stderr, "notice")
    assert any(n.startswith(f"exportctl: notice: account {DENIED}: Amazon RDS: access denied")
               for n in notices), notices  # fmt: skip
    assert any(n.startswith(f"exportctl: notice: account {NO_ROLE}: cannot assume")
               for n in notices), notices  # fmt: skip


def test_wait_says_the_accounts_out_of_reach_as_status_does(run: Run) -> None:
    done = run(*ORG, "wait", "rds:nope-404", "--json")
    assert done.exit_code == 4, done.stderr
    notices = _lines(done.stderr, "notice")
    assert [n.split(":")[2] for n in notices] == [f" account {DENIED}", f" account {NO_ROLE}"]
    assert "not read (see the notices)" in _lines(done.stderr, "error")[-1]
    # Never seen: not found, not "no longer found".
    assert "rds:nope-404  not found: " in done.stderr and "no longer" not in done.stderr


def test_an_account_without_the_role_alone_leaves_it_not_found(run: Run) -> None:
    # As in a listing, an account whose role cannot be assumed is a notice only,
    # unless --accounts names it.
    done = run(*ORG, "--accounts", f"123456789012,{NO_ROLE}", "status", "rds:nope-404")
    assert done.exit_code == 4, done.stderr
    done = run(*ORG, "--accounts", "123456789012,210987654321", "status", "rds:nope-404")
    assert done.exit_code == 3, done.stderr
    assert _lines(done.stderr, "notice") == []


def test_a_job_of_another_region_gets_the_region_hint(run: Run) -> None:
    listed = run(*ORG, "--region", "eu-west-1", "list", "-s", "backupsearch", "--json")
    job = next(r for r in json.loads(listed.stdout) if r["account"] != "123456789012")
    done = run(*ORG, "status", f"backupsearch:{job['id']}")
    assert done.exit_code == 4, done.stderr
    assert "jobs in other regions need their region in the ref or --region" in done.stderr
    # Found where it is, the accounts out of reach are not said at all.
    found = run(*ORG, "--region", "eu-west-1", "status", f"backupsearch:{job['id']}", "--json")
    assert found.exit_code == 0, found.stderr
    assert json.loads(found.stdout)["account"] == job["account"]
    assert found.stderr == ""


def test_backups_of_a_bare_id_says_both_lookups_and_the_accounts_not_read(run: Run) -> None:
    listed = run(*ORG, "--region", "eu-west-1", "list", "-s", "backupsearch", "--json")
    job = next(r for r in json.loads(listed.stdout) if r["account"] != "123456789012")
    done = run(*ORG, "backups", job["id"])
    assert done.exit_code == 4, done.stderr
    (error,) = _lines(done.stderr, "error")
    # Each lookup in every account: the search job's too.
    assert f"no search job {job['id']} in us-east-1 (looked in 3 account" in error
    assert "no AWS Backup Search export job" in error
    assert f"account {DENIED}" in error and error.endswith(
        "need their region in the ref or --region"
    )
    assert any(f"account {DENIED}: AWS Backup Search" in n for n in _lines(done.stderr, "notice"))


@pytest.mark.parametrize(
    "ref", [("rds:nope-404",), ("logs:nope-404",), ("-s", "rds", "nope-404")], ids=str
)
def test_a_region_not_enabled_leaves_a_reference_not_found_as_list_tells_it(
    run: Run, ref: tuple[str, ...]
) -> None:
    # ap-east-1 answers as refused credentials do; us-east-1 answered them: as `list`
    # tells it, the region is not enabled, a notice, and the job is not found (exit 3).
    every = run("--region", "all", "status", *ref)
    assert every.exit_code == 3, every.stderr
    assert "refused the credentials" not in every.stderr
    (notice,) = _lines(every.stderr, "notice")
    assert notice.startswith(
        "exportctl: notice: region ap-east-1: the region is not enabled for this account"
    )
    (error,) = _lines(every.stderr, "error")
    assert "export job nope-404 in " in error and "not read (see the notices)" in error
    # Named in --region, it is an error of its own: exit 5, as `list` exits.
    named = run("--region", "us-east-1,ap-east-1", "status", *ref)
    assert named.exit_code == 5, named.stderr
    assert "refused the credentials" not in named.stderr
    assert _lines(named.stderr, "notice") == [notice]
    # wait looks the job up the same way.
    waited = run("--region", "all", "wait", *ref)
    assert waited.exit_code == 3, waited.stderr
    assert _lines(waited.stderr, "notice") == [notice]


def test_refused_credentials_everywhere_are_no_region_not_enabled(run: Run) -> None:
    refused = run("--region", "us-east-1,ap-east-1", "status", "rds:nope-404",
                  AWS_ACCESS_KEY_ID="ASIAUNKNOWN")  # fmt: skip
    assert refused.exit_code == 4
    assert "not enabled" not in refused.stderr and "refused the credentials" in refused.stderr


def test_a_service_of_one_home_region_is_looked_up_as_list_reads_it(run: Run) -> None:
    # Discovery answers in its home region (us-east-1) only: `list` over it and another
    # region says nothing of the other, and neither does a lookup.
    regions = ("--region", "us-east-1,eu-west-1")
    listed = run(*regions, "list", "-s", "discovery")
    assert listed.exit_code == 0 and listed.stderr == "", listed.stderr
    for where in (regions, ("--region", "all")):
        done = run(*where, "status", "discovery:nope-404")
        assert done.exit_code == 3, done.stderr
        assert _lines(done.stderr, "notice") == []
        (error,) = _lines(done.stderr, "error")
        assert error.startswith(
            "exportctl: error: no AWS Application Discovery export job nope-404 in us-east-1 ("
        )
        assert "not read" not in error and "home region" not in error
    # Without its home region, it is out of reach as `list -s discovery` says: exit 5.
    away = ("--region", "eu-west-1,ap-south-1")
    listed = run(*away, "list", "-s", "discovery")
    done = run(*away, "status", "discovery:nope-404")
    assert done.exit_code == listed.exit_code == 5, done.stderr
    assert "no Migration Hub home region" in done.stderr


def test_not_found_says_to_give_a_region_only_where_none_was_given(run: Run) -> None:
    hint = "jobs in other regions need their region in the ref or --region"
    # The environment's region: the job may be in another, not asked for.
    default = run("status", "rds:nope-404")
    assert default.exit_code == 3 and default.stderr.rstrip().endswith(hint), default.stderr
    # --region named where to look: the line names those regions, and no more.
    for regions in ("us-east-1,eu-west-1", "eu-west-1", "all"):
        done = run("--region", regions, "status", "rds:nope-404")
        assert done.exit_code == 3, done.stderr
        (error,) = _lines(done.stderr, "error")
        assert hint not in error
    named = run("--region", "us-east-1,eu-west-1", "status", "rds:nope-404")
    assert _lines(named.stderr, "error") == [
        "exportctl: error: no Amazon RDS export job nope-404 in us-east-1, eu-west-1 "
        "(account 123456789012; looked in 2 account and region pairs)"
    ]


def test_a_region_not_read_of_one_account_is_named_as_not_read(run: Run) -> None:
    # One credential set: what was not read is a region, as its notice says.
    done = run("--region", "us-east-1,ap-east-1,eu-west-1", "wait", "rds:nope-404")
    (error,) = _lines(done.stderr, "error")
    assert error.endswith("; not read (see the notices): ap-east-1"), error
    assert "default credentials" not in done.stderr
    # Of several accounts, the accounts are named.
    org = run(*ORG, "status", "rds:nope-404")
    assert f"not read (see the notices): account {DENIED}, account {NO_ROLE}" in org.stderr
