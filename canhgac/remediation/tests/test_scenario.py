"""The issue's scenario, end to end through the API, on the demo province.

Import Microsoft's April 2022 CVRF and the Spring4Shell NVD record from the shared samples;
create the AIS warnings for April 2022 and Spring4Shell; forward them; the proposed units are
the units whose demo hosts are affected; every recipient is notified; one unit's host is
updated (collector JSON) to a patched build; after matching its task shows the host verified;
the campaign naming both warnings is reported, and the report's numbers equal the database.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from canhgac.accounts.actors import SystemActor
from canhgac.accounts.models import User
from canhgac.accounts.services.tokens import token_create
from canhgac.core import clock
from canhgac.demo.loader import demo_load
from canhgac.duty.models import Delivery, Notification
from canhgac.exposure.enums import ACTIVE_STATUSES
from canhgac.exposure.models import Finding
from canhgac.reports.tests.helpers import pdf_text, squeezed

APRIL = ["CVE-2022-26809", "CVE-2022-24491", "CVE-2022-24497", "CVE-2022-26904", "CVE-2022-24521"]
SPRING = ["CVE-2022-22965"]


def _token(username: str) -> dict[str, str]:
    user = User.objects.get(username=username)
    _token, raw = token_create(by=SystemActor("test"), user=user, name="scenario")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def _affected_units(cves: list[str]) -> set[str]:
    return set(
        Finding.objects.filter(
            vulnerability__cve_id__in=cves, status__in=list(ACTIVE_STATUSES)
        ).values_list("unit__code", flat=True)
    )


def _patched_workstation(tmp_path: Path) -> Path:
    """syt-pc-015 (Windows 10 21H2, Sở Y tế) after the April 2022 update: build 19044.1645."""
    document = {
        "schema": "canhgac-host-inventory",
        "schema_version": "1.0",
        "collected_at": clock.now().strftime("%Y-%m-%dT%H:%M:%SZ"),  # newer than the demo's
        "collector": {"name": "canhgac-collect.ps1", "version": "1.0.0"},
        "hostname": "SYT-PC-015",
        "ip_addresses": ["10.60.2.15"],
        "os": {
            "family": "windows",
            "name": "Microsoft Windows 10 Pro",
            "version": "10.0.19044",
            "build": "10.0.19044.1645",
            "current_build": "19044",
            "ubr": 1645,
            "display_version": "21H2",
            "product_name": "Windows 10 Pro",
            "edition_id": "Professional",
            "product_type": 1,
            "architecture": "64-bit",
        },
        "programs": [
            {
                "name": "Microsoft Office Professional Plus 2019",
                "version": "16.0.10385.20027",
                "publisher": "Microsoft Corporation",
            },
            {"name": "Google Chrome", "version": "100.0.4896.127", "publisher": "Google LLC"},
        ],
        "updates": [
            {"kb": "KB5011487", "installed_on": "2022-03-10", "description": "Security Update"},
            {"kb": "KB5012599", "installed_on": "2022-04-13", "description": "Security Update"},
        ],
        "listening": [],
    }
    path = tmp_path / "syt-pc-015.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def _post(client: Client, url: str, body: Any, token: dict[str, str]) -> Any:
    response = client.post(url, json.dumps(body), content_type="application/json", **token)
    assert response.status_code in (200, 201, 202), response.content
    return response.json()


@pytest.mark.django_db(transaction=False)
def test_warning_to_verified_fix_through_the_api(
    samples_dir: Path,
    tmp_path: Path,
    client: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    demo_load()
    analyst, officer = _token("phantich"), _token("yte.canbo")
    for path in (
        samples_dir / "advisories" / "msrc-cvrf" / "cvrfDocument-2022-Apr.xml",
        samples_dir / "advisories" / "nvd" / "CVE-2022-22965.json",
    ):
        with path.open("rb") as handle:
            response = client.post("/api/v1/advisories/imports", {"file": handle}, **analyst)
        assert response.status_code == 200, response.content
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, "/api/v1/exposure/match", {"full": True}, analyst)

    letters = {}
    for number, title, cves in (
        ("700/CATTT-NCSC", "Lỗ hổng trong sản phẩm Microsoft tháng 4/2022", APRIL),
        ("701/CATTT-NCSC", "Lỗ hổng Spring4Shell", SPRING),
    ):
        letters[number] = _post(
            client,
            "/api/v1/advisories/warnings",
            {
                "number": number,
                "issuer": "Cục An toàn thông tin",
                "issued_on": "2022-04-14",
                "title": title,
                "cves_critical": cves,
            },
            analyst,
        )
    forwarded: dict[str, int] = {}
    for number, cves, own in (
        ("700/CATTT-NCSC", APRIL, "210/STTTT-ATTT"),
        ("701/CATTT-NCSC", SPRING, "211/STTTT-ATTT"),
    ):
        pk = letters[number]["id"]
        proposals = client.get(f"/api/v1/remediation/warnings/{pk}/proposals", **analyst).json()
        expected = _affected_units(cves)
        assert expected  # the demo has hosts affected by both letters
        assert {proposal["unit"] for proposal in proposals} == expected
        with django_capture_on_commit_callbacks(execute=True):
            letter = _post(
                client,
                f"/api/v1/advisories/warnings/{pk}/forward",
                {
                    "number": own,
                    "issuer": "Sở Thông tin và Truyền thông",
                    "issued_on": "2022-04-15",
                    "due_date": "2022-04-25",
                },
                analyst,
            )
        forwarded[own] = letter["id"]
        cascade = client.get(
            f"/api/v1/remediation/warnings/{letter['id']}/cascade", **analyst
        ).json()
        assert {row["unit"] for row in cascade} == expected
        assert all(row["status"] == "new" for row in cascade)
        for code in expected:  # every recipient was told, in-app and by email
            notification = Notification.objects.get(
                kind="remediation.task_opened", unit__code=code, subject__contains=own
            )
            assert not Delivery.objects.filter(notification=notification, status="pending")

    # the health department's officer sees only the tasks of Sở Y tế
    tasks = client.get("/api/v1/remediation/tasks", **officer).json()["items"]
    assert {task["unit"] for task in tasks} == {"SO-YT"}
    task = next(task for task in tasks if task["letter"] == "210/STTTT-ATTT")
    detail = _post(client, f"/api/v1/remediation/tasks/{task['id']}/acknowledge", {}, officer)
    line = next(line for line in detail["lines"] if line["asset"].startswith("Máy trạm"))
    assert line["verification"] == "matched"
    declared = _post(
        client,
        f"/api/v1/remediation/tasks/{task['id']}/declare",
        {"items": [{"id": line["id"], "revision": line["revision"]}], "status": "patched"},
        officer,
    )
    assert next(li for li in declared["lines"] if li["id"] == line["id"])["unverified_claim"]

    # the host's collector reports the April update: matching no longer finds the CVEs
    with _patched_workstation(tmp_path).open("rb") as handle:
        response = client.post(
            "/api/v1/inventory/imports", {"file": handle, "unit": "SO-YT"}, **officer
        )
    assert response.status_code == 200, response.content
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, "/api/v1/exposure/match", {"unit": "SO-YT"}, officer)
    after = client.get(f"/api/v1/remediation/tasks/{task['id']}", **officer).json()
    patched = next(li for li in after["lines"] if li["id"] == line["id"])
    assert patched["verification"] == "verified"
    assert patched["matched"] == []
    assert not patched["unverified_claim"]
    assert after["progress"]["verified"] >= 1
    # the analyst's cascade map shows the unit's progress
    cascade = client.get(
        f"/api/v1/remediation/warnings/{forwarded['210/STTTT-ATTT']}/cascade", **analyst
    ).json()
    health = next(row for row in cascade if row["unit"] == "SO-YT")
    assert health["acknowledged_at"] is not None
    assert health["progress"] == after["progress"]

    # the campaign naming both warnings, reported to the committee (PDF through the API)
    campaign = _post(
        client,
        "/api/v1/remediation/campaigns",
        {
            "code": "le-30-4-2022",
            "name": "Lễ 30/4 - 1/5/2022",
            "starts_on": "2022-04-30",
            "ends_on": "2022-05-03",
            "prepare_by": "2022-04-29",
            "letters": ["700/CATTT-NCSC", "701/CATTT-NCSC"],
        },
        analyst,
    )
    board = client.get(f"/api/v1/remediation/campaigns/{campaign['code']}", **analyst).json()
    entry = _post(
        client,
        "/api/v1/reports",
        {"kind": "campaign_report", "campaign": campaign["code"], "format": "pdf"},
        analyst,
    )
    document = client.get(f"/api/v1/reports/{entry['id']}/file", **analyst)
    assert document["Content-Disposition"].startswith("attachment")
    text = squeezed(pdf_text(b"".join(document.streaming_content)))
    for row in board["units"]:
        done = sum(check["done"] for check in row["checks"])
        assert squeezed(f"{row['unit_name']} {row['readiness']}% {done}/6") in text
    for number in ("210/STTTT-ATTT", "211/STTTT-ATTT"):
        rows = client.get(f"/api/v1/remediation/warnings/{forwarded[number]}/cascade", **analyst)
        tasks = rows.json()
        acknowledged = sum(task["acknowledged_at"] is not None for task in tasks)
        hosts = sum(task["progress"]["hosts"] for task in tasks)
        verified = sum(task["progress"]["verified"] for task in tasks)
        line = f"{number} {len(tasks)} {acknowledged} {hosts} {verified}"
        assert squeezed(line) in text, line
