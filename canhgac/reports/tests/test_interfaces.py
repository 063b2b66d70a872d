"""The API and the web pages of reports, on the demo province (the CLI: cli/tests)."""

from __future__ import annotations

import hashlib
import json

from django.test import Client

from canhgac.accounts.actors import SystemActor
from canhgac.accounts.models import User
from canhgac.accounts.services.tokens import token_create
from canhgac.advisories.models import WarningLetter
from canhgac.remediation.models import Task
from canhgac.reports.models import RegisterEntry
from canhgac.reports.tests.helpers import FORWARDED, content, forward


def _bearer(username: str) -> dict[str, str]:
    _token, raw = token_create(
        by=SystemActor("test"), user=User.objects.get(username=username), name="reports"
    )
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_api_renders_lists_and_downloads(demo: None, client: Client) -> None:
    forward()
    admin = _bearer("admin")
    created = client.post(
        "/api/v1/reports",
        data=json.dumps(
            {"kind": "unit_report", "letter": FORWARDED, "unit": "TT-CNTT", "format": "pdf"}
        ),
        content_type="application/json",
        **admin,
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["number"] == "1/BC-TT-CNTT"
    assert body["unit"] == "TT-CNTT"
    assert body["download"] == f"/api/v1/reports/{body['id']}/file"
    listed = client.get("/api/v1/reports", **admin).json()
    assert listed["count"] == 1
    assert listed["items"][0]["id"] == body["id"]
    downloaded = client.get(body["download"], **admin)
    assert downloaded.status_code == 200
    assert downloaded["Content-Disposition"] == 'attachment; filename="bao-cao-1-BC-TT-CNTT.pdf"'
    assert downloaded["Content-Type"] == "application/pdf"
    data = b"".join(downloaded.streaming_content)  # type: ignore[attr-defined]
    assert hashlib.sha256(data).hexdigest() == body["sha256"]
    officer = _bearer("yte.canbo")  # Sở Y tế: not its task
    assert client.get(body["download"], **officer).status_code == 404
    assert client.get("/api/v1/reports", **officer).json()["count"] == 0
    refused = client.post(
        "/api/v1/reports",
        data=json.dumps({"kind": "forwarding_letter", "letter": FORWARDED, "format": "docx"}),
        content_type="application/json",
        **officer,
    )
    assert refused.status_code == 403
    assert RegisterEntry.objects.count() == 1


def test_web_buttons_render_register_and_download(demo: None, client: Client) -> None:
    letter = forward().letter
    task = Task.objects.get(letter=letter, unit__code="TT-CNTT")
    client.force_login(User.objects.get(username="admin"))
    page = client.get(f"/advisories/warnings/{letter.pk}/").content.decode()
    for label in (
        'data-testid="letter-docx"',
        'data-testid="letter-pdf"',
        'data-testid="lines-csv"',
        'data-testid="lines-xlsx"',
    ):
        assert label in page
    original = WarningLetter.objects.get(number="590/CATTT-NCSC")
    assert (
        'data-testid="letter-docx"'
        not in client.get(f"/advisories/warnings/{original.pk}/").content.decode()
    )
    response = client.post(
        f"/advisories/warnings/{letter.pk}/report/", {"kind": "task_lines", "format": "xlsx"}
    )
    entry = RegisterEntry.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/reports/{entry.pk}/file/"
    downloaded = client.get(response["Location"])
    assert downloaded["Content-Disposition"].startswith("attachment;")
    assert b"".join(downloaded.streaming_content) == content(entry)  # type: ignore[attr-defined]
    assert (
        'data-testid="report-pdf"' in client.get(f"/remediation/tasks/{task.pk}/").content.decode()
    )
    response = client.post(f"/remediation/tasks/{task.pk}/report/", {"format": "pdf"})
    assert response.status_code == 302
    register = client.get("/reports/").content.decode()
    assert "1/BC-TT-CNTT" in register
    assert entry.name in register
    bad = client.post(f"/remediation/tasks/{task.pk}/report/", {"format": "csv"})
    assert bad.status_code == 302
    assert bad["Location"] == f"/remediation/tasks/{task.pk}/"
    assert RegisterEntry.objects.count() == 2


def test_unit_officers_see_no_letter_buttons(demo: None, client: Client) -> None:
    letter = forward().letter
    client.force_login(User.objects.get(username="yte.canbo"))
    page = client.get(f"/advisories/warnings/{letter.pk}/").content.decode()
    assert 'data-testid="letter-documents"' not in page
