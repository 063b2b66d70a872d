"""Findings and matching: lists and details in the user's units, triage, runs on request."""

from dataclasses import asdict
from datetime import date, datetime
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from canhgac.accounts import access
from canhgac.accounts.enums import Permission
from canhgac.api.auth import request_user
from canhgac.api.pages import Rendered
from canhgac.api.schemas import ErrorOut
from canhgac.core.exceptions import PermissionDeniedError
from canhgac.core.tasks import enqueue_on_commit
from canhgac.exposure import selectors
from canhgac.exposure.models import Finding
from canhgac.exposure.services.decisions import findings_triage
from canhgac.exposure.tasks import exposure_match_task

router = Router(tags=["exposure"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
MAX_BULK = 500


class MatchedOut(Schema):
    kind: str
    name: str
    version: str


class FindingOut(Schema):
    id: int
    unit: str
    system: str | None
    asset: str
    vulnerability: str
    matched: MatchedOut
    state: str
    status: str
    confidence: int
    priority: str
    priority_score: float
    due: date | None
    rule: str
    source: str
    explanation: list[str]
    first_seen: datetime
    last_seen: datetime


class FindingQuery(Schema):
    unit: str = ""
    cve: str = ""
    asset: str = ""
    system: str = ""
    status: str = Field("", description="a status, or 'active' (open, in remediation, mitigated)")
    state: Literal["", "affected", "potential"] = ""
    min_priority: Literal["", "P1", "P2", "P3", "P4"] = ""
    kev: bool = False
    warned: bool = False
    overdue: bool = False


class TriageIn(Schema):
    status: str
    reason: str
    until: date | None = None
    justification: str = ""
    scope: Literal["version", "any_version"] = "version"


class BulkTriageIn(TriageIn):
    ids: list[int] = Field(..., min_length=1, max_length=MAX_BULK)


class MatchIn(Schema):
    unit: str = ""
    full: bool = False


@router.get("/findings", response=list[FindingOut], summary="Findings in my units")
@paginate
def finding_list(request: HttpRequest, filters: Query[FindingQuery]) -> list[dict[str, Any]]:
    findings: QuerySet[Finding] = selectors.finding_filter(
        selectors.finding_list_for_user(user=request_user(request)),
        selectors.FindingFilter(**filters.dict()),
    ).order_by("-priority_score", "due_date", "pk")
    return Rendered(findings, selectors.finding_item)  # type: ignore[return-value]


@router.post(
    "/findings/triage",
    response={200: dict[str, Any], **ERRORS},
    summary="Bulk triage: the same decision for several findings, all or none",
)
def finding_bulk_triage(request: HttpRequest, payload: BulkTriageIn) -> dict[str, Any]:
    user = request_user(request)
    values = payload.dict()
    ids = values.pop("ids")
    # every finding must be visible (else 404) before any permission is checked (403)
    findings = selectors.findings_get_for_user(user=user, finding_ids=ids)
    done = findings_triage(by=user, findings=findings, **values)
    return {"updated": [finding.pk for finding in done], "status": values["status"]}


@router.get(
    "/findings/{finding_id}",
    response={200: dict[str, Any], 404: ErrorOut},
    summary="One finding: explanation, priority breakdown, sources, decision, history",
)
def finding_get(request: HttpRequest, finding_id: int) -> dict[str, Any]:
    finding = selectors.finding_get_for_user(user=request_user(request), finding_id=finding_id)
    return selectors.finding_detail(finding)


@router.post(
    "/findings/{finding_id}/triage",
    response={200: dict[str, Any], **ERRORS},
    summary="Set the status of a finding (the decision sticks across re-imports)",
)
def finding_triage(request: HttpRequest, finding_id: int, payload: TriageIn) -> dict[str, Any]:
    user = request_user(request)
    finding = selectors.finding_get_for_user(
        user=user, finding_id=finding_id, permission=Permission.FINDING_TRIAGE
    )
    (done,) = findings_triage(by=user, findings=[finding], **payload.dict())
    return selectors.finding_detail(done)


@router.get("/summary", response=dict[str, Any], summary="Exposure of my units: totals, per unit")
def exposure_summary(request: HttpRequest) -> dict[str, Any]:
    findings = selectors.finding_list_for_user(user=request_user(request))
    return {
        "totals": selectors.exposure_totals(findings),
        "units": [asdict(unit) for unit in selectors.exposure_by_unit(findings)],
        "vulnerabilities": selectors.exposure_by_vulnerability(findings),
    }


@router.post(
    "/match",
    response={202: dict[str, Any], **ERRORS},
    summary="Ask the worker to match what changed (everything with full) now",
)
def exposure_match(request: HttpRequest, payload: MatchIn) -> Status[dict[str, Any]]:
    """A unit's roles match their unit; matching every unit needs a province role."""
    user = request_user(request)
    if payload.unit:
        unit = access.unit_get_for_user(
            user=user, unit_id=payload.unit, permission=Permission.EXPOSURE_MATCH
        )
        code = unit.code
    elif access.units_with_permission(user=user, permission=Permission.EXPOSURE_MATCH).everything:
        code = ""
    else:
        raise PermissionDeniedError(
            "matching every unit needs a province role",
            extra={"permission": Permission.EXPOSURE_MATCH.value},
        )
    enqueue_on_commit(exposure_match_task, code, payload.full)
    return Status(202, {"queued": {"unit": code or None, "full": payload.full}})


@router.get("/runs", response=list[dict[str, Any]], summary="The latest matching runs")
def run_list(request: HttpRequest) -> list[dict[str, Any]]:
    request_user(request)
    return [
        {
            "id": run.pk,
            "scope": run.scope,
            "full": run.full,
            "status": run.status,
            "started_at": run.started_at,
            "finished_at": run.finished_at,
            "counts": run.counts,
            "error": run.error,
        }
        for run in selectors.last_runs(20)
    ]
