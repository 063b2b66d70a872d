"""API behaviour: the one error format, OpenAPI, pagination, writes through services."""

from __future__ import annotations

import json
import re
from pathlib import Path

from django.test import Client

from canhgac.accounts.models import Unit
from canhgac.accounts.tests.world import World, bearer
from canhgac.audit.enums import AuditAction
from canhgac.audit.models import AuditEvent


def test_openapi_and_docs_are_served_without_a_cdn(db: None, client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["info"]["title"] == "canhgac API"
    assert {"/api/v1/units", "/api/v1/me", "/api/v1/audit/events"} <= set(schema["paths"])
    docs = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in docs
    assert re.findall(r"(?:src|href)=\"(https?:)?//", docs) == []


def test_validation_errors_use_the_error_format(world: World, client: Client) -> None:
    response = client.post(
        "/api/v1/units",
        data=json.dumps({"code": "bad code", "name": ""}),
        content_type="application/json",
        **bearer(world, "province_admin"),
    )
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid"
    assert body["message"] == "invalid input"
    fields = {problem["field"] for problem in body["extra"]["problems"]}
    assert {"body.payload.code", "body.payload.name", "body.payload.kind"} <= fields


def test_domain_errors_use_the_error_format(world: World, client: Client) -> None:
    response = client.post(
        "/api/v1/units",
        data=json.dumps({"code": "X", "name": "X", "kind": "department"}),
        content_type="application/json",
        **bearer(world, "province_admin"),
    )
    assert response.status_code == 422
    assert response.json() == {
        "message": "a unit of kind 'department' needs a parent",
        "code": "invalid",
        "extra": {"field": "parent"},
    }
    duplicate = client.post(
        "/api/v1/units",
        data=json.dumps({"code": "A", "name": "X", "kind": "department", "parent": "ROOT"}),
        content_type="application/json",
        **bearer(world, "province_admin"),
    )
    assert duplicate.status_code == 409
    assert duplicate.json()["code"] == "conflict"


def test_bad_token_is_refused(world: World, client: Client) -> None:
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer cg_00000000_nope")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_pagination(world: World, client: Client) -> None:
    first = client.get("/api/v1/units?limit=2&offset=0", **bearer(world, "province_admin")).json()
    second = client.get("/api/v1/units?limit=2&offset=2", **bearer(world, "province_admin")).json()
    assert first["count"] == second["count"] == 6
    assert len(first["items"]) == 2
    assert {unit["code"] for unit in first["items"]}.isdisjoint(
        {unit["code"] for unit in second["items"]}
    )


def test_page_size_is_bounded(world: World, client: Client) -> None:
    response = client.get("/api/v1/units?limit=501", **bearer(world, "province_admin"))
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


def test_me_lists_roles_and_effective_permissions(world: World, client: Client) -> None:
    body = client.get("/api/v1/me", **bearer(world, "unit_manager")).json()
    assert body["username"] == "unit_manager"
    assert body["roles"] == [
        {
            "id": body["roles"][0]["id"],
            "unit": {"code": "A", "name": "Unit A"},
            "role": "unit_manager",
        }
    ]
    assert body["permissions"] == {
        "unit.view": ["A", "A1"],
        "unit.edit": ["A", "A1"],
        "member.view": ["A", "A1"],
        "inventory.edit": ["A", "A1"],
        "exposure.match": ["A", "A1"],
        "finding.triage": ["A", "A1"],
        "finding.accept_risk": ["A", "A1"],
        "remediation.update": ["A", "A1"],
    }
    admin = client.get("/api/v1/me", **bearer(world, "province_admin")).json()
    assert admin["permissions"]["user.manage"] == "all"


def test_admin_creates_a_user_and_grants_a_role(world: World, client: Client) -> None:
    created = client.post(
        "/api/v1/users",
        data=json.dumps(
            {
                "username": "can.bo.moi",
                "email": "moi@example.test",
                "password": "Mat-khau-manh-2026",
                "full_name": "Cán bộ Mới",
            }
        ),
        content_type="application/json",
        **bearer(world, "province_admin"),
    )
    assert created.status_code == 201
    assert created.json()["roles"] == []
    granted = client.post(
        "/api/v1/users/can.bo.moi/memberships",
        data=json.dumps({"unit": "B", "role": "unit_officer"}),
        content_type="application/json",
        **bearer(world, "province_admin"),
    )
    assert granted.status_code == 201
    assert granted.json()["unit"]["code"] == "B"
    events = AuditEvent.objects.filter(
        action__in=[AuditAction.USER_CREATED, AuditAction.MEMBERSHIP_GRANTED],
        actor=world.users["province_admin"],
    )
    assert events.count() == 2


def test_unit_manager_patches_contacts(world: World, client: Client) -> None:
    response = client.patch(
        "/api/v1/units/A",
        data=json.dumps({"email": "a@unit.example"}),
        content_type="application/json",
        **bearer(world, "unit_manager"),
    )
    assert response.status_code == 200
    assert response.json()["email"] == "a@unit.example"
    assert Unit.objects.get(code="A").email == "a@unit.example"
    event = AuditEvent.objects.filter(action=AuditAction.UNIT_UPDATED).get()
    assert event.parameters == {"changes": {"email": {"from": "", "to": "a@unit.example"}}}
    assert event.unit == world.units["A"]


def test_token_lifecycle_through_the_api(world: World, client: Client) -> None:
    minted = client.post(
        "/api/v1/me/tokens",
        data=json.dumps({"name": "successor", "days": 7}),
        content_type="application/json",
        **bearer(world, "duty_officer"),
    )
    assert minted.status_code == 403
    assert minted.json()["code"] == "permission_denied"
    client.force_login(world.users["duty_officer"])
    created = client.post(
        "/api/v1/me/tokens",
        data=json.dumps({"name": "siem", "days": 7}),
        content_type="application/json",
    )
    client.logout()
    assert created.status_code == 201
    raw = created.json()["token"]
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    revoked = client.delete(
        f"/api/v1/me/tokens/{created.json()['id']}", **bearer(world, "duty_officer")
    )
    assert revoked.json()["revoked_at"] is not None
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    listed = client.get("/api/v1/me/tokens", **bearer(world, "duty_officer")).json()
    assert "token" not in listed[0]
    assert "digest" not in listed[0]


def test_audit_events_are_scoped_for_unit_auditors(world: World, client: Client) -> None:
    body = client.get("/api/v1/audit/events?limit=500", **bearer(world, "auditor_unit")).json()
    units = {event["unit"] for event in body["items"]}
    assert units <= {"A", "A1"}
    assert body["count"] > 0
    everything = client.get("/api/v1/audit/events?limit=1", **bearer(world, "province_admin"))
    assert everything.json()["count"] == AuditEvent.objects.count()


def test_advisory_import_is_for_province_roles(
    world: World, client: Client, samples_dir: object
) -> None:

    sample = Path(__file__).resolve().parents[2] / "advisories" / "tests" / "samples"
    for role, status in (("unit_manager", 403), ("province_analyst", 200)):
        with (sample / "kev-min.json").open("rb") as handle:
            response = client.post(
                "/api/v1/advisories/imports", {"file": handle}, **bearer(world, role)
            )
        assert response.status_code == status, response.content
    found = client.get(
        "/api/v1/advisories/vulnerabilities?kev=true", **bearer(world, "duty_officer")
    ).json()
    assert found["count"] == 4
    detail = client.get(
        f"/api/v1/advisories/vulnerabilities/{found['items'][0]['id']}",
        **bearer(world, "duty_officer"),
    ).json()
    assert detail["kev"]["date_added"]
