"""Remediation rows for the permission matrices, on the test world (`inventory_world`)."""

from __future__ import annotations

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile

from canhgac.accounts.models import Unit
from canhgac.accounts.tests.world import TEST_ACTOR
from canhgac.advisories.models import WarningLetter
from canhgac.remediation.models import Campaign, Task
from canhgac.remediation.services.campaigns import campaign_create
from canhgac.remediation.services.declarations import evidence_attach
from canhgac.remediation.services.forwarding import letter_forward

LETTER, LETTER_TO_A = "1/STTTT-ATTT", "2/STTTT-ATTT"
CAMPAIGN = "tet-2099"


def world_tasks() -> tuple[Task, Task]:
    """The world's letter 7/CATTT-NCSC forwarded as LETTER to A and B (both have a host
    affected by its CVE) and as LETTER_TO_A to A only; an evidence file on A's task of LETTER.
    Made once; returns A's and B's tasks of LETTER."""
    if not Task.objects.exists():
        original = WarningLetter.objects.get(number="7/CATTT-NCSC")
        for number, units, auto in ((LETTER, [], True), (LETTER_TO_A, ["A"], False)):
            letter_forward(
                by=TEST_ACTOR,
                original=original,
                number=number,
                issuer="Sở Thông tin và Truyền thông",
                issued_on=date(2022, 4, 3),
                due_date=date(2022, 4, 15),
                units=list(Unit.objects.filter(code__in=units)),
                auto=auto,
            )
        evidence_attach(
            by=TEST_ACTOR,
            task=Task.objects.get(unit__code="A", letter__number=LETTER),
            upload=SimpleUploadedFile("kb.txt", b"KB5012599 installed"),
        )
    return (
        Task.objects.get(unit__code="A", letter__number=LETTER),
        Task.objects.get(unit__code="B", letter__number=LETTER),
    )


def world_campaign() -> Campaign:
    """A campaign over units A and B, naming the world's letter (made once)."""
    campaign = Campaign.objects.filter(code=CAMPAIGN).first()
    if campaign is None:
        campaign = campaign_create(
            by=TEST_ACTOR,
            code=CAMPAIGN,
            name="Tết Dương lịch",
            starts_on=date(2099, 1, 1),
            ends_on=date(2099, 1, 1),
            letters=[WarningLetter.objects.get(number="7/CATTT-NCSC")],
            units=list(Unit.objects.filter(code__in=["A", "B"])),
        )
    return campaign
