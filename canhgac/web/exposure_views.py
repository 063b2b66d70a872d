"""Web pages of the exposure engine: the dashboard, findings (list, detail), triage, matching.

Thin views: read through `exposure.selectors` (scoped to the user's units), write through
`findings_triage`, enqueue matching with `exposure_match_task`. NotFoundError (404) and
PermissionDeniedError (403) propagate to `AccessDeniedMiddleware`, which renders and audits them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F, prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from canhgac.accounts import access
from canhgac.accounts.enums import Permission
from canhgac.accounts.models import Unit, User
from canhgac.core import clock
from canhgac.core.exceptions import PermissionDeniedError, ValidationError
from canhgac.core.tasks import enqueue_on_commit
from canhgac.exposure import selectors
from canhgac.exposure.enums import ACTIVE_STATUSES
from canhgac.exposure.explanations import priority_factor
from canhgac.exposure.models import (
    JUSTIFICATION_CHOICES,
    KIND_CHOICES,
    SCOPE_CHOICES,
    STATUS_CHOICES,
    Finding,
    FindingEvent,
)
from canhgac.exposure.services.decisions import findings_triage
from canhgac.exposure.tasks import exposure_match_task
from canhgac.inventory.models import CRITICALITY_CHOICES
from canhgac.web.exposure_forms import ACTIVE, FindingFilterForm, MatchForm, TriageForm
from canhgac.web.session import signed_in_user

PAGE_SIZE = 50
MAX_BULK = 500
EVENT_LABELS = {
    "opened": gettext_lazy("Found"),
    "reopened": gettext_lazy("Reopened"),
    "fixed": gettext_lazy("No longer found (fixed)"),
    "triaged": gettext_lazy("Triaged"),
    "decision_expired": gettext_lazy("Decision expired"),
    "verified": gettext_lazy("Fix verified"),
}


def _visible_units(user: User, permission: Permission = Permission.UNIT_VIEW) -> Any:
    return access.restrict(
        Unit.objects.order_by("path"), user=user, permission=permission, unit_field="id"
    )


def _match_form(user: User) -> MatchForm | None:
    """The "match now" form, for users who may run matching somewhere (else None)."""
    if not access.has_permission(user=user, permission=Permission.EXPOSURE_MATCH):
        return None
    form = MatchForm()
    units = [(unit.code, unit.name) for unit in _visible_units(user, Permission.EXPOSURE_MATCH)]
    if access.units_with_permission(user=user, permission=Permission.EXPOSURE_MATCH).everything:
        units.insert(0, ("", _("All units")))
    widget = form.fields["unit"].widget
    assert isinstance(widget, forms.Select)  # noqa: S101
    widget.choices = units
    return form


# --- Dashboard and matching ---------------------------------------------------------------------


@login_required
def exposure_dashboard(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    findings = selectors.finding_list_for_user(user=user)
    runs = selectors.last_runs_for_user(user=user, limit=8)
    return render(
        request,
        "web/exposure/dashboard.html",
        {
            "totals": selectors.exposure_totals(findings),
            "units": selectors.exposure_by_unit(findings),
            "top": selectors.exposure_by_vulnerability(findings),
            "runs": [(run, _scope_label(run.scope)) for run in runs],
            "match_form": _match_form(user),
        },
    )


def _scope_label(scope: str) -> str:
    return _("All units") if scope == "all" else scope


@login_required
@require_POST
def exposure_match(request: HttpRequest) -> HttpResponse:
    """Queue a matching run: a unit the user may match, or (province roles) every unit."""
    user = signed_in_user(request)
    form = MatchForm(request.POST)
    form.is_valid()  # a free text and a checkbox: always valid; the unit is checked below
    code, full = form.cleaned_data["unit"], form.cleaned_data["full"]
    if code:
        unit = access.unit_get_for_user(
            user=user, unit_id=code, permission=Permission.EXPOSURE_MATCH
        )
        code = unit.code
        message = _("Matching of %(unit)s has been queued.") % {"unit": unit.name}
    elif access.units_with_permission(user=user, permission=Permission.EXPOSURE_MATCH).everything:
        message = _("Matching of every unit has been queued.")
    else:
        raise PermissionDeniedError(
            "matching every unit needs a province role",
            extra={"permission": Permission.EXPOSURE_MATCH.value},
        )
    enqueue_on_commit(exposure_match_task, code, full)
    messages.success(
        request, message + " " + _("The results appear here when the worker has finished.")
    )
    return redirect("web:exposure_dashboard")


# --- Findings list and bulk triage --------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Row:
    finding: Finding
    can_triage: bool
    overdue: bool


def _overdue(finding: Finding, today: date) -> bool:
    return (
        finding.status in ACTIVE_STATUSES
        and finding.due_date is not None
        and finding.due_date < today
    )


@login_required
def finding_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    return _finding_list_page(request, user, _triage_form(user, None), selected=frozenset())


def _triage_form(user: User, data: Any) -> TriageForm | None:
    """The bulk triage form, for users who may triage findings somewhere (else None)."""
    if not access.has_permission(user=user, permission=Permission.FINDING_TRIAGE):
        return None
    allow_risk = access.has_permission(user=user, permission=Permission.RISK_ACCEPT)
    return TriageForm(data, allow_risk=allow_risk)


def _finding_list_page(
    request: HttpRequest,
    user: User,
    triage_form: TriageForm | None,
    *,
    selected: frozenset[int],
    status: int = 200,
) -> HttpResponse:
    # No filter given (a first visit, or only ?page=): what is still to be done. A submitted
    # form with an empty status shows every status.
    given = any(name in request.GET for name in FindingFilterForm.base_fields)
    form = FindingFilterForm(request.GET if given else {"status": ACTIVE})
    unit_field = form.fields["unit"]
    assert isinstance(unit_field, forms.ModelChoiceField)  # noqa: S101
    unit_field.queryset = _visible_units(user)
    findings = selectors.finding_list_for_user(user=user)
    findings = (
        selectors.finding_filter(findings, form.where()) if form.is_valid() else findings.none()
    )
    findings = findings.order_by("-priority_score", F("due_date").asc(nulls_last=True), "pk")
    page = Paginator(findings, PAGE_SIZE).get_page(request.GET.get("page"))
    triage_units = access.units_with_permission(user=user, permission=Permission.FINDING_TRIAGE)
    today = clock.today()
    rows = [
        Row(finding, finding.unit_id in triage_units, _overdue(finding, today))
        for finding in page.object_list
    ]
    return render(
        request,
        "web/exposure/finding_list.html",
        {
            "page": page,
            "rows": rows,
            "form": form,
            "triage_form": triage_form,
            "can_triage_any": any(row.can_triage for row in rows),
            "selected": selected,
        },
        status=status,
    )


def _ids(values: list[str]) -> list[int]:
    return [int(value) for value in values if value.isdigit()][:MAX_BULK]


@login_required
@require_POST
def finding_bulk_triage(request: HttpRequest) -> HttpResponse:
    """The same decision for the findings ticked in the list; back to the list (filters kept
    in the query string of the form's action) with a message, or the list with the errors."""
    user = signed_in_user(request)
    ids = _ids(request.POST.getlist("finding"))
    # Every finding must be visible (else 404) before any permission is checked (else 403).
    findings = selectors.findings_get_for_user(user=user, finding_ids=ids)
    for unit_id in sorted({finding.unit_id for finding in findings}):
        access.require_permission(user=user, permission=Permission.FINDING_TRIAGE, unit_id=unit_id)
    if not findings:  # nothing ticked: may the user triage at all?
        access.require_permission(user=user, permission=Permission.FINDING_TRIAGE)
    form = _triage_form(user, request.POST)
    assert form is not None  # noqa: S101  (FINDING_TRIAGE holds somewhere: checked above)
    if not findings:
        form.add_error(None, _("Tick at least one finding."))
    if form.is_valid():
        try:
            done = findings_triage(by=user, findings=findings, **form.triage())
        except ValidationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request,
                ngettext("%(count)d finding updated.", "%(count)d findings updated.", len(done))
                % {"count": len(done)},
            )
            query = request.GET.urlencode()
            return redirect(reverse("web:finding_list") + (f"?{query}" if query else ""))
    return _finding_list_page(request, user, form, selected=frozenset(ids), status=422)


# --- One finding ------------------------------------------------------------------------------


@login_required
def finding_detail(request: HttpRequest, finding_id: int) -> HttpResponse:
    user = signed_in_user(request)
    finding = selectors.finding_get_for_user(user=user, finding_id=finding_id)
    return _finding_detail_page(request, user, finding, None)


@login_required
@require_POST
def finding_triage(request: HttpRequest, finding_id: int) -> HttpResponse:
    user = signed_in_user(request)
    finding = selectors.finding_get_for_user(
        user=user, finding_id=finding_id, permission=Permission.FINDING_TRIAGE
    )
    allow_risk = access.has_permission(
        user=user, permission=Permission.RISK_ACCEPT, unit_id=finding.unit_id
    )
    form = TriageForm(request.POST, allow_risk=allow_risk)
    if form.is_valid():
        try:
            findings_triage(by=user, findings=[finding], **form.triage())
        except ValidationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The decision has been recorded."))
            return redirect("web:finding_detail", finding_id=finding.pk)
    return _finding_detail_page(request, user, finding, form, status=422)


def _finding_detail_page(
    request: HttpRequest,
    user: User,
    finding: Finding,
    form: TriageForm | None,
    *,
    status: int = 200,
) -> HttpResponse:
    prefetch_related_objects([finding], "sources", "events")
    detail = selectors.finding_detail(finding)
    can_triage = access.has_permission(
        user=user, permission=Permission.FINDING_TRIAGE, unit_id=finding.unit_id
    )
    if form is None and can_triage:
        form = TriageForm(
            allow_risk=access.has_permission(
                user=user, permission=Permission.RISK_ACCEPT, unit_id=finding.unit_id
            )
        )
    return render(
        request,
        "web/exposure/finding_detail.html",
        {
            "finding": finding,
            "detail": detail,
            "matched_kind": dict(KIND_CHOICES).get(finding.kind, finding.kind),
            "breakdown": [_part(part) for part in finding.priority_breakdown],
            "overdue": _overdue(finding, clock.today()),
            "decision": _decision(finding),
            "history": [_event(event) for event in finding.events.all()],
            "form": form if can_triage else None,
        },
        status=status,
    )


def _part(part: dict[str, Any]) -> dict[str, Any]:
    """One line of the priority breakdown, in words."""
    factor, value = str(part.get("factor", "")), str(part.get("value", ""))
    if value == "yes":
        shown: Any = _("yes")
    elif factor == "criticality":
        shown = dict(CRITICALITY_CHOICES).get(value, value)
    elif factor == "level":
        shown = _("Level %(level)s") % {"level": value}
    else:
        shown = _number(value)
    return {"factor": priority_factor(factor), "value": shown, "points": part.get("points", 0)}


def _number(text: str) -> str:
    """A number read by the formula ("9.8", "0.975") in the page's language ("9,8")."""
    try:
        number = float(text)
    except ValueError:
        return text
    decimals = len(text.partition(".")[2])
    return formats.number_format(number, decimal_pos=decimals)


def _decision(finding: Finding) -> dict[str, Any] | None:
    decision = finding.decision
    if decision is None:
        return None
    return {
        "status": dict(STATUS_CHOICES).get(decision.status, decision.status),
        "scope": dict(SCOPE_CHOICES).get(decision.scope, decision.scope),
        "justification": dict(JUSTIFICATION_CHOICES).get(decision.justification, ""),
        "reason": decision.reason,
        "until": decision.until,
        "approver": decision.approver,
        "decided_by": decision.decided_by,
        "decided_at": decision.decided_at,
    }


def _event(event: FindingEvent) -> dict[str, Any]:
    statuses = dict(STATUS_CHOICES)
    detail = event.detail if isinstance(event.detail, dict) else {}
    until = detail.get("until") or ""
    return {
        "at": event.at,
        "kind": EVENT_LABELS.get(event.kind, event.kind),
        "from": statuses.get(event.from_status, event.from_status),
        "to": statuses.get(event.to_status, event.to_status),
        "actor": event.actor,
        "reason": detail.get("reason", ""),
        "justification": dict(JUSTIFICATION_CHOICES).get(detail.get("justification", ""), ""),
        "until": date.fromisoformat(until) if until else None,
    }
