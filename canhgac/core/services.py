"""Writes of the core context: the worker heartbeat (housekeeping, not audited)."""

from __future__ import annotations

import socket

from django.db.models import F

from canhgac.core import clock
from canhgac.core.models import WorkerHeartbeat


def default_worker_name() -> str:
    return socket.gethostname()


def heartbeat_record(*, worker: str) -> WorkerHeartbeat:
    """Record that `worker` is alive now; race-safe against concurrent workers."""
    moment = clock.now()
    heartbeat, created = WorkerHeartbeat.objects.get_or_create(
        worker=worker, defaults={"last_seen": moment, "beats": 1}
    )
    if not created:
        WorkerHeartbeat.objects.filter(pk=heartbeat.pk).update(
            last_seen=moment, beats=F("beats") + 1
        )
        heartbeat.refresh_from_db()
    return heartbeat
