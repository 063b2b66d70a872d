"""Sending the outbox: claim due deliveries, send each through its channel, record the outcome.

A delivery is never sent by two senders: a sender claims rows with one conditional UPDATE
(status in pending/failed, or a lapsed claim, and `next_attempt_at` passed → status sending,
a claim token, `next_attempt_at` = now + the lease). On PostgreSQL the candidates are first
locked with SELECT ... FOR UPDATE SKIP LOCKED so that concurrent senders pass over each
other's rows instead of waiting. Messages go out after the claim commits, outside any
transaction: a slow mail server never holds a database lock.

A sender that dies while sending leaves its rows claimed; when the lease lapses the next run
tries them again (the message may then arrive twice: the mail server may have accepted it).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F, Q

from canhgac.accounts.enums import Permission
from canhgac.accounts.services.common import Actor, audit, require
from canhgac.audit.enums import AuditAction
from canhgac.core import clock
from canhgac.core.exceptions import ConflictError
from canhgac.core.sequences import chunks
from canhgac.core.tasks import enqueue_on_commit
from canhgac.duty.backoff import retry_delay
from canhgac.duty.enums import RETRYABLE_STATUSES, SENDABLE_STATUSES, DeliveryStatus
from canhgac.duty.errors import NotifierError
from canhgac.duty.models import Delivery
from canhgac.duty.notifiers.registry import notifier_for
from canhgac.duty.tasks import deliveries_send_task

BATCH = 200  # deliveries claimed at once
LEASE = timedelta(minutes=15)  # far above EMAIL_TIMEOUT: a live sender finishes within it


@dataclass(frozen=True, slots=True)
class SendResult:
    sent: int = 0
    failed: int = 0
    gave_up: int = 0
    skipped: int = 0  # not due, already sent, or claimed by another sender

    def as_dict(self) -> dict[str, int]:
        return {
            "sent": self.sent,
            "failed": self.failed,
            "gave_up": self.gave_up,
            "skipped": self.skipped,
        }


def _due(now: datetime) -> Q:
    return Q(status__in=list(SENDABLE_STATUSES), next_attempt_at__lte=now)


def _claim(ids: Iterable[int], now: datetime) -> tuple[str, list[Delivery]]:
    token = secrets.token_hex(16)
    with transaction.atomic():
        candidates = Delivery.objects.filter(_due(now), pk__in=list(ids))
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        chosen = list(candidates.values_list("pk", flat=True))
        Delivery.objects.filter(_due(now), pk__in=chosen).update(
            status=DeliveryStatus.SENDING,
            claim=token,
            next_attempt_at=now + LEASE,
            attempts=F("attempts") + 1,
        )
    claimed = Delivery.objects.filter(claim=token, status=DeliveryStatus.SENDING)
    return token, list(claimed.select_related("notification").order_by("pk"))


def deliveries_send(*, ids: Iterable[int]) -> SendResult:
    """Send the deliveries among `ids` that are due; the others are skipped."""
    wanted = list(dict.fromkeys(ids))
    totals = {"sent": 0, "failed": 0, "gave_up": 0}
    claimed_count = 0
    for part in chunks(wanted, BATCH):
        token, claimed = _claim(part, clock.now())
        claimed_count += len(claimed)
        for delivery in claimed:
            totals[_send_one(delivery, token)] += 1
    return SendResult(**totals, skipped=len(wanted) - claimed_count)


def deliveries_send_due(*, limit: int = 1000) -> SendResult:
    """Send what is due (new, failed and waiting, or left claimed by a stopped sender)."""
    ids = list(
        Delivery.objects.filter(_due(clock.now()))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return deliveries_send(ids=ids)


def _send_one(delivery: Delivery, token: str) -> str:
    try:
        notifier_for(delivery.channel).send(delivery, delivery.notification)
    except NotifierError as error:
        return _failed(delivery, token, error.message)
    Delivery.objects.filter(pk=delivery.pk, claim=token).update(
        status=DeliveryStatus.SENT, sent_at=clock.now(), claim=""
    )
    return "sent"


def _failed(delivery: Delivery, token: str, message: str) -> str:
    gave_up = delivery.attempts >= settings.NOTIFY_MAX_ATTEMPTS
    status = DeliveryStatus.GAVE_UP if gave_up else DeliveryStatus.FAILED
    Delivery.objects.filter(pk=delivery.pk, claim=token).update(
        status=status,
        last_error=message,
        next_attempt_at=clock.now() + retry_delay(delivery.attempts),
        claim="",
    )
    return "gave_up" if gave_up else "failed"


def delivery_retry(*, by: Actor, delivery: Delivery) -> Delivery:
    """An administrator's "retry now": the delivery is due at once and sent by the worker.

    A delivery that gave up gets one more attempt (its attempts are kept)."""
    require(by, Permission.NOTIFICATION_ADMIN)
    now = clock.now()
    with transaction.atomic():
        changed = Delivery.objects.filter(
            pk=delivery.pk, status__in=list(RETRYABLE_STATUSES)
        ).update(status=DeliveryStatus.PENDING, next_attempt_at=now, claim="")
        if not changed:
            raise ConflictError(
                "only a waiting or failed delivery can be sent again",
                extra={"delivery": delivery.pk, "status": delivery.status},
            )
        previous = delivery.status
        delivery.refresh_from_db()
        audit(
            by,
            AuditAction.DELIVERY_RETRIED,
            unit=delivery.notification.unit,
            target=delivery,
            parameters={
                "from": previous,
                "attempts": delivery.attempts,
                "last_error": delivery.last_error,
            },
        )
        enqueue_on_commit(deliveries_send_task, [delivery.pk])
    return delivery
