"""What a completed DynamoDB table export leaves in S3, laid out as the service does.

Under ``<S3Prefix>/AWSDynamoDB/<export id>/``: an empty ``_started`` (the service's
check that it may write there), ``manifest-summary.json`` and ``manifest-files.json``
with their ``.checksum`` files, and gzipped data files under ``data/``: one JSON line
per item (``{"Item": ...}``, DynamoDB JSON), ION text for ``ION``, and change records
(``Keys``, ``NewImage``, ``OldImage``) for an incremental export. Every byte follows
from the export's ARN, so the item count and billed size an answer shows are those
of the files.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from exportctl.sandbox.jobs import At, Job

SUMMARY = "manifest-summary.json"
FILES = "manifest-files.json"
_STATUSES = ("PLACED", "SHIPPED", "DELIVERED", "RETURNED")

Item = dict[str, dict[str, str]]


def export_dir(prefix: str | None, export_id: str) -> str:
    """The key prefix of one export's objects (``/`` joins a prefix, never doubled)."""
    base = f"AWSDynamoDB/{export_id}/"
    return f"{prefix.rstrip('/')}/{base}" if prefix else base


def manifest_key(prefix: str | None, export_id: str) -> str:
    return export_dir(prefix, export_id) + SUMMARY


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def items(arn: str, table: str) -> list[list[Item]]:
    """The items of each data file: two or three small files (a partition each)."""
    seed = _digest(arn)
    files = []
    for part in range(2 + int(seed[0], 16) % 2):
        rows = []
        for n in range(3 + int(seed[1 + part], 16) % 8):
            key = _digest(f"{arn}/{part}/{n}")
            rows.append(
                {
                    "pk": {"S": f"{table}#{key[:12]}"},
                    "sk": {"S": f"v{n}"},
                    "status": {"S": _STATUSES[int(key[12], 16) % len(_STATUSES)]},
                    "amount": {"N": str(int(key[13:17], 16) % 5000)},
                }
            )
        files.append(rows)
    return files


def totals(arn: str, table: str) -> tuple[int, int]:
    """ItemCount and BilledSizeBytes: the items, and their size as DynamoDB JSON."""
    every = [row for part in items(arn, table) for row in part]
    size = sum(len(json.dumps(row, separators=(",", ":"))) for row in every)
    return len(every), size


def _iso(epoch: float) -> str:
    stamp = datetime.fromtimestamp(epoch, timezone.utc)
    return stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _ion(item: Item) -> str:
    fields = []
    for name, value in item.items():
        if "N" in value:
            number = value["N"]
            fields.append(f"{name}:{number if '.' in number else number + '.'}")
        else:
            fields.append(f"{name}:{json.dumps(value['S'])}")
    return "{" + ",".join(fields) + "}"


def _lines(rows: list[Item], attrs: dict[str, Any], micros: int, first: bool) -> list[str]:
    incremental = attrs.get("ExportType") == "INCREMENTAL_EXPORT"
    ion = attrs.get("ExportFormat") == "ION"
    view = (attrs.get("IncrementalExportSpecification") or {}).get("ExportViewType")
    out = []
    for n, row in enumerate(rows):
        if incremental:
            old = {**row, "status": {"S": _STATUSES[0]}}
            record: dict[str, Any] = {
                "Metadata": {"WriteTimestampMicros": {"N": str(micros + n * 1_000_003)}},
                "Keys": {"pk": row["pk"], "sk": row["sk"]},
                "NewImage": row,
            }
            if view != "NEW_IMAGE":
                record["OldImage"] = old
            out.append(json.dumps(record, separators=(",", ":")))
        elif ion:
            out.append(("$ion_1_0 " if first and n == 0 else "") + "{Item:" + _ion(row) + "}")
        else:
            out.append(json.dumps({"Item": row}, separators=(",", ":")))
    return out


def _name(arn: str, part: int) -> str:
    raw = hashlib.sha256(f"{arn}#file{part}".encode()).digest()
    return base64.b32encode(raw).decode().lower()[:26]


def _etag(body: bytes) -> str:
    # The service uploads in parts: a one-part upload's ETag is the MD5 of the MD5.
    return hashlib.md5(hashlib.md5(body).digest()).hexdigest() + "-1"


def objects(job: Job, to_epoch: Callable[[float], float]) -> dict[str, bytes]:
    """Every object of a completed export, by key."""
    attrs = job.attrs
    arn = str(attrs["ExportArn"])
    export_id = arn.rpartition("/")[2]
    prefix = attrs.get("S3Prefix")
    base = export_dir(prefix, export_id)
    done = next(p for p in job.phases if p.status == "COMPLETED").fields
    table = str(attrs["TableArn"]).rpartition("/")[2]
    ion = attrs.get("ExportFormat") == "ION"
    spec = attrs.get("IncrementalExportSpecification") or {}

    def epoch(value: Any) -> float:
        return to_epoch(value.seconds) if isinstance(value, At) else float(value)

    start = int(epoch(spec.get("ExportFromTime", attrs["StartTime"])) * 1_000_000)
    out: dict[str, bytes] = {base + "_started": b""}
    entries = []
    for part, rows in enumerate(items(arn, table)):
        text = "".join(line + "\n" for line in _lines(rows, attrs, start, part == 0))
        body = gzip.compress(text.encode(), mtime=0)
        key = f"{base}data/{_name(arn, part)}.{'ion' if ion else 'json'}.gz"
        out[key] = body
        md5 = base64.b64encode(hashlib.md5(body).digest()).decode()
        entries.append(
            {"itemCount": len(rows), "md5Checksum": md5, "etag": _etag(body), "dataFileS3Key": key}
        )
    files = "".join(json.dumps(e, separators=(",", ":")) + "\n" for e in entries).encode()
    summary: dict[str, Any] = {
        "version": "2023-08-01" if spec else "2020-06-30",
        "exportArn": arn,
        "startTime": _iso(epoch(attrs["StartTime"])),
        "endTime": _iso(epoch(done["EndTime"])),
        "tableArn": attrs["TableArn"],
        "tableId": attrs["TableId"],
    }
    if spec:
        summary["exportFromTime"] = _iso(epoch(spec["ExportFromTime"]))
        summary["exportToTime"] = _iso(epoch(spec["ExportToTime"]))
    else:
        summary["exportTime"] = _iso(epoch(attrs["ExportTime"]))
    summary.update(
        {
            "s3Bucket": attrs["S3Bucket"],
            "s3Prefix": prefix,
            "s3SseAlgorithm": attrs.get("S3SseAlgorithm"),
            "s3SseKmsKeyId": attrs.get("S3SseKmsKeyId"),
            "manifestFilesS3Key": base + FILES,
            "billedSizeBytes": done["BilledSizeBytes"],
            "itemCount": done["ItemCount"],
            "outputFormat": attrs.get("ExportFormat", "DYNAMODB_JSON"),
        }
    )
    if spec:
        summary["outputView"] = spec.get("ExportViewType", "NEW_AND_OLD_IMAGES")
    summary["exportType"] = attrs.get("ExportType", "FULL_EXPORT")
    summary_body = json.dumps(summary).encode()
    out[base + FILES] = files
    out[base + "manifest-files.checksum"] = hashlib.md5(files).hexdigest().encode()
    out[base + SUMMARY] = summary_body
    out[base + "manifest-summary.checksum"] = hashlib.md5(summary_body).hexdigest().encode()
    return out
