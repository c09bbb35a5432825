"""The data loader knows the same services as botocore's, without listing them all."""

from __future__ import annotations

import json
import os
from pathlib import Path

import botocore.exceptions
import botocore.session
import pytest
from botocore.exceptions import UnknownServiceError
from botocore.loaders import JSONFileLoader, Loader

from exportctl.aws.clients import AwsSettings, Clients
from exportctl.aws.loader import KnownServices, ServiceLoader, models_session, use_service_loader

TYPES = ["service-2", "endpoint-rule-set-1", "paginators-1", "waiters-2"]
NAMES = ["discovery", "personalize", "pinpoint", "backupsearch", "s3", "sts", "no-such-service",
         "", "data", "DISCOVERY", "../botocore", "discovery/2015-11-01"]  # fmt: skip


@pytest.mark.parametrize("type_name", TYPES)
def test_it_knows_exactly_the_services_botocore_knows(type_name: str) -> None:
    listed = Loader().list_available_services(type_name)
    known = ServiceLoader().list_available_services(type_name)
    for name in [*NAMES, *listed[::37]]:
        assert (name in known) == (name in listed), name
    assert list(known) == listed and len(known) == len(listed) and known == listed


def test_a_known_service_is_checked_without_listing_the_data(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    data = Path(botocore.__file__).parent / "data"
    listed: list[str] = []
    real = os.listdir

    def listdir(path: str | os.PathLike[str] = ".") -> list[str]:
        listed.append(os.fspath(path))
        return real(path)

    monkeypatch.setattr(os, "listdir", listdir)
    # A loader of its own: the process's has read these services already.
    clients = Clients(AwsSettings(region="us-east-1", access_key="x", secret_key="x"), loaders={})
    services = {"discovery", "personalize", "pinpoint", "backupsearch"}
    for service in services:
        clients.client(service)
    assert str(data) not in {os.path.normpath(p) for p in listed}
    # Only the folders of the services asked for are looked into.
    assert {Path(p).name for p in listed} == services


def test_an_unknown_service_is_still_botocores_error_with_every_name() -> None:
    session = botocore.session.Session()
    use_service_loader(session)
    with pytest.raises(UnknownServiceError) as raised:
        session.create_client("no-such-service", region_name="us-east-1")
    assert "discovery" in str(raised.value) and "personalize" in str(raised.value)


def test_a_model_of_ones_own_on_aws_data_path_is_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = tmp_path / "exportctl-own" / "2026-01-01" / "service-2.json"
    model.parent.mkdir(parents=True)
    discovery = Loader().load_service_model("discovery", "service-2")
    model.write_text(json.dumps(discovery), encoding="utf-8")
    monkeypatch.setenv("AWS_DATA_PATH", str(tmp_path))
    session = botocore.session.Session()
    use_service_loader(session)
    loader = session.get_component("data_loader")
    assert str(tmp_path) in loader.search_paths
    known = loader.list_available_services("service-2")
    assert isinstance(known, KnownServices)
    assert "exportctl-own" in known and "exportctl-own" in list(known)
    assert loader.load_service_model("exportctl-own", "service-2") == discovery
    assert "exportctl-own" in session.get_available_services()


def test_models_are_read_whatever_the_profile_and_config_file_say(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What a start's checks and a sandbox read: a profile named nowhere and a config
    # file that does not parse stop botocore's own session, and not this one.
    config = tmp_path / "config"
    config.write_text("[profile broken\nregion = x\n", encoding="utf-8")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_PROFILE", "nothing-here")
    with pytest.raises(botocore.exceptions.BotoCoreError):
        botocore.session.get_session().get_service_model("logs")
    assert "CreateExportTask" in models_session().get_service_model("logs").operation_names
    # AWS_DATA_PATH still counts.
    own = tmp_path / "data" / "exportctl-own" / "2026-01-01" / "service-2.json"
    own.parent.mkdir(parents=True)
    own.write_text(json.dumps(Loader().load_service_model("discovery", "service-2")))
    monkeypatch.setenv("AWS_DATA_PATH", str(tmp_path / "data"))
    assert models_session().get_service_model("exportctl-own").service_name == "exportctl-own"


@pytest.fixture
def read(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The data files botocore's loaders read from now on (SERVICE/FILE)."""
    files: list[str] = []
    real = JSONFileLoader.load_file

    def load(self: JSONFileLoader, path: str) -> object:
        found = real(self, path)
        if found is not None:
            files.append("/".join(Path(path).parts[-3::2]))
        return found

    monkeypatch.setattr(JSONFileLoader, "load_file", load)
    return files


def test_the_sessions_of_one_command_read_a_model_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, read: list[str]
) -> None:
    # Each account or profile a command reaches has a session of its own; they share
    # the loader (and what it read) when they search the same paths.
    settings = AwsSettings(region="us-east-1", access_key="x", secret_key="x")
    first = Clients(settings, loaders={})
    others = [Clients(settings, loaders=first.loaders) for _ in range(3)]
    for clients in (first, *others):
        clients.client("discovery", "us-east-1")
        clients.client("discovery", "eu-west-1")
    assert read.count("discovery/service-2") == 1
    loaders = {id(c.session.get_component("data_loader")) for c in (first, *others)}
    assert len(loaders) == 1
    # A session that searches other paths (its own AWS_DATA_PATH) reads its own.
    monkeypatch.setenv("AWS_DATA_PATH", str(tmp_path))
    apart = Clients(settings, loaders=first.loaders)
    apart.client("discovery", "us-east-1")
    assert read.count("discovery/service-2") == 2
    assert apart.session.get_component("data_loader") is not first.session.get_component(
        "data_loader"
    )


def test_the_commands_of_one_process_share_what_was_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, read: list[str]
) -> None:
    # The Python API and a test run make many commands in one process: each model is
    # read once there, not once a command.
    # Search paths no command of this process used before: a loader new to it.
    monkeypatch.setenv("AWS_DATA_PATH", str(tmp_path))
    settings = AwsSettings(region="us-east-1", access_key="x", secret_key="x")
    commands = [Clients(settings) for _ in range(3)]
    for clients in commands:
        clients.client("personalize", "us-east-1")
    assert read.count("personalize/service-2") == 1
    assert len({id(c.session.get_component("data_loader")) for c in commands}) == 1
