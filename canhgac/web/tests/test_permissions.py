"""Permission matrix of the web pages: every page, every role and a user of another unit."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client

from canhgac.accounts.tests.world import (
    ALL,
    PROVINCE,
    ROLE_KEYS,
    SEES_A,
    SEES_B,
    TEST_ACTOR,
    World,
)
from canhgac.advisories.models import WarningLetter
from canhgac.audit.enums import AuditAction
from canhgac.audit.models import AuditEvent
from canhgac.duty.models import Delivery, InboxEntry
from canhgac.duty.tests.helpers import matrix_rows
from canhgac.exposure.models import Finding, FindingEvent, MatchRun, TriageDecision
from canhgac.inventory.models import Asset
from canhgac.remediation.models import Campaign, Item, Readiness, Task
from canhgac.remediation.services.declarations import task_acknowledge
from canhgac.remediation.tests.helpers import world_campaign, world_tasks
from canhgac.reports.models import RegisterEntry
from canhgac.reports.tests.helpers import world_reports

EDITS_A = frozenset({"province_admin", "province_analyst", "unit_manager", "unit_officer"})
EDITS_B = frozenset({"province_admin", "province_analyst", "other_unit"})
PROVINCE_WRITERS = frozenset({"province_admin", "province_analyst"})


def resolve(page: str) -> str:
    if "{report_" in page:
        report_a, report_province = world_reports()
        page = page.replace("{report_a}", str(report_a.pk))
        return page.replace("{report_province}", str(report_province.pk))
    if "{campaign}" in page:
        page = page.replace("{campaign}", world_campaign().code)
    if "{acknowledged_task_a}" in page:
        task_a, _task_b = world_tasks()
        task_acknowledge(by=TEST_ACTOR, task=task_a)
        return page.replace("{acknowledged_task_a}", str(task_a.pk))
    if "{forwarded}" in page:
        task_a, _task_b = world_tasks()
        return page.replace("{forwarded}", str(task_a.letter_id))
    if "{task_" in page or "{item_a}" in page:
        task_a, task_b = world_tasks()
        item = task_a.items.get()
        evidence = task_a.evidence.get()
        return (
            page.replace("{task_a}", str(task_a.pk))
            .replace("{task_b}", str(task_b.pk))
            .replace("{item_a}", f"{item.pk}:{item.revision}")
            .replace("{evidence_a}", str(evidence.pk))
        )
    if page.startswith("/notifications/"):
        entry, delivery = matrix_rows()
        return page.replace("{entry}", str(entry.pk)).replace("{delivery}", str(delivery.pk))
    if "{warning}" in page:
        return page.replace(
            "{warning}", str(WarningLetter.objects.get(forwarded_from__isnull=True).pk)
        )
    if "{asset}" in page:
        asset = Asset.objects.get(key="dvc-web01.example.gov.vn")
        return page.replace("{asset}", str(asset.pk))
    if "{finding_a}" in page or "{finding_b}" in page:
        a = Finding.objects.get(asset__key="dvc-web01.example.gov.vn").pk
        b = Finding.objects.get(asset__key="hsba-app").pk
        return page.replace("{finding_a}", str(a)).replace("{finding_b}", str(b))
    return page


# page → (roles that get 200, status for the others[, roles that get 404 instead])
PAGES: dict[str, tuple[frozenset[str], int] | tuple[frozenset[str], int, frozenset[str]]] = {
    "/dashboard/": (ALL, 403),
    "/units/": (ALL, 403),
    "/units/A/": (SEES_A, 404),
    "/units/A1/": (PROVINCE | {"unit_manager", "auditor_unit"}, 404),
    "/units/B/": (SEES_B, 404),
    "/units/A/edit/": (frozenset({"province_admin", "unit_manager"}), 403, ALL - SEES_A),
    "/units/B/edit/": (frozenset({"province_admin", "other_unit"}), 403, ALL - SEES_B),
    "/units/NO-SUCH-UNIT/": (frozenset(), 404),
    "/audit/": (PROVINCE | {"auditor_unit"}, 403),
    "/inventory/systems/": (ALL, 403),
    "/inventory/systems/CONG-DVC/": (SEES_A, 404),
    "/inventory/systems/HSBA/": (SEES_B, 404),
    "/inventory/assets/": (ALL, 403),
    "/inventory/assets/{asset}/": (SEES_A, 404),
    "/inventory/import/": (
        frozenset(
            {"province_admin", "province_analyst", "unit_manager", "unit_officer", "other_unit"}
        ),
        403,
    ),
    "/inventory/quality/": (ALL, 403),
    "/advisories/": (ALL, 403),
    "/advisories/CVE-2022-22965/": (ALL, 403),
    "/advisories/feeds/": (ALL, 403),
    "/advisories/warnings/": (ALL, 403),
    "/advisories/warnings/{warning}/": (ALL, 403),
    "/advisories/warnings/new/": (frozenset({"province_admin", "province_analyst"}), 403),
    "/exposure/": (ALL, 403),
    "/exposure/findings/": (ALL, 403),
    "/exposure/findings/{finding_a}/": (SEES_A, 404),
    "/exposure/findings/{finding_b}/": (SEES_B, 404),
    "/remediation/campaigns/": (ALL, 403),
    "/remediation/campaigns/new/": (PROVINCE_WRITERS, 403),
    "/remediation/campaigns/{campaign}/": (ALL, 403),
    "/remediation/campaigns/{campaign}/units/A/": (SEES_A, 404),
    "/remediation/campaigns/{campaign}/units/B/": (SEES_B, 404),
    "/remediation/tasks/": (ALL, 403),
    "/remediation/tasks/{task_a}/": (SEES_A, 404),
    "/remediation/tasks/{task_b}/": (SEES_B, 404),
    "/remediation/tasks/{task_a}/evidence/{evidence_a}/": (SEES_A, 404),
    "/reports/": (ALL, 403),
    "/reports/{report_a}/file/": (SEES_A, 404),
    "/reports/{report_province}/file/": (PROVINCE_WRITERS, 404, ALL - PROVINCE_WRITERS),
    "/users/": (frozenset({"province_admin"}), 403),
    "/profile/": (ALL, 403),
    "/notifications/": (ALL, 403),
    "/notifications/deliveries/": (PROVINCE_WRITERS, 403),
    "/password/": (ALL, 403),
}


@pytest.mark.parametrize("role", ROLE_KEYS)
@pytest.mark.parametrize("page", list(PAGES))
def test_page_permission_matrix(
    inventory_world: World, client: Client, role: str, page: str
) -> None:
    world = inventory_world
    allowed, denied_status, *rest = PAGES[page]
    hidden_from = rest[0] if rest else frozenset()
    client.force_login(world.users[role])
    denials = AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED).count()

    response = client.get(resolve(page))

    if role in allowed:
        assert response.status_code == 200
        assert response["Cache-Control"] == "no-store, private"
    else:
        assert response.status_code == (404 if role in hidden_from else denied_status)
        assert AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED).count() == denials + 1


# Pages of the web app that are not in PAGES, and why.
NOT_IN_MATRIX = {
    "healthz": "public health check",
    "login": "public",
    "logout": "POST only",
    "password_change_done": "a message, no data",
    "token_create": "POST only: tested with the profile",
    "token_revoke": "POST only: tested below",
    "warning_attach": "POST only: its own matrix in advisories/tests/test_attachments.py",
    "warning_attachment": "a file: its own matrix in advisories/tests/test_attachments.py",
    "evidence_upload": "a file upload: its own matrix in remediation/tests/test_web.py",
}


def test_every_page_is_in_the_matrix() -> None:
    from django.urls import resolve as resolve_path

    from canhgac.web.urls import urlpatterns

    names = {pattern.name for pattern in urlpatterns if pattern.name}
    paths = [*PAGES, *(case.path for case in POSTS)]
    covered = {resolve_path(re.sub(r"\{\w+\}", "1", path)).url_name for path in paths}
    assert names - covered - set(NOT_IN_MATRIX) == set()


@pytest.mark.parametrize("page", list(PAGES))
def test_pages_need_login(inventory_world: World, client: Client, page: str) -> None:
    response = client.get(resolve(page))
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


@pytest.mark.parametrize("role", ["unit_officer", "other_unit"])
def test_inventory_pages_show_only_the_users_units(
    inventory_world: World, client: Client, role: str
) -> None:
    client.force_login(inventory_world.users[role])
    systems = client.get("/inventory/systems/").content.decode()
    assets = client.get("/inventory/assets/").content.decode()
    own, foreign = ("CONG-DVC", "HSBA") if role == "unit_officer" else ("HSBA", "CONG-DVC")
    assert own in systems
    assert foreign not in systems
    assert ("dvc-web01.example.gov.vn" in assets) is (role == "unit_officer")
    assert ("hsba-app" in assets) is (role == "other_unit")


@pytest.mark.parametrize("role", ROLE_KEYS)
def test_denied_unit_edit_changes_nothing(world: World, client: Client, role: str) -> None:
    client.force_login(world.users[role])
    response = client.post("/units/A/edit/", {"phone": "0999 999 999", "email": "x@example.test"})
    world.units["A"].refresh_from_db()
    if role in {"province_admin", "unit_manager"}:
        assert response.status_code == 302
        assert world.units["A"].phone == "0999 999 999"
    else:
        assert response.status_code in {403, 404}
        assert world.units["A"].phone == ""


@pytest.mark.parametrize("role", ROLE_KEYS)
def test_token_revoke_of_someone_else_is_not_found(world: World, client: Client, role: str) -> None:
    victim = world.users["province_admin" if role != "province_admin" else "unit_officer"]
    token = victim.api_tokens.get()
    client.force_login(world.users[role])
    response = client.post(f"/profile/tokens/{token.pk}/revoke/")
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


# --- POSTs: who may write, and a denied write changes nothing ---------------------------------


@dataclass(frozen=True)
class Post:
    name: str
    path: str
    data: dict[str, Any]
    allowed: frozenset[str]  # these roles get a redirect (302)
    hidden_from: frozenset[str] = field(default_factory=frozenset)  # 404 instead of 403


BULK_A_AND_B = ["{finding_a}", "{finding_b}"]
POSTS: list[Post] = [
    Post(
        "mark unit_officer's notification read",
        "/notifications/{entry}/read/",
        {},
        frozenset({"unit_officer"}),
        ALL - {"unit_officer"},
    ),
    Post("mark all my notifications read", "/notifications/read-all/", {}, ALL),
    Post(
        "retry a failed email", "/notifications/deliveries/{delivery}/retry/", {}, PROVINCE_WRITERS
    ),
    Post(
        "acknowledge A's letter",
        "/remediation/tasks/{task_a}/acknowledge/",
        {},
        EDITS_A,
        ALL - SEES_A,
    ),
    Post(
        "acknowledge B's letter",
        "/remediation/tasks/{task_b}/acknowledge/",
        {},
        EDITS_B,
        ALL - SEES_B,
    ),
    Post(
        "declare a host of A patched",
        "/remediation/tasks/{task_a}/declare/",
        {"item": ["{item_a}"], "status": "patched"},
        EDITS_A,
        ALL - SEES_A,
    ),
    Post(
        "end A's review",
        "/remediation/tasks/{acknowledged_task_a}/review/",
        {"note": "Đã rà soát"},
        EDITS_A,
        ALL - SEES_A,
    ),
    Post(
        "send a forwarded letter to the committee too",
        "/advisories/warnings/{forwarded}/recipients/",
        {"units": ["ROOT"]},
        PROVINCE_WRITERS,
    ),
    Post(
        "create a campaign",
        "/remediation/campaigns/new/",
        {"code": "tet-2100", "name": "Tết", "starts_on": "01/01/2100", "ends_on": "03/01/2100"},
        PROVINCE_WRITERS,
    ),
    Post(
        "answer A's readiness item",
        "/remediation/campaigns/{campaign}/units/A/",
        {"key": "backups_checked", "done": "on", "note": "Kiểm tra ngày 28/12"},
        EDITS_A,
        ALL - SEES_A,
    ),
    Post(
        "render A's report",
        "/remediation/tasks/{task_a}/report/",
        {"format": "docx"},
        SEES_A,
        ALL - SEES_A,
    ),
    Post(
        "render the forwarding letter",
        "/advisories/warnings/{forwarded}/report/",
        {"kind": "forwarding_letter", "format": "docx"},
        PROVINCE_WRITERS,
    ),
    Post(
        "export the letter's lines",
        "/advisories/warnings/{forwarded}/report/",
        {"kind": "task_lines", "format": "csv"},
        PROVINCE_WRITERS,
    ),
    Post(
        "report the campaign",
        "/remediation/campaigns/{campaign}/report/",
        {"format": "pdf"},
        PROVINCE_WRITERS,
    ),
    Post("match everything", "/exposure/match/", {"full": "on"}, PROVINCE_WRITERS),
    Post("match A", "/exposure/match/", {"unit": "A"}, EDITS_A, ALL - SEES_A),
    Post("match B", "/exposure/match/", {"unit": "B"}, EDITS_B, ALL - SEES_B),
    Post(
        "triage a finding of A",
        "/exposure/findings/{finding_a}/triage/",
        {"status": "false_positive", "reason": "Không dùng Spring MVC"},
        EDITS_A,
        ALL - SEES_A,
    ),
    Post(
        "accept the risk of a finding of A",
        "/exposure/findings/{finding_a}/triage/",
        {"status": "accepted_risk", "reason": "Hệ thống sắp ngừng", "until": "01/01/2099"},
        PROVINCE_WRITERS | {"unit_manager"},
        ALL - SEES_A,
    ),
    Post(
        "triage a finding of B",
        "/exposure/findings/{finding_b}/triage/",
        {"status": "in_remediation", "reason": "Đã giao nhiệm vụ"},
        EDITS_B,
        ALL - SEES_B,
    ),
    Post(
        "bulk triage of A",
        "/exposure/findings/triage/",
        {"finding": ["{finding_a}"], "status": "mitigated", "reason": "Chặn bằng WAF"},
        EDITS_A,
        ALL - SEES_A,
    ),
    Post(
        "bulk triage of A and B",
        "/exposure/findings/triage/",
        {"finding": BULK_A_AND_B, "status": "in_remediation", "reason": "Xem lại"},
        PROVINCE_WRITERS,
        ALL - (SEES_A & SEES_B),
    ),
]


def snapshot() -> tuple[Any, ...]:
    """Everything a denied exposure or notification write could have changed."""
    return (
        sorted(Finding.objects.values_list("pk", "status", "decision_id", "updated_at")),
        TriageDecision.objects.count(),
        FindingEvent.objects.count(),
        MatchRun.objects.count(),
        sorted(InboxEntry.objects.values_list("pk", "read_at")),
        sorted(Delivery.objects.values_list("pk", "status", "next_attempt_at")),
        sorted(Task.objects.values_list("pk", "acknowledged_at", "reviewed_at", "status")),
        sorted(Item.objects.values_list("pk", "status", "revision")),
        Task.objects.count(),
        sorted(Campaign.objects.values_list("code", flat=True)),
        sorted(Readiness.objects.values_list("pk", "done", "note")),
        RegisterEntry.objects.count(),
    )


@pytest.mark.parametrize("role", ROLE_KEYS)
@pytest.mark.parametrize("case", POSTS, ids=[case.name for case in POSTS])
def test_post_permission_matrix(
    inventory_world: World,
    client: Client,
    django_capture_on_commit_callbacks: Callable[..., Any],
    role: str,
    case: Post,
) -> None:
    client.force_login(inventory_world.users[role])
    data = {
        key: [resolve(item) for item in value] if isinstance(value, list) else value
        for key, value in case.data.items()
    }
    path = resolve(case.path)
    before = snapshot()
    denials = AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED).count()

    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = client.post(path, data)

    if role in case.allowed:
        assert response.status_code == 302, response.content
        if case.path == "/exposure/match/":
            assert len(queued) == 1  # the matching task, enqueued once the request commits
        else:
            assert snapshot() != before
        return
    assert response.status_code == (404 if role in case.hidden_from else 403)
    assert queued == []
    assert snapshot() == before, "a denied request changed stored data"
    assert AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED).count() == denials + 1


@pytest.mark.parametrize("path", sorted({case.path for case in POSTS}))
def test_posts_need_login(db: None, client: Client, path: str) -> None:
    response = client.post(re.sub(r"\{\w+\}", "1", path), {"status": "open", "reason": "x"})
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


@pytest.mark.parametrize(
    "path", ["/exposure/match/", "/exposure/findings/triage/", "/exposure/findings/1/triage/"]
)
def test_exposure_writes_refuse_get(inventory_world: World, client: Client, path: str) -> None:
    client.force_login(inventory_world.users["province_admin"])
    assert client.get(path).status_code == 405
