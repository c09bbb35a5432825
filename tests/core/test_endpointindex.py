"""botocore's endpoint data read through the index answers as the whole file does."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from botocore.loaders import Loader
from botocore.regions import EndpointResolver
from botocore_reads import record_whole_reads

from exportctl.aws import endpointindex
from exportctl.aws.clients import AwsSettings, Clients
from exportctl.aws.loader import ServiceLoader, use_service_loader
from exportctl.store.cachefiles import cache_dir

SERVICES = ["discovery", "personalize", "pinpoint", "backupsearch", "s3", "sts",
            "organizations", "iam", "ec2", "no-such-service"]  # fmt: skip


@pytest.fixture(autouse=True)
def _first_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests start where a user's first command does: nothing indexed yet."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


@pytest.fixture
def whole_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The endpoint data files botocore decodes whole, in order."""
    return record_whole_reads(monkeypatch, endpointindex.NAME)


def whole() -> Any:
    return Loader().load_data("endpoints")


def indexed() -> Any:
    return ServiceLoader().load_data("endpoints")


def without_services(data: Any) -> Any:
    return {**data, "partitions": [
        {k: v for k, v in p.items() if k != "services"} for p in data["partitions"]
    ]}  # fmt: skip


def test_the_first_read_is_botocores_and_leaves_an_index(whole_reads: list[str]) -> None:
    data = indexed()
    assert len(whole_reads) == 1
    assert data == whole()
    assert [p.name for p in cache_dir().iterdir()] == [
        endpointindex.index_path(whole_reads[0] + ".json").name
    ]


def test_later_reads_decode_nothing_whole_and_give_the_same_data(
    whole_reads: list[str],
) -> None:
    indexed()
    whole_reads.clear()
    data = indexed()
    assert whole_reads == []
    full = whole()
    assert without_services(data) == without_services(full)
    for ours, theirs in zip(data["partitions"], full["partitions"], strict=True):
        assert isinstance(ours["services"], endpointindex.Services)
        assert list(ours["services"]) == list(theirs["services"])
        assert len(ours["services"]) == len(theirs["services"])
        for name in [*theirs["services"], "no-such-service"]:
            assert (name in ours["services"]) == (name in theirs["services"])
            assert ours["services"].get(name) == theirs["services"].get(name)


def test_the_resolver_answers_alike() -> None:
    indexed()
    ours, theirs = EndpointResolver(indexed()), EndpointResolver(whole())
    regions = ["us-east-1", "eu-west-3", "cn-north-1", "us-gov-west-1", "us-iso-east-1",
               "ap-southeast-7", "mars-north-1", None]  # fmt: skip
    for service in SERVICES:
        for partition in theirs.get_available_partitions():
            assert ours.get_available_endpoints(service, partition) == (
                theirs.get_available_endpoints(service, partition)
            )
            assert ours.get_service_endpoints_data(service, partition) == (
                theirs.get_service_endpoints_data(service, partition)
            )
        for region in regions:
            for fips in (False, True):
                try:
                    expected = theirs.construct_endpoint(service, region, use_fips_endpoint=fips)
                except Exception as exc:
                    with pytest.raises(type(exc)):
                        ours.construct_endpoint(service, region, use_fips_endpoint=fips)
                else:
                    assert (
                        ours.construct_endpoint(service, region, use_fips_endpoint=fips) == expected
                    ), (service, region, fips)
    assert ours.get_partition_for_region("cn-north-1") == "aws-cn"


def test_clients_are_made_from_the_index(whole_reads: list[str]) -> None:
    settings = AwsSettings(region="eu-west-1", access_key="x", secret_key="x")
    first = Clients(settings).client("discovery")
    whole_reads.clear()
    clients = Clients(settings)
    again = clients.client("discovery")
    s3 = clients.client("s3")
    assert whole_reads == []
    assert again.meta.endpoint_url == first.meta.endpoint_url
    assert again.meta.endpoint_url == "https://discovery.eu-west-1.amazonaws.com"
    assert s3.meta.endpoint_url == "https://s3.eu-west-1.amazonaws.com"
    assert clients.partition("cn-northwest-1") == "aws-cn"


def own_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suffix: str) -> Path:
    data = whole()
    data["partitions"][0]["dnsSuffix"] = suffix
    file = tmp_path / "models" / "endpoints.json"
    file.parent.mkdir(exist_ok=True)
    file.write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setenv("AWS_DATA_PATH", str(file.parent))
    return file


def own_loader() -> Loader:
    session = botocore.session.Session()
    use_service_loader(session)
    return session.get_component("data_loader")


def test_a_file_of_ones_own_is_indexed_apart_and_read_again_once_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, whole_reads: list[str]
) -> None:
    indexed()
    file = own_data(tmp_path, monkeypatch, "example.com")
    data, path = own_loader().load_data_with_path("endpoints")
    assert path == str(file.with_suffix("")) and data["partitions"][0]["dnsSuffix"] == "example.com"
    assert len(list(cache_dir().iterdir())) == 2
    whole_reads.clear()
    assert own_loader().load_data("endpoints")["partitions"][0]["dnsSuffix"] == "example.com"
    assert whole_reads == []
    own_data(tmp_path, monkeypatch, "changed.example.org")
    whole_reads.clear()
    changed = own_loader().load_data("endpoints")
    assert changed["partitions"][0]["dnsSuffix"] == "changed.example.org"
    assert whole_reads == [str(file.with_suffix(""))]
    assert EndpointResolver(changed).construct_endpoint("sts", "us-east-1")["hostname"] == (
        "sts.us-east-1.changed.example.org"
    )


@pytest.mark.parametrize("garbage", [b"", b"\n\n\n", b"\xff\xfe", b"exportctl endpoint index 1\n{"])
def test_an_index_that_cannot_be_read_is_read_again_from_botocore(
    garbage: bytes, whole_reads: list[str]
) -> None:
    indexed()
    (index,) = cache_dir().iterdir()
    index.write_bytes(garbage)
    whole_reads.clear()
    assert indexed() == whole()
    assert len(whole_reads) == 2  # ours, then the comparison's
    whole_reads.clear()
    indexed()
    assert whole_reads == []


def test_a_line_that_does_not_decode_is_taken_from_the_whole_file() -> None:
    indexed()
    (index,) = cache_dir().iterdir()
    lines = index.read_bytes().split(b"\n")
    place = next(i for i, line in enumerate(lines) if b"\tdiscovery\t" in line)
    lines[place] = lines[place][: lines[place].index(b"\tdiscovery\t")] + b"\tdiscovery\t{oops"
    index.write_bytes(b"\n".join(lines))
    ours = indexed()
    assert (
        ours["partitions"][0]["services"]["discovery"]
        == (whole()["partitions"][0]["services"]["discovery"])
    )


def test_a_cache_that_cannot_be_written_costs_nothing_but_the_whole_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, whole_reads: list[str]
) -> None:
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    assert indexed() == whole()
    clients = Clients(AwsSettings(region="us-east-1", access_key="x", secret_key="x"))
    assert clients.client("discovery").meta.endpoint_url.startswith("https://discovery.")
    assert blocked.read_text(encoding="utf-8") == ""


def test_regions_come_from_the_head_of_the_index(monkeypatch: pytest.MonkeyPatch) -> None:
    from exportctl.aws import regions

    read = regions._partitions
    before = read()
    assert before and all("services" in p for p in before)
    indexed()
    opened: list[str] = []
    real = Path.read_text

    def read_text(self: Path, *args: Any, **kwargs: Any) -> str:
        opened.append(self.name)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", read_text)
    after = read()
    assert opened == []
    assert list(after) == [{k: v for k, v in p.items() if k != "services"} for p in before]
    assert regions.region_names() == sorted({r for p in before for r in p["regions"]})


def test_regions_of_a_stale_index_are_read_from_the_file() -> None:
    from exportctl.aws import regions

    indexed()
    (index,) = cache_dir().iterdir()
    lines = index.read_bytes().split(b"\n", 2)
    lines[1] = lines[1].replace(b'"us-east-1"', b'"us-stale-1"')
    stamp = lines[0].split(b"\t")
    stamp[-1] = b"1"
    index.write_bytes(b"\n".join([b"\t".join(stamp), *lines[1:]]))
    names = {r for p in regions._partitions() for r in p["regions"]}
    assert "us-east-1" in names and "us-stale-1" not in names


def test_no_home_folder_for_the_cache_costs_nothing_but_the_whole_read(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from exportctl.aws import regions

    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    assert indexed() == whole()
    assert regions._partitions() == tuple(whole()["partitions"])
    clients = Clients(AwsSettings(region="us-east-1", access_key="x", secret_key="x"))
    assert clients.client("discovery").meta.endpoint_url.startswith("https://discovery.")


def same_size_and_time(file: Path, old: str, new: str) -> None:
    """Replace ``old`` with ``new`` (as long) in ``file``, its size and times kept."""
    assert len(old) == len(new)
    before = file.stat()
    text = file.read_text(encoding="utf-8")
    assert old in text
    file.write_text(text.replace(old, new), encoding="utf-8")
    os.utime(file, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = file.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)


def test_a_file_replaced_by_one_of_the_same_size_and_time_is_not_read_from_the_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, whole_reads: list[str]
) -> None:
    from exportctl.aws import regions

    file = own_data(tmp_path, monkeypatch, "aaaa.example.com")
    data = json.loads(file.read_text(encoding="utf-8"))
    data["partitions"][0]["regions"]["xx-aaaa-1"] = {"description": "Before"}
    file.write_text(json.dumps(data), encoding="utf-8")
    own_loader().load_data("endpoints")
    assert "xx-aaaa-1" in regions.region_names()
    whole_reads.clear()
    assert own_loader().load_data("endpoints")["partitions"][0]["dnsSuffix"] == "aaaa.example.com"
    assert whole_reads == [], "the index serves an unchanged file"

    same_size_and_time(file, "aaaa.example.com", "bbbb.example.com")
    same_size_and_time(file, "xx-aaaa-1", "xx-bbbb-1")
    names = regions.region_names()
    assert "xx-bbbb-1" in names and "xx-aaaa-1" not in names
    changed = own_loader().load_data("endpoints")
    assert whole_reads == [str(file.with_suffix(""))]
    assert changed["partitions"][0]["dnsSuffix"] == "bbbb.example.com"
    assert EndpointResolver(changed).construct_endpoint("sts", "us-east-1")["hostname"] == (
        "sts.us-east-1.bbbb.example.com"
    )
    # Indexed anew: the next command reads the index again, of the new contents.
    whole_reads.clear()
    again = own_loader().load_data("endpoints")
    assert whole_reads == [] and again["partitions"][0]["dnsSuffix"] == "bbbb.example.com"
    assert "xx-bbbb-1" in regions.region_names()


def test_the_index_is_found_where_botocore_finds_the_file(tmp_path: Path) -> None:
    import gzip

    # botocore's order: the folders of its search path, in each .json before .json.gz.
    def folder(name: str, **files: str) -> str:
        place = tmp_path / name
        place.mkdir()
        data = whole()
        for extension, suffix in files.items():
            data["partitions"][0]["dnsSuffix"] = suffix
            text = json.dumps(data).encode()
            target = place / f"endpoints.{extension.replace('_', '.')}"
            target.write_bytes(gzip.compress(text) if extension.endswith("gz") else text)
        return str(place)

    cases = [
        [folder("none"), folder("gz", json_gz="gz.example"), folder("plain", json="plain.example")],
        [folder("both", json_gz="gz.example", json="json.example")],
    ]
    for paths in cases:
        loader = Loader(extra_search_paths=paths)
        data, path = loader.load_data_with_path("endpoints")
        found = endpointindex.source(loader.search_paths)
        assert found is not None and found[0] == path
        suffix = data["partitions"][0]["dnsSuffix"]
        assert found[1].endswith(".json.gz" if suffix == "gz.example" else ".json")
        # And read through the index, first and second time, as botocore reads it.
        for _ in range(2):
            ours = ServiceLoader(extra_search_paths=paths).load_data_with_path("endpoints")
            assert ours[1] == path and ours[0]["partitions"][0]["dnsSuffix"] == suffix


def test_the_region_of_a_profile_is_checked_against_its_sessions_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A profile's data_path is seen by botocore's loader only: the region check of
    the profile's region reads what the session's loader reads."""
    from exportctl.aws import regions

    data = whole()
    data["partitions"][0]["regions"]["xx-profile-1"] = {"description": "The profile's"}
    (tmp_path / "endpoints.json").write_text(json.dumps(data), encoding="utf-8")
    config = tmp_path / "config"
    config.write_text(f"[default]\nregion = xx-profile-1\ndata_path = {tmp_path}\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    for name in ("AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_DATA_PATH"):
        monkeypatch.delenv(name, raising=False)
    clients = Clients(AwsSettings(access_key="x", secret_key="x"))
    assert tmp_path.name in str(clients.session.get_component("data_loader").search_paths)
    assert "xx-profile-1" not in regions.region_names()
    assert clients.default_region == "xx-profile-1"
