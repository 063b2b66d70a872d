"""Background work of the advisory knowledge base: the periodic online sync.

The schedule is ADVISORY_SYNC_SCHEDULE, a cron line read in the display time zone (TIME_ZONE,
Asia/Ho_Chi_Minh by default): Huey checks periodic tasks every minute with UTC times, which
`local_schedule` converts before matching. An empty schedule never runs.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from canhgac.accounts.actors import SystemActor
from canhgac.core.tasks import local_schedule

SCHEDULER = SystemActor("system:advisory-sync")


def _sync(sources: list[str] | None) -> list[dict[str, Any]]:
    from canhgac.advisories.sync.service import advisories_sync

    with lock_task("advisories-sync"):
        return [o.as_dict() for o in advisories_sync(by=SCHEDULER, sources=sources)]


@db_periodic_task(
    local_schedule(settings.ADVISORY_SYNC_SCHEDULE, settings.TIME_ZONE, "ADVISORY_SYNC_SCHEDULE")
)  # type: ignore[untyped-decorator]
def advisories_sync_periodic() -> list[dict[str, Any]]:
    return _sync(None)


@db_task()  # type: ignore[untyped-decorator]
def advisories_sync_task(sources: list[str] | None = None) -> list[dict[str, Any]]:
    """A sync asked for from the web or the API, run by the worker."""
    return _sync(sources)
