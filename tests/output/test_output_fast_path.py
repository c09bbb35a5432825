"""JSON is written record by record (``jsontext``): byte for byte what the general
path (ExportJob.to_dict, then one json.dumps(indent=2)) writes.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from output_support import invoke

from exportctl.domain.model import RECORD_KEYS, ExportJob, Progress, State
from exportctl.ops.jobs import ListQuery
from exportctl.output.jsontext import indented, item_text, write_array, write_texts
from exportctl.sandbox import Sandbox

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "adapters"))


def _dumps(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, default=str)


@pytest.mark.parametrize(
    "value",
    [
        [],
        {},
        None,
        "ünï \u2028 \x00",
        [1, [], {}, [[]], {"a": {}}],
        {"a": {"b": {"c": [1, {"d": "é"}]}}, "e": 1.5, "f": float("inf")},
        {7: "int key", 2.5: "float key", True: "bool key", None: "null key", "s": {"x": [1]}},
        [{"a": 1}, {"b": [1, 2]}, "x", 3],
    ],
    ids=repr,
)
def test_json_text_is_json_dumps_indent_2(value: Any) -> None:
    assert indented(value) == _dumps(value)
    array = value if isinstance(value, list) else [value]
    written: list[str] = []
    assert write_array(array, written.append) == len(array)
    assert "".join(written) == _dumps(array) + "\n"


@pytest.mark.parametrize(
    "args",
    [
        ["list", "--json"],
        ["list", "--json", "--service", "pinpoint"],
        ["list", "--json", "--fields", "ref,progress,details"],
        ["list", "--json", "--query", "[?state=='FAILED']"],
        ["list", "--json", "--limit", "3"],
        ["list", "-o", "ndjson", "--service", "backupsearch"],
        ["list", "-o", "ndjson"],
        ["list", "-o", "ndjson", "--fields", "ref,details"],
        ["list", "-o", "csv", "--service", "personalize"],
    ],
    ids=" ".join,
)
def test_list_writes_what_the_general_path_writes(sandbox: Sandbox, args: list[str]) -> None:
    from exportctl.aws.clients import AwsSettings, Clients
    from exportctl.ops.jobs import Jobs
    from exportctl.output.formats import emit
    from exportctl.output.outputspec import JOB_DEFAULT_FIELDS, OutputSpec

    done = invoke(sandbox, *args)
    assert done.exit_code == 0, done.output

    settings = AwsSettings(
        region="us-east-1", endpoint_url=sandbox.url, access_key="x", secret_key="x"
    )
    service = args[args.index("--service") + 1] if "--service" in args else None
    query = ListQuery(services=(service,) if service else ())
    jobs = Jobs(Clients(settings)).list(query).jobs
    if "--limit" in args:
        jobs = jobs[: int(args[args.index("--limit") + 1])]
    fmt = "json" if "--json" in args else args[args.index("-o") + 1]
    query_text = args[args.index("--query") + 1] if "--query" in args else None
    fields = args[args.index("--fields") + 1].split(",") if "--fields" in args else []
    out = OutputSpec(format=fmt, query=query_text, fields=tuple(fields))
    if out.streams:
        # Streams are in arrival order: compare the same records as sets of lines.
        expected = _general(out, jobs, emit, JOB_DEFAULT_FIELDS)
        assert sorted(done.stdout.splitlines()) == sorted(expected.splitlines())
    else:
        assert done.stdout == _general(out, jobs, emit, JOB_DEFAULT_FIELDS)


def _general(out: Any, jobs: Any, emit: Any, default_fields: Any) -> str:
    """What the general path writes: ExportJob.to_dict, then one json.dumps(indent=2)."""
    import contextlib
    import io

    import jmespath

    from exportctl.domain.model import field_value
    from exportctl.output.outputspec import Records

    records = [job.to_dict() for job in jobs]
    if out.format == "json":
        data: Any = records
        if out.fields:
            data = [{f: field_value(r, f) for f in out.fields} for r in records]
        if out.query:
            data = jmespath.search(out.query, data)
        return _dumps(data) + "\n"
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        emit(out, Records(records, to_dict=dict, table=None, default_fields=default_fields))
    return buffer.getvalue()


def test_every_format_teaches_the_estimates_what_the_table_does(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    learned = {}
    formats = (
        ("table", ["list"]),
        ("json", ["list", "--json"]),
        ("ndjson", ["list", "-o", "ndjson"]),
        # Every job read teaches, not only the N written.
        ("csv, limited", ["list", "-o", "csv", "--limit", "1"]),
    )
    for name, args in formats:
        cache = tmp_path / name
        done = invoke(sandbox, *args, XDG_CACHE_HOME=str(cache))
        assert done.exit_code == 0, done.output
        learned[name] = json.loads((cache / "exportctl" / "durations.json").read_text())
    assert learned["table"]
    for name in ("json", "ndjson", "csv, limited"):
        assert learned[name] == learned["table"], name


ODD = 'q"uote \\ back %s %% pct \x00 \x1f \x7f \x85 \x9b ünï \u2028 \U0001f600'
WHEN = datetime(2026, 11, 1, 8, 30, 0, 250000, tzinfo=timezone.utc)


def _odd_jobs() -> list[ExportJob]:
    base = ExportJob(service="pinpoint", ref="r", id="i", region="us-east-1",
                     state=State.RUNNING, status="PROCESSING")  # fmt: skip
    return [
        base,
        dataclasses.replace(
            base,
            ref=ODD,
            id=ODD,
            arn=ODD,
            name=ODD,
            status=ODD,
            message=ODD,
            destination=ODD,
            account="123456789012",
            state=State.FAILED,
            created=WHEN,
            updated=WHEN,
            completed=WHEN,
        ),
        dataclasses.replace(
            base,
            progress=Progress(completed_pieces=1, total_pieces=3, failures=("a", ODD)),
            details={
                ODD: ODD,
                "when": WHEN,
                "nested": {
                    "list": [1, 2.5, None, True, [], {}],
                    "empty": {},
                    "deep": {"x": [{"y": WHEN}]},
                },
                "n": 7,
                "f": 1.5,
            },
        ),
        dataclasses.replace(base, state=State.COMPLETED, details={"only": []}),
        dataclasses.replace(base, state=State.UNKNOWN, status="", details={"flat": 1}),
    ]


@pytest.mark.parametrize("job", _odd_jobs(), ids=lambda j: f"{j.state}-{len(j.details)}")
def test_record_texts_are_the_texts_of_the_records_dict(job: ExportJob) -> None:
    from exportctl.cli.listing import RECORD_TEXTS
    from exportctl.domain.printable import json_text
    from exportctl.output.formats import dumps as _dumps

    record = job.to_dict()
    assert list(record) == list(RECORD_KEYS)
    assert json_text(RECORD_TEXTS.line(job)) == _dumps(record)
    assert json.loads(RECORD_TEXTS.line(job)) == json.loads(json.dumps(record, default=str))
    assert RECORD_TEXTS.item(job) == item_text(record)
    written: list[str] = []
    write_texts([RECORD_TEXTS.item(job)] * 2, written.append)
    assert "".join(written) == _dumps_indented([record, record]) + "\n"


def _dumps_indented(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, default=str)


def test_json_sorts_by_the_key_parts_as_by_the_key_tuples() -> None:
    from exportctl.output.formats import SortKeys as _Keys

    # Ties on the first part, on both parts, and -inf (a job without a creation time).
    keys = [
        (2.0, "b"), (1.0, "z"), (2.0, "a"), (float("-inf"), "c"), (2.0, "b"),
        (1.0, "a"), (float("-inf"), "d"), (3.0, "a"), (2.0, "b"),
    ]  # fmt: skip
    kept = _Keys()
    for key in keys:
        kept.add(key)
    expected = sorted(range(len(keys)), key=keys.__getitem__, reverse=True)
    assert kept.descending() == expected
    assert [keys[i] for i in expected][:3] == [(3.0, "a"), (2.0, "b"), (2.0, "b")]
    assert _Keys().descending() == []
