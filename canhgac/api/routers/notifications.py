"""Notifications: my inbox (read, mark as read), and every delivery for administrators."""

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from canhgac.api.auth import request_user
from canhgac.api.pages import Rendered
from canhgac.api.schemas import ErrorOut
from canhgac.duty import selectors
from canhgac.duty.services.deliveries import delivery_retry
from canhgac.duty.services.inbox import inbox_mark_read

router = Router(tags=["notifications"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
Status = Literal["", "pending", "sending", "sent", "failed", "gave_up"]


class OwnDeliveryOut(Schema):
    channel: str
    address: str
    status: str
    sent_at: datetime | None


class InboxEntryOut(Schema):
    id: int
    notification: int
    kind: str
    subject: str
    body: str
    link: str
    created_at: datetime
    created_by: str
    read_at: datetime | None
    deliveries: list[OwnDeliveryOut]


class DeliveryOut(Schema):
    id: int
    notification: int
    kind: str
    subject: str
    channel: str
    address: str
    user: str | None
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str
    sent_at: datetime | None
    created_at: datetime


class InboxQuery(Schema):
    unread: bool | None = None


class DeliveryQuery(Schema):
    status: Status = ""


@router.get("", response=list[InboxEntryOut], summary="My notifications, unread first")
@paginate
def inbox(request: HttpRequest, filters: Query[InboxQuery]) -> list[dict[str, Any]]:
    entries = selectors.inbox_for_user(user=request_user(request), unread=filters.unread)
    return Rendered(entries, selectors.inbox_item)  # type: ignore[return-value]


@router.post(
    "/read-all",
    response={200: dict[str, int]},
    summary="Mark every unread notification of mine as read",
)
def inbox_read_all(request: HttpRequest) -> dict[str, int]:
    user = request_user(request)
    return {"marked": inbox_mark_read(by=user, user=user, all_unread=True)}


@router.get(
    "/deliveries",
    response={200: list[DeliveryOut], **ERRORS},
    summary="Every email delivery (notification administrators)",
)
@paginate
def delivery_list(request: HttpRequest, filters: Query[DeliveryQuery]) -> list[dict[str, Any]]:
    deliveries = selectors.delivery_list_for_user(user=request_user(request), status=filters.status)
    return Rendered(deliveries, selectors.delivery_item)  # type: ignore[return-value]


@router.post(
    "/deliveries/{delivery_id}/retry",
    response={200: DeliveryOut, **ERRORS},
    summary="Send a failed delivery again now (notification administrators)",
)
def delivery_retry_now(request: HttpRequest, delivery_id: int) -> dict[str, Any]:
    user = request_user(request)
    delivery = selectors.delivery_get_for_user(user=user, delivery_id=delivery_id)
    return selectors.delivery_item(delivery_retry(by=user, delivery=delivery))


@router.post(
    "/{entry_id}/read",
    response={200: InboxEntryOut, 404: ErrorOut},
    summary="Mark one of my notifications as read",
)
def inbox_read(request: HttpRequest, entry_id: int) -> dict[str, Any]:
    user = request_user(request)
    entry = selectors.inbox_entry_get_for_user(user=user, entry_id=entry_id)
    inbox_mark_read(by=user, user=user, entries=[entry])
    return selectors.inbox_item(selectors.inbox_entry_get_for_user(user=user, entry_id=entry_id))
