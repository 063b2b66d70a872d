"""The audit log: events within scope, and chain verification (province-wide readers)."""

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from canhgac.accounts import access
from canhgac.accounts.enums import Permission
from canhgac.api.auth import request_user
from canhgac.api.schemas import AuditEventOut, ChainReportOut, ErrorOut
from canhgac.audit.models import AuditEvent
from canhgac.audit.selectors import audit_event_list_for_user, audit_verify
from canhgac.core.exceptions import PermissionDeniedError

router = Router(tags=["audit"])


class EventFilter(Schema):
    action: str | None = None
    after_sequence: int | None = None


@router.get("/events", response=list[AuditEventOut], summary="Audit events in my scope")
@paginate
def event_list(request: HttpRequest, filters: Query[EventFilter]) -> QuerySet[AuditEvent]:
    events = audit_event_list_for_user(user=request_user(request))
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.after_sequence is not None:
        events = events.filter(sequence__gt=filters.after_sequence)
    return events


@router.get(
    "/verify",
    response={200: ChainReportOut, 403: ErrorOut},
    summary="Verify the hash chain (province-wide audit readers)",
)
def verify(request: HttpRequest) -> dict[str, object]:
    units = access.units_with_permission(
        user=request_user(request), permission=Permission.AUDIT_VIEW
    )
    if not units.everything:
        raise PermissionDeniedError("verifying the chain needs province-wide audit access")
    report = audit_verify()
    return {
        "ok": report.ok,
        "checked": report.checked,
        "broken_at": report.first_break.sequence if report.first_break else None,
        "reason": report.first_break.reason if report.first_break else None,
    }
