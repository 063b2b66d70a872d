"""Sending the outbox: outages, backoff, giving up, "retry now", and never sending twice."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from canhgac.accounts.tests.world import ROLE_KEYS, World
from canhgac.audit.enums import AuditAction
from canhgac.audit.models import AuditEvent
from canhgac.core.exceptions import ConflictError, PermissionDeniedError
from canhgac.core.tests.smtp_server import SmtpServer
from canhgac.duty.backoff import retry_delay
from canhgac.duty.enums import DeliveryStatus
from canhgac.duty.models import Delivery
from canhgac.duty.services.deliveries import (
    LEASE,
    deliveries_send,
    deliveries_send_due,
    delivery_retry,
)
from canhgac.duty.tasks import deliveries_send_due_periodic
from canhgac.duty.tests.conftest import MovableClock
from canhgac.duty.tests.helpers import notify_committed

Capture = Callable[..., Any]
ADMINS = frozenset({"province_admin", "province_analyst"})


def periodic() -> dict[str, int]:
    """The every-minute task, as the consumer runs it (Huey keeps no result of periodic tasks)."""
    result: dict[str, int] = deliveries_send_due_periodic.call_local()
    return result


def test_backoff_schedule() -> None:
    minutes = [retry_delay(attempts) / timedelta(minutes=1) for attempts in range(1, 9)]
    assert minutes == [1, 5, 15, 30, 60, 60, 60, 60]


def _fail_once(world: World, server: SmtpServer, clock: MovableClock, capture: Capture) -> Delivery:
    server.stop()
    notify_committed(capture, [world.users["unit_officer"]])
    return Delivery.objects.get()


def test_an_outage_is_retried_after_the_backoff_and_sent_once(
    world: World,
    smtp_server: SmtpServer,
    moving_clock: MovableClock,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    delivery = _fail_once(world, smtp_server, moving_clock, django_capture_on_commit_callbacks)

    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == 1
    assert "ConnectionRefusedError" in delivery.last_error
    assert delivery.next_attempt_at == moving_clock.now() + timedelta(minutes=1)
    assert delivery.sent_at is None

    smtp_server.start()
    assert periodic() == {"sent": 0, "failed": 0, "gave_up": 0, "skipped": 0}
    assert smtp_server.messages == []  # back, but the minute has not passed

    moving_clock.advance(minutes=1)
    assert periodic()["sent"] == 1
    assert periodic()["sent"] == 0
    moving_clock.advance(hours=2)
    assert periodic()["sent"] == 0

    assert len(smtp_server.messages) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 2)
    assert delivery.sent_at == moving_clock.now() - timedelta(hours=2)


def test_it_gives_up_after_the_maximum_attempts(
    world: World,
    smtp_server: SmtpServer,
    moving_clock: MovableClock,
    django_capture_on_commit_callbacks: Capture,
    settings: Any,
) -> None:
    settings.NOTIFY_MAX_ATTEMPTS = 4
    delivery = _fail_once(world, smtp_server, moving_clock, django_capture_on_commit_callbacks)
    waits = []
    for _attempt in range(3):
        delivery.refresh_from_db()
        waits.append(delivery.next_attempt_at - moving_clock.now())
        moving_clock.advance(hours=1)
        deliveries_send_due()
    delivery.refresh_from_db()
    assert waits == [timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15)]
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.GAVE_UP, 4)
    moving_clock.advance(days=1)
    smtp_server.start()
    assert deliveries_send_due().sent == 0  # given up: only a person sends it again
    assert smtp_server.messages == []


def test_an_administrator_retries_now_and_it_is_audited(
    world: World,
    smtp_server: SmtpServer,
    moving_clock: MovableClock,
    django_capture_on_commit_callbacks: Capture,
    settings: Any,
) -> None:
    settings.NOTIFY_MAX_ATTEMPTS = 1
    delivery = _fail_once(world, smtp_server, moving_clock, django_capture_on_commit_callbacks)
    assert delivery.status == DeliveryStatus.GAVE_UP
    smtp_server.start()

    with django_capture_on_commit_callbacks(execute=True):
        delivery_retry(by=world.users["province_analyst"], delivery=delivery)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 2)
    assert len(smtp_server.messages) == 1
    event = AuditEvent.objects.get(action=AuditAction.DELIVERY_RETRIED)
    assert event.actor == world.users["province_analyst"]
    assert event.target_id == str(delivery.pk)
    assert event.parameters["from"] == "gave_up"
    with pytest.raises(ConflictError):
        delivery_retry(by=world.users["province_admin"], delivery=delivery)


@pytest.mark.parametrize("role", sorted(set(ROLE_KEYS) - ADMINS))
def test_others_cannot_retry(
    world: World,
    smtp_server: SmtpServer,
    moving_clock: MovableClock,
    django_capture_on_commit_callbacks: Capture,
    role: str,
) -> None:
    delivery = _fail_once(world, smtp_server, moving_clock, django_capture_on_commit_callbacks)
    with pytest.raises(PermissionDeniedError):
        delivery_retry(by=world.users[role], delivery=delivery)
    after = Delivery.objects.get()
    assert (after.status, after.next_attempt_at) == (delivery.status, delivery.next_attempt_at)
    assert not AuditEvent.objects.filter(action=AuditAction.DELIVERY_RETRIED).exists()


def test_two_senders_never_send_one_delivery_twice(
    world: World, smtp_server: SmtpServer, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=False):  # the worker has not run yet
        notify_committed(
            lambda execute: django_capture_on_commit_callbacks(execute=False),
            [world.users["unit_officer"], world.users["unit_manager"]],
        )
    ids = list(Delivery.objects.values_list("pk", flat=True))

    first = deliveries_send(ids=ids)
    second = deliveries_send(ids=ids + ids)

    assert (first.sent, first.skipped) == (2, 0)
    assert (second.sent, second.skipped) == (0, 2)
    assert len(smtp_server.messages) == 2


def test_a_delivery_claimed_by_another_sender_is_skipped_until_its_lease_lapses(
    world: World,
    smtp_server: SmtpServer,
    moving_clock: MovableClock,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    notify_committed(
        lambda execute: django_capture_on_commit_callbacks(execute=False),
        [world.users["unit_officer"]],
    )
    delivery = Delivery.objects.get()
    # Another sender holds it (claimed now, sending in progress).
    Delivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.SENDING,
        claim="other-sender",
        attempts=1,
        next_attempt_at=moving_clock.now() + LEASE,
    )

    assert deliveries_send(ids=[delivery.pk]).skipped == 1
    assert deliveries_send_due().sent == 0
    assert smtp_server.messages == []

    moving_clock.advance(seconds=LEASE.total_seconds() + 1)  # that sender died
    assert deliveries_send_due().sent == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.claim) == (DeliveryStatus.SENT, 2, "")
    assert len(smtp_server.messages) == 1


def test_a_late_result_of_a_lapsed_claim_does_not_overwrite(
    world: World,
    smtp_server: SmtpServer,
    moving_clock: MovableClock,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    """The outcome is recorded only by the sender that holds the claim."""
    from canhgac.duty.services import deliveries

    notify_committed(
        lambda execute: django_capture_on_commit_callbacks(execute=False),
        [world.users["unit_officer"]],
    )
    token, (claimed,) = deliveries._claim([Delivery.objects.get().pk], moving_clock.now())
    Delivery.objects.filter(pk=claimed.pk).update(claim="a-newer-sender")
    assert deliveries._failed(claimed, token, "late") == "failed"
    assert Delivery.objects.get().claim == "a-newer-sender"
    assert Delivery.objects.get().last_error == ""
