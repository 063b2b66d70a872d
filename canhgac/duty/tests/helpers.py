"""Shared steps of the notification tests."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta
from typing import Any

from canhgac.accounts.models import Unit, User
from canhgac.accounts.tests.world import TEST_ACTOR
from canhgac.core import clock
from canhgac.duty.enums import DeliveryStatus
from canhgac.duty.models import Delivery, InboxEntry, Notification
from canhgac.duty.services.notifications import notify

SUBJECT = "Cảnh báo lỗ hổng nghiêm trọng: Spring4Shell (CVE-2022-22965)"
BODY = (
    "Kính gửi Quý đơn vị,\n"
    "Sở Thông tin và Truyền thông đề nghị rà soát và khắc phục lỗ hổng trước ngày 20/04/2022."
)
LINK = "/remediation/tasks/3/"


def notify_committed(
    capture: Callable[..., Any],
    users: Iterable[User],
    *,
    emails: Iterable[str] = (),
    unit: Unit | None = None,
    link: str = LINK,
) -> Notification:
    """`notify`, as a feature calls it, with the after-commit sending run."""
    with capture(execute=True):
        return notify(
            by=TEST_ACTOR,
            users=users,
            subject=SUBJECT,
            body=BODY,
            kind="warning.forwarded",
            unit=unit,
            link=link,
            emails=emails,
        )


def matrix_rows() -> tuple[InboxEntry, Delivery]:
    """For the permission matrices: one notification in every user's inbox, and a failed email
    delivery to unit_officer. Written directly (no audit event, nothing enqueued), once."""
    notification = Notification.objects.filter(kind="test.matrix").first()
    if notification is None:
        now = clock.now()
        notification = Notification.objects.create(
            kind="test.matrix",
            subject=SUBJECT,
            body=BODY,
            link=LINK,
            created_at=now,
            created_by="test:setup",
        )
        InboxEntry.objects.bulk_create(
            InboxEntry(notification=notification, user=user) for user in User.objects.all()
        )
        Delivery.objects.create(
            notification=notification,
            channel="email",
            address="unit_officer@example.test",
            user=User.objects.get(username="unit_officer"),
            status=DeliveryStatus.FAILED,
            attempts=1,
            last_error="ConnectionRefusedError: [Errno 111] Connection refused",
            next_attempt_at=now + timedelta(minutes=1),
            created_at=now,
        )
    entry = InboxEntry.objects.get(notification=notification, user__username="unit_officer")
    return entry, Delivery.objects.get(notification=notification)
