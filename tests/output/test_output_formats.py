"""--output, --json, --query and --fields: emit() itself, and the commands end to end."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

import pytest
from output_support import invoke

from exportctl.domain.errors import UsageError
from exportctl.output.formats import emit
from exportctl.output.outputspec import JOB_RECORD_FIELDS, OutputSpec, Records
from exportctl.sandbox import Sandbox
from exportctl.services import service_names

RECORDS: list[dict[str, Any]] = [
    {
        "ref": "pinpoint:app/1",
        "state": "RUNNING",
        "terminal": False,
        "message": 'has, a comma and "quotes"\nand a second line',
        "progress": {"total_pieces": 8, "failures": ["a", "b"]},
        "details": {"dataset_arn": "arn:aws:personalize:us-east-1:123456789012:dataset/d/X"},
    },
    {
        "ref": "discovery:e-2",
        "state": "COMPLETED",
        "terminal": True,
        "message": None,
        "progress": None,
        "details": {},
    },
]


def run_emit(
    spec: OutputSpec,
    records: Sequence[dict[str, Any]] = RECORDS,
    *,
    single: bool = False,
    known: Sequence[str] | None = None,
    capsys: pytest.CaptureFixture[str],
) -> str:
    tables: list[tuple[int, tuple[str, ...]]] = []
    emit(
        spec,
        Records(
            records,
            to_dict=dict,
            table=lambda items, fields: tables.append((len(items), fields)),
            default_fields=("ref", "state"),
            single=single,
            known_fields=known,
        ),
    )
    return capsys.readouterr().out


def test_csv_quotes_what_needs_it_and_reads_back(capsys: pytest.CaptureFixture[str]) -> None:
    fields = ("ref", "message", "terminal", "progress.total_pieces", "progress.failures")
    text = run_emit(OutputSpec("csv", fields=fields), capsys=capsys)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == list(fields)
    assert rows[1] == ["pinpoint:app/1", RECORDS[0]["message"], "false", "8", '["a","b"]']
    # Missing nested values are empty cells, booleans JSON's words.
    assert rows[2] == ["discovery:e-2", "", "true", "", ""]
    assert '"has, a comma and ""quotes""\nand a second line"' in text


def test_csv_default_columns(capsys: pytest.CaptureFixture[str]) -> None:
    rows = list(csv.reader(io.StringIO(run_emit(OutputSpec("csv"), capsys=capsys))))
    assert rows == [["ref", "state"], ["pinpoint:app/1", "RUNNING"], ["discovery:e-2", "COMPLETED"]]


def test_nested_details_field(capsys: pytest.CaptureFixture[str]) -> None:
    spec = OutputSpec("csv", fields=("details.dataset_arn",))
    rows = list(csv.reader(io.StringIO(run_emit(spec, known=JOB_RECORD_FIELDS, capsys=capsys))))
    assert rows[1] == [RECORDS[0]["details"]["dataset_arn"]]
    assert rows[2] == [""]


def test_json_query_applies_to_the_whole_array(capsys: pytest.CaptureFixture[str]) -> None:
    text = run_emit(OutputSpec("json", query="[?terminal].ref"), capsys=capsys)
    assert json.loads(text) == ["discovery:e-2"]


def test_json_single_is_an_object_or_null(capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        json.loads(run_emit(OutputSpec("json"), RECORDS[:1], single=True, capsys=capsys))
        == (RECORDS[0])
    )
    assert json.loads(run_emit(OutputSpec("json"), [], single=True, capsys=capsys)) is None


def test_ndjson_query_applies_to_each_record_and_drops_nulls(
    capsys: pytest.CaptureFixture[str],
) -> None:
    text = run_emit(OutputSpec("ndjson", query="progress.total_pieces"), capsys=capsys)
    assert text.splitlines() == ["8"]


def test_csv_query_rows_from_objects(capsys: pytest.CaptureFixture[str]) -> None:
    text = run_emit(OutputSpec("csv", query="{r: ref, done: terminal}"), capsys=capsys)
    assert list(csv.reader(io.StringIO(text))) == [
        ["r", "done"],
        ["pinpoint:app/1", "false"],
        ["discovery:e-2", "true"],
    ]


def test_fields_project_json_keys(capsys: pytest.CaptureFixture[str]) -> None:
    text = run_emit(OutputSpec("ndjson", fields=("ref", "progress.total_pieces")), capsys=capsys)
    assert [json.loads(line) for line in text.splitlines()] == [
        {"ref": "pinpoint:app/1", "progress.total_pieces": 8},
        {"ref": "discovery:e-2", "progress.total_pieces": None},
    ]


def test_unknown_field_names_the_valid_ones(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(UsageError) as caught:
        run_emit(OutputSpec("csv", fields=("ref", "nope")), known=JOB_RECORD_FIELDS, capsys=capsys)
    assert "'nope'" in caught.value.message
    assert "progress.total_pieces" in caught.value.message
    assert capsys.readouterr().out == ""


def test_fields_known_from_the_first_record_without_a_list(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(UsageError, match="valid fields: ref, state"):
        run_emit(OutputSpec("json", fields=("bogus",)), capsys=capsys)


# -- the commands ------------------------------------------------------------------


def one_line_usage_error(result: Any) -> str:
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("exportctl: error: ")
    assert "Traceback" not in result.stderr
    return str(lines[0])


@pytest.mark.parametrize("command", [["list"], ["status", "discovery:e-1"]])
def test_bad_query_is_exit_2_in_one_line(sandbox: Sandbox, command: list[str]) -> None:
    line = one_line_usage_error(invoke(sandbox, *command, "--query", "[?state=="))
    assert "JMESPath" in line
    assert sum(sandbox.calls.values()) == 0


DEEP = ["[" * 500, "(" * 500 + "ref" + ")" * 500, "!" * 500 + "ref"]


@pytest.mark.parametrize("query", DEEP)
@pytest.mark.parametrize(
    "command", [["list"], ["status", "discovery:e-1"], ["wait", "discovery:e-1"], ["watch"]]
)
def test_a_query_nested_too_deeply_to_read_is_exit_2_in_one_line(
    sandbox: Sandbox, command: list[str], query: str
) -> None:
    line = one_line_usage_error(invoke(sandbox, *command, "--query", query))
    assert (
        line
        == "exportctl: error: --query is not a valid JMESPath expression: it is nested too deeply"
    )
    assert sum(sandbox.calls.values()) == 0


# Read, but deeper than jmespath's interpreter goes, which recurses more a level.
SEARCHED_DEEP = ["a" + "[]" * 300, " || ".join(["ref"] * 600)]


@pytest.mark.parametrize("query", SEARCHED_DEEP)
@pytest.mark.parametrize("fmt", ["json", "ndjson", "csv", "text"])
def test_a_query_too_deep_to_apply_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], fmt: str, query: str
) -> None:
    with pytest.raises(UsageError, match=r"--query cannot be applied.*nested too deeply"):
        run_emit(OutputSpec(format=fmt, query=query), capsys=capsys)


@pytest.mark.parametrize("query", SEARCHED_DEEP)
@pytest.mark.parametrize("command", [["list"], ["list", "-o", "ndjson"], ["status", "--json"]])
def test_a_query_too_deep_to_apply_is_exit_2_in_one_line(
    sandbox: Sandbox, command: list[str], query: str
) -> None:
    if command[0] == "status":
        ref = json.loads(invoke(sandbox, "list", "--json", "--limit", "1").stdout)[0]["ref"]
        command = [*command, ref]
    result = invoke(sandbox, *command, "--query", query)
    assert result.exit_code == 2, result.output
    # With --json, stdout still holds a document: that of nothing.
    assert result.stdout in ("", "null\n")
    assert result.stderr.strip().splitlines() == [
        "exportctl: error: --query cannot be applied to these records: it is nested too deeply"
    ]


@pytest.mark.parametrize("fmt", ["table", "csv", "ndjson", "json"])
def test_unknown_field_is_exit_2_before_any_call(sandbox: Sandbox, fmt: str) -> None:
    line = one_line_usage_error(invoke(sandbox, "list", "-o", fmt, "--fields", "ref,colour"))
    assert "'colour'" in line and "details.*" in line and "progress.total_pieces" in line
    assert sum(sandbox.calls.values()) == 0


def test_json_and_output_must_agree(sandbox: Sandbox) -> None:
    one_line_usage_error(invoke(sandbox, "list", "--json", "-o", "csv"))
    assert invoke(sandbox, "list", "--json", "-o", "json").exit_code == 0


def test_every_format_lists_the_same_jobs(sandbox: Sandbox) -> None:
    as_json = json.loads(invoke(sandbox, "list", "--json").stdout)
    ndjson = [json.loads(x) for x in invoke(sandbox, "list", "-o", "ndjson").stdout.splitlines()]
    rows = list(csv.DictReader(io.StringIO(invoke(sandbox, "list", "-o", "csv").stdout)))
    assert len(as_json) > 10
    assert sorted(j["ref"] for j in ndjson) == sorted(j["ref"] for j in as_json)
    assert sorted(r["ref"] for r in rows) == sorted(j["ref"] for j in as_json)
    assert list(rows[0]) == ["service", "ref", "state", "status", "created", "message"]


def test_csv_nested_fields_end_to_end(sandbox: Sandbox) -> None:
    fields = "service,ref,progress.total_pieces,details.application_id"
    result = invoke(sandbox, "list", "-o", "csv", "--fields", fields)
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    pinpoint = [r for r in rows if r["service"] == "pinpoint"]
    assert pinpoint and all(r["progress.total_pieces"].isdigit() for r in pinpoint)
    assert all(r["ref"].split(":")[2].startswith(r["details.application_id"]) for r in pinpoint)
    # Full ARNs in csv, never shortened.
    personalize = [r["ref"] for r in rows if r["service"] == "personalize"]
    assert personalize and all(ref.startswith("arn:aws:personalize:") for ref in personalize)
    one = invoke(sandbox, "status", personalize[0], "-o", "csv", "--fields", "details.dataset_arn")
    assert one.exit_code == 0, one.stderr
    assert list(csv.reader(io.StringIO(one.stdout)))[1][0].startswith("arn:aws:personalize:")


def test_query_like_the_aws_cli(sandbox: Sandbox) -> None:
    result = invoke(sandbox, "list", "--query", "[?service=='discovery'].id")
    assert result.exit_code == 0, result.stderr
    ids = json.loads(result.stdout)
    assert ids and all(isinstance(i, str) for i in ids)
    one = invoke(sandbox, "list", "-o", "ndjson", "--query", "service")
    assert set(one.stdout.split()) == {f'"{name}"' for name in service_names()}


def test_fields_pick_table_columns(sandbox: Sandbox) -> None:
    result = invoke(sandbox, "list", "--fields", "ref,progress.total_pieces")
    assert result.exit_code == 0, result.stderr
    header = result.stdout.splitlines()[0].split()
    assert header == ["REF", "PROGRESS.TOTAL_PIECES"]


def test_status_formats(sandbox: Sandbox) -> None:
    refs = [j["ref"] for j in json.loads(invoke(sandbox, "list", "--json").stdout)][:2]
    result = invoke(sandbox, "status", *refs, "-o", "csv", "--fields", "ref,state")
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[0] == ["ref", "state"] and [r[0] for r in rows[1:]] == refs
    lines = invoke(sandbox, "status", *refs, "-o", "ndjson").stdout.splitlines()
    assert [json.loads(x)["ref"] for x in lines] == refs


@pytest.mark.parametrize("env", [{"NO_COLOR": "1"}, {}])
def test_no_escape_codes_off_a_terminal_or_with_no_color(
    sandbox: Sandbox, env: dict[str, str]
) -> None:
    for fmt in ("table", "csv", "ndjson", "json"):
        result = invoke(sandbox, "list", "-o", fmt, **env)
        assert result.exit_code == 0
        assert "\x1b" not in result.stdout and "\x1b" not in result.stderr


def table_refs(text: str) -> list[str]:
    """The REF column of a jobs table, side by side or stacked (a reference a line)."""
    lines = text.splitlines()
    if lines[0] == "REF":
        return [line for line in lines[2:] if not line.startswith(" ")]
    header = lines[0]
    start = header.index("REF")
    end = header.index("STATE")
    return [line[start:end].strip() for line in lines[1:]]


@pytest.mark.parametrize("width", [60, 80, 100, 160, 400])
def test_table_fits_the_terminal_and_refs_stay_usable(sandbox: Sandbox, width: int) -> None:
    full = json.loads(invoke(sandbox, "list", "--json").stdout)
    result = invoke(sandbox, "list", COLUMNS=str(width), FORCE_COLOR="1", NO_COLOR="1")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    # Only a reference on a line of its own may be wider: it is never cut or folded.
    refs = table_refs(result.stdout)
    assert all(len(line) <= width or line in refs for line in lines), max(map(len, lines))
    assert all(line == line.rstrip() for line in lines)
    assert len(refs) == len(full)
    compacted = 0
    for ref, job in zip(refs, full, strict=True):
        if job["arn"] and ref != job["arn"]:
            # Shortened only to a form status accepts: the id stays whole, and so does
            # the region, which came from --region (no profile names one here).
            assert ref == f"{job['service']}:{job['region']}:{job['id']}"
            compacted += 1
    if width >= 400:
        assert compacted == 0
    if width <= 100:
        assert compacted > 0
    # The table's references are accepted back by status, whatever their form.
    picked = [i for i, (ref, job) in enumerate(zip(refs, full, strict=True)) if ref != job["ref"]]
    picked = sorted({0, 1, *picked[:8]})
    status = invoke(sandbox, "status", *(refs[i] for i in picked), "--json")
    assert status.exit_code == 0, status.stderr
    assert [j["ref"] for j in json.loads(status.stdout)] == [full[i]["ref"] for i in picked]


@pytest.mark.parametrize("fmt", ["json", "ndjson", "csv", "text"])
def test_a_query_a_null_breaks_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    # The second record has no message: contains() is given a null.
    with pytest.raises(UsageError, match=r"--query cannot be applied.*message \|\| ''"):
        run_emit(OutputSpec(format=fmt, query="contains(message, 'comma')"), capsys=capsys)


@pytest.mark.parametrize("fmt", ["json", "ndjson", "csv", "text"])
def test_a_query_searching_a_string_for_a_number_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    # jmespath's contains() lets Python's `in` refuse a number in a string.
    with pytest.raises(UsageError, match=r"--query cannot be applied.*requires string"):
        run_emit(OutputSpec(format=fmt, query="contains(to_string(@), `1`)"), capsys=capsys)


def test_csv_rows_of_other_keys_than_the_header_are_refused_not_emptied(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(UsageError, match="a csv has one header"):
        run_emit(OutputSpec(format="csv", query="details"), capsys=capsys)
    capsys.readouterr()
    # Named keys give every row the same ones.
    out = run_emit(OutputSpec(format="csv", query="{ref: ref, arn: details.dataset_arn}"),
                   capsys=capsys)  # fmt: skip
    assert list(csv.reader(io.StringIO(out)))[1:] == [
        ["pinpoint:app/1", "arn:aws:personalize:us-east-1:123456789012:dataset/d/X"],
        ["discovery:e-2", ""],
    ]


@pytest.mark.parametrize("order", [1, -1])
@pytest.mark.parametrize("streamed", [False, True])
def test_csv_objects_beside_plain_values_are_refused_in_either_order(
    capsys: pytest.CaptureFixture[str], order: int, streamed: bool
) -> None:
    # The first record's query value is a string, the second's an object.
    records = RECORDS[::order]
    with pytest.raises(UsageError) as raised:
        emit(
            OutputSpec(format="csv", query="details.dataset_arn || {ref: ref}"),
            Records(
                iter(records) if streamed else records,
                to_dict=dict,
                table=None,
                default_fields=("ref", "state"),
            ),
        )
    first, second = ("a plain value", "an object")[::order]
    assert str(raised.value).startswith(f"--query gives {second} after {first}")
    written = capsys.readouterr().out
    if streamed:
        # The first row went out before the second record came.
        assert "(1 row already written)" in str(raised.value) and written
    else:
        # Records in hand are checked before any row is written.
        assert written == ""


@pytest.mark.parametrize("fmt", ["json", "ndjson", "csv", "text"])
def test_the_query_reads_what_fields_kept_in_every_format(
    capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    # json's query reads the whole array, the others' each record.
    query = "[].keys(@)" if fmt == "json" else "keys(@)"
    out = run_emit(OutputSpec(format=fmt, fields=("ref", "state"), query=query), capsys=capsys)
    assert "message" not in out and "ref" in out and "state" in out


def test_text_escapes_the_control_characters_it_does_not_split_lines_at() -> None:
    from exportctl.output.formats import text_cell

    assert text_cell("a\x1cb\x0bc\x0cd\u0085e\x1bf") == "a\\x1cb\\x0bc\\x0cd\\u0085e\\x1bf"
    assert text_cell("one\r\ntwo\n") == "one two"


@pytest.mark.parametrize("limit", [[], ["--limit", "1000"]])
def test_list_csv_refuses_objects_beside_plain_values_before_any_row_with_limit(
    sandbox: Sandbox, limit: list[str]
) -> None:
    # Personalize jobs have a name; the others give an object.
    result = invoke(sandbox, "list", "-o", "csv", "--query", "name || {ref: ref}", *limit)
    assert result.exit_code == 2
    assert "a csv has one header" in result.stderr
    if limit:
        # --limit holds every job before writing: nothing is written.
        assert result.stdout == ""
    else:
        # Streamed: the rows before it are out, and the error says so.
        assert "already written" in result.stderr and result.stdout
