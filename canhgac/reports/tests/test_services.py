"""report_render: who may issue what, numbering (consecutive, never reused, nothing consumed
by a failed render), what is registered and audited; the register as each user sees it."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import transaction

from canhgac.accounts.models import User
from canhgac.advisories.models import WarningLetter
from canhgac.audit.enums import AuditAction
from canhgac.audit.models import AuditEvent
from canhgac.core.exceptions import NotFoundError, PermissionDeniedError, ValidationError
from canhgac.remediation.models import Task
from canhgac.reports import services
from canhgac.reports.models import Counter, RegisterEntry
from canhgac.reports.numbering import sequence_take
from canhgac.reports.selectors import entry_get_for_user, register_list_for_user
from canhgac.reports.services import report_render
from canhgac.reports.tests.helpers import ACTOR, FORWARDED, content, docx_text, forward


@pytest.fixture
def spring(demo: None) -> WarningLetter:
    return forward().letter


def _task(letter: WarningLetter) -> Task:
    return Task.objects.get(letter=letter, unit__code="TT-CNTT")


def test_numbers_are_consecutive_and_never_reused(spring: WarningLetter) -> None:
    task = _task(spring)
    entries = [
        report_render(by=ACTOR, kind="unit_report", target=task, fmt=fmt)
        for fmt in ("docx", "pdf", "docx")
    ]
    assert [entry.number for entry in entries] == ["1/BC-TT-CNTT", "2/BC-TT-CNTT", "3/BC-TT-CNTT"]
    assert [entry.sequence for entry in entries] == [1, 2, 3]
    assert {entry.series for entry in entries} == {"BC-TT-CNTT"}
    assert Counter.objects.get(series="BC-TT-CNTT").last == 3
    assert len({entry.number for entry in RegisterEntry.objects.all()}) == 3


def test_a_failed_render_consumes_no_number(
    spring: WarningLetter, monkeypatch: pytest.MonkeyPatch
) -> None:
    task = _task(spring)

    def broken(kind_id: str, context: dict[str, Any]) -> bytes:
        raise OSError("disk full")

    monkeypatch.setattr("canhgac.reports.renderers.docx.docx_bytes", broken)
    with pytest.raises(OSError, match="disk full"):
        report_render(by=ACTOR, kind="unit_report", target=task, fmt="docx")
    assert not RegisterEntry.objects.exists()
    assert not Counter.objects.filter(last__gt=0).exists()
    monkeypatch.undo()
    assert report_render(by=ACTOR, kind="unit_report", target=task, fmt="docx").number == (
        "1/BC-TT-CNTT"
    )


def test_a_number_taken_meanwhile_is_rendered_again_with_the_next(
    spring: WarningLetter, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another render claims the predicted number while this one renders: this document is
    rendered again under the next number, and both numbers are registered once."""
    task = _task(spring)
    rendered: list[str] = []
    real = services.render

    def racing(kind: Any, target: Any, issue: Any, fmt: Any) -> bytes:
        rendered.append(issue.number)
        if len(rendered) == 1:
            with transaction.atomic():
                sequence_take(series="BC-TT-CNTT", year=issue.day.year)
        return real(kind, target, issue, fmt)

    monkeypatch.setattr(services, "render", racing)
    entry = report_render(by=ACTOR, kind="unit_report", target=task, fmt="docx")
    assert rendered == ["1/BC-TT-CNTT", "2/BC-TT-CNTT"]
    assert entry.number == "2/BC-TT-CNTT"
    assert "Số: 2/BC-TT-CNTT" in docx_text(content(entry))
    assert Counter.objects.get(series="BC-TT-CNTT").last == 2


def test_the_forwarding_letter_keeps_its_own_number(spring: WarningLetter) -> None:
    entry = report_render(by=ACTOR, kind="forwarding_letter", target=spring, fmt="pdf")
    assert (entry.number, entry.sequence, entry.series, entry.year) == (FORWARDED, None, "", 2022)
    assert entry.issued_on == spring.issued_on
    assert entry.unit is None
    assert (entry.target_type, entry.target_id) == ("advisories.warningletter", str(spring.pk))
    assert not Counter.objects.exists()
    again = report_render(by=ACTOR, kind="forwarding_letter", target=spring, fmt="pdf")
    assert again.number == FORWARDED


def test_the_entry_is_stored_by_its_hash_and_audited(spring: WarningLetter) -> None:
    task = _task(spring)
    entry = report_render(by=ACTOR, kind="unit_report", target=task, fmt="pdf")
    data = content(entry)
    assert data.startswith(b"%PDF")
    assert entry.size == len(data)
    assert entry.file.name == f"reports/{entry.sha256[:2]}/{entry.sha256}"
    assert entry.name == "bao-cao-1-BC-TT-CNTT.pdf"
    assert entry.unit == task.unit
    assert entry.created_by_label == "test"
    event = AuditEvent.objects.filter(action=AuditAction.REPORT_RENDERED).get()
    assert event.unit_id == task.unit_id
    assert event.target_id == str(task.pk)
    assert event.parameters == {
        "entry": entry.pk,
        "kind": "unit_report",
        "number": "1/BC-TT-CNTT",
        "format": "pdf",
        "sha256": entry.sha256,
        "size": entry.size,
    }


@pytest.mark.parametrize(
    ("kind", "fmt", "field"),
    [
        ("incident_report", "pdf", "kind"),
        ("unit_report", "csv", "format"),
        ("forwarding_letter", "odt", "format"),
    ],
)
def test_refused_requests_register_nothing(
    spring: WarningLetter, kind: str, fmt: str, field: str
) -> None:
    target = _task(spring) if kind == "unit_report" else spring
    with pytest.raises(ValidationError) as refused:
        report_render(by=ACTOR, kind=kind, target=target, fmt=fmt)
    assert refused.value.extra["field"] == field
    assert not RegisterEntry.objects.exists()


def test_a_national_letter_is_not_a_forwarding_letter(spring: WarningLetter) -> None:
    with pytest.raises(ValidationError, match="forwarded"):
        report_render(by=ACTOR, kind="forwarding_letter", target=spring.forwarded_from, fmt="pdf")
    with pytest.raises(ValidationError, match="made for a"):
        report_render(by=ACTOR, kind="unit_report", target=spring, fmt="pdf")


def test_unit_users_report_on_their_own_tasks_only(spring: WarningLetter) -> None:
    forward("651/CATTT-NCSC", number="102/STTTT-ATTT")
    health = Task.objects.get(letter__number="102/STTTT-ATTT", unit__code="SO-YT")
    officer = User.objects.get(username="yte.canbo")
    entry = report_render(by=officer, kind="unit_report", target=health, fmt="docx")
    assert entry.created_by == officer
    with pytest.raises(NotFoundError):
        report_render(by=officer, kind="unit_report", target=_task(spring), fmt="docx")
    with pytest.raises(PermissionDeniedError):
        report_render(by=officer, kind="forwarding_letter", target=spring, fmt="docx")
    with pytest.raises(PermissionDeniedError):
        report_render(by=officer, kind="task_lines", target=spring, fmt="csv")
    assert RegisterEntry.objects.count() == 1


def test_the_register_is_scoped(spring: WarningLetter) -> None:
    forward("651/CATTT-NCSC", number="102/STTTT-ATTT")
    health = Task.objects.get(letter__number="102/STTTT-ATTT", unit__code="SO-YT")
    own = report_render(by=ACTOR, kind="unit_report", target=health, fmt="pdf")
    other = report_render(by=ACTOR, kind="unit_report", target=_task(spring), fmt="pdf")
    province = report_render(by=ACTOR, kind="task_lines", target=spring, fmt="csv")
    officer = User.objects.get(username="yte.canbo")
    admin = User.objects.get(username="admin")
    assert list(register_list_for_user(user=officer)) == [own]
    assert set(register_list_for_user(user=admin)) == {own, other, province}
    assert entry_get_for_user(user=officer, entry_id=own.pk) == own
    for hidden in (other, province):
        with pytest.raises(NotFoundError):
            entry_get_for_user(user=officer, entry_id=hidden.pk)
