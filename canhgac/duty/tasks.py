"""Background sending of notifications.

`deliveries_send_task` is enqueued by `notify` and "retry now" once their transaction
commits; the periodic task sends every minute what is due, so a failed message is retried
even when the worker was down at the time it was due.
"""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task


@db_task()  # type: ignore[untyped-decorator]  # huey ships no type hints
def deliveries_send_task(ids: list[int]) -> dict[str, int]:
    from canhgac.duty.services.deliveries import deliveries_send

    return deliveries_send(ids=ids).as_dict()


@db_periodic_task(crontab(minute="*"))  # type: ignore[untyped-decorator]
def deliveries_send_due_periodic() -> dict[str, int]:
    from canhgac.duty.services.deliveries import deliveries_send_due

    return deliveries_send_due().as_dict()
