"""The campaign status report says what the board and the tasks say: figures, one row per unit
with its readiness, one row per forwarded letter, and the readiness chart (DOCX picture, PDF
drawing), read back from the DOCX (python-docx) and the PDF (pypdf text)."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from PIL import Image

from canhgac.accounts.actors import SystemActor
from canhgac.accounts.models import Unit, User
from canhgac.advisories.models import WarningLetter
from canhgac.core.exceptions import PermissionDeniedError
from canhgac.remediation.board import board_summary, campaign_board
from canhgac.remediation.models import Campaign
from canhgac.remediation.services.campaigns import campaign_create, readiness_answer
from canhgac.reports.charts import Bar, bar_chart
from canhgac.reports.services import report_render
from canhgac.reports.tests.helpers import (
    ACTOR,
    content,
    docx_rows,
    docx_text,
    forward,
    pdf_text,
    squeezed,
    tasks_of,
)


@pytest.fixture
def campaign(demo: None) -> Campaign:
    """The 30/4 campaign naming 590 (forwarded as 101/STTTT-ATTT); Sở Y tế answered two items."""
    forward()
    campaign = campaign_create(
        by=ACTOR,
        code="le-30-4-2022",
        name="Lễ 30/4 - 1/5/2022",
        starts_on=date(2099, 4, 30),
        ends_on=date(2099, 5, 3),
        letters=[WarningLetter.objects.get(number="590/CATTT-NCSC")],
    )
    officer = User.objects.get(username="yte.canbo")
    health = Unit.objects.get(code="SO-YT")
    for key in ("backups_checked", "malware_sweep"):
        readiness_answer(by=officer, campaign=campaign, unit=health, key=key, done=True)
    return campaign


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_the_campaign_report_says_what_the_board_says(campaign: Campaign, fmt: str) -> None:
    entry = report_render(by=ACTOR, kind="campaign_report", target=campaign, fmt=fmt)
    assert entry.number == "1/STTTT-ATTT"
    rows = campaign_board(user=SystemActor("test"), campaign=campaign)
    summary = board_summary(rows, campaign)
    data = content(entry)
    text = docx_text(data) if fmt == "docx" else pdf_text(data)
    flat = squeezed(text)
    for phrase in (
        "Số: 1/STTTT-ATTT",
        "Lễ 30/4 - 1/5/2022",
        "30/04/2099",
        f"Số cơ quan, đơn vị trong phạm vi {summary['units']}",
        f"Số đơn vị đã sẵn sàng (100%) {summary['ready']}",
        f"Mức sẵn sàng trung bình {summary['average']}%",
    ):
        assert squeezed(phrase) in flat, phrase
    for row in rows:
        done = sum(state.done for state in row.checks)
        assert squeezed(f"{row.unit.name} {row.readiness}% {done}/{len(row.checks)}") in flat
    tasks = tasks_of()
    acknowledged = sum(task.acknowledged_at is not None for task in tasks)
    hosts = sum(task.items.count() for task in tasks)
    assert squeezed(f"101/STTTT-ATTT {len(tasks)} {acknowledged} {hosts}") in flat
    if fmt == "docx":
        units = [r for r in docx_rows(data) if r[1] in {row.unit.name for row in rows}]
        assert len(units) == len(rows)
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            media = [name for name in archive.namelist() if name.startswith("word/media/")]
            assert len(media) == 1  # the readiness chart
            chart = Image.open(io.BytesIO(archive.read(media[0])))
            assert chart.width > 1000


def test_only_the_province_issues_it(campaign: Campaign) -> None:
    with pytest.raises(PermissionDeniedError):
        report_render(
            by=User.objects.get(username="yte.canbo"),
            kind="campaign_report",
            target=campaign,
            fmt="pdf",
        )


def test_an_empty_campaign_renders(demo: None) -> None:
    empty = campaign_create(
        by=ACTOR,
        code="empty",
        name="Không đơn vị",
        starts_on=date(2099, 1, 1),
        ends_on=date(2099, 1, 1),
        units=[],
    )
    for fmt in ("docx", "pdf"):
        entry = report_render(by=ACTOR, kind="campaign_report", target=empty, fmt=fmt)
        text = docx_text(content(entry)) if fmt == "docx" else pdf_text(content(entry))
        assert "chưa được chuyển tiếp" in text


def test_the_chart_draws_one_bar_per_unit() -> None:
    picture = bar_chart([Bar("Sở Y tế", 50), Bar("Sở Tài chính", 100), Bar("Bệnh viện", 0)])
    assert picture.svg.count("<rect") == 3
    assert "Sở Y tế" in picture.svg
    image = Image.open(io.BytesIO(picture.png))
    assert image.size == ((260 + 330 + 60) * 2, (10 * 2 + 26 * 3) * 2)
