"""Background remediation work: the daily escalation of overdue tasks, and a refresh of the
tasks against the findings (also run after every matching run, see receivers.py)."""

from __future__ import annotations

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, lock_task

from canhgac.core.tasks import local_schedule
from canhgac.remediation.receivers import ACTOR


@db_periodic_task(  # type: ignore[untyped-decorator]
    local_schedule(
        settings.REMEDIATION_ESCALATION_SCHEDULE,
        settings.TIME_ZONE,
        "REMEDIATION_ESCALATION_SCHEDULE",
    )
)
def tasks_escalate_periodic() -> dict[str, int]:
    from canhgac.remediation.services.escalation import tasks_escalate

    with lock_task("remediation-escalate"):
        return tasks_escalate(by=ACTOR)


@db_periodic_task(crontab(minute="17"))  # type: ignore[untyped-decorator]
def tasks_refresh_periodic() -> dict[str, int]:
    """Hourly: what matching runs did not announce (triage decisions, expired risks)."""
    from canhgac.remediation.services.refresh import tasks_refresh

    with lock_task("remediation-refresh"):
        return tasks_refresh(by=ACTOR).as_dict()
