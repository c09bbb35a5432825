"""Which names are regions: those botocore's endpoint data lists, in the file
botocore's loader reads (AWS_DATA_PATH first), and what a mistyped one was meant to be."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from botocore.loaders import create_loader

from exportctl.aws import regions
from exportctl.domain.errors import ExitCode, UsageError

NEW_REGION = "xx-space-1"


def botocores_endpoints() -> Any:
    return create_loader().load_data("endpoints")


def data_folder(folder: Path, *added: str) -> Path:
    """A folder for AWS_DATA_PATH whose endpoints.json is botocore's and ``added``."""
    data = botocores_endpoints()
    for name in added:
        data["partitions"][0]["regions"][name] = {"description": "New"}
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "endpoints.json").write_text(json.dumps(data), encoding="utf-8")
    return folder


def refusal(name: str, source: str = "--region") -> str:
    with pytest.raises(UsageError) as caught:
        regions.check_region(name, source=source)
    assert caught.value.exit_code == ExitCode.USAGE
    return caught.value.message


def test_the_regions_are_those_botocore_lists() -> None:
    listed = {r for p in botocores_endpoints()["partitions"] for r in p["regions"]}
    assert set(regions.region_names()) == listed
    for name in listed:
        regions.check_region(name)


@pytest.mark.parametrize(
    ("name", "meant"),
    [
        ("us-est-1", ["us-east-1", "us-west-1"]),
        ("eu-wst-1", ["eu-west-1"]),
        ("us-east-7", ["us-east-1", "us-east-2"]),
        ("US-EAST-1", ["us-east-1"]),
        ("Eu-West-1", ["eu-west-1"]),
        ("mars-1", []),
        ("x" * 10_000, []),
    ],
)
def test_the_nearest_regions_are_all_those_equally_near(name: str, meant: list[str]) -> None:
    assert regions.nearest(name, regions.region_names()) == meant


@pytest.mark.parametrize("name", ["us-est-1", "eu-wst-1", "us-east-7", "eu-south-9", "mars-1"])
def test_a_name_a_partition_pattern_allows_is_no_region(name: str) -> None:
    assert name not in regions.region_names()
    message = refusal(name)
    assert message.startswith(f"unknown region '{name}' in --region")


def test_a_name_in_capitals_gets_its_lower_case_not_a_list() -> None:
    message = refusal("US-EAST-1")
    assert "did you mean 'us-east-1'?" in message
    assert "eu-west-1" not in message and len(message) < 250


def test_the_message_says_where_the_name_was_given_and_how_a_new_region_is_used() -> None:
    message = refusal("us-est-1", source="AWS_REGION")
    assert message.startswith("unknown region 'us-est-1' in AWS_REGION; did you mean ")
    assert "newer botocore" in message and "endpoints.json on AWS_DATA_PATH" in message


def test_the_first_name_that_is_no_region_is_the_one_named() -> None:
    regions.check_regions([])
    with pytest.raises(UsageError, match="'eu-wst-1' in --region"):
        regions.check_regions(["eu-west-1", "eu-wst-1", "us-est-1"])


def test_a_region_an_endpoints_json_on_aws_data_path_adds_is_known(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert NEW_REGION not in regions.region_names()
    monkeypatch.setenv("AWS_DATA_PATH", str(data_folder(tmp_path / "data", NEW_REGION)))
    assert NEW_REGION in regions.region_names()
    regions.check_regions([NEW_REGION, "us-east-1"])
    assert NEW_REGION in regions.region_names()


def test_aws_data_path_is_searched_as_botocore_searches_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Folders without the file are passed over; the first file found is the data,
    # botocore's own included; ~ and variables are expanded, as botocore does.
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("NEW_DATA", "second")
    data_folder(tmp_path / "second", NEW_REGION)
    data_folder(tmp_path / "third", "xx-later-1")
    (tmp_path / "empty").mkdir()
    monkeypatch.setenv(
        "AWS_DATA_PATH",
        os.pathsep.join([str(tmp_path / "missing"), "~/empty", "~/$NEW_DATA", "~/third"]),
    )
    assert regions.search_paths()[:4] == [
        str(tmp_path / name) for name in ("missing", "empty", "second", "third")
    ]
    assert NEW_REGION in regions.region_names() and "xx-later-1" not in regions.region_names()
    loader = create_loader(os.environ["AWS_DATA_PATH"])
    assert loader.load_data_with_path("endpoints")[1] == str(tmp_path / "second" / "endpoints")


def test_aws_models_in_the_home_folder_come_before_botocores_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    data_folder(tmp_path / ".aws" / "models", NEW_REGION)
    assert NEW_REGION in regions.region_names()


@pytest.mark.parametrize(
    "content",
    ["[1, 2]", '{"partitions": 7}', '{"partitions": [7, {"regions": []}]}', "not json"],
)
def test_an_endpoints_json_that_lists_no_region_refuses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, content: str
) -> None:
    (tmp_path / "endpoints.json").write_text(content, encoding="utf-8")
    monkeypatch.setenv("AWS_DATA_PATH", str(tmp_path))
    assert regions.region_names() == []
    regions.check_region("us-est-1")


def test_no_name_to_check_reads_no_data(monkeypatch: pytest.MonkeyPatch) -> None:
    # Whether the index is current is a hash of the whole file: not for nothing.
    from exportctl.aws import endpointindex

    def forbidden(file: str) -> str:
        raise AssertionError(f"{file} was hashed")

    monkeypatch.setattr(endpointindex, "_stamp", forbidden)
    regions.check_regions([])
    regions.check_regions(iter(()), source="AWS_REGION")
