"""The exposure API: findings lists, details with explanations, triage and runs."""

from __future__ import annotations

import json

from django.test import Client

from canhgac.accounts.tests.world import World, bearer
from canhgac.exposure.models import Finding, TriageDecision


def _get(client: Client, world: World, role: str, path: str) -> dict:  # type: ignore[type-arg]
    response = client.get(path, **bearer(world, role))
    assert response.status_code == 200, response.content
    return response.json()  # type: ignore[no-any-return]


def _post(client: Client, world: World, role: str, path: str, body: dict) -> object:  # type: ignore[type-arg]
    return client.post(
        path, data=json.dumps(body), content_type="application/json", **bearer(world, role)
    )


def test_findings_are_listed_in_my_units_with_the_documented_keys(
    inventory_world: World, client: Client
) -> None:
    mine = _get(client, inventory_world, "unit_officer", "/api/v1/exposure/findings")
    assert mine["count"] == 1
    (item,) = mine["items"]
    assert item["asset"] == "dvc-web01.example.gov.vn"
    assert item["matched"] == {"kind": "os", "name": "dvc-web01.example.gov.vn", "version": ""}
    # in the installation's language (Vietnamese first)
    assert item["explanation"] == [
        "Phiên bản 5.3.17 nằm trong khoảng phiên bản bị ảnh hưởng < 5.3.18."
    ]
    everything = _get(client, inventory_world, "province_analyst", "/api/v1/exposure/findings")
    assert everything["count"] == 2
    filtered = _get(client, inventory_world, "province_analyst", "/api/v1/exposure/findings?unit=B")
    assert [item["asset"] for item in filtered["items"]] == ["hsba-app"]
    none = _get(
        client, inventory_world, "province_analyst", "/api/v1/exposure/findings?status=fixed"
    )
    assert none["count"] == 0


def test_triage_through_the_api_validates_and_remembers(
    inventory_world: World, client: Client
) -> None:
    finding = Finding.objects.get(asset__key="dvc-web01.example.gov.vn")
    path = f"/api/v1/exposure/findings/{finding.pk}/triage"
    refused = _post(
        client, inventory_world, "unit_officer", path, {"status": "not_affected", "reason": "x"}
    )
    assert refused.status_code == 422  # type: ignore[attr-defined]
    assert "justification" in refused.json()["message"]  # type: ignore[attr-defined]
    done = _post(
        client,
        inventory_world,
        "unit_officer",
        path,
        {
            "status": "not_affected",
            "reason": "Không có Spring MVC",
            "justification": "vulnerable_code_not_present",
        },
    )
    assert done.status_code == 200, done.content  # type: ignore[attr-defined]
    detail = done.json()  # type: ignore[attr-defined]
    assert detail["status"] == "not_affected"
    assert detail["decision"]["justification"] == "vulnerable_code_not_present"
    assert [event["kind"] for event in detail["history"]] == ["triaged"]
    assert TriageDecision.objects.count() == 1


def test_bulk_triage_and_summary(inventory_world: World, client: Client) -> None:
    ids = list(Finding.objects.order_by("pk").values_list("pk", flat=True))
    response = _post(
        client,
        inventory_world,
        "province_analyst",
        "/api/v1/exposure/findings/triage",
        {"ids": ids, "status": "in_remediation", "reason": "Đã giao nhiệm vụ"},
    )
    assert response.status_code == 200, response.content  # type: ignore[attr-defined]
    assert response.json() == {"updated": ids, "status": "in_remediation"}  # type: ignore[attr-defined]
    summary = _get(client, inventory_world, "province_analyst", "/api/v1/exposure/summary")
    assert summary["totals"]["active"] == 2
    assert summary["totals"]["p1"] == 2
    assert {unit["code"] for unit in summary["units"]} == {"A", "B"}
    mine = _get(client, inventory_world, "unit_officer", "/api/v1/exposure/summary")
    assert [unit["code"] for unit in mine["units"]] == ["A"]
