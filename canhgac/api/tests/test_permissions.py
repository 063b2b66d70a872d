"""Permission matrix of the API: every endpoint, every role and a user of another unit.

Each row says what every role gets. A denied write must change nothing, and every denial
(403, or 404 for an object outside the user's units) is written to the audit log.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from canhgac.accounts.models import Membership, Unit, User
from canhgac.accounts.tests.world import (
    ALL,
    PROVINCE,
    ROLE_KEYS,
    SEES_A,
    SEES_A1,
    SEES_B,
    World,
)
from canhgac.advisories.models import FeedState, WarningLetter
from canhgac.audit.enums import AuditAction
from canhgac.audit.models import AuditEvent
from canhgac.exposure.models import Finding, TriageDecision
from canhgac.inventory.models import Asset, InformationSystem
from canhgac.remediation.models import Campaign, Item, Readiness, Task
from canhgac.remediation.tests.helpers import LETTER, LETTER_TO_A, world_campaign, world_tasks
from canhgac.reports.models import RegisterEntry
from canhgac.reports.tests.helpers import world_reports

ADMIN = frozenset({"province_admin"})
EDITS_A = frozenset({"province_admin", "province_analyst", "unit_manager", "unit_officer"})
EDITS_B = frozenset({"province_admin", "province_analyst", "other_unit"})
AUDIT_READERS = PROVINCE | {"auditor_unit"}
PROVINCE_WRITERS = frozenset({"province_admin", "province_analyst"})


@dataclass(frozen=True)
class Case:
    name: str
    method: str
    path: str
    allowed: frozenset[str]
    ok_status: int = 200
    denied_status: int = 403
    # Roles that get 404 instead of `denied_status` (the object is outside their units).
    hidden_from: frozenset[str] = frozenset()
    body: dict[str, Any] | None = None


def resolve(path: str) -> str:
    """Fill the ids the cases cannot know in advance."""
    if path == "membership":
        membership = Membership.objects.get(user__username="unit_officer")
        return f"/api/v1/memberships/{membership.pk}"
    if "{warning}" in path:
        path = path.replace("{warning}", str(WarningLetter.objects.get(number="7/CATTT-NCSC").pk))
    if "{finding_a}" in path or "{finding_b}" in path:
        a = Finding.objects.get(asset__key="dvc-web01.example.gov.vn").pk
        b = Finding.objects.get(asset__key="hsba-app").pk
        return path.replace("{finding_a}", str(a)).replace("{finding_b}", str(b))
    if "{asset}" in path:
        asset = Asset.objects.get(key="dvc-web01.example.gov.vn")
        return path.replace("{asset}", str(asset.pk))
    if path.startswith("/api/v1/reports"):
        report_a, report_province = world_reports()
        return path.replace("{report_a}", str(report_a.pk)).replace(
            "{report_province}", str(report_province.pk)
        )
    if "{forwarded" in path or "{task_" in path or "{item_a}" in path or "{evidence_a}" in path:
        return _remediation(path)
    if "{campaign}" in path:
        return path.replace("{campaign}", world_campaign().code)
    return path


def _remediation(path: str) -> str:
    task_a, task_b = world_tasks()
    to_a = Task.objects.get(letter__number=LETTER_TO_A)
    return (
        path.replace("{forwarded}", str(task_a.letter_id))
        .replace("{forwarded_a}", str(to_a.letter_id))
        .replace("{task_a}", str(task_a.pk))
        .replace("{task_b}", str(task_b.pk))
        .replace("{item_a}", str(task_a.items.get().pk))
        .replace("{evidence_a}", str(task_a.evidence.get().pk))
    )


CASES: list[Case] = [
    Case("me", "get", "/api/v1/me", ALL),
    Case("my tokens", "get", "/api/v1/me/tokens", ALL),
    Case("unit list", "get", "/api/v1/units", ALL),
    Case("unit A", "get", "/api/v1/units/A", SEES_A, hidden_from=ALL - SEES_A),
    Case("unit A1", "get", "/api/v1/units/A1", SEES_A1, hidden_from=ALL - SEES_A1),
    Case("unit B", "get", "/api/v1/units/B", SEES_B, hidden_from=ALL - SEES_B),
    Case("members of A", "get", "/api/v1/units/A/members", SEES_A, hidden_from=ALL - SEES_A),
    Case("contracts of A", "get", "/api/v1/units/A/contracts", SEES_A, hidden_from=ALL - SEES_A),
    Case(
        "edit contact of A",
        "patch",
        "/api/v1/units/A",
        ADMIN | {"unit_manager"},
        hidden_from=ALL - SEES_A,
        body={"phone": "0123 456 789"},
    ),
    Case(
        "rename A",
        "patch",
        "/api/v1/units/A",
        ADMIN,
        hidden_from=ALL - SEES_A,
        body={"name": "Renamed"},
    ),
    Case(
        "create unit",
        "post",
        "/api/v1/units",
        ADMIN,
        201,
        body={"code": "NEW", "name": "New unit", "kind": "department", "parent": "ROOT"},
    ),
    Case("user list", "get", "/api/v1/users", ADMIN),
    Case(
        "user create",
        "post",
        "/api/v1/users",
        ADMIN,
        201,
        body={"username": "newbie", "email": "n@example.test", "password": "Long-enough-2026"},
    ),
    Case(
        "another user",
        "get",
        "/api/v1/users/unit_officer",
        ADMIN | {"unit_officer"},
        hidden_from=ALL - ADMIN - {"unit_officer"},
    ),
    Case(
        "grant role",
        "post",
        "/api/v1/users/unit_officer/memberships",
        ADMIN,
        201,
        body={"unit": "A", "role": "duty_officer"},
    ),
    Case("revoke role", "delete", "membership", ADMIN, 204),
    Case("audit events", "get", "/api/v1/audit/events", AUDIT_READERS),
    Case("system list", "get", "/api/v1/inventory/systems", ALL),
    Case(
        "system of A", "get", "/api/v1/inventory/systems/CONG-DVC", SEES_A, hidden_from=ALL - SEES_A
    ),
    Case("system of B", "get", "/api/v1/inventory/systems/HSBA", SEES_B, hidden_from=ALL - SEES_B),
    Case(
        "edit system of A",
        "patch",
        "/api/v1/inventory/systems/CONG-DVC",
        EDITS_A,
        hidden_from=ALL - SEES_A,
        body={"purpose": "Changed"},
    ),
    Case(
        "create system in A",
        "post",
        "/api/v1/inventory/systems",
        EDITS_A,
        201,
        hidden_from=ALL - SEES_A,
        body={"code": "NEW-SYS", "name": "New", "owner_unit": "A"},
    ),
    Case(
        "delete system of A",
        "delete",
        "/api/v1/inventory/systems/QLVB",
        EDITS_A,
        204,
        hidden_from=ALL - SEES_A,
    ),
    Case("asset list", "get", "/api/v1/inventory/assets", ALL),
    Case("asset of A", "get", "/api/v1/inventory/assets/{asset}", SEES_A, hidden_from=ALL - SEES_A),
    Case(
        "software of an asset of A",
        "get",
        "/api/v1/inventory/assets/{asset}/components",
        SEES_A,
        hidden_from=ALL - SEES_A,
    ),
    Case(
        "edit asset of A",
        "patch",
        "/api/v1/inventory/assets/{asset}",
        EDITS_A,
        hidden_from=ALL - SEES_A,
        body={"criticality": "low"},
    ),
    Case(
        "delete asset of A",
        "delete",
        "/api/v1/inventory/assets/{asset}",
        EDITS_A,
        204,
        hidden_from=ALL - SEES_A,
    ),
    Case("component list", "get", "/api/v1/inventory/components", ALL),
    Case("data quality", "get", "/api/v1/inventory/quality", ALL),
    Case("vulnerability search", "get", "/api/v1/advisories/vulnerabilities", ALL),
    Case("vulnerability detail", "get", "/api/v1/advisories/vulnerabilities/CVE-2022-22965", ALL),
    Case("warning letters", "get", "/api/v1/advisories/warnings", ALL),
    Case("warning letter", "get", "/api/v1/advisories/warnings/{warning}", ALL),
    Case(
        "create warning letter",
        "post",
        "/api/v1/advisories/warnings",
        PROVINCE_WRITERS,
        201,
        body={
            "number": "9/CATTT-NCSC",
            "issuer": "Cục An toàn thông tin",
            "issued_on": "2022-04-13",
            "title": "Lỗ hổng Spring4Shell",
            "cves_critical": ["CVE-2022-22965"],
        },
    ),
    Case(
        "forward warning letter",
        "post",
        "/api/v1/advisories/warnings/{warning}/forward",
        PROVINCE_WRITERS,
        201,
        body={"number": "15/STTTT", "issuer": "Sở TT&TT", "issued_on": "2022-04-14"},
    ),
    Case("feed status", "get", "/api/v1/advisories/feeds", ALL),
    Case("sync now", "post", "/api/v1/advisories/feeds/sync", PROVINCE_WRITERS, 202, body={}),
    Case("findings", "get", "/api/v1/exposure/findings", ALL),
    Case(
        "finding of A",
        "get",
        "/api/v1/exposure/findings/{finding_a}",
        SEES_A,
        hidden_from=ALL - SEES_A,
    ),
    Case(
        "finding of B",
        "get",
        "/api/v1/exposure/findings/{finding_b}",
        SEES_B,
        hidden_from=ALL - SEES_B,
    ),
    Case(
        "triage a finding of A",
        "post",
        "/api/v1/exposure/findings/{finding_a}/triage",
        EDITS_A,
        hidden_from=ALL - SEES_A,
        body={"status": "false_positive", "reason": "Không dùng Spring MVC"},
    ),
    Case(
        "accept the risk of a finding of A",
        "post",
        "/api/v1/exposure/findings/{finding_a}/triage",
        PROVINCE_WRITERS | {"unit_manager"},
        hidden_from=ALL - SEES_A,
        body={"status": "accepted_risk", "reason": "Hệ thống sắp ngừng", "until": "2099-01-01"},
    ),
    Case(
        "bulk triage of A and B",
        "post",
        "/api/v1/exposure/findings/triage",
        PROVINCE_WRITERS,
        hidden_from=ALL - (SEES_A & SEES_B),
        body={"ids": ["{finding_a}", "{finding_b}"], "status": "open", "reason": "Xem lại"},
    ),
    Case("exposure summary", "get", "/api/v1/exposure/summary", ALL),
    Case("matching runs", "get", "/api/v1/exposure/runs", ALL),
    Case("match everything", "post", "/api/v1/exposure/match", PROVINCE_WRITERS, 202, body={}),
    Case(
        "match unit A",
        "post",
        "/api/v1/exposure/match",
        EDITS_A,
        202,
        hidden_from=ALL - SEES_A,
        body={"unit": "A"},
    ),
    Case(
        "proposed recipients of a letter",
        "get",
        "/api/v1/remediation/warnings/{warning}/proposals",
        PROVINCE_WRITERS,
    ),
    Case("cascade of a letter", "get", "/api/v1/remediation/warnings/{forwarded}/cascade", ALL),
    Case(
        "send a forwarded letter to B too",
        "post",
        "/api/v1/remediation/warnings/{forwarded_a}/recipients",
        PROVINCE_WRITERS,
        201,
        body={"units": ["B"]},
    ),
    Case("campaign list", "get", "/api/v1/remediation/campaigns", ALL),
    Case(
        "create a campaign",
        "post",
        "/api/v1/remediation/campaigns",
        PROVINCE_WRITERS,
        201,
        body={
            "code": "tet-2100",
            "name": "Tết",
            "starts_on": "2100-01-01",
            "ends_on": "2100-01-03",
        },
    ),
    Case("campaign board", "get", "/api/v1/remediation/campaigns/{campaign}", ALL),
    Case(
        "answer A's readiness item",
        "put",
        "/api/v1/remediation/campaigns/{campaign}/units/A/checks/backups_checked",
        EDITS_A,
        hidden_from=ALL - SEES_A,
        body={"done": True, "note": "Đã kiểm tra"},
    ),
    Case("task list", "get", "/api/v1/remediation/tasks", ALL),
    Case(
        "task of A", "get", "/api/v1/remediation/tasks/{task_a}", SEES_A, hidden_from=ALL - SEES_A
    ),
    Case(
        "task of B", "get", "/api/v1/remediation/tasks/{task_b}", SEES_B, hidden_from=ALL - SEES_B
    ),
    Case(
        "acknowledge A's letter",
        "post",
        "/api/v1/remediation/tasks/{task_a}/acknowledge",
        EDITS_A,
        hidden_from=ALL - SEES_A,
        body={},
    ),
    Case(
        "declare a host of A",
        "post",
        "/api/v1/remediation/tasks/{task_a}/declare",
        EDITS_A,
        hidden_from=ALL - SEES_A,
        body={"items": [{"id": "{item_a}", "revision": 1}], "status": "patched"},
    ),
    Case(  # allowed, but B has not acknowledged the letter yet: 409
        "end B's review",
        "post",
        "/api/v1/remediation/tasks/{task_b}/review",
        EDITS_B,
        409,
        hidden_from=ALL - SEES_B,
        body={"note": "x"},
    ),
    Case(
        "evidence of A",
        "get",
        "/api/v1/remediation/tasks/{task_a}/evidence/{evidence_a}",
        SEES_A,
        hidden_from=ALL - SEES_A,
    ),
    Case("report register", "get", "/api/v1/reports", ALL),
    Case(
        "report the campaign",
        "post",
        "/api/v1/reports",
        PROVINCE_WRITERS,
        201,
        body={"kind": "campaign_report", "campaign": "{campaign}", "format": "pdf"},
    ),
    Case(
        "render A's report",
        "post",
        "/api/v1/reports",
        SEES_A,
        201,
        hidden_from=ALL - SEES_A,
        body={"kind": "unit_report", "letter": LETTER, "unit": "A", "format": "docx"},
    ),
    Case(
        "render the forwarding letter",
        "post",
        "/api/v1/reports",
        PROVINCE_WRITERS,
        201,
        body={"kind": "forwarding_letter", "letter": LETTER, "format": "docx"},
    ),
    Case(
        "export the letter's lines",
        "post",
        "/api/v1/reports",
        PROVINCE_WRITERS,
        201,
        body={"kind": "task_lines", "letter": LETTER, "format": "xlsx"},
    ),
    Case(
        "report of A",
        "get",
        "/api/v1/reports/{report_a}/file",
        SEES_A,
        hidden_from=ALL - SEES_A,
    ),
    Case(
        "export of the whole letter",
        "get",
        "/api/v1/reports/{report_province}/file",
        PROVINCE_WRITERS,
        hidden_from=ALL - PROVINCE_WRITERS,
    ),
    # Verifying the whole chain needs province-wide audit access (not a subtree auditor).
    Case("audit verify", "get", "/api/v1/audit/verify", PROVINCE - {"auditor_province"}),
]


def snapshot() -> tuple[Any, ...]:
    """Everything a denied write could have changed."""
    return (
        sorted(Unit.objects.values_list("code", "name", "phone", "parent_id", "is_active")),
        sorted(User.objects.values_list("username", "is_active")),
        sorted(Membership.objects.values_list("user__username", "unit__code", "role")),
        sorted(InformationSystem.objects.values_list("code", "purpose", "owner_unit_id")),
        sorted(Asset.objects.values_list("key", "criticality")),
        sorted(WarningLetter.objects.values_list("number", "title")),
        sorted(FeedState.objects.values_list("source", "locked_until")),
        sorted(Finding.objects.values_list("pk", "status", "decision_id")),
        TriageDecision.objects.count(),
        sorted(Task.objects.values_list("pk", "acknowledged_at", "reviewed_at", "status")),
        sorted(Item.objects.values_list("pk", "status", "revision")),
        sorted(Campaign.objects.values_list("code", flat=True)),
        sorted(Readiness.objects.values_list("pk", "done", "note")),
        RegisterEntry.objects.count(),
    )


def call(client: Client, world: World, role: str, case: Case) -> Any:
    path = resolve(case.path)
    method: Callable[..., Any] = getattr(client, case.method)
    kwargs: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {world.tokens[role]}"}
    if case.body is not None:
        body = json.loads(resolve(json.dumps(case.body)))
        body = {
            key: [int(item) if str(item).isdigit() else item for item in value]
            if isinstance(value, list)
            else value
            for key, value in body.items()
        }
        kwargs.update(data=json.dumps(body), content_type="application/json")
    return method(path, **kwargs)


@pytest.mark.parametrize("role", ROLE_KEYS)
@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_api_permission_matrix(
    inventory_world: World, client: Client, role: str, case: Case
) -> None:
    world = inventory_world
    resolve(case.path)  # the rows the case needs exist before the snapshot
    if case.body is not None:
        resolve(json.dumps(case.body))
    before = snapshot()
    denials_before = AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED).count()

    response = call(client, world, role, case)

    if role in case.allowed:
        assert response.status_code == case.ok_status, response.content
        return
    expected = 404 if role in case.hidden_from else case.denied_status
    assert response.status_code == expected, response.content
    body = response.json()
    assert set(body) == {"message", "code", "extra"}
    assert body["code"] == ("not_found" if expected == 404 else "permission_denied")
    assert snapshot() == before, "a denied request changed stored data"
    denial = AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED).order_by("-sequence")
    assert denial.count() == denials_before + 1
    assert denial.first().actor == world.users[role]  # type: ignore[union-attr]


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_api_requires_authentication(inventory_world: World, client: Client, case: Case) -> None:
    path = resolve(case.path)
    response = getattr(client, case.method)(path)
    assert response.status_code == 401
    assert response.json() == {
        "message": "authentication required",
        "code": "not_authenticated",
        "extra": {},
    }


EXPECTED_UNIT_CODES = {
    "province_admin": {"ROOT", "DIC", "A", "A1", "B", "P"},
    "province_analyst": {"ROOT", "DIC", "A", "A1", "B", "P"},
    "auditor_province": {"ROOT", "DIC", "A", "A1", "B"},
    "unit_manager": {"A", "A1"},
    "unit_officer": {"A"},
    "duty_officer": {"A"},
    "auditor_unit": {"A", "A1"},
    "provider_analyst": {"A"},
    "other_unit": {"B"},
}


@pytest.mark.parametrize("role", ROLE_KEYS)
def test_unit_list_is_scoped(world: World, client: Client, role: str) -> None:
    response = client.get(
        "/api/v1/units?limit=500", HTTP_AUTHORIZATION=f"Bearer {world.tokens[role]}"
    )
    assert response.status_code == 200
    body = response.json()
    assert {item["code"] for item in body["items"]} == EXPECTED_UNIT_CODES[role]
    assert body["count"] == len(EXPECTED_UNIT_CODES[role])


def test_session_auth_needs_csrf_for_writes(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["province_admin"])
    response = client.post(
        "/api/v1/me/tokens", data=json.dumps({"name": "x"}), content_type="application/json"
    )
    assert response.status_code in {401, 403}
    assert not world.users["province_admin"].api_tokens.filter(name="x").exists()
    assert client.get("/api/v1/me").status_code == 200
