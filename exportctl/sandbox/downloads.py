"""Downloads the sandbox serves itself: the pre-signed-looking URL that names one."""

from __future__ import annotations

from exportctl.sandbox.jobs import HOME_REGION, DownloadUrl


def render_url(url: DownloadUrl, base_url: str, suffix: str) -> str:
    """``suffix``: what the service's world names its downloads after the job id."""
    return (
        f"{base_url}/_sandbox/downloads/{url.export_id}{suffix}"
        f"?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIA{url.signature[:16].upper()}"
        f"%2F20260101%2F{HOME_REGION}%2Fs3%2Faws4_request&X-Amz-Expires=3600"
        f"&X-Amz-SignedHeaders=host&X-Amz-Signature={url.signature}"
    )
