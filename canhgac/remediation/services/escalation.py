"""Overdue tasks go up: first to the unit's manager, then — on a later run, once the task is
`REMEDIATION_ESCALATE_PROVINCE_DAYS` past due — to the province's analysts. One step per task
and run, each taken once (the task remembers how far it went); a finished task stops."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction

from canhgac.accounts.services.common import Actor, audit
from canhgac.audit.enums import AuditAction
from canhgac.core import clock
from canhgac.remediation.enums import Escalation, TaskStatus
from canhgac.remediation.models import Task
from canhgac.remediation.notices import tell_task_overdue


def tasks_escalate(*, by: Actor, today: date | None = None) -> dict[str, int]:
    """Escalate every overdue task one step when its time has come; returns the counts."""
    today = today or clock.today()
    late = today - timedelta(days=settings.REMEDIATION_ESCALATE_PROVINCE_DAYS)
    counts = {"manager": 0, "province": 0}
    overdue = (
        Task.objects.exclude(status=TaskStatus.DONE.value)
        .filter(due_date__lt=today, escalation__lt=Escalation.PROVINCE.value)
        .select_related("unit", "letter")
        .order_by("pk")
    )
    now = clock.now()
    for task in overdue:
        if task.escalation == Escalation.NONE:
            step = Escalation.MANAGER
        elif task.due_date is not None and task.due_date < late:
            step = Escalation.PROVINCE
        else:
            continue
        with transaction.atomic():
            tell_task_overdue(by=by, task=task, to_province=step is Escalation.PROVINCE)
            task.escalation, task.escalated_at = step.value, now
            task.save(update_fields=["escalation", "escalated_at"])
        counts["province" if step is Escalation.PROVINCE else "manager"] += 1
    if any(counts.values()):
        audit(by, AuditAction.TASKS_ESCALATED, parameters=counts | {"today": today.isoformat()})
    return counts
