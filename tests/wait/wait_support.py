"""Running wait and watch against the sandbox with a fake clock: time moves, nothing sleeps."""

from __future__ import annotations

from sleepless import FakeTime, Run

__all__ = ["FakeTime", "Run"]

APP = "ae7689447ab57a683536c4499d863386"
ARN = "arn:aws:personalize:us-east-1:123456789012:dataset-export-job/"
# Jobs of the sandbox scenario (us-east-1) and what becomes of them.
PINPOINT_PROCESSING = f"pinpoint:{APP}/9fe8110102c995f1abef543b5dfce8a9"  # COMPLETED at +40 s
PINPOINT_CREATED = f"pinpoint:{APP}/9e3fab8c3bfc5e740e61572b4e3c02ea"  # COMPLETED at +60 s
PINPOINT_FAILING = f"pinpoint:{APP}/ce20c4fd32f640d0032634f087e51b42"  # FAILED at +35 s
PINPOINT_STUCK = f"pinpoint:{APP}/81a049d7ccc7e90a88d519448fb2fc67"  # COMPLETING for good
PERSONALIZE_PENDING = ARN + "items-refresh"  # CREATE IN_PROGRESS +20 s, ACTIVE +60 s
PERSONALIZE_RUNNING = ARN + "interactions-incremental"  # ACTIVE at +30 s
PERSONALIZE_FAILED = ARN + "users-denied"  # CREATE FAILED already
DISCOVERY_RUNNING = "discovery:export-1ecb19dd-8b7c-46b2-aa22-eccdf03eeddf"  # SUCCEEDED +25 s
BACKUP_RUNNING = (
    "arn:aws:backup-search:us-east-1:123456789012:search-export-job/"
    "2c376631-129f-4436-aaad-80b891baf90d"
)
