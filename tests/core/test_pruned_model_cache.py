"""Pruned models kept in the cache are what pruning the whole model gives, and a
model file that changed is read whole again."""

from __future__ import annotations

import gzip
import os
import shutil
from pathlib import Path
from typing import Any

import botocore
import pytest
from botocore_reads import record_whole_reads

from exportctl.aws import prunedmodels
from exportctl.aws.loader import ServiceLoader
from exportctl.store.cachefiles import cache_dir

CALLED = frozenset({"DescribeExportTasks", "StartExportTask"})


@pytest.fixture(autouse=True)
def _first_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests start where a user's first command does: nothing kept yet."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


@pytest.fixture
def whole_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The API model files botocore decodes whole, in order."""
    return record_whole_reads(monkeypatch, "service-2")


def _load(loader: ServiceLoader, service: str = "discovery") -> Any:
    return prunedmodels.load(loader, service, "service-2", None, CALLED)


def _expected(loader: ServiceLoader, service: str = "discovery") -> Any:
    return prunedmodels.pruned(loader.load_service_model(service, "service-2"), CALLED)


def test_the_first_read_is_whole_and_later_ones_decode_a_few_kilobytes(
    whole_reads: list[str],
) -> None:
    first = _load(ServiceLoader())
    assert len(whole_reads) == 1
    [kept] = cache_dir().glob("model-discovery-*.json")
    assert kept.stat().st_size < 30_000
    whole_reads.clear()
    again = _load(ServiceLoader())
    assert whole_reads == []
    assert again == first == _expected(ServiceLoader())
    assert set(again["operations"]) == CALLED


def test_a_model_file_changed_in_place_is_read_whole_again(
    tmp_path: Path, whole_reads: list[str]
) -> None:
    # A copy of botocore's model on a search path of one's own, edited without a
    # change of size or time: only its contents tell.
    data = tmp_path / "data"
    source = Path(botocore.__file__).parent / "data" / "discovery"
    shutil.copytree(source, data / "discovery")
    [file] = (data / "discovery").glob("*/service-2.json.gz")
    loader = ServiceLoader(extra_search_paths=[str(data)], include_default_search_paths=False)
    assert _load(loader)["metadata"]["serviceFullName"] == "AWS Application Discovery Service"
    text = gzip.decompress(file.read_bytes())
    edited = text.replace(
        b"AWS Application Discovery Service", b"AWS Application Discovery Servicf"
    )
    assert edited != text
    times = file.stat()
    file.write_bytes(gzip.compress(edited, mtime=0))
    os.utime(file, ns=(times.st_atime_ns, times.st_mtime_ns))
    whole_reads.clear()
    fresh = ServiceLoader(extra_search_paths=[str(data)], include_default_search_paths=False)
    assert _load(fresh)["metadata"]["serviceFullName"] == "AWS Application Discovery Servicf"
    assert len(whole_reads) == 1


@pytest.mark.parametrize("damage", [b"", b"not a stamp\n{}", b"STAMP\n{not json"])
def test_a_kept_model_that_does_not_read_is_read_whole(
    whole_reads: list[str], damage: bytes
) -> None:
    _load(ServiceLoader())
    [kept] = cache_dir().glob("model-discovery-*.json")
    stamp = kept.read_bytes().split(b"\n", 1)[0]
    kept.write_bytes(damage.replace(b"STAMP", stamp))
    whole_reads.clear()
    model = _load(ServiceLoader())
    assert len(whole_reads) == 1
    assert model == _expected(ServiceLoader())


def test_without_a_cache_folder_the_model_is_read_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", "")
    monkeypatch.delenv("HOME")
    monkeypatch.setattr(Path, "home", lambda: (_ for _ in ()).throw(RuntimeError("no home")))
    assert _load(ServiceLoader()) == _expected(ServiceLoader())


def test_an_unknown_service_raises_botocores_own_error() -> None:
    from botocore.exceptions import UnknownServiceError

    with pytest.raises(UnknownServiceError):
        _load(ServiceLoader(), "no-such-service")
