"""Files attached to warning letters: who may attach (web and API), who may download."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from canhgac.accounts.tests.world import ALL, ROLE_KEYS, World
from canhgac.advisories.models import WarningAttachment, WarningLetter
from canhgac.audit.enums import AuditAction
from canhgac.audit.models import AuditEvent

WRITERS = frozenset({"province_admin", "province_analyst"})
PDF = b"%PDF-1.4\n% a scanned warning letter\n%%EOF\n"


def letter() -> WarningLetter:
    return WarningLetter.objects.get(number="7/CATTT-NCSC")


def upload(name: str = "674-CATTT-NCSC.pdf", content: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def denials() -> int:
    return AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED).count()


@pytest.mark.parametrize("role", ROLE_KEYS)
def test_attach_from_the_web(inventory_world: World, client: Client, role: str) -> None:
    client.force_login(inventory_world.users[role])
    before = denials()
    response = client.post(f"/advisories/warnings/{letter().pk}/attach/", {"file": upload()})
    if role in WRITERS:
        assert response.status_code == 302
        stored = WarningAttachment.objects.get()
        assert (stored.name, stored.size) == ("674-CATTT-NCSC.pdf", len(PDF))
        assert stored.sha256 == hashlib.sha256(PDF).hexdigest()
        assert stored.uploaded_by == role
        event = AuditEvent.objects.filter(action=AuditAction.ATTACHMENT_ADDED).get()
        assert event.parameters["sha256"] == stored.sha256
    else:
        assert response.status_code == 403
        assert not WarningAttachment.objects.exists()
        assert denials() == before + 1


@pytest.mark.parametrize("role", ROLE_KEYS)
def test_attach_through_the_api(inventory_world: World, client: Client, role: str) -> None:
    before = denials()
    response = client.post(
        f"/api/v1/advisories/warnings/{letter().pk}/attachments",
        {"file": upload()},
        HTTP_AUTHORIZATION=f"Bearer {inventory_world.tokens[role]}",
    )
    if role in WRITERS:
        assert response.status_code == 201, response.content
        assert response.json()["sha256"] == hashlib.sha256(PDF).hexdigest()
    else:
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
        assert not WarningAttachment.objects.exists()
        assert denials() == before + 1


@pytest.fixture
def attached(inventory_world: World, client: Client) -> WarningAttachment:
    client.force_login(inventory_world.users["province_analyst"])
    client.post(f"/advisories/warnings/{letter().pk}/attach/", {"file": upload()})
    client.logout()
    return WarningAttachment.objects.get()


@pytest.mark.parametrize("role", ROLE_KEYS)
def test_everyone_with_a_role_downloads(
    inventory_world: World, attached: WarningAttachment, client: Client, role: str
) -> None:
    assert role in ALL
    client.force_login(inventory_world.users[role])
    pk = letter().pk
    token = {"HTTP_AUTHORIZATION": f"Bearer {inventory_world.tokens[role]}"}
    for path, extra in (
        (f"/advisories/warnings/{pk}/attachments/{attached.pk}/", {}),
        (f"/api/v1/advisories/warnings/{pk}/attachments/{attached.pk}", token),
    ):
        response = client.get(path, **extra)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Disposition"] == 'attachment; filename="674-CATTT-NCSC.pdf"'
        assert response["X-Content-Type-Options"] == "nosniff"
    page = client.get(f"/advisories/warnings/{pk}/").content.decode()
    assert "674-CATTT-NCSC.pdf" in page
    assert ('data-testid="attach-submit"' in page) is (role in WRITERS)


def test_attachment_of_another_letter_or_anonymous_is_not_served(
    inventory_world: World, attached: WarningAttachment, client: Client
) -> None:
    assert (
        client.get(f"/advisories/warnings/{letter().pk}/attachments/{attached.pk}/").status_code
        == 302
    )
    client.force_login(inventory_world.users["province_admin"])
    other = letter().pk + 1000
    assert client.get(f"/advisories/warnings/{other}/attachments/{attached.pk}/").status_code == 404


def test_wrong_kind_of_file_and_the_same_file_twice(
    inventory_world: World, attached: WarningAttachment, client: Client
) -> None:
    client.force_login(inventory_world.users["province_admin"])
    pk = letter().pk
    response = client.post(f"/advisories/warnings/{pk}/attach/", {"file": upload("run.exe")})
    assert response.status_code == 422
    assert "run.exe: a warning letter takes .csv, .doc, .docx" in response.content.decode()
    again = client.post(f"/advisories/warnings/{pk}/attach/", {"file": upload("copy.pdf")})
    assert again.status_code == 422
    assert "copy.pdf: this file is already attached to 7/CATTT-NCSC" in again.content.decode()
    assert WarningAttachment.objects.count() == 1
