"""Reads of notifications. A user sees only their own inbox; the deliveries of every
notification are for NOTIFICATION_ADMIN (province administrators and analysts) and the CLI.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Case, Count, IntegerField, Prefetch, QuerySet, Value, When

from canhgac.accounts import access
from canhgac.accounts.actors import SystemActor
from canhgac.accounts.enums import Permission
from canhgac.core.exceptions import NotFoundError
from canhgac.duty.enums import DeliveryStatus
from canhgac.duty.models import Delivery, InboxEntry, Notification

# --- Inbox ---------------------------------------------------------------------------------


def inbox_for_user(*, user: Any, unread: bool | None = None) -> QuerySet[InboxEntry]:
    """The user's own entries, unread first then newest first, each with the user's own
    deliveries of it (`notification.own_deliveries`)."""
    entries = (
        InboxEntry.objects.filter(user_id=user.pk)
        .select_related("notification")
        .prefetch_related(
            Prefetch(
                "notification__deliveries",
                queryset=Delivery.objects.filter(user_id=user.pk).order_by("pk"),
                to_attr="own_deliveries",
            )
        )
        .annotate(
            is_read=Case(
                When(read_at__isnull=True, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("is_read", "-notification__created_at", "-pk")
    )
    if unread is not None:
        entries = entries.filter(read_at__isnull=unread)
    return entries


def inbox_entry_get_for_user(*, user: Any, entry_id: int) -> InboxEntry:
    """One entry of the user's own inbox; another user's entry is not found."""
    entry = inbox_for_user(user=user).filter(pk=entry_id).first()
    if entry is None:
        raise NotFoundError("inbox entry not found", extra={"entry": entry_id})
    return entry


def inbox_unread_count(*, user: Any) -> int:
    return InboxEntry.objects.filter(user_id=user.pk, read_at__isnull=True).count()


# --- Deliveries ------------------------------------------------------------------------------


def _is_admin(user: Any) -> bool:
    return isinstance(user, SystemActor) or access.has_permission(
        user=user, permission=Permission.NOTIFICATION_ADMIN
    )


def delivery_list_for_notification(*, user: Any, notification_id: int) -> list[Delivery]:
    """The deliveries of a notification the user can see: an administrator sees every
    address; a recipient sees the notification (it is in their inbox) and only their own
    deliveries of it. Anyone else: not found."""
    notification = Notification.objects.filter(pk=notification_id).first()
    deliveries = Delivery.objects.filter(notification_id=notification_id).order_by("pk")
    if notification is not None and _is_admin(user):
        return list(deliveries)
    if (
        notification is None
        or not InboxEntry.objects.filter(notification_id=notification_id, user_id=user.pk).exists()
    ):
        raise NotFoundError("notification not found", extra={"notification": notification_id})
    return list(deliveries.filter(user_id=user.pk))


def delivery_list_for_user(*, user: Any, status: str = "") -> QuerySet[Delivery]:
    """Every delivery, newest first, for NOTIFICATION_ADMIN (403 for the others);
    `status` narrows to one status (an unknown one matches nothing)."""
    deliveries = Delivery.objects.select_related("notification", "notification__unit", "user")
    if not isinstance(user, SystemActor):
        access.require_permission(user=user, permission=Permission.NOTIFICATION_ADMIN)
        # Province roles hold it for every unit; a unit-scoped holder would see its units'.
        deliveries = access.restrict(
            deliveries,
            user=user,
            permission=Permission.NOTIFICATION_ADMIN,
            unit_field="notification__unit_id",
        )
    if status:
        deliveries = deliveries.filter(status=status)
    return deliveries.order_by("-created_at", "-pk")


def delivery_get_for_user(*, user: Any, delivery_id: int) -> Delivery:
    delivery = delivery_list_for_user(user=user).filter(pk=delivery_id).first()
    if delivery is None:
        raise NotFoundError("delivery not found", extra={"delivery": delivery_id})
    return delivery


def delivery_counts() -> dict[str, int]:
    """How many deliveries are in each status (the deliveries page's summary)."""
    counts = dict(Delivery.objects.values_list("status").annotate(total=Count("pk")).order_by())
    return {status.value: int(counts.get(status.value, 0)) for status in DeliveryStatus}


# --- Plain data for the API and the CLI ------------------------------------------------------


def delivery_item(delivery: Delivery) -> dict[str, Any]:
    return {
        "id": delivery.pk,
        "notification": delivery.notification_id,
        "kind": delivery.notification.kind,
        "subject": delivery.notification.subject,
        "channel": delivery.channel,
        "address": delivery.address,
        "user": delivery.user.get_username() if delivery.user else None,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "next_attempt_at": delivery.next_attempt_at,
        "last_error": delivery.last_error,
        "sent_at": delivery.sent_at,
        "created_at": delivery.created_at,
    }


def inbox_item(entry: InboxEntry) -> dict[str, Any]:
    notification = entry.notification
    own: list[Delivery] = getattr(notification, "own_deliveries", [])
    return {
        "id": entry.pk,
        "notification": notification.pk,
        "kind": notification.kind,
        "subject": notification.subject,
        "body": notification.body,
        "link": notification.link,
        "created_at": notification.created_at,
        "created_by": notification.created_by,
        "read_at": entry.read_at,
        "deliveries": [
            {
                "channel": delivery.channel,
                "address": delivery.address,
                "status": delivery.status,
                "sent_at": delivery.sent_at,
            }
            for delivery in own
        ],
    }
