"""Inventory API: uploads of every format, CRUD with audit, located errors, filters."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.test import Client

from canhgac.accounts.tests.world import World, bearer
from canhgac.audit.enums import AuditAction
from canhgac.audit.models import AuditEvent
from canhgac.inventory.models import Asset, Component, InformationSystem

SAMPLES = Path(__file__).resolve().parents[2] / "inventory" / "tests" / "samples"


def upload(client: Client, world: World, path: Path, **fields: str) -> object:
    with path.open("rb") as handle:
        return client.post(
            "/api/v1/inventory/imports", {"file": handle, **fields}, **bearer(world, "unit_officer")
        )


@pytest.mark.parametrize(
    ("name", "assets", "components"),
    [
        ("host-linux-ubuntu.json", 1, None),
        ("host-windows-2019.json", 1, None),
        ("cyclonedx-min.json", 1, None),
        ("spdx-min.spdx", 1, None),
        ("nmap-min.xml", None, 0),
    ],
)
def test_upload_every_format(
    world: World, client: Client, name: str, assets: int | None, components: int | None
) -> None:
    response = upload(client, world, SAMPLES / name, unit="A")
    assert response.status_code == 200, response.content  # type: ignore[attr-defined]
    report = response.json()  # type: ignore[attr-defined]
    if assets is not None:
        assert report["assets"]["created"] == assets
    stored = Component.objects.filter(asset__unit__code="A").count()
    assert report["components"]["created"] == (components if components is not None else stored)
    again = upload(client, world, SAMPLES / name, unit="A").json()  # type: ignore[attr-defined]
    for kind in ("assets", "components", "services", "updates"):
        assert again[kind]["created"] == again[kind]["updated"] == 0, kind


def test_upload_errors_are_located_and_store_nothing(
    world: World, client: Client, tmp_path: Path
) -> None:
    broken = tmp_path / "host.json"
    broken.write_bytes((SAMPLES / "host-linux-ubuntu.json").read_bytes()[:300])
    response = upload(client, world, broken, unit="A")
    assert response.status_code == 422  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert body["code"] == "parse_error"
    assert body["extra"]["problems"][0]["path"] == "host.json"
    assert Asset.objects.count() == 0
    foreign = upload(client, world, SAMPLES / "host-linux-ubuntu.json", unit="B")
    assert foreign.status_code == 404  # type: ignore[attr-defined]
    assert Asset.objects.count() == 0


def test_dry_run_upload(world: World, client: Client) -> None:
    report = upload(
        client, world, SAMPLES / "host-linux-ubuntu.json", unit="A", dry_run="true"
    ).json()  # type: ignore[attr-defined]
    assert report["dry_run"] is True
    assert report["assets"]["created"] == 1
    assert Asset.objects.count() == 0


def test_system_crud_is_audited(world: World, client: Client) -> None:
    auth = bearer(world, "unit_manager")
    created = client.post(
        "/api/v1/inventory/systems",
        data=json.dumps(
            {
                "code": "PORTAL",
                "name": "Cổng thông tin",
                "owner_unit": "A",
                "proposed_level": 2,
                "user_count": 20000,
                "information_types": ["personal"],
            }
        ),
        content_type="application/json",
        **auth,
    )
    assert created.status_code == 201, created.content
    assert created.json()["owner_unit"] == "A"
    bad = client.patch(
        "/api/v1/inventory/systems/PORTAL",
        data=json.dumps({"system_type": "spaceship"}),
        content_type="application/json",
        **auth,
    )
    assert bad.status_code == 422
    assert bad.json()["extra"]["problems"][0]["path"] == "system_type"
    changed = client.patch(
        "/api/v1/inventory/systems/PORTAL",
        data=json.dumps({"approved_level": 3, "status": "live"}),
        content_type="application/json",
        **auth,
    )
    assert changed.json()["approved_level"] == 3
    quality = client.get("/api/v1/inventory/quality", **auth).json()
    assert {
        "system": "PORTAL",
        "code": "approval_without_decision",
        "severity": "warning",
        "message": quality[0]["message"],
    } in quality
    assert client.delete("/api/v1/inventory/systems/PORTAL", **auth).status_code == 204
    assert not InformationSystem.objects.exists()
    actions = list(
        AuditEvent.objects.filter(target_type="inventory.informationsystem")
        .order_by("sequence")
        .values_list("action", flat=True)
    )
    assert actions == [
        AuditAction.SYSTEM_SAVED,
        AuditAction.SYSTEM_SAVED,
        AuditAction.SYSTEM_DELETED,
    ]


def test_asset_crud_and_filters(world: World, client: Client) -> None:
    auth = bearer(world, "unit_officer")
    created = client.post(
        "/api/v1/inventory/assets",
        data=json.dumps(
            {
                "unit": "A",
                "key": "pc-01",
                "kind": "workstation",
                "ip_addresses": ["10.0.0.9"],
                "internet_facing": False,
            }
        ),
        content_type="application/json",
        **auth,
    )
    assert created.status_code == 201, created.content
    asset_id = created.json()["id"]
    duplicate = client.post(
        "/api/v1/inventory/assets",
        data=json.dumps({"unit": "A", "key": "pc-01", "kind": "workstation"}),
        content_type="application/json",
        **auth,
    )
    assert duplicate.status_code == 422
    listed = client.get("/api/v1/inventory/assets?kind=workstation&q=pc", **auth).json()
    assert [item["key"] for item in listed["items"]] == ["pc-01"]
    patched = client.patch(
        f"/api/v1/inventory/assets/{asset_id}",
        data=json.dumps({"criticality": "high"}),
        content_type="application/json",
        **auth,
    )
    assert patched.json()["criticality"] == "high"
    assert "manual" in patched.json()["sources"]
