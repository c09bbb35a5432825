"""AWS Application Discovery Service export tasks."""

from __future__ import annotations

from exportctl.adapters.spec import Batch, Fields, Get, Page, ServiceSpec
from exportctl.model import State

SPEC = ServiceSpec(
    name="discovery",
    title="AWS Application Discovery",
    client="discovery",
    aliases=("application-discovery", "ads"),
    prefix="discovery",
    statuses={
        "IN_PROGRESS": State.RUNNING,
        "SUCCEEDED": State.COMPLETED,
        "FAILED": State.FAILED,
    },
    fields=Fields(
        id="exportId",
        status="exportStatus",
        created="exportRequestTime",
        destination="configurationsDownloadUrl",
        message="statusMessage",
        details={
            "is_truncated": "isTruncated",
            "requested_start_time": "requestedStartTime",
            "requested_end_time": "requestedEndTime",
        },
    ),
    get=Get(
        operation="DescribeExportTasks",
        item="exportsInfo.0",
        params=lambda key: {"exportIds": [key.id]},
    ),
    list=Page(
        operation="DescribeExportTasks",
        items="exportsInfo",
        input_token="nextToken",
        output_token="nextToken",
        limit_key="maxResults",
        limit=100,
    ),
    batch=Batch(param="exportIds", max_ids=100),
)
