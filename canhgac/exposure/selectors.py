"""Reads of findings, scoped through the access module: a finding is visible with its unit.

The CLI runs as a trusted `SystemActor` (shell access to the server) and sees every unit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from canhgac.accounts import access
from canhgac.accounts.actors import SystemActor
from canhgac.accounts.enums import Permission
from canhgac.accounts.models import Unit
from canhgac.advisories.models import WarningCve
from canhgac.core import clock
from canhgac.core.exceptions import NotFoundError
from canhgac.exposure.enums import ACTIVE_STATUSES, FindingStatus, Priority
from canhgac.exposure.explanations import due_reason, rule_name, sentences
from canhgac.exposure.models import Finding, MatchRun

PRIORITIES = [item.value for item in Priority]


def finding_list_for_user(*, user: Any) -> QuerySet[Finding]:
    findings = Finding.objects.select_related("unit", "asset", "asset__system", "vulnerability")
    if isinstance(user, SystemActor):
        return findings
    return access.restrict(findings, user=user)


def finding_get_for_user(
    *, user: Any, finding_id: int, permission: Permission = Permission.UNIT_VIEW
) -> Finding:
    finding = finding_list_for_user(user=user).filter(pk=finding_id).first()
    if finding is None:
        raise NotFoundError("finding not found", extra={"finding": finding_id})
    if permission is not Permission.UNIT_VIEW and not isinstance(user, SystemActor):
        access.require_permission(user=user, permission=permission, unit_id=finding.unit_id)
    return finding


def findings_get_for_user(*, user: Any, finding_ids: Sequence[int]) -> list[Finding]:
    """Several findings by id in one query (bulk triage), in the order given, duplicates
    dropped. One id unknown or outside the user's units raises NotFoundError, as
    `finding_get_for_user` does; permissions are the caller's (or the service's) to check."""
    wanted = list(dict.fromkeys(finding_ids))
    found = {
        finding.pk: finding for finding in finding_list_for_user(user=user).filter(pk__in=wanted)
    }
    missing = [finding_id for finding_id in wanted if finding_id not in found]
    if missing:
        raise NotFoundError("finding not found", extra={"finding": missing[0]})
    return [found[finding_id] for finding_id in wanted]


@dataclass(frozen=True, slots=True)
class FindingFilter:
    """The filters of findings lists (web, API, CLI); each one given narrows."""

    unit: str = ""  # unit code: that unit and its sub-units
    cve: str = ""
    asset: str = ""  # asset key
    system: str = ""  # information system code
    status: str = ""  # a status, or "active" (open, in remediation, mitigated)
    state: str = ""  # affected | potential
    min_priority: str = ""  # P1..P4: this priority or higher
    kev: bool = False
    warned: bool = False  # cited by a warning letter
    overdue: bool = False
    reported: bool | None = None


def finding_filter(findings: QuerySet[Finding], where: FindingFilter) -> QuerySet[Finding]:
    if where.unit:
        findings = findings.filter(unit__path__startswith=_unit_path(where.unit))
    if where.cve:
        findings = findings.filter(vulnerability__cve_id__iexact=where.cve.strip())
    if where.asset:
        findings = findings.filter(asset__key=where.asset)
    if where.system:
        findings = findings.filter(asset__system__code=where.system)
    if where.status == "active":
        findings = findings.filter(status__in=list(ACTIVE_STATUSES))
    elif where.status:
        findings = findings.filter(status=where.status)
    if where.state:
        findings = findings.filter(state=where.state)
    if where.min_priority in PRIORITIES:
        findings = findings.filter(
            priority__in=PRIORITIES[: PRIORITIES.index(where.min_priority) + 1]
        )
    if where.kev:
        findings = findings.filter(vulnerability__kev_date_added__isnull=False)
    if where.warned:
        findings = findings.filter(
            Exists(WarningCve.objects.filter(vulnerability_id=OuterRef("vulnerability_id")))
        )
    if where.overdue:
        findings = findings.filter(status__in=list(ACTIVE_STATUSES), due_date__lt=clock.today())
    if where.reported is not None:
        findings = findings.filter(reported=where.reported)
    return findings


def _unit_path(code: str) -> str:
    path = Unit.objects.filter(code=code).values_list("path", flat=True).first()
    return path or "\x00"  # an unknown unit matches nothing


def finding_item(finding: Finding) -> dict[str, Any]:
    """A finding as the CLI's JSON and the API list give it (keys documented in docs/cli.md)."""
    return {
        "id": finding.pk,
        "unit": finding.unit.code,
        "system": finding.asset.system.code if finding.asset.system else None,
        "asset": finding.asset.key,
        "vulnerability": finding.vulnerability.cve_id,
        "matched": {
            "kind": finding.kind,
            "name": finding.matched_name,
            "version": finding.matched_version,
        },
        "state": finding.state,
        "status": finding.status,
        "confidence": finding.confidence,
        "priority": finding.priority,
        "priority_score": finding.priority_score,
        "due": finding.due_date.isoformat() if finding.due_date else None,
        "rule": finding.rule,
        "source": finding.source,
        "explanation": sentences(finding.explanation),
        "first_seen": finding.first_seen.isoformat(),
        "last_seen": finding.last_seen.isoformat(),
    }


def finding_detail(finding: Finding) -> dict[str, Any]:
    """Everything about one finding: the item, the reasons with their codes, the priority
    breakdown, the due date's origin, the sources, the decision in force and the history."""
    decision = finding.decision
    return {
        **finding_item(finding),
        "rule_name": rule_name(finding.rule),
        "reasons": [
            {"code": item.get("code", ""), "text": text, "values": item}
            for item, text in zip(finding.explanation, sentences(finding.explanation), strict=True)
        ],
        "priority_formula": finding.priority_formula,
        "priority_breakdown": finding.priority_breakdown,
        "due_reason": due_reason(finding.due_reason) if finding.due_reason else "",
        "reported": finding.reported,
        "closed_at": finding.closed_at.isoformat() if finding.closed_at else None,
        "sources": [
            {
                "source": source.source,
                "active": source.active,
                "first_seen": source.first_seen.isoformat(),
                "last_seen": source.last_seen.isoformat(),
            }
            for source in finding.sources.all()
        ],
        "decision": None
        if decision is None
        else {
            "status": decision.status,
            "scope": decision.scope,
            "justification": decision.justification,
            "reason": decision.reason,
            "until": decision.until.isoformat() if decision.until else None,
            "approver": decision.approver,
            "decided_by": decision.decided_by,
            "decided_at": decision.decided_at.isoformat(),
        },
        "history": [
            {
                "at": event.at.isoformat(),
                "kind": event.kind,
                "from": event.from_status,
                "to": event.to_status,
                "actor": event.actor,
                "detail": event.detail,
            }
            for event in finding.events.all()
        ],
    }


@dataclass(frozen=True, slots=True)
class UnitExposure:
    unit_id: int
    code: str
    name: str
    active: int
    affected: int
    potential: int
    p1: int
    kev: int
    warned: int
    overdue: int


def exposure_by_unit(findings: QuerySet[Finding]) -> list[UnitExposure]:
    """The province dashboard's table: per unit, what is still to be done (one query)."""
    today = clock.today()
    active = Q(status__in=list(ACTIVE_STATUSES))
    cited = Exists(WarningCve.objects.filter(vulnerability_id=OuterRef("vulnerability_id")))
    rows = (
        findings.filter(active)
        .annotate(cited=cited)
        .values("unit_id", "unit__code", "unit__name", "unit__path")
        .annotate(
            active=Count("pk"),
            affected=Count("pk", filter=Q(state="affected")),
            potential=Count("pk", filter=Q(state="potential")),
            p1=Count("pk", filter=Q(priority=Priority.P1)),
            kev=Count("pk", filter=Q(vulnerability__kev_date_added__isnull=False)),
            warned=Count("pk", filter=Q(cited=True)),
            overdue=Count("pk", filter=Q(due_date__lt=today)),
        )
        .order_by("-p1", "-active", "unit__path")
    )
    return [
        UnitExposure(
            row["unit_id"],
            row["unit__code"],
            row["unit__name"],
            row["active"],
            row["affected"],
            row["potential"],
            row["p1"],
            row["kev"],
            row["warned"],
            row["overdue"],
        )
        for row in rows
    ]


def exposure_totals(findings: QuerySet[Finding]) -> dict[str, Any]:
    """Counts for the dashboard's tiles: by priority, state, status; KEV, cited, overdue."""
    today = clock.today()
    active = findings.filter(status__in=list(ACTIVE_STATUSES))
    cited = Exists(WarningCve.objects.filter(vulnerability_id=OuterRef("vulnerability_id")))
    totals = active.aggregate(
        active=Count("pk"),
        assets=Count("asset_id", distinct=True),
        vulnerabilities=Count("vulnerability_id", distinct=True),
        affected=Count("pk", filter=Q(state="affected")),
        potential=Count("pk", filter=Q(state="potential")),
        kev=Count("pk", filter=Q(vulnerability__kev_date_added__isnull=False)),
        overdue=Count("pk", filter=Q(due_date__lt=today)),
        **{item.lower(): Count("pk", filter=Q(priority=item)) for item in PRIORITIES},
    )
    totals["warned"] = active.filter(cited).count()
    totals["closed"] = findings.filter(
        status__in=[FindingStatus.FIXED, FindingStatus.VERIFIED]
    ).count()
    totals["decided"] = findings.filter(
        status__in=[
            FindingStatus.FALSE_POSITIVE,
            FindingStatus.ACCEPTED_RISK,
            FindingStatus.NOT_AFFECTED,
        ]
    ).count()
    return totals


def exposure_by_vulnerability(findings: QuerySet[Finding], limit: int = 10) -> list[dict[str, Any]]:
    """The vulnerabilities with the most active findings (the dashboard's "top" list)."""
    return list(
        findings.filter(status__in=list(ACTIVE_STATUSES))
        .values("vulnerability__cve_id", "vulnerability__title")
        .annotate(
            findings=Count("pk"),
            assets=Count("asset_id", distinct=True),
            units=Count("unit_id", distinct=True),
        )
        .order_by("-findings", "vulnerability__cve_id")[:limit]
    )


def last_runs(limit: int = 5) -> list[MatchRun]:
    return list(MatchRun.objects.all()[:limit])


def last_runs_for_user(*, user: Any, limit: int = 5) -> list[MatchRun]:
    """The latest runs a user may see: the province-wide ones ("all", possibly narrowed to
    changed assets or advisories) and those of the units they see ("unit:<code>[ ...]")."""
    runs = MatchRun.objects.all()
    if (
        isinstance(user, SystemActor)
        or access.units_with_permission(user=user, permission=Permission.UNIT_VIEW).everything
    ):
        return list(runs[:limit])
    visible = ~Q(scope__startswith="unit:")
    for code in access.unit_list_for_user(user=user).values_list("code", flat=True):
        visible |= Q(scope=f"unit:{code}") | Q(scope__startswith=f"unit:{code} ")
    return list(runs.filter(visible)[:limit])
