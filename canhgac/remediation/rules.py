"""The rules of remediation tracking, without Django: when a host is settled, when a declaration
needs attention, a task's status and its due date."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from canhgac.remediation.enums import (
    CLAIMS,
    NEEDS_REASON,
    ItemStatus,
    TaskStatus,
    Verification,
)


@dataclass(frozen=True, slots=True)
class ItemState:
    status: ItemStatus
    verification: Verification


def settled(item: ItemState) -> bool:
    """Nothing left to do on the host: the fix is seen, or the unit declared the host not
    affected (with its reason; if matching disagrees, `unverified_claim` flags it for review).
    A workaround is not settled: the warning asks for the fix."""
    return item.verification is Verification.VERIFIED or item.status is ItemStatus.NOT_AFFECTED


def unverified_claim(item: ItemState) -> bool:
    """Declared patched or not affected while matching still sees the vulnerable thing: the
    line the province highlights ("declared, not verified")."""
    return item.status in CLAIMS and item.verification is Verification.MATCHED


def declaration_problems(status: ItemStatus, reason: str, plan_date: date | None) -> list[str]:
    """What a declaration lacks, by field (English; the adapters translate the field)."""
    problems = []
    if status in NEEDS_REASON and not reason.strip():
        problems.append("reason")
    if status is ItemStatus.NOT_FIXED and plan_date is None:
        problems.append("plan_date")
    return problems


def task_status(acknowledged: bool, reviewed: bool, items: Iterable[ItemState]) -> TaskStatus:
    """NEW until acknowledged; DONE when the review is declared over and every host is settled
    (a unit with no affected host is done once it says it reviewed); else IN_PROGRESS."""
    if not acknowledged:
        return TaskStatus.NEW
    if reviewed and all(settled(item) for item in items):
        return TaskStatus.DONE
    return TaskStatus.IN_PROGRESS


def due_date(*candidates: tuple[date | None, str]) -> tuple[date | None, str]:
    """The earliest of the dates given with where each comes from ("" when none is set)."""
    present = [(day, why) for day, why in candidates if day is not None]
    return min(present, key=lambda pair: pair[0]) if present else (None, "")


def readiness(done: Iterable[bool]) -> int:
    """Percentage of the checklist done (0 for an empty checklist: nothing is ready yet)."""
    states = list(done)
    return round(100 * sum(states) / len(states)) if states else 0
