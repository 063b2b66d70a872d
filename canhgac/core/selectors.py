"""Reads of the core context."""

from __future__ import annotations

from datetime import timedelta

from canhgac.core import clock
from canhgac.core.models import WorkerHeartbeat

# A worker that has not beaten for this long is shown as down.
HEARTBEAT_STALE_AFTER = timedelta(minutes=3)


def heartbeat_list() -> list[WorkerHeartbeat]:
    return list(WorkerHeartbeat.objects.order_by("-last_seen")[:20])


def heartbeat_is_fresh(heartbeat: WorkerHeartbeat) -> bool:
    return clock.now() - heartbeat.last_seen < HEARTBEAT_STALE_AFTER
