"""Reads of the audit log: chain verification and the scoped event list."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from canhgac.accounts import access
from canhgac.accounts.enums import Permission
from canhgac.audit.chain import ChainedEvent, ChainReport, verify_chain
from canhgac.audit.models import AuditChainHead, AuditEvent
from canhgac.audit.services import chained_event

if TYPE_CHECKING:
    from canhgac.accounts.models import User


def _events_in_order() -> Iterator[ChainedEvent]:
    for event in AuditEvent.objects.order_by("sequence").iterator(chunk_size=2000):
        yield chained_event(event)


def audit_verify() -> ChainReport:
    """Walk the whole chain from the first event and check it ends at the recorded head."""
    head = AuditChainHead.objects.filter(pk=1).values_list("sequence", "hash").first()
    return verify_chain(_events_in_order(), head=head)


def audit_event_list_for_user(*, user: User) -> QuerySet[AuditEvent]:
    """Events the user may read: all for province roles, events of units in scope for auditors.

    Events without a unit (sign-ins, system events) are visible to province-wide readers only.
    """
    access.require_permission(user=user, permission=Permission.AUDIT_VIEW)
    units = access.units_with_permission(user=user, permission=Permission.AUDIT_VIEW)
    events = AuditEvent.objects.select_related("actor", "unit").order_by("-sequence")
    if units.everything:
        return events
    return events.filter(unit_id__in=units.ids)
