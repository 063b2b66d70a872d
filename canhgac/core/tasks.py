"""Background tasks of the core context, and the helper every context uses to enqueue."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from canhgac.core.services import default_worker_name, heartbeat_record


def local_schedule(line: str, zone: str, setting: str = "schedule") -> Callable[[datetime], bool]:
    """A Huey validator for the cron `line` ("30 1 * * *") in time zone `zone`; `setting`
    names the setting in the error for a malformed line."""
    if not line.strip():
        return lambda moment: False
    fields = line.split()
    if len(fields) != 5:
        raise ValueError(f"{setting}: expected 5 cron fields, got {line!r}")
    minute, hour, day, month, weekday = fields
    matches = crontab(minute, hour, day, month, weekday, strict=True)
    tz = ZoneInfo(zone)

    def validate(moment: datetime) -> bool:
        aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
        return bool(matches(aware.astimezone(tz).replace(tzinfo=None)))

    return validate


def enqueue_on_commit(task: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Enqueue `task(*args, **kwargs)` once the current transaction commits (never before)."""
    transaction.on_commit(lambda: task(*args, **kwargs))


@db_task()  # type: ignore[untyped-decorator]  # huey ships no type hints
def heartbeat(worker: str | None = None) -> str:
    """Record a heartbeat for `worker`; returns the worker name (used for round-trip tests)."""
    name = worker or default_worker_name()
    heartbeat_record(worker=name)
    return name


@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]
def heartbeat_periodic() -> None:
    heartbeat_record(worker=default_worker_name())
