"""What ``jsontext`` takes from the standard library's json module, pinned to
``json.dumps``: should a Python release change either, these fail, not the output."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from exportctl.output import jsontext

ODD_VALUES: list[Any] = [
    "",
    'q"uote \\ back / %s \x00 \x1f \x7f \x85 ünï \u2028 \u2029 \ud800 \U0001f600',
    0,
    -1,
    10**30,
    1.5,
    -0.0,
    1e16,
    1e-7,
    float("inf"),
    float("-inf"),
    float("nan"),
    True,
    None,
    [],
    {},
    [1, "a", None, [2, [3, {}]], {"k": []}],
    {7: "int key", 2.5: "float key", True: "bool key", None: "null key"},
    {"when": datetime(2026, 11, 1, 8, 30, 0, 250000, tzinfo=timezone.utc)},
    (1, "tuple"),
]


@pytest.mark.parametrize("value", ODD_VALUES, ids=repr)
@pytest.mark.parametrize(("items", "keys"), [(", ", ": "), (",\n    ", ": "), (",", ":")])
def test_an_encoder_writes_what_json_dumps_writes(value: Any, items: str, keys: str) -> None:
    expected = json.dumps(value, ensure_ascii=False, default=str, separators=(items, keys))
    assert jsontext.encoder(items, keys)(value) == expected


def test_an_encoder_is_made_once_and_used_again() -> None:
    encode = jsontext.encoder()
    assert [encode({"a": n}) for n in range(3)] == ['{"a": 0}', '{"a": 1}', '{"a": 2}']


def test_the_string_encoder_writes_what_json_dumps_writes_for_every_character() -> None:
    # Every character of the first plane (lone surrogates included) and a few beyond.
    text = "".join(map(chr, range(0x10000))) + "\U0001f600\U0010ffff"
    assert jsontext._STRING(text) == json.dumps(text, ensure_ascii=False)


def test_no_private_part_of_the_json_module_is_used() -> None:
    # Its C accelerator's own entry points (json.encoder.c_make_encoder, _json) are not
    # the module's interface; its encoder class is.
    source = Path(jsontext.__file__).read_text(encoding="utf-8")
    assert "c_make_encoder" not in source and "_json" not in source
