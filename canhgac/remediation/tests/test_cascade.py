"""The warning cascade on the demo province: forwarding proposes exactly the affected units,
tasks hold their hosts, matching verifies fixes and adds units affected later, declarations are
checked and concurrent-safe, overdue tasks climb."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from canhgac.accounts.actors import SystemActor
from canhgac.accounts.models import Unit, User
from canhgac.advisories.models import WarningLetter
from canhgac.audit.enums import AuditAction
from canhgac.audit.models import AuditEvent
from canhgac.core import clock
from canhgac.core.exceptions import ConflictError, PermissionDeniedError, ValidationError
from canhgac.demo.loader import demo_load
from canhgac.duty.models import InboxEntry, Notification
from canhgac.exposure.enums import ACTIVE_STATUSES
from canhgac.exposure.models import Finding
from canhgac.exposure.services.matching import exposure_match
from canhgac.inventory.models import Component
from canhgac.remediation.enums import ItemStatus, Origin, TaskStatus, Verification
from canhgac.remediation.models import Item, ItemEvent, Task
from canhgac.remediation.notices import UNIT_ROLES, members
from canhgac.remediation.services.declarations import (
    evidence_attach,
    items_declare,
    task_acknowledge,
    task_review_complete,
)
from canhgac.remediation.services.escalation import tasks_escalate
from canhgac.remediation.services.forwarding import (
    letter_add_units,
    letter_forward,
    recipients_propose,
)
from canhgac.remediation.services.refresh import tasks_refresh

ACTOR = SystemActor("test")
SPRING4SHELL = "CVE-2022-22965"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def demo(db: None) -> None:
    demo_load()


def _forward(original: str = "590/CATTT-NCSC", **options: Any) -> Any:
    return letter_forward(
        by=ACTOR,
        original=WarningLetter.objects.get(number=original),
        number=options.pop("number", "101/STTTT-ATTT"),
        issuer="Sở Thông tin và Truyền thông",
        issued_on=date(2022, 4, 2),
        due_date=options.pop("due_date", date(2022, 4, 15)),
        **options,
    )


def _affected(cve: str) -> dict[int, set[int]]:
    """Unit id → asset ids with an active finding of `cve` (what the database says)."""
    found: dict[int, set[int]] = {}
    for unit_id, asset_id in Finding.objects.filter(
        vulnerability__cve_id=cve, status__in=list(ACTIVE_STATUSES)
    ).values_list("unit_id", "asset_id"):
        found.setdefault(unit_id, set()).add(asset_id)
    return found


def _user(username: str) -> User:
    return User.objects.get(username=username)


def test_forwarding_proposes_the_units_whose_hosts_are_affected(demo: None) -> None:
    affected = _affected(SPRING4SHELL)
    assert affected  # the demo has Spring4Shell hosts
    forwarded = _forward()
    assert forwarded.proposed == len(affected)
    tasks = Task.objects.filter(letter=forwarded.letter)
    assert {task.unit_id for task in tasks} == set(affected)
    for task in tasks:
        assert task.origin == Origin.MATCHED
        assert task.status == TaskStatus.NEW
        assert task.due_date == date(2022, 4, 15)
        assert {item.asset_id for item in task.items.all()} == affected[task.unit_id]
        assert all(item.matched == [SPRING4SHELL] for item in task.items.all())
        assert all(item.verification == Verification.MATCHED for item in task.items.all())
    assert forwarded.letter.forwarded_from.number == "590/CATTT-NCSC"
    event = AuditEvent.objects.get(action=AuditAction.LETTER_FORWARDED)
    assert event.parameters["proposed"] == len(affected)


def test_recipients_are_told_in_their_inbox_and_by_email(
    demo: None, django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        forwarded = _forward("651/CATTT-NCSC")  # April 2022: four units, most with officers
    expected_mail: set[str] = set()
    for task in forwarded.tasks:
        notification = Notification.objects.get(kind="remediation.task_opened", unit=task.unit)
        assert "101/STTTT-ATTT" in notification.subject
        assert notification.link == f"/remediation/tasks/{task.pk}/"
        users = members([task.unit], UNIT_ROLES)
        told = InboxEntry.objects.filter(notification=notification)
        assert set(told.values_list("user_id", flat=True)) == {user.pk for user in users}
        expected_mail |= {user.email.lower() for user in users if user.email}
        if task.unit.email:
            expected_mail.add(task.unit.email.lower())
    assert any(users for users in (members([t.unit], UNIT_ROLES) for t in forwarded.tasks))
    sent_to = {address.lower() for message in mailoutbox for address in message.to}
    assert sent_to == expected_mail
    assert all("101/STTTT-ATTT" in message.subject for message in mailoutbox)


def test_the_analyst_adds_a_unit_and_proposals_can_be_seen_before(demo: None) -> None:
    letter = WarningLetter.objects.get(number="590/CATTT-NCSC")
    proposed = {proposal.unit.pk for proposal in recipients_propose(letter=letter)}
    assert proposed == set(_affected(SPRING4SHELL))
    extra = Unit.objects.filter(is_active=True, kind="department").exclude(pk__in=proposed).first()
    forwarded = _forward(units=[extra])
    task = Task.objects.get(letter=forwarded.letter, unit=extra)
    assert task.origin == Origin.ADDED
    assert task.items.count() == 0
    # with no affected host, the unit is done once it acknowledges and says it reviewed
    task_acknowledge(by=ACTOR, task=task)
    task_review_complete(by=ACTOR, task=task, note="Đã rà soát toàn bộ máy chủ Java")
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE


def _spring_version(asset_id: int | None, old: str, new: str) -> None:
    """The host's Spring jars upgraded (or rolled back) in place."""
    spring = Component.objects.filter(asset_id=asset_id, purl__contains="springframework")
    assert spring.exists()
    for component in spring:
        component.version = new if component.version == old else component.version
        component.purl = component.purl.replace(f"@{old}", f"@{new}")
        component.save(update_fields=["version", "purl"])


def test_a_fix_seen_by_matching_verifies_the_host(demo: None) -> None:
    forwarded = _forward()
    task = forwarded.tasks[0]
    item = task.items.first()
    assert item is not None
    task_acknowledge(by=ACTOR, task=task)
    items_declare(
        by=ACTOR, task=task, revisions={item.pk: item.revision}, status=ItemStatus.PATCHED
    )
    item.refresh_from_db()
    assert item.verification == Verification.MATCHED  # declared, not yet verified
    _spring_version(item.asset_id, "5.3.17", "5.3.18")
    exposure_match(by=ACTOR, full=True)  # the signal refreshes the tasks
    item.refresh_from_db()
    assert item.verification == Verification.VERIFIED
    assert item.verified_at is not None
    assert item.fixed == [SPRING4SHELL]
    assert item.matched == []
    assert ItemEvent.objects.filter(item=item, kind=ItemEvent.Kind.VERIFIED).exists()
    # matched again (a rollback to the old version): reopened
    _spring_version(item.asset_id, "5.3.18", "5.3.17")
    exposure_match(by=ACTOR, full=True)
    item.refresh_from_db()
    assert item.verification == Verification.MATCHED
    assert ItemEvent.objects.filter(item=item, kind=ItemEvent.Kind.REOPENED).exists()


def test_a_unit_affected_later_joins_the_cascade(demo: None) -> None:
    forwarded = _forward()
    recipients = {task.unit_id for task in forwarded.tasks}
    newcomer = Unit.objects.filter(is_active=True, assets__isnull=False).exclude(pk__in=recipients)
    unit = newcomer.distinct().order_by("path").first()
    assert unit is not None
    # the unit installs a vulnerable Spring on one of its hosts: the next match finds it
    donor = Component.objects.filter(
        purl__startswith="pkg:maven/org.springframework/spring-beans@5.3.17"
    ).first()
    assert donor is not None
    host = unit.assets.first()
    assert host is not None
    donor.pk, donor.asset_id, donor.fingerprint = None, host.pk, "copied-for-test"
    donor.save()
    exposure_match(by=ACTOR, full=True)
    task = Task.objects.get(letter=forwarded.letter, unit=unit)
    assert task.origin == Origin.CASCADE
    assert [item.asset_id for item in task.items.all()] == [host.pk]
    assert Notification.objects.filter(kind="remediation.task_opened", unit=unit).exists()
    # refreshing again changes nothing
    again = tasks_refresh(by=ACTOR)
    assert not again.changed


def test_declarations_are_checked_and_need_the_unit(demo: None) -> None:
    forwarded = _forward("651/CATTT-NCSC")
    task = next(task for task in forwarded.tasks if task.unit.code == "SO-YT")
    item = task.items.first()
    assert item is not None
    revisions = {item.pk: item.revision}
    with pytest.raises(ValidationError) as error:
        items_declare(by=ACTOR, task=task, revisions=revisions, status=ItemStatus.NOT_AFFECTED)
    assert error.value.extra["field"] == "reason"
    with pytest.raises(ValidationError) as error:
        items_declare(
            by=ACTOR, task=task, revisions=revisions, status=ItemStatus.NOT_FIXED, reason="x"
        )
    assert error.value.extra["field"] == "plan_date"
    with pytest.raises(PermissionDeniedError):  # an officer of the hospital, not of SO-YT
        items_declare(
            by=_user("benhvien.canbo"), task=task, revisions=revisions, status=ItemStatus.PATCHED
        )
    items_declare(by=_user("yte.canbo"), task=task, revisions=revisions, status=ItemStatus.PATCHED)
    other = Item.objects.exclude(task=task).first()
    assert other is not None
    with pytest.raises(ValidationError):
        items_declare(
            by=ACTOR, task=task, revisions={other.pk: other.revision}, status=ItemStatus.PATCHED
        )


def test_two_officers_declaring_at_once_lose_nothing(demo: None) -> None:
    forwarded = _forward()
    task = max(forwarded.tasks, key=lambda task: task.items.count())
    items = list(task.items.all())
    first = items[0]
    seen = {first.pk: first.revision}  # both officers opened the page at this revision
    items_declare(
        by=ACTOR,
        task=task,
        revisions=seen,
        status=ItemStatus.NOT_FIXED,
        reason="Chờ bảo trì",
        plan_date=date(2022, 4, 20),
    )
    with pytest.raises(ConflictError) as error:
        items_declare(by=ACTOR, task=task, revisions=seen, status=ItemStatus.PATCHED)
    assert first.asset_name in str(error.value)
    first.refresh_from_db()
    assert first.status == ItemStatus.NOT_FIXED  # the first declaration stands
    assert first.plan_date == date(2022, 4, 20)
    if len(items) > 1:  # another host at the same time: both kept
        second = items[1]
        items_declare(
            by=ACTOR,
            task=task,
            revisions={second.pk: second.revision},
            status=ItemStatus.WORKAROUND,
        )
        second.refresh_from_db()
        assert second.status == ItemStatus.WORKAROUND
    assert ItemEvent.objects.filter(item=first, kind=ItemEvent.Kind.DECLARED).count() == 1


def test_overdue_tasks_go_to_the_manager_then_to_the_province(demo: None) -> None:
    forwarded = _forward(due_date=clock.today() - timedelta(days=1))
    counts = tasks_escalate(by=ACTOR)
    assert counts == {"manager": len(forwarded.tasks), "province": 0}
    Task.objects.update(due_date=clock.today() - timedelta(days=1))  # one day late, not two
    assert tasks_escalate(by=ACTOR) == {"manager": 0, "province": 0}  # once per step
    later = clock.today() + timedelta(days=3)
    assert tasks_escalate(by=ACTOR, today=later)["province"] == len(forwarded.tasks)
    told = Notification.objects.filter(kind="remediation.task_overdue")
    assert told.count() == 2 * len(forwarded.tasks)
    analysts = InboxEntry.objects.filter(notification__in=told, user__username="phantich").count()
    assert analysts == len(forwarded.tasks)


def test_evidence_files_are_checked(demo: None, settings: Any) -> None:
    task = _forward().tasks[0]
    evidence = evidence_attach(
        by=ACTOR, task=task, upload=SimpleUploadedFile("update-history.png", PNG), note="KB"
    )
    assert evidence.size == len(PNG)
    assert evidence.file.read() == PNG
    with pytest.raises(ConflictError):
        evidence_attach(by=ACTOR, task=task, upload=SimpleUploadedFile("again.png", PNG))
    with pytest.raises(ValidationError, match=r"not a \.pdf"):
        evidence_attach(by=ACTOR, task=task, upload=SimpleUploadedFile("x.pdf", b"MZ\x90\x00"))
    with pytest.raises(ValidationError, match="evidence takes"):
        evidence_attach(by=ACTOR, task=task, upload=SimpleUploadedFile("x.exe", b"MZ"))
    settings.REMEDIATION_EVIDENCE_MAX_BYTES = 10
    with pytest.raises(ValidationError, match="limited to 10 bytes"):
        evidence_attach(by=ACTOR, task=task, upload=SimpleUploadedFile("big.txt", b"a" * 11))


def test_a_unit_the_analyst_left_out_is_not_added_back(demo: None) -> None:
    affected = _affected("CVE-2022-26809")
    left_out = Unit.objects.get(code="SO-YT")
    assert left_out.pk in affected
    chosen = list(Unit.objects.filter(pk__in=set(affected) - {left_out.pk}))
    forwarded = _forward("651/CATTT-NCSC", units=chosen, auto=False)
    assert left_out.pk not in {task.unit_id for task in forwarded.tasks}
    exposure_match(by=ACTOR, full=True)
    tasks_refresh(by=ACTOR)
    assert not Task.objects.filter(letter=forwarded.letter, unit=left_out).exists()
    event = AuditEvent.objects.get(action=AuditAction.LETTER_FORWARDED)
    assert event.parameters["left_out"] == ["SO-YT"]
    # sent by hand later: the unit gets its task, and the cascade follows it from then on
    (task,) = letter_add_units(by=ACTOR, letter=forwarded.letter, units=[left_out])
    assert task.origin == Origin.ADDED
    assert task.items.count() == len(affected[left_out.pk])
    assert not forwarded.letter.declined.exists()
