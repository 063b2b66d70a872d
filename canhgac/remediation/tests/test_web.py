"""Remediation in the web app: forwarding from the letter's page, the task page's forms, and the
evidence upload for every role (a file upload, so not in the generic POST matrix)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from canhgac.accounts.tests.world import ALL, ROLE_KEYS, SEES_A, World
from canhgac.advisories.models import WarningLetter
from canhgac.audit.enums import AuditAction
from canhgac.audit.models import AuditEvent
from canhgac.remediation.enums import ItemStatus, Origin
from canhgac.remediation.models import Evidence, ItemEvent, Task
from canhgac.remediation.tests.helpers import world_tasks

EDITS_A = frozenset({"province_admin", "province_analyst", "unit_manager", "unit_officer"})


@pytest.mark.parametrize("role", ROLE_KEYS)
def test_evidence_upload_matrix(inventory_world: World, client: Client, role: str) -> None:
    task_a, _task_b = world_tasks()
    client.force_login(inventory_world.users[role])
    before = Evidence.objects.count()
    denials = AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED).count()
    response = client.post(
        f"/remediation/tasks/{task_a.pk}/evidence/",
        {"file": SimpleUploadedFile("update.pdf", b"%PDF-1.7 update history"), "note": "KB"},
    )
    if role in EDITS_A:
        assert response.status_code == 302
        assert Evidence.objects.count() == before + 1
        return
    assert response.status_code == (404 if role in ALL - SEES_A else 403)
    assert Evidence.objects.count() == before
    assert AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED).count() == denials + 1


def test_a_renamed_executable_is_refused_with_its_name(
    inventory_world: World, client: Client
) -> None:
    task_a, _task_b = world_tasks()
    client.force_login(inventory_world.users["unit_officer"])
    response = client.post(
        f"/remediation/tasks/{task_a.pk}/evidence/",
        {"file": SimpleUploadedFile("report.pdf", b"MZ\x90\x00\x03")},
    )
    assert response.status_code == 422
    assert "report.pdf" in response.content.decode()
    assert not Evidence.objects.filter(name="report.pdf").exists()


def test_the_analyst_forwards_from_the_letter_page(inventory_world: World, client: Client) -> None:
    client.force_login(inventory_world.users["province_analyst"])
    letter = WarningLetter.objects.get(number="7/CATTT-NCSC")
    page = client.get(f"/advisories/warnings/{letter.pk}/").content.decode()
    assert _ticked(page) == {"A", "B"}  # both units have a host affected by its CVE
    response = client.post(
        f"/advisories/warnings/{letter.pk}/",
        {
            "number": "9/STTTT-ATTT",
            "issuer": "Sở Thông tin và Truyền thông",
            "issued_on": "03/04/2022",
            "due_date": "15/04/2022",
            "units": ["A", "ROOT"],  # A proposed by matching (B left out), the committee added
        },
    )
    assert response.status_code == 302
    forwarded = WarningLetter.objects.get(number="9/STTTT-ATTT")
    origins = dict(Task.objects.filter(letter=forwarded).values_list("unit__code", "origin"))
    assert origins == {"A": Origin.MATCHED, "ROOT": Origin.ADDED}
    cascade = client.get(f"/advisories/warnings/{forwarded.pk}/").content.decode()
    assert 'data-testid="cascade-table"' in cascade
    assert f"/remediation/tasks/{Task.objects.get(letter=forwarded, unit__code='A').pk}/" in cascade


def _ticked(page: str) -> set[str]:
    boxes = re.findall(r'<input type="checkbox" name="units" value="([^"]+)"([^>]*)>', page)
    return {value for value, rest in boxes if "checked" in rest}


def _declare(client: Client, task: Task, values: list[str], **data: Any) -> Any:
    return client.post(f"/remediation/tasks/{task.pk}/declare/", {"item": values, **data})


def test_declaring_on_a_stale_page_keeps_the_other_officers_change(
    inventory_world: World, client: Client
) -> None:
    task_a, _task_b = world_tasks()
    item = task_a.items.get()
    seen = f"{item.pk}:{item.revision}"
    client.force_login(inventory_world.users["unit_officer"])
    first = _declare(
        client, task_a, [seen], status="not_fixed", reason="Chờ bảo trì", plan_date="20/04/2022"
    )
    assert first.status_code == 302
    client.force_login(inventory_world.users["unit_manager"])  # opened the page before
    second = _declare(client, task_a, [seen], status="patched")
    assert second.status_code == 422
    assert item.asset_name in second.content.decode()
    item.refresh_from_db()
    assert item.status == ItemStatus.NOT_FIXED
    assert ItemEvent.objects.filter(item=item, kind=ItemEvent.Kind.DECLARED).count() == 1


def test_missing_reason_is_shown_on_the_field(inventory_world: World, client: Client) -> None:
    task_a, _task_b = world_tasks()
    item = task_a.items.get()
    client.force_login(inventory_world.users["unit_officer"])
    response = _declare(client, task_a, [f"{item.pk}:{item.revision}"], status="not_affected")
    assert response.status_code == 422
    item.refresh_from_db()
    assert item.status == ItemStatus.NOT_REVIEWED
    page = client.get(f"/remediation/tasks/{task_a.pk}/")
    assert page.status_code == 200
