"""Reading remediation tasks for the web, the API and the CLI, through the access module."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from canhgac.accounts import access
from canhgac.accounts.actors import SystemActor
from canhgac.accounts.enums import Permission
from canhgac.advisories.models import WarningLetter
from canhgac.core import clock
from canhgac.core.exceptions import NotFoundError
from canhgac.exposure.explanations import due_reason
from canhgac.remediation import rules
from canhgac.remediation.board import campaign_tasks
from canhgac.remediation.enums import ItemStatus, TaskStatus, Verification
from canhgac.remediation.models import Campaign, Evidence, Item, Task


def task_list_for_user(*, user: Any) -> QuerySet[Task]:
    tasks = Task.objects.select_related("unit", "letter", "acknowledged_by")
    if isinstance(user, SystemActor):
        return tasks
    return access.restrict(tasks, user=user)


def task_get_for_user(
    *, user: Any, task_id: int, permission: Permission = Permission.UNIT_VIEW
) -> Task:
    """A task the user sees (else NotFoundError); with `permission`, one they may act on."""
    task = task_list_for_user(user=user).filter(pk=task_id).first()
    if task is None:
        raise NotFoundError("task not found", extra={"task": task_id})
    if permission is not Permission.UNIT_VIEW and not isinstance(user, SystemActor):
        access.require_permission(user=user, permission=permission, unit_id=task.unit_id)
    return task


def evidence_get_for_user(*, user: Any, evidence_id: int) -> Evidence:
    evidence = (
        Evidence.objects.filter(pk=evidence_id, task__in=task_list_for_user(user=user))
        .select_related("task")
        .first()
    )
    if evidence is None:
        raise NotFoundError("evidence not found", extra={"evidence": evidence_id})
    return evidence


@dataclass(frozen=True, slots=True)
class TaskFilter:
    unit: str = ""  # unit code: that unit and its sub-units
    letter: str = ""  # letter number
    status: str = ""  # new | in_progress | done | overdue
    unverified: bool = False  # with a host declared fixed that matching still sees
    campaign: str = ""  # campaign code: the tasks of its warnings


def task_filter(tasks: QuerySet[Task], where: TaskFilter) -> QuerySet[Task]:
    if where.unit:
        tasks = tasks.filter(unit__path__startswith=_unit_path(where.unit))
    if where.letter:
        tasks = tasks.filter(letter__number=where.letter)
    if where.campaign:
        campaign = Campaign.objects.filter(code=where.campaign).first()
        tasks = (
            tasks.filter(pk__in=campaign_tasks(campaign).values("pk")) if campaign else tasks.none()
        )
    if where.status == "overdue":
        tasks = tasks.exclude(status=TaskStatus.DONE.value).filter(due_date__lt=clock.today())
    elif where.status:
        tasks = tasks.filter(status=where.status)
    if where.unverified:
        tasks = tasks.filter(
            items__status__in=[ItemStatus.PATCHED.value, ItemStatus.NOT_AFFECTED.value],
            items__verification=Verification.MATCHED.value,
        ).distinct()
    return tasks


def _unit_path(code: str) -> str:
    from canhgac.accounts.models import Unit

    unit = Unit.objects.filter(code=code).only("path").first()
    return unit.path if unit else "\x00"  # an unknown unit matches nothing


def acknowledgement_due(task: Task) -> datetime:
    return task.created_at + timedelta(hours=settings.REMEDIATION_ACK_HOURS)


def task_overdue(task: Task) -> bool:
    return (
        task.status != TaskStatus.DONE
        and task.due_date is not None
        and task.due_date < clock.today()
    )


def task_progress(items: list[Item]) -> dict[str, int]:
    """Counts of a task's hosts: by declared status, verified, settled, flagged."""
    states = [_state(item) for item in items]
    declared = Counter(item.status for item in items)
    return {
        "hosts": len(items),
        "settled": sum(rules.settled(state) for state in states),
        "verified": sum(state.verification is Verification.VERIFIED for state in states),
        "unverified_claims": sum(rules.unverified_claim(state) for state in states),
        **{f"declared_{status.value}": declared.get(status.value, 0) for status in ItemStatus},
    }


def _state(item: Item) -> rules.ItemState:
    return rules.ItemState(ItemStatus(item.status), Verification(item.verification))


def task_item(task: Task, progress: dict[str, int] | None = None) -> dict[str, Any]:
    """A task as lists show it (the API and CLI JSON item)."""
    progress = progress if progress is not None else task_progress(list(task.items.all()))
    return {
        "id": task.pk,
        "unit": task.unit.code,
        "unit_name": task.unit.name,
        "letter": task.letter.number,
        "letter_title": task.letter.title,
        "origin": task.origin,
        "status": task.status,
        "acknowledged_at": task.acknowledged_at.isoformat() if task.acknowledged_at else None,
        "acknowledgement_overdue": task.acknowledged_at is None
        and acknowledgement_due(task) < clock.now(),
        "reviewed_at": task.reviewed_at.isoformat() if task.reviewed_at else None,
        "due": task.due_date.isoformat() if task.due_date else None,
        "due_reason": due_reason(task.due_reason) if task.due_reason else "",
        "overdue": task_overdue(task),
        "escalation": task.escalation,
        "progress": progress,
    }


def line_item(item: Item) -> dict[str, Any]:
    """One host of a task (the API and CLI JSON line, and the CSV export)."""
    state = _state(item)
    return {
        "id": item.pk,
        "revision": item.revision,
        "asset": item.asset_name,
        "asset_id": item.asset_id,
        "system": item.system.code if item.system else "",
        "status": item.status,
        "reason": item.reason,
        "plan_date": item.plan_date.isoformat() if item.plan_date else None,
        "declared_at": item.declared_at.isoformat() if item.declared_at else None,
        "declared_by": item.declared_by,
        "verification": item.verification,
        "verified_at": item.verified_at.isoformat() if item.verified_at else None,
        "unverified_claim": rules.unverified_claim(state),
        "settled": rules.settled(state),
        "matched": item.matched,
        "fixed": item.fixed,
        "due": item.due_date.isoformat() if item.due_date else None,
    }


def evidence_item(evidence: Evidence) -> dict[str, Any]:
    return {
        "id": evidence.pk,
        "name": evidence.name,
        "size": evidence.size,
        "sha256": evidence.sha256,
        "host": evidence.item.asset_name if evidence.item else None,
        "note": evidence.note,
        "uploaded_at": evidence.uploaded_at.isoformat(),
        "uploaded_by": evidence.uploaded_by,
    }


def task_lines(task: Task) -> list[Item]:
    return list(task.items.select_related("system", "asset").order_by("asset_name", "pk"))


def letter_cascade(*, user: Any, letter: WarningLetter) -> list[tuple[Task, dict[str, Any]]]:
    """The cascade map of a forwarded letter: each recipient unit the user sees, whether it
    acknowledged, its progress (two queries)."""
    tasks = list(task_list_for_user(user=user).filter(letter=letter).order_by("unit__path"))
    items: dict[int, list[Item]] = {task.pk: [] for task in tasks}
    for item in Item.objects.filter(task__in=tasks):
        items[item.task_id].append(item)
    return [(task, task_item(task, task_progress(items[task.pk]))) for task in tasks]


def task_counts(*, user: Any) -> dict[str, int]:
    """The overview's remediation numbers over the user's units."""
    tasks = task_list_for_user(user=user)
    open_tasks = tasks.exclude(status=TaskStatus.DONE.value)
    return {
        "new": open_tasks.filter(status=TaskStatus.NEW.value).count(),
        "in_progress": open_tasks.filter(status=TaskStatus.IN_PROGRESS.value).count(),
        "overdue": open_tasks.filter(due_date__lt=clock.today()).count(),
        "unverified": task_filter(open_tasks, TaskFilter(unverified=True)).count(),
    }
