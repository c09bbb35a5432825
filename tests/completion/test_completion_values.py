"""What Tab offers: services, states, formats, fields, profiles, regions, references."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.shell_completion import BashComplete
from click.testing import CliRunner

from exportctl.aws.regions import region_names
from exportctl.cli.commands import COMMANDS
from exportctl.cli.complete import complete_ref
from exportctl.cli.options import STATE_NAMES
from exportctl.cli.root import cli
from exportctl.ops import refcache
from exportctl.output.outputspec import FORMATS
from exportctl.sandbox import Sandbox
from exportctl.services import all_specs


def complete(*words: str, root: click.Command = cli) -> list[str]:
    """What Tab offers after ``words``; the last word is the one being typed."""
    shell = BashComplete(root, {}, "exportctl", "_EXPORTCTL_COMPLETE")
    return [item.value for item in shell.get_completions(list(words[:-1]), words[-1])]


def test_service_names_and_aliases() -> None:
    offered = complete("list", "--service", "")
    assert {"backupsearch", "discovery", "personalize", "pinpoint"} <= set(offered)
    assert complete("status", "-s", "pin") == ["pinpoint"]


def test_start_offers_each_service_by_its_aliases_too() -> None:
    """`start` takes a service by any name -s takes, and Tab offers them as -s does."""
    startable = [s for s in all_specs() if s.create]
    assert complete("start", "") == [
        name
        for spec in sorted(startable, key=lambda s: s.name)
        for name in (spec.name, *spec.aliases)
    ]
    for spec in startable:
        for alias in spec.aliases:
            assert alias in complete("start", alias[:2]), alias
    # Its help lists each service once, then the aliases, as -s's help names them.
    shown = CliRunner().invoke(cli, ["start", "--help"], terminal_width=2000).output
    rows = [line.split()[0] for line in shown.split("Commands:\n")[1].split("\n\n")[0].splitlines()]
    assert rows == [spec.name for spec in sorted(startable, key=lambda s: s.name)]
    for spec in startable:
        if spec.aliases:
            said = " ".join(shown.split()).replace(", ", " or ")
            assert f"{' or '.join(spec.aliases)} ({spec.name})" in said, spec.name


def test_states_and_formats() -> None:
    # Either case is accepted; click offers the lower one.
    assert complete("list", "--status", "") == [s.lower() for s in STATE_NAMES]
    assert complete("list", "--status", "FA") == ["failed"]
    assert complete("list", "--output", "") == list(FORMATS)
    assert complete("status", "x", "-o", "nd") == ["ndjson"]


def test_every_command_that_prints_records_completes_formats() -> None:
    records = []
    for name in COMMANDS:
        command = cli.get_command(click.Context(cli), name)
        assert command is not None
        output = next((p for p in command.params if "--output" in getattr(p, "opts", ())), None)
        if output is None:
            continue
        # Each --output completes what it takes (watch's: its board or its events)...
        assert isinstance(output.type, click.Choice), name
        assert complete(name, "--output", "") == list(output.type.choices), name
        if any("--json" in getattr(p, "opts", ()) for p in command.params):
            # ...and every command that prints records takes every format (watch's
            # --fields shapes its events only).
            records.append(name)
            assert complete(name, "--output", "") == list(FORMATS), name
    assert {"list", "status"} <= set(records)


def test_fields_complete_after_the_last_comma() -> None:
    offered = complete("list", "--fields", "ref,progress.t")
    assert offered == ["ref,progress.total_pieces", "ref,progress.total_processed",
                       "ref,progress.total_failures"]  # fmt: skip
    assert "state,state" not in complete("list", "--fields", "state,")
    assert "state,created" in complete("list", "--fields", "state,")


def test_watch_completes_fields_and_query_as_wait_does() -> None:
    # The names of the record its event lines carry: list's (wait's adds its estimate).
    for typed in ("ref,progress.t", "state,", "details.", ""):
        offered = complete("watch", "-o", "ndjson", "--fields", typed)
        assert offered and offered == complete("list", "--fields", typed), typed
        assert set(offered) <= set(complete("x", "--fields", typed, root=_wait())), typed
    assert complete("watch", "--que") == complete("x", "--que", root=_wait()) == ["--query"]


def _wait() -> click.Command:
    command = cli.get_command(click.Context(cli), "wait")
    assert command is not None
    return command


def test_lists_of_regions_profiles_and_services_complete_after_the_last_comma(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    offered = complete("--region", "us-east-1,eu-west-")
    assert "us-east-1,eu-west-1" in offered
    assert all(o.startswith("us-east-1,eu-west-") for o in offered)
    # A value already in the list is not offered again.
    assert "us-east-1,us-east-1" not in complete("--region", "us-east-1,us-east-")
    assert complete("list", "--service", "logs,pin") == ["logs,pinpoint"]
    assert complete("list", "--service", "LOGS,Pin") == ["logs,pinpoint"]
    assert complete("list", "--status", "failed,c") == ["failed,completed", "failed,cancelled"]
    assert complete("backups", "--status", "failed,Ru") == ["FAILED,RUNNING"]
    config = write(tmp_path / "config", "[profile dev]\n[profile prod]\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    assert complete("--profile", "dev,") == ["dev,prod"]


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_profiles_from_both_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = write(
        tmp_path / "config",
        "[default]\nregion = us-east-1\n[profile dev]\nregion = eu-west-1\n"
        "[profile  spaced ]\n[sso-session corp]\nsso_region = us-east-1\n[services local]\n",
    )
    creds = write(tmp_path / "creds", "[prod]\naws_access_key_id = x\n[dev]\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(creds))
    assert complete("--profile", "") == ["default", "dev", "prod", "spaced"]
    assert complete("--profile", "d") == ["default", "dev"]
    # Global options work after the subcommand, and so does their completion.
    assert complete("list", "--profile", "p") == ["prod"]


def test_profile_names_are_botocores(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import botocore.session

    config = write(tmp_path / "config", '[profile "q t"]\n[profile my team]\n[profile ok]\n')
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    offered = complete("--profile", "")
    assert offered == ["ok", "q t"]
    assert set(offered) == set(botocore.session.Session().available_profiles)


def test_profiles_without_files_or_from_broken_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "missing"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(write(tmp_path / "c", "no section\n")))
    assert complete("--profile", "") == []


def test_regions_are_botocore_s() -> None:
    from botocore.loaders import create_loader

    endpoints = create_loader().load_data("endpoints")
    known = {r for p in endpoints["partitions"] for r in p["regions"]}
    assert set(region_names()) == known
    offered = complete("--region", "eu-")
    assert "eu-west-1" in offered and all(r.startswith("eu-") for r in offered)
    assert complete("status", "--region", "us-east-") == sorted(
        r for r in known if r.startswith("us-east-")
    )


def test_references_come_from_the_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    # In the region the shorter forms left out (a line that reads them elsewhere
    # is offered the full ones alone).
    monkeypatch.setenv("AWS_REGION", "us-east-1")
    refcache.remember(
        [
            refcache.CachedRef(
                "pinpoint:us-east-1:app/one", "pinpoint:app/one", "pinpoint RUNNING"
            ),
            refcache.CachedRef("discovery:us-east-1:export-2", "discovery:export-2", "discovery"),
        ]
    )
    assert complete("status", "") == ["pinpoint:us-east-1:app/one", "discovery:us-east-1:export-2"]
    # The shorter form tables print completes too.
    assert complete("status", "pinpoint:a") == ["pinpoint:app/one"]
    # A reference already on the line is not offered again.
    assert complete("status", "pinpoint:us-east-1:app/one", "") == ["discovery:us-east-1:export-2"]
    # Every command that takes any service's job completes it the same way.
    for command in ("download", "rerun"):
        assert complete(command, "pinpoint:a") == ["pinpoint:app/one"]
    shell = BashComplete(cli, {}, "exportctl", "_EXPORTCTL_COMPLETE")
    items = shell.get_completions(["status"], "pin")
    assert [i.help for i in items] == ["pinpoint RUNNING"]


def test_a_short_reference_is_offered_only_where_it_finds_its_job(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A listing with profile west (us-west-2) printed its job without the region: a
    # reference that finds it again with that profile alone. Elsewhere the same short
    # form reads the job of that name in another region (cancels it).
    config = "[profile west]\nregion = us-west-2\n[profile retail]\nregion = us-east-1\n"
    monkeypatch.setenv("AWS_CONFIG_FILE", str(write(tmp_path / "config", config)))
    west = refcache.CachedRef(
        "rds:us-west-2:analytics-live-export", "rds:analytics-live-export", "rds RUNNING"
    )
    refcache.remember([west])
    full, short = [west.ref], [west.shown]
    for words in (
        ("cancel",),
        ("--profile", "retail", "cancel"),
        ("cancel", "--profile", "retail"),
        ("--sandbox", "status"),
        ("--profile", "west", "--region", "eu-west-1", "status"),
        ("--profile", "west", "status", "--region", "us-west-2,eu-west-1"),
        ("--profile", "west,retail", "status"),
    ):
        assert complete(*words, "rds:an") == [], words
        assert complete(*words, "rds:") == full, words
    for words in (
        ("--profile", "west", "cancel"),
        ("cancel", "--profile", "west"),
        ("--region", "us-west-2", "status"),
        ("--sandbox", "status", "--region", "us-west-2"),
    ):
        assert complete(*words, "rds:an") == short, words
        assert complete(*words, "rds:") == full, words
    monkeypatch.setenv("AWS_PROFILE", "west")
    assert complete("cancel", "rds:an") == short
    assert complete("--sandbox", "cancel", "rds:an") == short
    # The environment's region comes before the profile's.
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    assert complete("cancel", "rds:an") == []
    monkeypatch.setenv("AWS_REGION", "us-west-2")
    monkeypatch.delenv("AWS_PROFILE")
    assert complete("status", "rds:an") == short
    # The sandbox without a profile is in its own region, whatever AWS_REGION says.
    assert complete("--sandbox", "status", "rds:an") == []


def test_a_short_reference_made_from_an_arn_is_offered_only_with_its_credentials(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from exportctl.services import search_spec

    # The compact form of an ARN leaves out its account as well as its region: read
    # with another profile in the same region, it names that account's job of the id.
    searched = search_spec()
    assert searched is not None and searched.prefix
    config = "[profile mgmt]\nregion = us-east-1\n[profile member]\nregion = us-east-1\n"
    creds = "[member]\naws_access_key_id = AKIASANDBOXEXAMPLE02\naws_secret_access_key = x\n"
    monkeypatch.setenv("AWS_CONFIG_FILE", str(write(tmp_path / "config", config)))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(write(tmp_path / "creds", creds)))
    listed = CliRunner().invoke(
        cli, ["--sandbox", "--profile", "mgmt", "list", "-s", searched.name],
        env={"COLUMNS": "100"},
    )  # fmt: skip
    assert listed.exit_code == 0, listed.stderr
    printed = [w for w in listed.stdout.split() if w.startswith(f"{searched.prefix}:")]
    assert printed
    typed = f"{searched.prefix}:"
    for words in (
        ("--sandbox", "--profile", "member", "status"),
        ("--sandbox", "status", "--profile", "member"),
        ("--sandbox", "status"),  # the default profile's, whoever that is
        ("--profile", "mgmt", "status"),  # AWS's, not the sandbox's
        ("--sandbox", "--profile", "mgmt,member", "status"),
    ):
        assert complete(*words, typed) == [], words
        assert complete(*words, "arn:"), words
    assert complete("--sandbox", "--profile", "mgmt", "status", typed) == printed
    assert complete("--sandbox", "backups", "--profile", "mgmt", typed) == printed
    monkeypatch.setenv("AWS_PROFILE", "mgmt")
    assert complete("--sandbox", "status", typed) == printed
    # Keys in the environment beat AWS_PROFILE: whose they are takes a call.
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIASANDBOXEXAMPLE02")
    assert complete("--sandbox", "status", typed) == []
    # A reference that names no account (no ARN) finds its job by its region alone,
    # as before: the one it was printed with names none either.
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_PROFILE")
    refcache.remember([refcache.CachedRef("rds:us-east-1:a-job", "rds:a-job", "rds RUNNING")])
    assert complete("--sandbox", "--profile", "member", "status", "rds:a") == ["rds:a-job"]


def test_the_callback_serves_any_ref_argument() -> None:
    refcache.remember([refcache.CachedRef("discovery:us-east-1:export-9")])

    @click.command()
    @click.argument("ref", shell_complete=complete_ref)
    def other(ref: str) -> None:
        """A command of another module attaching the callback."""

    assert complete("d", root=other) == ["discovery:us-east-1:export-9"]
    assert complete("x", root=other) == []


def test_what_list_and_status_print_is_what_completes(tmp_path: Path) -> None:
    env = {"AWS_ACCESS_KEY_ID": "sandbox", "AWS_SECRET_ACCESS_KEY": "sandbox"}
    with Sandbox(port=0, clock=lambda: 0.0) as sb:
        base = ["--endpoint-url", sb.url, "--region", "us-east-1"]
        listed = CliRunner().invoke(cli, [*base, "list", "-s", "discovery", "--json"], env=env)
        refs = [j["ref"] for j in json.loads(listed.stdout)]
        assert refs
        assert complete("status", "discovery:us-east-1:") == refs
        # status puts what it showed in front.
        shown = CliRunner().invoke(cli, [*base, "status", refs[-1]], env=env)
        assert shown.exit_code == 0, shown.stderr
        assert complete("status", "discovery:us-east-1:")[0] == refs[-1]
        sb.reset_calls()
        complete("status", "")
        complete("list", "--region", "")
        assert sum(sb.calls.values()) == 0


def test_the_shorter_form_a_table_prints_of_an_arn_completes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from exportctl.services import search_spec

    # A table narrower than an ARN prints the job's compact reference: the cache
    # held the ARN in both its forms, and Tab completed nothing from that form.
    searched = search_spec()
    assert searched is not None and searched.prefix
    monkeypatch.setenv("EXPORTCTL_SANDBOX", "1")
    listed = CliRunner().invoke(
        cli, ["list", "-s", searched.name], env={"COLUMNS": "100"}, terminal_width=100
    )
    assert listed.exit_code == 0, listed.stderr
    printed = [w for w in listed.stdout.split() if w.startswith(f"{searched.prefix}:")]
    assert printed
    assert complete("status", f"{searched.prefix}:") == printed
    assert complete("backups", printed[0][:-4]) == printed[:1]
    # Read where it leaves out another region, the full form alone is offered.
    assert complete("--region", "eu-west-1", "status", f"{searched.prefix}:") == []
    assert complete("--region", "eu-west-1", "status", "arn:")
    # One printed with its region (not the home one) finds its job from any line.
    listed = CliRunner().invoke(
        cli, ["--region", "eu-west-1", "list", "-s", searched.name], env={"COLUMNS": "100"}
    )
    named = [w for w in listed.stdout.split() if w.startswith(f"{searched.prefix}:eu-west-1:")]
    assert named and complete("--region", "us-west-2", "status", named[0]) == named[:1]


def test_a_commands_own_options_come_before_the_global_ones_after_it() -> None:
    # Global options after the command are hidden copies: offered only when none
    # of the command's own options matches, so they never bury those.
    # list's own, then the services' scope options that start alike (the last
    # service's first, as the command orders them).
    scoped = dict.fromkeys(
        f"--{scope.name}" for spec in reversed(all_specs()) for scope in spec.scopes
    )
    theirs = [name for name in scoped if name.startswith("--s")]
    assert "--search-job" in theirs
    assert complete("list", "--s") == ["--service", "--status", "--since", *theirs]
    assert complete("list", "--sa") == ["--sandbox"]
    assert complete("status", "--pro") == ["--profile"]
    assert complete("list", "--region", "us-east-1", "--reg") == ["--region"]
    assert complete("list", "--sandbox", "--sa") == []
    assert complete("list", "--x") == []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
@pytest.mark.parametrize("fifo_of", ["AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE"])
def test_profiles_are_read_from_regular_files_only(tmp_path: Path, fifo_of: str) -> None:
    # A FIFO in place of one file held the Tab press for ever; the other file's
    # profiles are still offered.
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    config = write(tmp_path / "config", "[profile dev]\n")
    creds = write(tmp_path / "creds", "[prod]\n")
    files = {"AWS_CONFIG_FILE": str(config), "AWS_SHARED_CREDENTIALS_FILE": str(creds)}
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        **files,
        fifo_of: str(fifo),
        "COMP_LINE": "exportctl --profile ",
        "_EXPORTCTL_COMPLETE": "bash_complete",
    }
    console = Path(sys.executable).parent / "exportctl"
    done = subprocess.run([str(console)], env=env, capture_output=True, text=True, timeout=60)
    kept = "prod" if fifo_of == "AWS_CONFIG_FILE" else "dev"
    assert (done.returncode, done.stdout.split(), done.stderr) == (0, [f"plain,{kept}"], "")


def test_ctrl_c_during_a_tab_press_says_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    # Whatever is printed then lands in the user's prompt.
    def interrupted() -> list[str]:
        raise KeyboardInterrupt

    monkeypatch.setattr("exportctl.cli.complete.profile_names", interrupted)
    env = {"COMP_LINE": "exportctl --profile ", "_EXPORTCTL_COMPLETE": "bash_complete"}
    done = CliRunner().invoke(cli, [], env=env, prog_name="exportctl")
    assert (done.exit_code, done.stdout, done.stderr) == (130, "", "")


def test_the_fixed_values_the_help_lists() -> None:
    from exportctl.ops.conditions import accepted_words

    offered = complete("wait", "x", "--until", "")
    assert offered[:4] == ["COMPLETED", "FAILED", "CANCELLED", "terminal"]
    # Every word --until takes, one of those that differ only in case.
    assert {o.lower() for o in offered} == {w.lower() for w in accepted_words()}
    assert len(offered) == len({o.lower() for o in offered})
    # Taken in any case, offered in the case typed.
    assert complete("wait", "x", "--until=c")[:2] == ["completed", "cancelled"]
    assert complete("wait", "x", "--until", "T") == ["TERMINAL"]
    assert complete("start", "logs", "--until", "FA") == ["FAILED"]
    # start's --until offers the words of its own service's jobs alone.
    assert complete("start", "dynamodb", "--until", "c") == ["completed"]
    assert "deleted" not in complete("start", "discovery", "--until", "")
    assert "deleted" in complete("start", "ec2", "--until", "")
    # start's options whose values are the model's enum.
    assert complete("start", "dynamodb", "--format", "") == ["DYNAMODB_JSON", "ION"]
    assert complete("start", "ec2", "--target-environment", "") == ["citrix", "vmware", "microsoft"]
    assert complete("start", "ec2", "--format", "r") == ["raw"]
    # --region all, alone.
    assert complete("--region", "a")[0] == "all"
    assert "us-east-1,all" not in complete("list", "--region", "us-east-1,a")


def test_commands_offer_only_the_services_and_references_they_take() -> None:
    from exportctl.services import search_spec

    able = {spec.name for spec in all_specs() if spec.cancel is not None}
    unable = {spec.name for spec in all_specs()} - able
    assert able and unable
    offered = set(complete("cancel", "-s", ""))
    assert able <= offered and not unable & offered
    # Its help lists the same names (the others are refused in its own words).
    shown = CliRunner().invoke(cli, ["cancel", "--help"], terminal_width=10_000).stdout
    named = " ".join(shown.split()).split("NAME: ", 1)[1].split(".", 1)[0]
    assert set(named.split(", ")) == offered
    # backups takes the search jobs' service's references alone.
    searched = search_spec()
    assert searched is not None
    pin = refcache.CachedRef("pinpoint:us-east-1:app/one", "pinpoint:app/one", "pinpoint RUNNING")
    search = refcache.CachedRef(f"{searched.name}:us-east-1:a7cff00d", f"{searched.name}:a7cff00d",
                                f"{searched.name} COMPLETED")  # fmt: skip
    refcache.remember([pin, search])
    assert complete("backups", "") == [f"{searched.name}:us-east-1:a7cff00d"]
    assert complete("download", "") == [
        "pinpoint:us-east-1:app/one", f"{searched.name}:us-east-1:a7cff00d"
    ]  # fmt: skip
    # cancel, the references of the services that can cancel alone, as its -s offers.
    cancellable = [
        refcache.CachedRef(f"{name}:us-east-1:job-{name}", f"{name}:job-{name}", f"{name} RUNNING")
        for name in sorted(able)
    ]
    refcache.remember([pin, search, *cancellable])
    assert complete("cancel", "") == [entry.ref for entry in cancellable]


def test_a_cached_reference_without_its_service_is_offered_by_what_it_names() -> None:
    from exportctl.services import search_spec
    from exportctl.services.refs import arn_form

    # A line of the cache with the reference alone (no "SERVICE STATE" after it): its
    # service is read from the reference, a compact one's prefix or an ARN's service.
    able = sorted(spec.name for spec in all_specs() if spec.cancel is not None)
    unable = sorted(spec.name for spec in all_specs() if spec.cancel is None)
    searched = search_spec()
    assert able and unable and searched is not None
    form = arn_form(searched)
    assert form is not None
    arn = form.replace("REGION", "us-east-1").replace("ACCOUNT", "123456789012")
    arn = arn.replace("NAME", "n").replace("ID", "a7cff00d")
    bare = [refcache.CachedRef(f"{name}:us-east-1:job-{name}") for name in [*able, *unable]]
    refcache.remember([refcache.CachedRef(arn), *bare, refcache.CachedRef("job-of-no-service")])
    assert complete("cancel", "") == [f"{name}:us-east-1:job-{name}" for name in able]
    assert complete("backups", "") == [arn, f"{searched.name}:us-east-1:job-{searched.name}"]
    # A bare id, which names its job with --service alone, is no reference of a line.
    assert len(complete("status", "")) == len(bare) + 1
