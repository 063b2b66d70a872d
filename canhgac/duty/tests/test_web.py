"""The inbox and deliveries pages: what they show, the bell, and inbox isolation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.test import Client

from canhgac.accounts.tests.world import World
from canhgac.duty.enums import DeliveryStatus
from canhgac.duty.models import Delivery, InboxEntry, Notification
from canhgac.duty.tests.helpers import SUBJECT, matrix_rows, notify_committed

Capture = Callable[..., Any]


def test_inbox_shows_unread_first_with_local_time_and_email_status(
    world: World, client: Client, django_capture_on_commit_callbacks: Capture
) -> None:
    officer = world.users["unit_officer"]
    older = notify_committed(django_capture_on_commit_callbacks, [officer])
    newer = notify_committed(django_capture_on_commit_callbacks, [officer], link="")
    Notification.objects.filter(pk=older.pk).update(
        created_at=datetime(2026, 3, 1, 17, 30, tzinfo=UTC)  # 02/03/2026 00:30 in Hà Nội
    )
    InboxEntry.objects.filter(notification=newer).update(read_at=datetime(2026, 3, 2, tzinfo=UTC))
    client.force_login(officer)

    page = client.get("/notifications/").content.decode()

    assert page.index(f'data-entry="{InboxEntry.objects.get(notification=older).pk}"') < page.index(
        f'data-entry="{InboxEntry.objects.get(notification=newer).pk}"'
    )
    assert "02/03/2026 00:30" in page
    assert SUBJECT in page
    assert 'href="/remediation/tasks/3/"' in page
    assert "unit_officer@example.test" in page
    assert str(DeliveryStatus.SENT.label) in page or "Đã gửi" in page
    assert page.count('data-testid="mark-read"') == 1
    assert 'data-testid="bell-count">1<' in page


def test_mark_read_and_mark_all(
    world: World, client: Client, django_capture_on_commit_callbacks: Capture
) -> None:
    officer = world.users["unit_officer"]
    for _number in range(3):
        notify_committed(django_capture_on_commit_callbacks, [officer])
    first = InboxEntry.objects.filter(user=officer).first()
    assert first is not None
    client.force_login(officer)

    assert client.post(f"/notifications/{first.pk}/read/").status_code == 302
    assert InboxEntry.objects.filter(user=officer, read_at__isnull=True).count() == 2
    assert 'data-testid="bell-count">2<' in client.get("/dashboard/").content.decode()
    assert client.post("/notifications/read-all/").status_code == 302
    assert InboxEntry.objects.filter(user=officer, read_at__isnull=True).count() == 0
    assert 'data-testid="bell-count"' not in client.get("/dashboard/").content.decode()


def test_another_users_entry_is_not_found(world: World, client: Client) -> None:
    entry, _delivery = matrix_rows()  # unit_officer's
    client.force_login(world.users["unit_manager"])
    assert client.post(f"/notifications/{entry.pk}/read/").status_code == 404
    entry.refresh_from_db()
    assert entry.read_at is None
    page = client.get("/notifications/").content.decode()
    assert f'data-entry="{entry.pk}"' not in page  # the manager sees their own entry only
    own = InboxEntry.objects.get(user=world.users["unit_manager"])
    assert f'data-entry="{own.pk}"' in page
    assert "unit_officer@example.test" not in page  # nor the officer's email address


def test_deliveries_page_filters_and_retries(world: World, client: Client) -> None:
    _entry, delivery = matrix_rows()
    client.force_login(world.users["province_analyst"])

    failed = client.get("/notifications/deliveries/?status=failed").content.decode()
    sent = client.get("/notifications/deliveries/?status=sent").content.decode()

    assert f'data-delivery="{delivery.pk}"' in failed
    assert "ConnectionRefusedError" in failed
    assert f'data-delivery="{delivery.pk}"' not in sent
    response = client.post(f"/notifications/deliveries/{delivery.pk}/retry/?status=failed")
    assert response.status_code == 302
    assert response["Location"] == "/notifications/deliveries/?status=failed"
    assert Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.PENDING


def test_retry_needs_csrf(world: World) -> None:
    _entry, delivery = matrix_rows()
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["province_admin"])
    assert client.post(f"/notifications/deliveries/{delivery.pk}/retry/").status_code == 403
    assert Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.FAILED
