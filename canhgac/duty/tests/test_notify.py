"""`notify`: inbox entries, one email per distinct address through a real SMTP server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from canhgac.accounts import services as accounts
from canhgac.accounts.tests.world import TEST_ACTOR, World
from canhgac.audit.enums import AuditAction
from canhgac.audit.models import AuditEvent
from canhgac.core.exceptions import ValidationError
from canhgac.core.tests.smtp_server import SmtpServer
from canhgac.duty.enums import DeliveryStatus
from canhgac.duty.models import Delivery, InboxEntry, Notification
from canhgac.duty.services.notifications import INVALID_ADDRESS, notify
from canhgac.duty.tests.helpers import BODY, LINK, SUBJECT, notify_committed

Capture = Callable[..., Any]


def test_every_distinct_address_gets_one_message(
    world: World, smtp_server: SmtpServer, django_capture_on_commit_callbacks: Capture
) -> None:
    manager, officer = world.users["unit_manager"], world.users["unit_officer"]
    notification = notify_committed(
        django_capture_on_commit_callbacks,
        [manager, officer, manager],
        emails=[
            "VanThu.A@example.gov.vn",
            "vanthu.a@EXAMPLE.gov.vn",
            " ",
            "UNIT_OFFICER@example.test",
        ],
        unit=world.units["A"],
    )

    assert sorted((item.recipients[0] for item in smtp_server.messages), key=str.casefold) == [
        "unit_manager@example.test",
        "unit_officer@example.test",
        "VanThu.A@example.gov.vn",
    ]
    received = smtp_server.received_by("unit_manager@example.test")[0]
    assert received.subject == SUBJECT
    assert received.text == BODY + "\n\nhttps://canhgac.example.gov.vn/remediation/tasks/3/\n"
    assert received.mail_from == "canhgac@so-tttt.example.gov.vn"
    assert received.message["Auto-Submitted"] == "auto-generated"
    assert received.message["X-Canhgac-Notification"] == str(notification.pk)
    deliveries = sorted(
        Delivery.objects.filter(notification=notification), key=lambda d: d.address.casefold()
    )
    assert [(d.address, d.user_id, d.status, d.attempts) for d in deliveries] == [
        ("unit_manager@example.test", manager.pk, DeliveryStatus.SENT, 1),
        ("unit_officer@example.test", officer.pk, DeliveryStatus.SENT, 1),
        ("VanThu.A@example.gov.vn", None, DeliveryStatus.SENT, 1),
    ]
    assert all(d.sent_at is not None for d in deliveries)
    assert sorted(InboxEntry.objects.values_list("user__username", "read_at")) == [
        ("unit_manager", None),
        ("unit_officer", None),
    ]


def test_notify_audits_once_and_sends_only_after_commit(
    world: World, smtp_server: SmtpServer, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notification = notify(
            by=world.users["province_admin"],
            users=[world.users["unit_officer"]],
            subject=SUBJECT,
            body=BODY,
            kind="warning.forwarded",
            unit=world.units["A"],
        )
    assert smtp_server.messages == []  # nothing goes out before the commit
    assert len(callbacks) == 1
    event = AuditEvent.objects.get(action=AuditAction.NOTIFICATION_SENT)
    assert event.actor == world.users["province_admin"]
    assert event.target_id == str(notification.pk)
    assert event.unit == world.units["A"]
    assert event.parameters == {"kind": "warning.forwarded", "users": 1, "deliveries": 1}
    callbacks[0]()
    assert len(smtp_server.messages) == 1
    assert smtp_server.messages[0].text == BODY + "\n"  # no link given: none added


def test_inactive_users_and_users_without_email(
    world: World, smtp_server: SmtpServer, django_capture_on_commit_callbacks: Capture
) -> None:
    gone, quiet = world.users["auditor_unit"], world.users["duty_officer"]
    accounts.user_set_active(by=TEST_ACTOR, user=gone, active=False)
    quiet.email = ""
    quiet.save(update_fields=["email"])

    notify_committed(django_capture_on_commit_callbacks, [gone, quiet])

    assert list(InboxEntry.objects.values_list("user__username", flat=True)) == ["duty_officer"]
    assert Delivery.objects.count() == 0
    assert smtp_server.messages == []


def test_an_invalid_unit_mailbox_is_kept_as_given_up(
    world: World, smtp_server: SmtpServer, django_capture_on_commit_callbacks: Capture
) -> None:
    notify_committed(django_capture_on_commit_callbacks, [], emails=["van thu @ so a"])
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.last_error, delivery.attempts) == (
        DeliveryStatus.GAVE_UP,
        INVALID_ADDRESS,
        0,
    )
    assert smtp_server.messages == []


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"subject": "  "}, "a subject is required"),
        ({"kind": ""}, "a kind"),
        ({"link": "https://evil.example/"}, "not a path inside the application"),
        ({"link": "//evil.example/x"}, "not a path inside the application"),
        ({"link": "/a b/"}, "not a path inside the application"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(
    world: World, changes: dict[str, str], problem: str
) -> None:
    arguments: dict[str, Any] = {
        "by": TEST_ACTOR,
        "users": [world.users["unit_officer"]],
        "subject": SUBJECT,
        "body": BODY,
        "kind": "warning.forwarded",
        "link": LINK,
        **changes,
    }
    with pytest.raises(ValidationError, match=problem):
        notify(**arguments)
    assert Notification.objects.count() == 0
    assert not AuditEvent.objects.filter(action=AuditAction.NOTIFICATION_SENT).exists()


def test_a_multi_line_subject_becomes_one_header_line(
    world: World, smtp_server: SmtpServer, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            by=TEST_ACTOR,
            users=[world.users["unit_officer"]],
            subject="Nhiệm vụ quá hạn\r\nBcc: x@evil.example",
            body="Đã quá hạn.",
            kind="task.overdue",
        )
    (received,) = smtp_server.messages
    assert received.subject == "Nhiệm vụ quá hạn Bcc: x@evil.example"
    assert received.recipients == ("unit_officer@example.test",)


def test_many_users_cost_a_bounded_number_of_queries(
    world: World, django_capture_on_commit_callbacks: Capture
) -> None:
    users = [
        accounts.user_create(
            by=TEST_ACTOR,
            username=f"can-bo-{number}",
            email=f"can-bo-{number}@example.gov.vn",
            password="Test-password-2026",
        )
        for number in range(60)
    ]
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks():
        notify(by=TEST_ACTOR, users=users, subject=SUBJECT, body=BODY, kind="warning.forwarded")
    assert InboxEntry.objects.count() == 60
    assert Delivery.objects.count() == 60
    assert len(queries) <= 12
