"""`notify`: the one function every feature calls to tell people something.

It writes the notification, an inbox entry per active user and an outbox row (`Delivery`) per
distinct email address, audits once, and asks the worker to send once the transaction commits.
Sending, retries and the administrator's "retry now" are in `services/deliveries.py`.

`notify` checks no permission: the feature that calls it has already decided who is told.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction

from canhgac.accounts.actors import SystemActor
from canhgac.accounts.models import Unit, User
from canhgac.accounts.services.common import Actor, audit
from canhgac.audit.enums import AuditAction
from canhgac.core import clock
from canhgac.core.exceptions import ValidationError
from canhgac.core.sequences import chunks
from canhgac.core.tasks import enqueue_on_commit
from canhgac.duty.enums import Channel, DeliveryStatus
from canhgac.duty.models import Delivery, InboxEntry, Notification
from canhgac.duty.tasks import deliveries_send_task
from canhgac.duty.text import is_app_path, one_line

BATCH = 500  # rows per bulk insert, ids per sending task
MAX_BODY = 20_000
INVALID_ADDRESS = "not a valid email address"


def _label(by: Actor) -> str:
    return by.label if isinstance(by, SystemActor) else by.get_username()


def _validate(subject: str, body: str, kind: str, link: str) -> None:
    problems = []
    if not subject.strip():
        problems.append("a subject is required")
    if not kind.strip() or len(kind) > 64:
        problems.append("a kind of at most 64 characters is required")
    if len(body) > MAX_BODY:
        problems.append(f"the message is longer than {MAX_BODY} characters")
    if link and (len(link) > 500 or not is_app_path(link)):
        problems.append(f"the link {link[:100]!r} is not a path inside the application")
    if problems:
        raise ValidationError("; ".join(problems))


def _recipients(users: Iterable[User]) -> list[User]:
    """Active users, each once, in the order given."""
    seen: dict[int, User] = {}
    for user in users:
        if user.is_active and user.pk not in seen:
            seen[user.pk] = user
    return list(seen.values())


def _addresses(users: list[User], emails: Iterable[str]) -> dict[str, tuple[str, User | None]]:
    """Distinct addresses (compared case-insensitively, blanks skipped): a user's own address
    wins over the same address given in `emails`."""
    found: dict[str, tuple[str, User | None]] = {}
    for user in users:
        address = user.email.strip()
        if address:
            found.setdefault(address.casefold(), (address, user))
    for email in emails:
        address = email.strip()
        if address:
            found.setdefault(address.casefold(), (address, None))
    return found


def _valid(address: str) -> bool:
    try:
        validate_email(address)
    except DjangoValidationError:
        return False
    return len(address) <= 254


def notify(
    *,
    by: Actor,
    users: Iterable[User],
    subject: str,
    body: str,
    kind: str,
    unit: Unit | None = None,
    link: str = "",
    emails: Iterable[str] = (),
) -> Notification:
    """Tell `users` (their inbox and email) and the extra `emails` (a unit's mailbox).

    An address that is not a valid email is kept as a delivery that gave up at once, so that
    an administrator sees it on the deliveries page instead of it vanishing."""
    _validate(subject, body, kind, link)
    recipients = _recipients(users)
    addresses = _addresses(recipients, emails)
    now = clock.now()
    with transaction.atomic():
        notification = Notification.objects.create(
            kind=kind.strip(),
            unit=unit,
            subject=one_line(subject, 255),
            body=body,
            link=link,
            created_at=now,
            created_by=_label(by)[:255],
        )
        InboxEntry.objects.bulk_create(
            (InboxEntry(notification=notification, user=user) for user in recipients),
            batch_size=BATCH,
        )
        deliveries = Delivery.objects.bulk_create(
            (_delivery(notification, address, user, now) for address, user in addresses.values()),
            batch_size=BATCH,
        )
        audit(
            by,
            AuditAction.NOTIFICATION_SENT,
            unit=unit,
            target=notification,
            parameters={
                "kind": notification.kind,
                "users": len(recipients),
                "deliveries": len(deliveries),
            },
        )
        due = [delivery.pk for delivery in deliveries if delivery.status == DeliveryStatus.PENDING]
        for part in chunks(due, BATCH):
            enqueue_on_commit(deliveries_send_task, list(part))
    return notification


def _delivery(
    notification: Notification, address: str, user: User | None, now: datetime
) -> Delivery:
    valid = _valid(address)
    return Delivery(
        notification=notification,
        channel=Channel.EMAIL,
        address=address[:254],
        user=user,
        status=DeliveryStatus.PENDING if valid else DeliveryStatus.GAVE_UP,
        last_error="" if valid else INVALID_ADDRESS,
        next_attempt_at=now,
        created_at=now,
    )
