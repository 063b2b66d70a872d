"""Warning letters through the API: create in Vietnamese, forward, cite CVEs, bad input."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from canhgac.accounts.tests.world import World
from canhgac.advisories.models import WarningLetter


def post(client: Client, world: World, path: str, body: dict[str, Any]) -> Any:
    return client.post(
        path,
        data=json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {world.tokens['province_analyst']}",
    )


LETTER = {
    "number": "1096/CATTT-NCSC",
    "issuer": "Cục An toàn thông tin",
    "issued_on": "2022-04-14",
    "title": "Cảnh báo lỗ hổng Spring4Shell ảnh hưởng nghiêm trọng",
    "required_actions": "Rà soát, cập nhật Spring Framework lên 5.3.18 hoặc 5.2.20.",
    "due_date": "2022-04-30",
    "exploited": True,
    "public_exploit": True,
    "cves_critical": ["cve-2022-22965"],
    "cves_high": ["CVE-2022-22963"],
}


def test_create_forward_and_read(world: World, client: Client) -> None:
    created = post(client, world, "/api/v1/advisories/warnings", LETTER)
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["title"] == LETTER["title"]
    assert body["cves"] == [
        {"cve": "CVE-2022-22965", "severity": "critical"},
        {"cve": "CVE-2022-22963", "severity": "high"},
    ]
    forwarded = post(
        client,
        world,
        f"/api/v1/advisories/warnings/{body['id']}/forward",
        {"number": "412/STTTT-CNTT", "issuer": "Sở TT&TT", "issued_on": "2022-04-15"},
    )
    assert forwarded.status_code == 201, forwarded.content
    assert forwarded.json()["forwarded_from"] == "1096/CATTT-NCSC"
    assert [c["cve"] for c in forwarded.json()["cves"]] == ["CVE-2022-22965", "CVE-2022-22963"]
    read = client.get(
        f"/api/v1/advisories/warnings/{body['id']}",
        HTTP_AUTHORIZATION=f"Bearer {world.tokens['unit_officer']}",
    ).json()
    assert read["forwards"] == ["412/STTTT-CNTT"]
    listed = client.get(
        "/api/v1/advisories/warnings?q=cve-2022-22965",
        HTTP_AUTHORIZATION=f"Bearer {world.tokens['other_unit']}",
    ).json()
    assert [item["number"] for item in listed["items"]] == ["412/STTTT-CNTT", "1096/CATTT-NCSC"]
    cited = client.get(
        "/api/v1/advisories/vulnerabilities/CVE-2022-22965",
        HTTP_AUTHORIZATION=f"Bearer {world.tokens['unit_officer']}",
    ).json()
    assert {w["number"] for w in cited["warnings"]} == {"1096/CATTT-NCSC", "412/STTTT-CNTT"}


def test_bad_input(world: World, client: Client) -> None:
    bad = post(client, world, "/api/v1/advisories/warnings", {**LETTER, "cves_high": ["nope"]})
    assert bad.status_code == 422
    assert bad.json()["message"] == "not CVE identifiers: NOPE"
    assert post(client, world, "/api/v1/advisories/warnings", LETTER).status_code == 201
    again = post(client, world, "/api/v1/advisories/warnings", LETTER)
    assert again.status_code == 409
    assert again.json()["extra"] == {"field": "number"}
    missing = post(client, world, "/api/v1/advisories/warnings", {"number": "x"})
    assert missing.status_code == 422
    assert WarningLetter.objects.count() == 1
