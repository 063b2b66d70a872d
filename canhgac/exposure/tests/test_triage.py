"""Triage decisions: validated, permission-checked, audited, sticky across re-imports, expiring."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from canhgac.accounts.actors import SystemActor
from canhgac.accounts.enums import Role
from canhgac.accounts.models import Membership, Unit, User
from canhgac.audit.models import AuditEvent
from canhgac.core import clock
from canhgac.core.exceptions import PermissionDeniedError, ValidationError
from canhgac.demo.loader import demo_load
from canhgac.exposure.models import Finding, TriageDecision
from canhgac.exposure.services.decisions import decisions_expire, findings_triage
from canhgac.exposure.services.matching import exposure_match
from canhgac.inventory.models import Component

ACTOR = SystemActor("test")


@pytest.fixture
def matched(db: None) -> None:
    demo_load()
    exposure_match(by=ACTOR)


def _spring(name: str = "spring-beans") -> Finding:
    return Finding.objects.select_related("unit").get(
        vulnerability__cve_id="CVE-2022-22965", matched_name=name
    )


def _user(role: Role, unit_code: str) -> User:
    user = User.objects.create_user(username=f"{role}-{unit_code}".lower(), password="x" * 16)
    Membership.objects.create(user=user, unit=Unit.objects.get(code=unit_code), role=role)
    return user


def test_a_false_positive_sticks_when_the_component_is_imported_again(matched: None) -> None:
    finding = _spring()
    findings_triage(
        by=ACTOR,
        findings=[finding],
        status="false_positive",
        reason="Thư viện không được nạp: ứng dụng chạy trên JDK riêng",
        scope="any_version",
    )
    # a newer import replaces the component row: a new id, so a new finding identity
    component = Component.objects.get(pk=finding.ref)
    Component.objects.filter(pk=component.pk).update(removed_at=clock.now())
    component.pk, component.fingerprint = None, "replaced"
    component.removed_at = None
    component.save()
    exposure_match(by=ACTOR)
    newer = Finding.objects.get(
        vulnerability__cve_id="CVE-2022-22965", matched_name="spring-beans", ref=component.pk
    )
    assert (newer.status, newer.decision_id) == ("false_positive", finding.decision_id)
    finding.refresh_from_db()
    # the old row is gone from the inventory: no longer reported, the decision's status kept
    assert (finding.status, finding.reported) == ("false_positive", False)


def test_a_version_scoped_decision_does_not_cover_another_version(matched: None) -> None:
    finding = _spring()
    findings_triage(by=ACTOR, findings=[finding], status="mitigated", reason="WAF rule")
    component = Component.objects.get(pk=finding.ref)
    Component.objects.filter(pk=component.pk).update(removed_at=clock.now())
    component.pk, component.fingerprint, component.version = None, "older", "5.3.16"
    component.removed_at = None
    component.save()
    exposure_match(by=ACTOR)
    other = Finding.objects.get(ref=component.pk, vulnerability__cve_id="CVE-2022-22965")
    assert (other.status, other.decision_id) == ("open", None)


@pytest.mark.parametrize(
    ("status", "extra", "message"),
    [
        ("fixed", {}, "set by matching"),
        ("accepted_risk", {}, "needs an expiry date"),
        ("not_affected", {}, "needs a justification"),
        ("open", {"justification": "component_not_present"}, "only 'not affected'"),
        ("bogus", {}, "is not one of"),
        ("false_positive", {"reason": "  "}, "a reason is required"),
    ],
)
def test_invalid_triage_is_refused_and_changes_nothing(
    matched: None, status: str, extra: dict[str, str], message: str
) -> None:
    finding = _spring()
    arguments = {"reason": "because", **extra}
    with pytest.raises(ValidationError, match=message):
        findings_triage(by=ACTOR, findings=[finding], status=status, **arguments)  # type: ignore[arg-type]
    finding.refresh_from_db()
    assert (finding.status, TriageDecision.objects.count()) == ("open", 0)


def test_accepting_a_risk_needs_a_manager_and_expires(matched: None) -> None:
    finding = _spring()
    officer = _user(Role.UNIT_OFFICER, finding.unit.code)
    manager = _user(Role.UNIT_MANAGER, finding.unit.code)
    until = clock.today() + timedelta(days=30)
    with pytest.raises(PermissionDeniedError):
        findings_triage(
            by=officer, findings=[finding], status="accepted_risk", reason="r", until=until
        )
    findings_triage(by=manager, findings=[finding], status="accepted_risk", reason="r", until=until)
    decision = TriageDecision.objects.get()
    assert (decision.approver, decision.until) == (manager.username, until)
    assert AuditEvent.objects.filter(action="exposure.finding_triaged").count() == 1
    TriageDecision.objects.update(until=clock.today() - timedelta(days=1))
    assert decisions_expire(by=ACTOR) == 1
    finding.refresh_from_db()
    assert (finding.status, finding.decision_id) == ("open", None)
    assert finding.events.filter(kind="decision_expired").exists()
    # matching again does not bring the ended decision back
    exposure_match(by=ACTOR)
    finding.refresh_from_db()
    assert finding.status == "open"


def test_a_user_of_another_unit_cannot_triage(matched: None) -> None:
    finding = _spring()
    stranger = _user(Role.UNIT_MANAGER, "SO-YT")
    with pytest.raises(PermissionDeniedError):
        findings_triage(by=stranger, findings=[finding], status="false_positive", reason="r")
    assert TriageDecision.objects.count() == 0


def test_bulk_triage_sets_every_finding(matched: None) -> None:
    findings = list(Finding.objects.filter(vulnerability__cve_id="CVE-2022-22965"))
    findings_triage(
        by=ACTOR,
        findings=findings,
        status="not_affected",
        justification="vulnerable_code_not_in_execute_path",
        reason="Ứng dụng không dùng data binding của Spring MVC",
    )
    assert set(
        Finding.objects.filter(vulnerability__cve_id="CVE-2022-22965").values_list(
            "status", flat=True
        )
    ) == {"not_affected"}
    assert TriageDecision.objects.count() == 3
    assert timezone.is_aware(TriageDecision.objects.first().decided_at)  # type: ignore[union-attr]
