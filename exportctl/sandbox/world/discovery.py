"""Application Discovery: configuration export tasks, home region only."""

from __future__ import annotations

import io
import zipfile
from typing import Any

from exportctl.sandbox.downloads import render_url
from exportctl.sandbox.jobs import DAY, HOUR, MINUTE, At, DownloadUrl, Job, Phase
from exportctl.sandbox.registry import Registry

KIND = "export-task"
# What a task's download is named after its id: a zip archive.
SUFFIX = ".zip"


def _export_id(sc: Registry) -> str:
    return f"export-{sc.uuid()}"


def _task(
    sc: Registry,
    created: float,
    phases: list[Phase],
    agents: list[str],
    window: tuple[float, float] | None = None,
) -> Job:
    ident = _export_id(sc)
    attrs: dict[str, Any] = {
        "exportId": ident,
        "exportRequestTime": At(created),
        "_agents": agents,
    }
    if window:
        attrs["requestedStartTime"] = At(window[0])
        attrs["requestedEndTime"] = At(window[1])
    job = Job("discovery", "export-task", sc.home_region, ident, created, phases, attrs)
    for phase in phases:
        if phase.status == "SUCCEEDED":
            # A copy: callers share one fields dict between the phases of several tasks.
            url = DownloadUrl(ident, sc.hex(64))
            phase.fields = {**phase.fields, "configurationsDownloadUrl": url}
    return sc.add(job)


def populate(sc: Registry, region: str) -> None:
    """The seeded tasks, in ``region``: the home region, where alone Discovery answers."""
    agents = [f"o-0{sc.hex(16)}" for _ in range(3)]
    ok = {"statusMessage": "Data export completed successfully."}
    running = {"statusMessage": "Data export is in progress."}
    _task(sc, -5 * DAY, [Phase(-5 * DAY, "SUCCEEDED", ok)], agents[:2], (-35 * DAY, -5 * DAY))
    _task(sc, -30 * HOUR, [Phase(-30 * HOUR, "SUCCEEDED", ok)], agents[:1])
    truncated = _task(
        sc,
        -20 * HOUR,
        [
            Phase(
                -20 * HOUR,
                "SUCCEEDED",
                {
                    "statusMessage": "Data export completed. The export "
                    "was truncated because it exceeded the maximum export size."
                },
            )
        ],
        agents,
        (-60 * DAY, -20 * HOUR),
    )
    truncated.attrs["isTruncated"] = True
    _task(
        sc,
        -8 * HOUR,
        [
            Phase(
                -8 * HOUR,
                "FAILED",
                {
                    "statusMessage": "Export failed: no data was collected by agent "
                    f"{agents[2]} in the requested time range."
                },
            )
        ],
        agents[2:],
        (-9 * HOUR, -8 * HOUR),
    )
    _task(
        sc,
        -2 * MINUTE,
        [Phase(-2 * MINUTE, "IN_PROGRESS", running), Phase(25.0, "SUCCEEDED", ok)],
        agents[:2],
    )
    _task(
        sc,
        -40.0,
        [Phase(-40.0, "IN_PROGRESS", running), Phase(10 * MINUTE, "SUCCEEDED", ok)],
        agents[1:],
    )


def populate_bulk(sc: Registry, region: str, count: int) -> None:
    # Cheap ids and no per-task RNG calls beyond one: 10,000 tasks build in milliseconds.
    agents = [f"o-0{sc.hex(16)}" for _ in range(8)]
    base = sc.rng.getrandbits(64)
    ok = {"statusMessage": "Data export completed successfully."}
    failed = {"statusMessage": "Export failed: the export request timed out."}
    for i in range(count):
        h = f"{(base + i * 0x9E3779B97F4A7C15) & (2**128 - 1):032x}"
        ident = f"export-{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"
        created = -(i + 1) * 97.0 - 3 * DAY
        status = "FAILED" if i % 17 == 0 else "SUCCEEDED"
        fields: dict[str, Any] = dict(failed if status == "FAILED" else ok)
        if status == "SUCCEEDED":
            fields["configurationsDownloadUrl"] = DownloadUrl(ident, h * 2)
        sc.add(
            Job(
                "discovery",
                "export-task",
                sc.home_region,
                ident,
                created,
                [Phase(created, status, fields)],
                {
                    "exportId": ident,
                    "exportRequestTime": At(created),
                    "_agents": [agents[i % 8]],
                },
            )
        )


def output_uri(job: Job, fields: dict[str, Any], base_url: str) -> str:
    url = fields.get("configurationsDownloadUrl")
    return render_url(url, base_url, SUFFIX) if isinstance(url, DownloadUrl) else ""


def archive(export_id: str) -> bytes:
    """The deterministic zip a task's download returns."""
    buffer = io.BytesIO()
    files = {
        "Servers.csv": "server.configurationId,server.hostName,server.osName\n"
        "d-server-0a1b2c3d4e5f6,app-01,Linux\nd-server-0f6e5d4c3b2a1,db-01,Linux\n",
        "Applications.csv": "application.configurationId,application.name\n"
        "d-application-0aa11bb22,shop\n",
        "README.txt": f"Configuration export {export_id}\n",
    }
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zipped:
        for name, text in files.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zipped.writestr(info, text)
    return buffer.getvalue()
