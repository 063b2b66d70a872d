"""The notifications API: its permission matrix (every role, a user of another unit), inbox
isolation, and what the endpoints return."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from canhgac.accounts.tests.world import ALL, ROLE_KEYS, World, bearer
from canhgac.audit.enums import AuditAction
from canhgac.audit.models import AuditEvent
from canhgac.duty.enums import DeliveryStatus
from canhgac.duty.models import Delivery, InboxEntry
from canhgac.duty.tests.helpers import LINK, SUBJECT, matrix_rows, notify_committed

ADMINS = frozenset({"province_admin", "province_analyst"})
# name → (method, path, roles that succeed, status for the others)
CASES: dict[str, tuple[str, str, frozenset[str], int]] = {
    "my inbox": ("get", "/api/v1/notifications", ALL, 403),
    "my unread": ("get", "/api/v1/notifications?unread=true", ALL, 403),
    "read all of mine": ("post", "/api/v1/notifications/read-all", ALL, 403),
    "read unit_officer's entry": (
        "post",
        "/api/v1/notifications/{entry}/read",
        frozenset({"unit_officer"}),
        404,
    ),
    "deliveries": ("get", "/api/v1/notifications/deliveries", ADMINS, 403),
    "failed deliveries": ("get", "/api/v1/notifications/deliveries?status=failed", ADMINS, 403),
    "retry": ("post", "/api/v1/notifications/deliveries/{delivery}/retry", ADMINS, 403),
}


def _path(template: str) -> str:
    entry, delivery = matrix_rows()
    return template.replace("{entry}", str(entry.pk)).replace("{delivery}", str(delivery.pk))


def _state() -> tuple[Any, ...]:
    return (
        sorted(InboxEntry.objects.values_list("pk", "read_at")),
        sorted(Delivery.objects.values_list("pk", "status", "next_attempt_at")),
    )


@pytest.mark.parametrize("role", ROLE_KEYS)
@pytest.mark.parametrize("name", list(CASES))
def test_api_permission_matrix(
    world: World,
    client: Client,
    django_capture_on_commit_callbacks: Callable[..., Any],
    role: str,
    name: str,
) -> None:
    method, template, allowed, denied_status = CASES[name]
    path = _path(template)
    before = _state()
    denials = AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED).count()

    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = getattr(client, method)(path, **bearer(world, role))

    if role in allowed:
        assert response.status_code == 200, response.content
        return
    assert response.status_code == denied_status, response.content
    assert response.json()["code"] == ("not_found" if denied_status == 404 else "permission_denied")
    assert _state() == before, "a denied request changed stored data"
    assert queued == []
    denial = AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED).order_by("-sequence")
    assert denial.count() == denials + 1
    assert denial.first().actor == world.users[role]  # type: ignore[union-attr]


@pytest.mark.parametrize("name", list(CASES))
def test_api_needs_authentication(world: World, client: Client, name: str) -> None:
    method, template, _allowed, _denied = CASES[name]
    assert getattr(client, method)(_path(template)).status_code == 401


def test_inbox_lists_only_my_entries_unread_first(
    world: World, client: Client, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    officer, manager = world.users["unit_officer"], world.users["unit_manager"]
    first = notify_committed(django_capture_on_commit_callbacks, [officer, manager])
    notify_committed(django_capture_on_commit_callbacks, [manager])  # not the officer's
    newest = notify_committed(django_capture_on_commit_callbacks, [officer])
    InboxEntry.objects.filter(notification=newest, user=officer).update(read_at=first.created_at)

    body = client.get("/api/v1/notifications", **bearer(world, "unit_officer")).json()

    assert body["count"] == 2
    assert [item["notification"] for item in body["items"]] == [first.pk, newest.pk]
    item = body["items"][0]
    assert (item["subject"], item["link"], item["read_at"]) == (SUBJECT, LINK, None)
    assert item["deliveries"] == [  # the locmem backend of the tests accepted it
        {
            "channel": "email",
            "address": "unit_officer@example.test",
            "status": DeliveryStatus.SENT,
            "sent_at": item["deliveries"][0]["sent_at"],
        }
    ]
    unread = client.get("/api/v1/notifications?unread=true", **bearer(world, "unit_officer"))
    assert [entry["notification"] for entry in unread.json()["items"]] == [first.pk]


def test_another_users_entry_cannot_be_marked(
    world: World, client: Client, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    officer, manager = world.users["unit_officer"], world.users["unit_manager"]
    notify_committed(django_capture_on_commit_callbacks, [officer, manager])
    theirs = InboxEntry.objects.get(user=officer)

    response = client.post(
        f"/api/v1/notifications/{theirs.pk}/read", **bearer(world, "unit_manager")
    )

    assert response.status_code == 404
    assert InboxEntry.objects.get(pk=theirs.pk).read_at is None
    mine = client.post(f"/api/v1/notifications/{theirs.pk}/read", **bearer(world, "unit_officer"))
    assert mine.status_code == 200
    assert mine.json()["read_at"] is not None
    read_all = client.post("/api/v1/notifications/read-all", **bearer(world, "unit_manager"))
    assert read_all.json() == {"marked": 1}
    assert client.post(
        "/api/v1/notifications/read-all", **bearer(world, "unit_manager")
    ).json() == {"marked": 0}
    assert AuditEvent.objects.filter(action=AuditAction.INBOX_READ).count() == 2


def test_deliveries_filter_and_retry(
    world: World, client: Client, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    _entry, delivery = matrix_rows()
    notify_committed(django_capture_on_commit_callbacks, [world.users["unit_manager"]])
    admin = bearer(world, "province_admin")

    failed = client.get("/api/v1/notifications/deliveries?status=failed", **admin).json()
    assert [item["id"] for item in failed["items"]] == [delivery.pk]
    assert failed["items"][0]["last_error"].startswith("ConnectionRefusedError")
    assert client.get("/api/v1/notifications/deliveries", **admin).json()["count"] == 2
    bad = client.get("/api/v1/notifications/deliveries?status=lost", **admin)
    assert bad.status_code == 422

    with django_capture_on_commit_callbacks(execute=True):
        retried = client.post(f"/api/v1/notifications/deliveries/{delivery.pk}/retry", **admin)
    assert retried.status_code == 200
    assert retried.json()["status"] == DeliveryStatus.PENDING  # as the request left it
    assert Delivery.objects.get(pk=delivery.pk).status == DeliveryStatus.SENT  # then the worker
    again = client.post(f"/api/v1/notifications/deliveries/{delivery.pk}/retry", **admin)
    assert again.status_code == 409
    assert again.json()["code"] == "conflict"
    missing = client.post("/api/v1/notifications/deliveries/999999/retry", **admin)
    assert missing.status_code == 404
    body = json.loads(missing.content)
    assert body["code"] == "not_found"
