"""Reading the register (scoped to the user's units) and the rows the report kinds lay out.

Who sees an entry: a unit's entry, whoever sees the unit; a province-wide entry (the
forwarding letter, the exports of a whole letter), whoever may issue them
(`Permission.ADVISORY_MANAGE`).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from canhgac.accounts import access
from canhgac.accounts.actors import SystemActor
from canhgac.accounts.enums import Permission
from canhgac.accounts.models import Unit
from canhgac.advisories.models import WarningCve, WarningLetter
from canhgac.core.exceptions import NotFoundError
from canhgac.remediation.board import campaign_get
from canhgac.remediation.models import Campaign, Item, Task
from canhgac.remediation.selectors import task_list_for_user
from canhgac.reports.models import RegisterEntry


def register_list_for_user(*, user: Any) -> QuerySet[RegisterEntry]:
    entries = RegisterEntry.objects.select_related("unit", "created_by")
    if isinstance(user, SystemActor):
        return entries
    units = access.units_with_permission(user=user, permission=Permission.UNIT_VIEW)
    visible = Q(unit__isnull=False) if units.everything else Q(unit_id__in=units.ids)
    if access.has_permission(user=user, permission=Permission.ADVISORY_MANAGE):
        visible |= Q(unit__isnull=True)
    return entries.filter(visible)


def entry_get_for_user(*, user: Any, entry_id: int) -> RegisterEntry:
    entry = register_list_for_user(user=user).filter(pk=entry_id).first()
    if entry is None:
        raise NotFoundError("register entry not found", extra={"entry": entry_id})
    return entry


def entry_item(entry: RegisterEntry) -> dict[str, Any]:
    """An entry as the API and the CLI show it."""
    return {
        "id": entry.pk,
        "kind": entry.kind,
        "number": entry.number,
        "issued_on": entry.issued_on.isoformat(),
        "title": entry.title,
        "unit": entry.unit.code if entry.unit else None,
        "target_type": entry.target_type,
        "target_id": entry.target_id,
        "format": entry.format,
        "name": entry.name,
        "sha256": entry.sha256,
        "size": entry.size,
        "created_at": entry.created_at.isoformat(),
        "created_by": entry.created_by_label,
    }


# --- What the kinds read -----------------------------------------------------------------------


def report_target_for_user(
    *, user: Any, letter_number: str = "", unit_code: str = "", campaign_code: str = ""
) -> WarningLetter | Task | Campaign:
    """The campaign `campaign_code`; else the forwarded letter `letter_number`, or with
    `unit_code` that unit's task of it, as the user sees them (else NotFoundError)."""
    if campaign_code:
        return campaign_get(code=campaign_code)
    letter = WarningLetter.objects.filter(
        number=letter_number, forwarded_from__isnull=False
    ).first()
    if letter is None:
        raise NotFoundError(
            f"no forwarded letter numbered '{letter_number}'", extra={"letter": letter_number}
        )
    if not unit_code:
        return letter
    task = task_list_for_user(user=user).filter(letter=letter, unit__code=unit_code).first()
    if task is None:
        raise NotFoundError(
            f"no task of unit '{unit_code}' for {letter_number}",
            extra={"letter": letter_number, "unit": unit_code},
        )
    return task


def letter_citations(letter: WarningLetter) -> list[WarningCve]:
    return list(letter.cves.select_related("vulnerability").order_by("vulnerability__cve_id"))


def letter_tasks(letter: WarningLetter) -> list[tuple[Task, list[Item]]]:
    """Every recipient's task of the letter in unit order, with its hosts (two queries)."""
    tasks = list(Task.objects.filter(letter=letter).select_related("unit").order_by("unit__path"))
    items: dict[int, list[Item]] = {task.pk: [] for task in tasks}
    for item in (
        Item.objects.filter(task__letter=letter)
        .select_related("system")
        .order_by("asset_name", "pk")
    ):
        items[item.task_id].append(item)
    return [(task, items[task.pk]) for task in tasks]


def task_hosts(task: Task) -> list[Item]:
    return list(task.items.select_related("system").order_by("asset_name", "pk"))


def unit_with_parent(unit: Unit) -> Unit:
    return Unit.objects.select_related("parent").get(pk=unit.pk)


def forwarded_letter_get(*, letter_id: int) -> WarningLetter:
    """A letter the province forwarded (letters are not unit-scoped: every user sees them)."""
    letter = WarningLetter.objects.filter(pk=letter_id, forwarded_from__isnull=False).first()
    if letter is None:
        raise NotFoundError("forwarded letter not found", extra={"letter": letter_id})
    return letter
