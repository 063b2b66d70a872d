"""Permission matrix of the web pages: every page, every role and a user of another unit."""

from __future__ import annotations

import pytest
from django.test import Client

from canhgac.accounts.tests.world import (
    ALL,
    PROVINCE,
    ROLE_KEYS,
    SEES_A,
    SEES_B,
    World,
)
from canhgac.advisories.models import WarningLetter
from canhgac.audit.enums import AuditAction
from canhgac.audit.models import AuditEvent
from canhgac.inventory.models import Asset


def resolve(page: str) -> str:
    if "{warning}" in page:
        return page.replace("{warning}", str(WarningLetter.objects.get().pk))
    if "{asset}" in page:
        asset = Asset.objects.get(key="dvc-web01.example.gov.vn")
        return page.replace("{asset}", str(asset.pk))
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
    "/users/": (frozenset({"province_admin"}), 403),
    "/profile/": (ALL, 403),
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
}


def test_every_page_is_in_the_matrix() -> None:
    from django.urls import resolve as resolve_path

    from canhgac.web.urls import urlpatterns

    names = {pattern.name for pattern in urlpatterns if pattern.name}
    covered = {resolve_path(page.replace("{warning}", "1").replace("{asset}", "1")).url_name
               for page in PAGES}  # fmt: skip
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
