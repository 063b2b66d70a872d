"""The demo province with letter 590/CATTT-NCSC (Spring4Shell) forwarded as 101/STTTT-ATTT,
and what the documents should say, read straight from the database."""

from __future__ import annotations

import io
import re
from datetime import date

from docx import Document
from pypdf import PdfReader

from canhgac.accounts.actors import SystemActor
from canhgac.accounts.models import Unit
from canhgac.advisories.models import WarningLetter
from canhgac.remediation.models import Task
from canhgac.remediation.services.forwarding import Forwarded, letter_forward
from canhgac.reports.models import RegisterEntry

ACTOR = SystemActor("test")
FORWARDED = "101/STTTT-ATTT"
ISSUER = "Sở Thông tin và Truyền thông"


def forward(
    original: str = "590/CATTT-NCSC",
    *,
    number: str = FORWARDED,
    units: list[str] | None = None,
    auto: bool = True,
) -> Forwarded:
    return letter_forward(
        by=ACTOR,
        original=WarningLetter.objects.get(number=original),
        number=number,
        issuer=ISSUER,
        issued_on=date(2022, 4, 2),
        due_date=date(2022, 4, 15),
        units=list(Unit.objects.filter(code__in=units or [])),
        auto=auto,
    )


def content(entry: RegisterEntry) -> bytes:
    with entry.file.open("rb") as handle:
        data: bytes = handle.read()
    return data


def docx_text(data: bytes) -> str:
    """Every paragraph of the document, in the body and in table cells, one per line."""
    document = Document(io.BytesIO(data))
    lines = [paragraph.text for paragraph in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                lines.extend(paragraph.text for paragraph in cell.paragraphs)
    return "\n".join(lines)


def docx_rows(data: bytes) -> list[list[str]]:
    """The cells of every table row of the document."""
    document = Document(io.BytesIO(data))
    return [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def squeezed(text: str) -> str:
    """Text without whitespace: PDF extraction breaks lines wherever the layout wrapped."""
    return re.sub(r"\s+", "", text)


def tasks_of(number: str = FORWARDED) -> list[Task]:
    return list(
        Task.objects.filter(letter__number=number).select_related("unit").order_by("unit__path")
    )


def world_reports() -> tuple[RegisterEntry, RegisterEntry]:
    """For the permission matrices, on the test world: unit A's report on its task of LETTER
    (DOCX) and the province-wide export of LETTER's lines (CSV). Made once."""
    from canhgac.accounts.tests.world import TEST_ACTOR
    from canhgac.remediation.tests.helpers import world_tasks
    from canhgac.reports.services import report_render

    task_a, _task_b = world_tasks()
    if not RegisterEntry.objects.exists():
        report_render(by=TEST_ACTOR, kind="unit_report", target=task_a, fmt="docx")
        report_render(by=TEST_ACTOR, kind="task_lines", target=task_a.letter, fmt="csv")
    return (
        RegisterEntry.objects.get(kind="unit_report"),
        RegisterEntry.objects.get(kind="task_lines"),
    )
