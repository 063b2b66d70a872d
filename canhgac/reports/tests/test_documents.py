"""The documents say what the database says: the forwarding letter of 651/CATTT-NCSC (Microsoft,
April 2022) as 102/STTTT-ATTT, and the report of Sở Y tế's task, read back from the DOCX
(python-docx) and the PDF (pypdf text)."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import date

import pytest
from openpyxl import load_workbook

from canhgac.advisories.models import WarningLetter
from canhgac.core import clock
from canhgac.inventory.models import InformationSystem
from canhgac.remediation.enums import ItemStatus, Verification
from canhgac.remediation.models import Item, Task
from canhgac.remediation.services.declarations import items_declare
from canhgac.reports.kinds.common import SEVERITY_WORDS, STATUS_WORDS
from canhgac.reports.kinds.task_lines import COLUMNS
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

MICROSOFT = "102/STTTT-ATTT"


@pytest.fixture
def letter(demo: None) -> WarningLetter:
    """651 forwarded to its affected units; Sở Tài chính declares its host patched."""
    forwarded = forward("651/CATTT-NCSC", number=MICROSOFT)
    task = Task.objects.get(letter=forwarded.letter, unit__code="SO-TC")
    item = task.items.get()
    items_declare(
        by=ACTOR, task=task, revisions={item.pk: item.revision}, status=ItemStatus.PATCHED
    )
    return forwarded.letter


@pytest.fixture
def health_task(letter: WarningLetter) -> Task:
    """Sở Y tế's task with three hosts: the matched one declared not fixed (with a plan), one
    added by hand declared not affected, one declared patched that matching still sees."""
    task = Task.objects.get(letter=letter, unit__code="SO-YT")
    now = clock.now()
    system = InformationSystem.objects.filter(owner_unit=task.unit).order_by("code").first()
    Item.objects.create(
        task=task,
        asset_name="syt-mail",
        system=system,
        verification=Verification.UNMATCHED,
        created_at=now,
    )
    Item.objects.create(
        task=task,
        asset_name="syt-web",
        system=system,
        verification=Verification.MATCHED,
        matched=["CVE-2022-26809"],
        created_at=now,
    )
    items = {item.asset_name: item for item in task.items.all()}
    for name, status, reason, plan in (
        ("syt-mail", ItemStatus.NOT_AFFECTED, "Không dùng dịch vụ RPC", None),
        ("syt-web", ItemStatus.PATCHED, "", None),
    ):
        item = items[name]
        items_declare(
            by=ACTOR,
            task=task,
            revisions={item.pk: item.revision},
            status=status,
            reason=reason,
            plan_date=plan,
        )
    matched = next(item for name, item in items.items() if name not in {"syt-mail", "syt-web"})
    items_declare(
        by=ACTOR,
        task=task,
        revisions={matched.pk: matched.revision},
        status=ItemStatus.NOT_FIXED,
        reason="Chờ cửa sổ bảo trì",
        plan_date=date(2022, 4, 23),
    )
    return task


def _hosts(letter: WarningLetter) -> list[Item]:
    return list(Item.objects.filter(task__letter=letter).select_related("task__unit", "system"))


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_forwarding_letter_says_what_the_database_says(letter: WarningLetter, fmt: str) -> None:
    entry = report_render(by=ACTOR, kind="forwarding_letter", target=letter, fmt=fmt)
    data = content(entry)
    text = docx_text(data) if fmt == "docx" else pdf_text(data)
    flat = squeezed(text)
    original = letter.forwarded_from
    assert original is not None
    citations = list(letter.cves.select_related("vulnerability"))
    hosts = _hosts(letter)
    assert len(citations) == 7
    assert {item.task.unit.code for item in hosts} == {"TT-CNTT", "SO-TC", "SO-YT", "BV-DK"}
    expected = [
        f"Số: {MICROSOFT}",
        "Thanh Vân, ngày 02 tháng 4 năm 2022",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "UBND TỈNH THANH VÂN",
        "SỞ THÔNG TIN VÀ TRUYỀN THÔNG",
        f"Văn bản số {original.number}",
        original.issued_on.strftime("%d/%m/%Y"),
        "trước ngày 15/04/2022",
        f"4 cơ quan, đơn vị có {len(hosts)} máy chủ",
        "Lưu: VT, ATTT.",
        "KT. GIÁM ĐỐC",
        "PHÓ GIÁM ĐỐC",
        "Phụ lục",
        *(task.unit.name for task in tasks_of(MICROSOFT)),
        *(item.asset_name for item in hosts),
        *(cited.vulnerability.cve_id for cited in citations),
    ]
    for phrase in expected:
        assert squeezed(phrase) in flat, phrase
    assert "{{" not in text
    assert "{%" not in text
    assert entry.number == MICROSOFT
    if fmt == "docx":
        rows = docx_rows(data)
        cited_rows = {row[1]: row[2] for row in rows if row[1].startswith("CVE-")}
        assert cited_rows == {
            cited.vulnerability.cve_id: SEVERITY_WORDS[cited.severity] for cited in citations
        }
        annex = {row[2]: row[3] for row in rows if len(row) == 4 and row[0].isdigit()}
        assert annex == {item.asset_name: ", ".join(item.matched) or "—" for item in hosts}


def _expected_counts(task: Task) -> dict[str, int]:
    items = list(task.items.all())
    declared = Counter(item.status for item in items)
    claims = {ItemStatus.PATCHED.value, ItemStatus.NOT_AFFECTED.value}
    return {
        "Tổng số máy chủ bị ảnh hưởng": len(items),
        **{word: declared.get(status.value, 0) for status, word in STATUS_WORDS.items()},
        "Đã xác minh khắc phục qua đối chiếu": sum(
            item.verification == Verification.VERIFIED for item in items
        ),
        "Đã khai báo khắc phục nhưng chưa xác minh": sum(
            item.status in claims and item.verification == Verification.MATCHED for item in items
        ),
    }


def test_unit_report_docx_counts_and_hosts(health_task: Task) -> None:
    entry = report_render(by=ACTOR, kind="unit_report", target=health_task, fmt="docx")
    data = content(entry)
    text = docx_text(data)
    rows = docx_rows(data)
    expected = _expected_counts(health_task)
    assert expected["Tổng số máy chủ bị ảnh hưởng"] == 3
    assert expected["Đã khai báo khắc phục nhưng chưa xác minh"] == 1
    assert {row[0]: int(row[1]) for row in rows if row[0] in expected} == expected
    hosts = [row for row in rows if len(row) == 7 and row[0].isdigit()]
    assert hosts == [
        [
            str(index),
            item.asset_name,
            item.system.name if item.system else "—",
            STATUS_WORDS[ItemStatus(item.status)],
            item.reason,
            item.plan_date.strftime("%d/%m/%Y") if item.plan_date else "",
            "Đã xác minh" if item.verification == Verification.VERIFIED else "Chưa xác minh",
        ]
        for index, item in enumerate(health_task.items.order_by("asset_name", "pk"), start=1)
    ]
    assert f"Số: {entry.number}" in text
    assert entry.number == "1/BC-SO-YT"
    assert "SỞ Y TẾ" in text
    assert f"Văn bản số {MICROSOFT} ngày 02/04/2022" in text
    assert "Thời hạn hoàn thành theo yêu cầu: 15/04/2022." in text
    assert "23/04/2022" in text
    assert "{{" not in text


def test_unit_report_pdf_counts_and_hosts(health_task: Task) -> None:
    entry = report_render(by=ACTOR, kind="unit_report", target=health_task, fmt="pdf")
    flat = squeezed(pdf_text(content(entry)))
    for label, value in _expected_counts(health_task).items():
        assert squeezed(f"{label} {value}") in flat, label
    for item in health_task.items.all():
        assert squeezed(item.asset_name) in flat
    for phrase in ("Số: 1/BC-SO-YT", "Chờ cửa sổ bảo trì", "23/04/2022", "Không dùng dịch vụ RPC"):
        assert squeezed(phrase) in flat, phrase


def _expected_lines(letter: WarningLetter) -> list[list[str]]:
    rows = []
    for task in tasks_of(letter.number):
        for item in task.items.select_related("system").order_by("asset_name", "pk"):
            verified = (
                clock.to_local(item.verified_at).strftime("%d/%m/%Y %H:%M")
                if item.verified_at
                else ""
            )
            rows.append(
                [
                    task.unit.code,
                    task.unit.name,
                    item.asset_name,
                    item.system.name if item.system else "",
                    STATUS_WORDS[ItemStatus(item.status)],
                    item.reason,
                    item.plan_date.strftime("%d/%m/%Y") if item.plan_date else "",
                    "Đã xác minh"
                    if item.verification == Verification.VERIFIED
                    else "Chưa xác minh",
                    verified,
                    ", ".join(item.matched),
                    ", ".join(item.fixed),
                    (item.due_date or task.due_date).strftime("%d/%m/%Y"),  # type: ignore[union-attr]
                ]
            )
    return rows


def test_task_lines_csv_rows_equal_the_task_lines(health_task: Task) -> None:
    letter = health_task.letter
    entry = report_render(by=ACTOR, kind="task_lines", target=letter, fmt="csv")
    data = content(entry)
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs for UTF-8
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == list(COLUMNS)
    assert rows[1:] == _expected_lines(letter)
    assert len(rows) == 1 + 6  # SO-YT has three hosts, the three other units one each
    assert entry.number == ""
    assert entry.sequence is None
    assert entry.name.endswith(".csv")


def test_task_lines_xlsx_rows_equal_the_task_lines(health_task: Task) -> None:
    letter = health_task.letter
    entry = report_render(by=ACTOR, kind="task_lines", target=letter, fmt="xlsx")
    sheet = load_workbook(io.BytesIO(content(entry))).active
    assert sheet is not None
    rows = [
        [cell if cell is not None else "" for cell in row]
        for row in sheet.iter_rows(values_only=True)
    ]
    assert rows[0] == list(COLUMNS)
    assert rows[1:] == _expected_lines(letter)


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_a_letter_with_no_task_renders(demo: None, fmt: str) -> None:
    letter = forward("56/CATTT-NCSC", number="103/STTTT-ATTT").letter
    assert not letter.tasks.exists()
    entry = report_render(by=ACTOR, kind="forwarding_letter", target=letter, fmt=fmt)
    data = content(entry)
    text = squeezed(docx_text(data) if fmt == "docx" else pdf_text(data))
    assert squeezed("Số: 103/STTTT-ATTT") in text
    assert squeezed("chưa phát hiện máy chủ bị ảnh hưởng") in text
    assert squeezed("Các cơ quan, đơn vị trên địa bàn tỉnh") in text
    assert squeezed("Phụ lục") not in text


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_a_task_with_no_host_renders(demo: None, fmt: str) -> None:
    letter = forward(number="104/STTTT-ATTT", units=["SO-NV"], auto=False).letter
    task = Task.objects.get(letter=letter, unit__code="SO-NV")
    assert not task.items.exists()
    entry = report_render(by=ACTOR, kind="unit_report", target=task, fmt=fmt)
    data = content(entry)
    text = squeezed(docx_text(data) if fmt == "docx" else pdf_text(data))
    assert squeezed("Tổng số máy chủ bị ảnh hưởng 0") in text
    assert (
        squeezed("Không có máy chủ bị ảnh hưởng trong dữ liệu quản lý tài sản của đơn vị") in text
    )
    assert entry.number == "1/BC-SO-NV"
