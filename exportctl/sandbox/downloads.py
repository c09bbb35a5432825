"""Discovery export downloads: the pre-signed-looking URL and the archive behind it."""

from __future__ import annotations

import io
import zipfile

from exportctl.sandbox.jobs import HOME_REGION, DownloadUrl


def render_url(url: DownloadUrl, base_url: str) -> str:
    return (
        f"{base_url}/_sandbox/downloads/{url.export_id}.zip"
        f"?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIA{url.signature[:16].upper()}"
        f"%2F20260101%2F{HOME_REGION}%2Fs3%2Faws4_request&X-Amz-Expires=3600"
        f"&X-Amz-SignedHeaders=host&X-Amz-Signature={url.signature}"
    )


def export_archive(export_id: str) -> bytes:
    """The deterministic zip a Discovery export download returns."""
    buffer = io.BytesIO()
    files = {
        "Servers.csv": "server.configurationId,server.hostName,server.osName\n"
        "d-server-0a1b2c3d4e5f6,app-01,Linux\nd-server-0f6e5d4c3b2a1,db-01,Linux\n",
        "Applications.csv": "application.configurationId,application.name\n"
        "d-application-0aa11bb22,shop\n",
        "README.txt": f"Configuration export {export_id}\n",
    }
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text)
    return buffer.getvalue()
