"""The campaign board: per unit in scope, how ready it is for the high-risk period.

For each unit the user sees: the checklist (the unit's answers; "named warnings fixed" decided
from the findings), readiness %, active findings by priority, active findings of the named
warnings' vulnerabilities, overdue tasks and the last time its inventory was seen. A fixed
number of grouped queries whatever the number of units.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, Max, Q, QuerySet

from canhgac.accounts import access
from canhgac.accounts.actors import SystemActor
from canhgac.accounts.models import Unit
from canhgac.core import clock
from canhgac.core.exceptions import NotFoundError
from canhgac.exposure.enums import ACTIVE_STATUSES, Priority
from canhgac.exposure.models import Finding
from canhgac.inventory.models import Asset
from canhgac.remediation import rules
from canhgac.remediation.enums import Check, TaskStatus
from canhgac.remediation.models import Campaign, CampaignCheck, Readiness, Task


@dataclass
class CheckState:
    check: CampaignCheck
    done: bool
    note: str = ""
    answered_at: datetime | None = None
    answered_by: str = ""


@dataclass
class UnitReadiness:
    unit: Unit
    checks: list[CheckState] = field(default_factory=list)
    findings: dict[str, int] = field(default_factory=dict)  # active findings by priority
    warned: int = 0  # active findings of the named warnings' vulnerabilities
    overdue_tasks: int = 0
    last_inventory: datetime | None = None

    @property
    def readiness(self) -> int:
        return rules.readiness(state.done for state in self.checks)

    def as_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit.code,
            "unit_name": self.unit.name,
            "readiness": self.readiness,
            "checks": [
                {
                    "key": state.check.key,
                    "label": state.check.label,
                    "computed": state.check.computed,
                    "done": state.done,
                    "note": state.note,
                    "answered_at": state.answered_at.isoformat() if state.answered_at else None,
                    "answered_by": state.answered_by,
                }
                for state in self.checks
            ],
            "findings": self.findings,
            "warned_findings": self.warned,
            "overdue_tasks": self.overdue_tasks,
            "last_inventory": self.last_inventory.isoformat() if self.last_inventory else None,
        }


def campaign_list() -> QuerySet[Campaign]:
    """Campaigns are the province's orders: everyone reads them (the board shows each user
    only the units they see)."""
    return Campaign.objects.all()


def campaign_get(*, code: str) -> Campaign:
    campaign = Campaign.objects.filter(code=code).first()
    if campaign is None:
        raise NotFoundError("campaign not found", extra={"campaign": code})
    return campaign


def campaign_tasks(campaign: Campaign) -> QuerySet[Task]:
    """The tasks of the campaign's warnings: of the letters themselves and of their forwards."""
    letters = list(campaign.letters.values_list("pk", flat=True))
    return Task.objects.filter(Q(letter__in=letters) | Q(letter__forwarded_from__in=letters))


def campaign_board(
    *, user: Any, campaign: Campaign, unit: Unit | None = None
) -> list[UnitReadiness]:
    """One row per unit in scope that the user sees (or just `unit`), in tree order."""
    units = campaign.units.order_by("path")
    if not isinstance(user, SystemActor):
        units = access.restrict(units, user=user, unit_field="id")
    if unit is not None:
        units = units.filter(pk=unit.pk)
    rows = {item.pk: UnitReadiness(item) for item in units}
    ids = list(rows)
    checks = list(campaign.checks.all())
    answers = {
        (answer.item_id, answer.unit_id): answer
        for answer in Readiness.objects.filter(item__campaign=campaign, unit_id__in=ids)
    }
    active = Finding.objects.filter(unit_id__in=ids, status__in=list(ACTIVE_STATUSES))
    by_priority: dict[int, dict[str, int]] = defaultdict(dict)
    for unit_id, priority, count in active.values_list("unit_id", "priority").annotate(
        count=Count("pk")
    ):
        by_priority[unit_id][priority] = count
    cited = Finding.objects.filter(
        pk__in=active.filter(vulnerability__warnings__warning__in=campaign.letters.all()).values(
            "pk"
        )
    )
    warned = dict(cited.values_list("unit_id").annotate(count=Count("pk")))
    overdue = dict(
        Task.objects.filter(unit_id__in=ids, due_date__lt=clock.today())
        .exclude(status=TaskStatus.DONE.value)
        .values_list("unit_id")
        .annotate(count=Count("pk"))
    )
    seen = dict(
        Asset.objects.filter(unit_id__in=ids).values_list("unit_id").annotate(last=Max("last_seen"))
    )
    for unit_id, row in rows.items():
        row.findings = {level.value: by_priority[unit_id].get(level.value, 0) for level in Priority}
        row.warned = warned.get(unit_id, 0)
        row.overdue_tasks = overdue.get(unit_id, 0)
        row.last_inventory = seen.get(unit_id)
        for check in checks:
            if check.key == Check.WARNINGS_FIXED:
                row.checks.append(CheckState(check, row.warned == 0))
                continue
            answer = answers.get((check.pk, unit_id))
            row.checks.append(
                CheckState(
                    check,
                    bool(answer and answer.done),
                    answer.note if answer else "",
                    answer.answered_at if answer else None,
                    answer.answered_by if answer else "",
                )
            )
    return list(rows.values())


def board_summary(rows: list[UnitReadiness], campaign: Campaign) -> dict[str, Any]:
    """The board's header: units ready, average readiness, days left to be ready."""
    return {
        "units": len(rows),
        "ready": sum(row.readiness == 100 for row in rows),
        "average": round(sum(row.readiness for row in rows) / len(rows)) if rows else 0,
        "days_left": (campaign.prepare_by - clock.today()).days,
        "warned_findings": sum(row.warned for row in rows),
        "overdue_tasks": sum(row.overdue_tasks for row in rows),
    }
