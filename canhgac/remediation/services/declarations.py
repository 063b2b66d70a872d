"""What a unit does on its task: acknowledge the letter, declare each host's status, attach
evidence, say its review is complete.

Declarations are optimistic-concurrent: each item carries a revision, a declaration names the
revisions it was made on, and an item changed meanwhile by someone else refuses the whole
declaration (nothing is lost: the officer sees the other change and declares again). Two
officers declaring different hosts of one task at the same time both succeed.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import F

from canhgac.accounts.enums import Permission
from canhgac.accounts.models import User
from canhgac.accounts.services.common import Actor, actor_name, audit, require
from canhgac.audit.enums import AuditAction
from canhgac.core import clock
from canhgac.core.exceptions import ConflictError, ValidationError
from canhgac.core.files import sha256_of
from canhgac.core.text import shorten
from canhgac.core.uploads import DOCUMENT_TYPES, Upload, document_checked, uploaded_file
from canhgac.remediation import rules
from canhgac.remediation.enums import ItemStatus
from canhgac.remediation.models import Evidence, Item, ItemEvent, Task
from canhgac.remediation.services.refresh import task_recompute

MAX_REASON = 4000


def task_acknowledge(*, by: Actor, task: Task) -> Task:
    """The unit confirms it received the letter (once; again is a no-op)."""
    require(by, Permission.REMEDIATION_UPDATE, task.unit_id)
    if task.acknowledged_at is not None:
        return task
    now = clock.now()
    with transaction.atomic():
        task.acknowledged_at = now
        task.acknowledged_by = by if isinstance(by, User) else None
        task.save(update_fields=["acknowledged_at", "acknowledged_by"])
        task_recompute(task, now)
        audit(
            by,
            AuditAction.TASK_ACKNOWLEDGED,
            unit=task.unit,
            target=task,
            parameters={"letter": task.letter.number},
        )
    return task


def items_declare(
    *,
    by: Actor,
    task: Task,
    revisions: Mapping[int, int],
    status: ItemStatus,
    reason: str = "",
    plan_date: date | None = None,
) -> int:
    """Declare `status` for the task's items given as {item id: revision seen}. Returns how
    many changed. An item of another task is refused; one changed since raises ConflictError
    naming it, and nothing is declared."""
    require(by, Permission.REMEDIATION_UPDATE, task.unit_id)
    reason = reason.strip()
    problems = rules.declaration_problems(status, reason, plan_date)
    if problems:
        field = problems[0]
        message = {
            "reason": f"a reason is required for the status {status.value}",
            "plan_date": "a planned fix date is required when the host is not fixed",
        }[field]
        raise ValidationError(message, extra={"field": field})
    if len(reason) > MAX_REASON:
        raise ValidationError(
            f"the reason is {len(reason)} characters; at most {MAX_REASON}",
            extra={"field": "reason"},
        )
    if not revisions:
        raise ValidationError("no host selected", extra={"field": "items"})
    now = clock.now()
    label = actor_name(by)
    with transaction.atomic():
        items = {item.pk: item for item in task.items.filter(pk__in=list(revisions))}
        unknown = sorted(set(revisions) - set(items))
        if unknown:
            raise ValidationError(
                f"item {unknown[0]} is not a host of this task", extra={"field": "items"}
            )
        for item_id, revision in revisions.items():
            changed = Item.objects.filter(pk=item_id, revision=revision).update(
                status=status.value,
                reason=reason,
                plan_date=plan_date if status is ItemStatus.NOT_FIXED else None,
                declared_at=now,
                declared_by=label,
                revision=F("revision") + 1,
            )
            if not changed:
                item = items[item_id]
                item.refresh_from_db()
                raise ConflictError(
                    f"{item.asset_name} was changed by {item.declared_by or 'someone'} "
                    f"meanwhile; reload the task and declare again",
                    extra={"field": "items", "item": item_id},
                )
        ItemEvent.objects.bulk_create(
            ItemEvent(
                item_id=item_id,
                at=now,
                actor=label,
                kind=ItemEvent.Kind.DECLARED,
                status=status.value,
                reason=reason,
                plan_date=plan_date if status is ItemStatus.NOT_FIXED else None,
            )
            for item_id in revisions
        )
        task_recompute(task, now)
        audit(
            by,
            AuditAction.ITEMS_DECLARED,
            unit=task.unit,
            target=task,
            parameters={
                "letter": task.letter.number,
                "status": status.value,
                "hosts": sorted(item.asset_name for item in items.values()),
                "reason": shorten(reason, 200),
                "plan_date": plan_date.isoformat() if plan_date else None,
            },
        )
    return len(revisions)


def task_review_complete(*, by: Actor, task: Task, note: str = "") -> Task:
    """The unit says it reviewed every system it manages for the letter's vulnerabilities."""
    require(by, Permission.REMEDIATION_UPDATE, task.unit_id)
    if task.acknowledged_at is None:
        raise ConflictError("acknowledge the letter first", extra={"field": "acknowledged"})
    now = clock.now()
    with transaction.atomic():
        task.reviewed_at = now
        task.note = note.strip()[:MAX_REASON]
        task.save(update_fields=["reviewed_at", "note"])
        task_recompute(task, now)
        audit(
            by,
            AuditAction.TASK_REVIEWED,
            unit=task.unit,
            target=task,
            parameters={"letter": task.letter.number, "status": task.status},
        )
    return task


def evidence_attach(
    *, by: Actor, task: Task, upload: Upload, item: Item | None = None, note: str = ""
) -> Evidence:
    """Attach a file to the task (or one of its hosts), stored by its SHA-256 outside the web
    root. Types are those of warning letters and must match the content; size is limited
    (`REMEDIATION_EVIDENCE_MAX_BYTES`)."""
    require(by, Permission.REMEDIATION_UPDATE, task.unit_id)
    if item is not None and item.task_id != task.pk:
        raise ValidationError("the host is not part of this task", extra={"field": "item"})
    limit = settings.REMEDIATION_EVIDENCE_MAX_BYTES
    with uploaded_file(upload) as (path, name):
        suffix = document_checked(path, name, what="evidence", limit=limit)
        size = path.stat().st_size
        digest = sha256_of(path)
        with transaction.atomic():
            if task.evidence.filter(sha256=digest).exists():
                raise ConflictError(
                    f"{name}: this file is already attached to the task", extra={"field": "file"}
                )
            evidence = Evidence(
                task=task,
                item=item,
                name=shorten(name, 255),
                content_type=DOCUMENT_TYPES[suffix],
                size=size,
                sha256=digest,
                note=note.strip()[:MAX_REASON],
                uploaded_at=clock.now(),
                uploaded_by=actor_name(by),
            )
            with path.open("rb") as handle:
                evidence.file.save(digest, File(handle), save=False)
            evidence.save()
            audit(
                by,
                AuditAction.EVIDENCE_ADDED,
                unit=task.unit,
                target=task,
                parameters={
                    "name": evidence.name,
                    "sha256": digest,
                    "size": size,
                    "host": item.asset_name if item else None,
                },
            )
    return evidence
