"""Background work of the advisory knowledge base: the periodic online sync.

The schedule is ADVISORY_SYNC_SCHEDULE, a cron line read in the display time zone (TIME_ZONE,
Asia/Ho_Chi_Minh by default): Huey checks periodic tasks every minute with UTC times, which
`local_schedule` converts before matching. An empty schedule never runs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, lock_task

from canhgac.accounts.actors import SystemActor

SCHEDULER = SystemActor("system:advisory-sync")


def local_schedule(line: str, zone: str) -> Callable[[datetime], bool]:
    """A Huey validator for the cron `line` ("30 1 * * *") in time zone `zone`."""
    if not line.strip():
        return lambda moment: False
    fields = line.split()
    if len(fields) != 5:
        raise ValueError(f"ADVISORY_SYNC_SCHEDULE: expected 5 cron fields, got {line!r}")
    minute, hour, day, month, weekday = fields
    matches = crontab(minute, hour, day, month, weekday, strict=True)
    tz = ZoneInfo(zone)

    def validate(moment: datetime) -> bool:
        aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return bool(matches(aware.astimezone(tz).replace(tzinfo=None)))

    return validate


def _sync(sources: list[str] | None) -> list[dict[str, Any]]:
    from canhgac.advisories.sync.service import advisories_sync

    with lock_task("advisories-sync"):
        return [o.as_dict() for o in advisories_sync(by=SCHEDULER, sources=sources)]


@db_periodic_task(local_schedule(settings.ADVISORY_SYNC_SCHEDULE, settings.TIME_ZONE))  # type: ignore[untyped-decorator]
def advisories_sync_periodic() -> list[dict[str, Any]]:
    return _sync(None)


@db_task()  # type: ignore[untyped-decorator]
def advisories_sync_task(sources: list[str] | None = None) -> list[dict[str, Any]]:
    """A sync asked for from the web or the API, run by the worker."""
    return _sync(sources)
