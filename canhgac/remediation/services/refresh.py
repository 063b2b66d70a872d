"""Tasks follow the findings: hosts added, fixes verified, units added to the cascade.

Run when a letter is forwarded and after every successful matching run (`receivers.py`): for
each forwarded letter still being worked on, every unit with an affected host has a task
(units affected later join the cascade and are told), every affected host is an item, and each
item's verification says what matching sees now. Declarations are never touched here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from canhgac.accounts.models import Unit
from canhgac.accounts.services.common import Actor, actor_name, audit
from canhgac.advisories.models import WarningLetter
from canhgac.audit.enums import AuditAction
from canhgac.core import clock
from canhgac.remediation import rules
from canhgac.remediation.enums import ItemStatus, Origin, TaskStatus, Verification
from canhgac.remediation.exposure import HostExposure, affected_units, exposure_of
from canhgac.remediation.models import Item, ItemEvent, Task
from canhgac.remediation.notices import tell_task_opened


@dataclass
class Refreshed:
    """What one refresh changed."""

    letters: int = 0
    opened: list[Task] = field(default_factory=list)  # tasks of units affected later
    items_added: int = 0
    verified: int = 0
    reopened: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "letters": self.letters,
            "tasks_opened": len(self.opened),
            "items_added": self.items_added,
            "verified": self.verified,
            "reopened": self.reopened,
        }

    @property
    def changed(self) -> bool:
        return bool(self.opened or self.items_added or self.verified or self.reopened)


def active_letters() -> list[WarningLetter]:
    """Forwarded letters still worked on: a task not done, or issued within the window
    (`REMEDIATION_ACTIVE_DAYS`) — a regression on a done task reopens it."""
    since = clock.today() - timedelta(days=settings.REMEDIATION_ACTIVE_DAYS)
    letters = WarningLetter.objects.filter(tasks__isnull=False).filter(
        Q(issued_on__gte=since) | ~Q(tasks__status=TaskStatus.DONE.value)
    )
    return list(letters.distinct().order_by("pk"))


def tasks_refresh(*, by: Actor, letters: Iterable[WarningLetter] | None = None) -> Refreshed:
    """Bring the tasks of `letters` (default: the active ones) up to date with the findings."""
    result = Refreshed()
    for letter in active_letters() if letters is None else letters:
        result.letters += 1
        with transaction.atomic():
            changed = refresh_letter(by=by, letter=letter, result=result, cascade=True)
            if changed.changed:
                audit(
                    by,
                    AuditAction.TASKS_REFRESHED,
                    target=letter,
                    parameters=changed.as_dict() | {"letter": letter.number},
                )
    return result


def refresh_letter(
    *,
    by: Actor,
    letter: WarningLetter,
    result: Refreshed,
    cascade: bool,
    origins: dict[int, Origin] | None = None,
) -> Refreshed:
    """Open the tasks of `origins` (unit id → why), and with `cascade` those of units newly
    affected; then sync every task's items. Returns this letter's changes (also added to
    `result`). Runs inside the caller's transaction."""
    now = clock.now()
    exposure = exposure_of(letter.cves.values_list("vulnerability_id", flat=True))
    tasks = {task.unit_id: task for task in letter.tasks.select_related("unit")}
    wanted = dict(origins or {})
    if cascade:
        declined = set(letter.declined.values_list("unit_id", flat=True))
        for unit_id in affected_units(exposure):
            if unit_id not in declined:
                wanted.setdefault(unit_id, Origin.CASCADE)
    changed = Refreshed(letters=1)
    new_units = [unit_id for unit_id in wanted if unit_id not in tasks]
    for unit in Unit.objects.filter(pk__in=new_units, is_active=True).order_by("path"):
        task = Task.objects.create(
            unit=unit,
            letter=letter,
            origin=wanted[unit.pk].value,
            due_date=letter.due_date,
            due_reason=f"warning:{letter.number}" if letter.due_date else "",
            created_at=now,
            updated_at=now,
        )
        tasks[unit.pk] = task
        changed.opened.append(task)
    for task in tasks.values():
        _sync_items(by, task, exposure.get(task.unit_id, {}), now, changed)
    for task in changed.opened:
        tell_task_opened(by=by, task=task, hosts=task.items.count())
    if changed.opened:
        audit(
            by,
            AuditAction.TASKS_OPENED,
            target=letter,
            parameters={
                "letter": letter.number,
                "units": [task.unit.code for task in changed.opened],
                "origins": sorted({task.origin for task in changed.opened}),
            },
        )
    result.opened += changed.opened
    result.items_added += changed.items_added
    result.verified += changed.verified
    result.reopened += changed.reopened
    return changed


def _sync_items(
    by: Actor, task: Task, hosts: dict[int, HostExposure], now: datetime, changed: Refreshed
) -> None:
    label = actor_name(by)
    items = {item.asset_id: item for item in task.items.all()}
    letter_due = (task.letter.due_date, f"warning:{task.letter.number}")
    new = [
        Item(
            task=task,
            asset_id=host.asset_id,
            asset_name=host.name[:255],
            system_id=host.system_id,
            verification=host.verification.value,
            matched=host.matched,
            fixed=host.fixed,
            created_at=now,
            **_due(letter_due, host),
        )
        for asset_id, host in hosts.items()
        if asset_id not in items and host.active
    ]
    Item.objects.bulk_create(new)
    events = [
        ItemEvent(
            item=item,
            at=now,
            actor=label,
            kind=ItemEvent.Kind.ADDED,
            status=item.status,
            cves=item.matched,
        )
        for item in Item.objects.filter(task=task, asset_id__in=[item.asset_id for item in new])
    ]
    changed.items_added += len(new)
    updated = []
    for asset_id, item in items.items():
        host = hosts.get(asset_id) if asset_id is not None else None
        verification = host.verification if host else Verification.UNMATCHED
        values = {
            "verification": verification.value,
            "matched": host.matched if host else [],
            "fixed": host.fixed if host else [],
            **_due(letter_due, host),
        }
        if all(getattr(item, name) == value for name, value in values.items()):
            continue
        before = Verification(item.verification)
        for name, value in values.items():
            setattr(item, name, value)
        if before is not Verification.VERIFIED and verification is Verification.VERIFIED:
            item.verified_at = now
            changed.verified += 1
            events.append(_event(item, now, label, ItemEvent.Kind.VERIFIED, item.fixed))
        elif before is Verification.VERIFIED and verification is not Verification.VERIFIED:
            item.verified_at = None
            changed.reopened += 1
            events.append(_event(item, now, label, ItemEvent.Kind.REOPENED, item.matched))
        updated.append(item)
    Item.objects.bulk_update(
        updated,
        ["verification", "verified_at", "matched", "fixed", "due_date", "due_reason"],
        batch_size=500,
    )
    ItemEvent.objects.bulk_create(events, batch_size=500)
    if new or updated:
        task_recompute(task, now)


def _event(item: Item, now: datetime, label: str, kind: str, cves: list[str]) -> ItemEvent:
    return ItemEvent(item=item, at=now, actor=label, kind=kind, status=item.status, cves=cves)


def _due(letter_due: tuple[date | None, str], host: HostExposure | None) -> dict[str, object]:
    """The earliest of the letter's due date and the host's findings' (reasons as findings
    write them: `exposure.explanations.due_reason` reads both)."""
    day, why = rules.due_date(letter_due, host.due if host and host.due else (None, ""))
    return {"due_date": day, "due_reason": why[:255]}


def task_recompute(task: Task, now: datetime) -> None:
    """The task's status and due date from its items (after any change to them)."""
    states = [
        rules.ItemState(ItemStatus(status), Verification(verification))
        for status, verification in task.items.values_list("status", "verification")
    ]
    status = rules.task_status(
        task.acknowledged_at is not None, task.reviewed_at is not None, states
    )
    due: Sequence[tuple[date | None, str]] = [
        (task.letter.due_date, f"warning:{task.letter.number}"),
        *task.items.exclude(due_date=None).values_list("due_date", "due_reason"),
    ]
    task.due_date, task.due_reason = rules.due_date(*due)
    task.status = status.value
    task.updated_at = now
    task.save(update_fields=["status", "due_date", "due_reason", "updated_at"])
