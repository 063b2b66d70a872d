"""Background tasks of the core context, and the helper every context uses to enqueue."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from canhgac.core.services import default_worker_name, heartbeat_record


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
