"""Write the DOCX templates of the official documents (canhgac/reports/templates/docx/).

A .docx is binary: this script is its source. It lays out each document as Nghị định
30/2020/NĐ-CP asks (A4; margins top 20, left 30, bottom 20, right 15 mm; Times New Roman 13-14
pt; the two-column header with the national motto; "Nơi nhận" and the signature side by side)
and writes the docxtpl tags the report kinds fill (`{{ head.number }}`, `{%p for … %}`,
`{%tr for … %}`). Run it after changing a layout and commit both:

    uv run python scripts/build_report_templates.py

The output is reproducible (fixed document properties): a test rebuilds the templates and
compares their XML with the committed files.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

OUTPUT = Path(__file__).resolve().parent.parent / "canhgac" / "reports" / "templates" / "docx"
FONT = "Times New Roman"
TEXT_WIDTH = 165  # mm: A4 210 less the left (30) and right (15) margins
FIXED_MOMENT = datetime(2022, 4, 1, tzinfo=UTC)

CENTER, LEFT, JUSTIFY = (
    WD_ALIGN_PARAGRAPH.CENTER,
    WD_ALIGN_PARAGRAPH.LEFT,
    WD_ALIGN_PARAGRAPH.JUSTIFY,
)
Container = Any  # a Document or a table cell: both take paragraphs


# --- Building blocks ---------------------------------------------------------------------------


def new_document() -> Any:
    document = Document()
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.header_distance = section.footer_distance = Mm(10)
    page_number(section)
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(14)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attribute), FONT)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0
    properties = document.core_properties
    properties.author = properties.last_modified_by = "canhgac"
    properties.title = properties.subject = properties.keywords = properties.comments = ""
    properties.created = properties.modified = properties.last_printed = FIXED_MOMENT
    properties.revision = 1
    return document


def page_number(section: Any) -> None:
    """The page number at the top centre, from the second page on (NĐ30)."""
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "2"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def para(
    container: Container,
    text: str = "",
    *,
    size: float = 14,
    bold: bool = False,
    italic: bool = False,
    align: WD_ALIGN_PARAGRAPH = CENTER,
    first_line: float = 0,
    left: float = 0,
    after: float = 0,
    before: float = 0,
    keep: bool = False,
    reuse: bool = False,
) -> Paragraph:
    """A paragraph holding `text` in one run (docxtpl needs each tag whole in one run);
    `reuse` fills a new cell's empty first paragraph instead of adding one."""
    paragraph = container.paragraphs[0] if reuse else container.add_paragraph()
    paragraph.alignment = align
    layout = paragraph.paragraph_format
    layout.space_after, layout.space_before = Pt(after), Pt(before)
    layout.first_line_indent = Mm(first_line) if first_line else None
    layout.left_indent = Mm(left) if left else None
    layout.keep_with_next = keep or None
    if text:
        run = paragraph.add_run(text)
        run.font.size = Pt(size)
        run.bold = bold or None
        run.italic = italic or None
    return paragraph


def tag(container: Container, text: str, *, reuse: bool = False) -> Paragraph:
    """A paragraph that only holds a docxtpl `{%p … %}` tag (it disappears when rendered)."""
    return para(container, text, size=11, align=LEFT, reuse=reuse)


def body(container: Container, text: str, *, after: float = 6) -> Paragraph:
    """A justified paragraph of the body, first line indented 1.27 cm."""
    return para(container, text, align=JUSTIFY, first_line=12.7, after=after)


def ending(container: Container, text: str) -> None:
    """The last paragraph, kept on the page of the signature (never a page of signature only)."""
    body(container, text).paragraph_format.keep_with_next = True


def short_rule(paragraph: Paragraph, indent: float) -> None:
    """The short line NĐ30 draws under the issuer and the motto: a bottom border on an empty
    paragraph narrowed by `indent` mm on both sides."""
    paragraph.paragraph_format.left_indent = paragraph.paragraph_format.right_indent = Mm(indent)
    properties = paragraph._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    properties.append(borders)
    paragraph.paragraph_format.space_after = Pt(6)
    run = paragraph.add_run("")
    run.font.size = Pt(2)


def layout_table(container: Container, columns: list[float], *, grid: bool) -> Table:
    """A table with fixed column widths (mm); `grid` draws every border (data tables)."""
    table = container.add_table(rows=1, cols=len(columns))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    if grid:
        table.style = "Table Grid"
    properties = table._tbl.tblPr
    table_layout = OxmlElement("w:tblLayout")
    table_layout.set(qn("w:type"), "fixed")
    properties.append(table_layout)
    for index, width in enumerate(columns):
        table.columns[index].width = Mm(width)
        table.rows[0].cells[index].width = Mm(width)
    return table


def add_row(table: Table, columns: list[float]) -> list[_Cell]:
    row = table.add_row()
    row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    for index, width in enumerate(columns):
        row.cells[index].width = Mm(width)
    return list(row.cells)


def header_row(table: Table, headings: list[str], size: float = 12) -> None:
    """The first row: bold headings, repeated on every page the table runs onto."""
    row = table.rows[0]
    row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
    for cell, heading in zip(row.cells, headings, strict=True):
        para(cell, heading, size=size, bold=True, reuse=True, before=2, after=2)


def loop_rows(
    table: Table, columns: list[float], loop: str, cells: list[tuple[str, WD_ALIGN_PARAGRAPH]]
) -> None:
    """A row repeated by docxtpl: `{%tr for … %}`, the row of `cells`, `{%tr endfor %}`."""
    add_row(table, columns)[0].paragraphs[0].add_run(f"{{%tr {loop} %}}")
    for cell, (text, align) in zip(add_row(table, columns), cells, strict=True):
        para(cell, text, size=12, align=align, reuse=True, before=2, after=2)
    add_row(table, columns)[0].paragraphs[0].add_run("{%tr endfor %}")


# --- The parts every official document shares ----------------------------------------------


def letterhead(document: Any, *, subject: bool) -> None:
    """Left: the authority, the issuer (bold) and a short line, "Số: …" and for a letter its
    "V/v …" subject. Right: the national name and motto with a short line, then the place and
    date in italics."""
    columns = [68.0, 97.0]
    table = layout_table(document, columns, grid=False)
    left, right = table.rows[0].cells
    para(left, "{{ head.authority }}", size=13, reuse=True)
    para(left, "{{ head.issuer }}", size=13, bold=True)
    short_rule(para(left), 22)
    para(right, "{{ head.nation }}", size=12, bold=True, reuse=True)
    para(right, "{{ head.motto }}", size=13, bold=True)
    short_rule(para(right), 26)
    left, right = add_row(table, columns)
    para(left, "Số: {{ head.number }}", size=13, reuse=True)
    if subject:
        para(left, "{{ head.subject }}", size=12, before=4)
    para(right, "{{ head.place_date }}", size=14, italic=True, reuse=True)
    para(document, after=6)


def addressees(document: Any, *, before: float = 6) -> None:
    para(document, "Kính gửi: {{ addressee_inline }}", size=14, before=before, after=0)
    tag(document, "{%p for line in addressees %}")
    para(document, "{{ line }}", size=14, align=LEFT, left=55)
    tag(document, "{%p endfor %}")
    para(document, after=6)


def closing(document: Any) -> None:
    """The "Nơi nhận:" list (left) beside the signature block (right), on one page."""
    columns = [80.0, 85.0]
    table = layout_table(document, columns, grid=False)
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    left, right = table.rows[0].cells
    para(left, "Nơi nhận:", size=12, bold=True, italic=True, align=LEFT, reuse=True, before=6)
    tag(left, "{%p for line in copies %}")
    para(left, "{{ line }}", size=11, align=LEFT)
    tag(left, "{%p endfor %}")
    tag(right, "{%p for line in sign.title_lines %}", reuse=True)
    para(right, "{{ line }}", size=13, bold=True)
    tag(right, "{%p endfor %}")
    para(right, "{{ sign.note }}", size=12, italic=True)
    for _blank in range(4):
        para(right)
    para(right, "{{ sign.name }}", size=14, bold=True)


# --- The documents -----------------------------------------------------------------------------


def forwarding_letter() -> Any:
    """The province's letter (công văn) forwarding a national warning, with its annex."""
    document = new_document()
    letterhead(document, subject=True)
    addressees(document)
    body(
        document,
        "Ngày {{ original.day }}, {{ original.issuer }} ban hành Văn bản số "
        "{{ original.number }} về việc {{ original.subject }}.",
    )
    tag(document, "{%p for line in summary %}")
    body(document, "{{ line }}")
    tag(document, "{%p endfor %}")
    tag(document, "{%p if citations %}")
    body(document, "Các lỗ hổng được cảnh báo:", after=3)
    columns = [15.0, 75.0, 55.0]
    table = layout_table(document, columns, grid=True)
    header_row(table, ["STT", "Mã lỗ hổng", "Mức độ nghiêm trọng"])
    loop_rows(
        table,
        columns,
        "for cited in citations",
        [
            ("{{ cited.index }}", CENTER),
            ("{{ cited.cve }}", LEFT),
            ("{{ cited.severity }}", CENTER),
        ],
    )
    para(document, after=6)
    tag(document, "{%p endif %}")
    tag(document, "{%p if affected_hosts %}")
    body(
        document,
        "Qua đối chiếu dữ liệu quản lý tài sản, {{ issuer_name }} xác định "
        "{{ affected_units }} cơ quan, đơn vị có {{ affected_hosts }} máy chủ bị ảnh hưởng "
        "(chi tiết tại Phụ lục kèm theo).",
    )
    tag(document, "{%p else %}")
    body(
        document,
        "Qua đối chiếu dữ liệu quản lý tài sản, chưa phát hiện máy chủ bị ảnh hưởng; đề nghị "
        "các cơ quan, đơn vị chủ động rà soát hệ thống của mình.",
    )
    tag(document, "{%p endif %}")
    body(document, "Để bảo đảm an toàn thông tin, {{ issuer_name }} đề nghị các cơ quan, đơn vị:")
    tag(document, "{%p for line in actions %}")
    body(document, "- {{ line }}")
    tag(document, "{%p endfor %}")
    tag(document, "{%p if due %}")
    body(
        document,
        "Hoàn thành việc khắc phục và cập nhật kết quả từng máy chủ trên nền tảng Cảnh gác "
        "trước ngày {{ due }}.",
    )
    tag(document, "{%p endif %}")
    ending(document, "Đề nghị các cơ quan, đơn vị quan tâm, phối hợp thực hiện./.")
    closing(document)
    annex(document)
    return document


def annex(document: Any) -> None:
    """Phụ lục on a new page: one table per recipient unit of its hosts and matched CVEs."""
    tag(document, "{%p if annex %}")
    heading = para(document, "Phụ lục", size=14, bold=True)
    heading.paragraph_format.page_break_before = True
    para(document, "DANH SÁCH MÁY CHỦ BỊ ẢNH HƯỞNG", size=14, bold=True)
    para(document, "{{ annex_reference }}", size=13, italic=True, after=12)
    tag(document, "{%p for unit in annex %}")
    para(
        document,
        "{{ unit.index }}. {{ unit.name }}",
        bold=True,
        align=LEFT,
        before=6,
        after=3,
        keep=True,
    )
    tag(document, "{%p if unit.lines %}")
    columns = [13.0, 52.0, 50.0, 50.0]
    table = layout_table(document, columns, grid=True)
    header_row(table, ["STT", "Hệ thống", "Máy chủ", "CVE còn tồn tại"])
    loop_rows(
        table,
        columns,
        "for line in unit.lines",
        [
            ("{{ line.index }}", CENTER),
            ("{{ line.system }}", LEFT),
            ("{{ line.host }}", LEFT),
            ("{{ line.cves }}", LEFT),
        ],
    )
    tag(document, "{%p else %}")
    para(document, "Không có máy chủ bị ảnh hưởng.", size=13, italic=True, align=LEFT)
    tag(document, "{%p endif %}")
    tag(document, "{%p endfor %}")
    tag(document, "{%p endif %}")


def unit_report() -> Any:
    """A unit's report of its review and fixes for one provincial letter."""
    document = new_document()
    letterhead(document, subject=False)
    para(document, "BÁO CÁO", size=14, bold=True, before=6)
    para(document, "{{ subject }}", size=14, bold=True)
    short_rule(para(document), 65)
    addressees(document, before=0)
    body(
        document,
        "Thực hiện Văn bản số {{ letter.number }} ngày {{ letter.day }} của {{ letter.issuer }} "
        "về việc {{ letter.subject }}, {{ unit_name }} báo cáo kết quả rà soát, khắc phục như sau:",
    )
    body(document, "1. Kết quả tổng hợp", after=3).runs[0].bold = True
    columns = [125.0, 40.0]
    table = layout_table(document, columns, grid=True)
    header_row(table, ["Nội dung", "Số máy chủ"])
    loop_rows(
        table,
        columns,
        "for count in counts",
        [("{{ count.label }}", LEFT), ("{{ count.value }}", CENTER)],
    )
    para(document, after=6)
    body(document, "2. Chi tiết từng máy chủ", after=3).runs[0].bold = True
    tag(document, "{%p if hosts %}")
    columns = [12.0, 28.0, 27.0, 23.0, 29.0, 26.0, 20.0]
    table = layout_table(document, columns, grid=True)
    header_row(
        table,
        [
            "STT",
            "Máy chủ",
            "Hệ thống",
            "Trạng thái",
            "Lý do, biện pháp",
            "Ngày dự kiến",
            "Xác minh",
        ],
        size=11,
    )
    loop_rows(
        table,
        columns,
        "for line in hosts",
        [
            ("{{ line.index }}", CENTER),
            ("{{ line.host }}", LEFT),
            ("{{ line.system }}", LEFT),
            ("{{ line.status }}", LEFT),
            ("{{ line.reason }}", LEFT),
            ("{{ line.plan_date }}", CENTER),
            ("{{ line.verification }}", CENTER),
        ],
    )
    para(document, after=6)
    tag(document, "{%p else %}")
    body(document, "Không có máy chủ bị ảnh hưởng trong dữ liệu quản lý tài sản của đơn vị.")
    tag(document, "{%p endif %}")
    tag(document, "{%p if letter.due %}")
    body(document, "Thời hạn hoàn thành theo yêu cầu: {{ letter.due }}.")
    tag(document, "{%p endif %}")
    ending(document, "{{ unit_name }} báo cáo để {{ letter.issuer }} biết, tổng hợp./.")
    closing(document)
    return document


def campaign_report() -> Any:
    """The province's report to the committee on the units' readiness for a campaign."""
    document = new_document()
    letterhead(document, subject=False)
    para(document, "BÁO CÁO", size=14, bold=True, before=6)
    para(document, "{{ subject }}", size=14, bold=True)
    short_rule(para(document), 65)
    addressees(document, before=0)
    body(
        document,
        "Thực hiện chỉ đạo của Ủy ban nhân dân tỉnh về bảo đảm an toàn thông tin trong đợt cao "
        "điểm {{ campaign.name }} (từ ngày {{ campaign.start }} đến ngày {{ campaign.end }}), "
        "{{ issuer_name }} báo cáo tình hình chuẩn bị của các cơ quan, đơn vị như sau:",
    )
    body(
        document,
        "Các văn bản cảnh báo phải khắc phục triệt để trước đợt cao điểm: {{ campaign.letters }}. "
        "Thời hạn các đơn vị hoàn thành công tác chuẩn bị: {{ campaign.ready_by }}.",
    )
    body(document, "1. Kết quả tổng hợp", after=3).runs[0].bold = True
    columns = [130.0, 35.0]
    table = layout_table(document, columns, grid=True)
    header_row(table, ["Nội dung", "Số liệu"])
    loop_rows(
        table,
        columns,
        "for figure in figures",
        [("{{ figure.label }}", LEFT), ("{{ figure.value }}", CENTER)],
    )
    para(document, after=6)
    heading = body(document, "2. Mức sẵn sàng của từng cơ quan, đơn vị", after=3)
    heading.runs[0].bold = True
    heading.paragraph_format.keep_with_next = True  # not alone at a page's foot
    para(document, "{{ chart }}", align=CENTER)
    columns = [12.0, 57.0, 20.0, 15.0, 25.0, 18.0, 18.0]
    table = layout_table(document, columns, grid=True)
    header_row(
        table,
        [
            "STT",
            "Cơ quan, đơn vị",
            "Mức sẵn sàng",
            "Mục đạt",
            "Mục chưa đạt (*)",
            "Lỗ hổng cảnh báo còn tồn tại",
            "Nhiệm vụ quá hạn",
        ],
        size=11,
    )
    loop_rows(
        table,
        columns,
        "for line in units",
        [
            ("{{ line.index }}", CENTER),
            ("{{ line.name }}", LEFT),
            ("{{ line.readiness }}", CENTER),
            ("{{ line.checks }}", CENTER),
            ("{{ line.missing }}", CENTER),
            ("{{ line.warned }}", CENTER),
            ("{{ line.overdue }}", CENTER),
        ],
    )
    para(
        document,
        "(*) Các mục kiểm tra: {% for check in checks %}{{ check.label }}. {{ check.value }}"
        "{% if not loop.last %}; {% else %}.{% endif %}{% endfor %}",
        size=11,
        italic=True,
        align=LEFT,
        after=6,
    )
    body(document, "3. Kết quả khắc phục các lỗ hổng đã cảnh báo", after=3).runs[0].bold = True
    tag(document, "{%p if letters %}")
    columns = [12.0, 39.0, 22.0, 22.0, 23.0, 24.0, 23.0]
    table = layout_table(document, columns, grid=True)
    header_row(
        table,
        [
            "STT",
            "Văn bản chuyển tiếp",
            "Đơn vị nhận",
            "Đã xác nhận",
            "Máy bị ảnh hưởng",
            "Đã xác minh khắc phục",
            "Đã xử lý xong",
        ],
        size=11,
    )
    loop_rows(
        table,
        columns,
        "for line in letters",
        [
            ("{{ line.index }}", CENTER),
            ("{{ line.number }}", LEFT),
            ("{{ line.units }}", CENTER),
            ("{{ line.acknowledged }}", CENTER),
            ("{{ line.hosts }}", CENTER),
            ("{{ line.verified }}", CENTER),
            ("{{ line.settled }}", CENTER),
        ],
    )
    para(document, after=6)
    tag(document, "{%p else %}")
    body(document, "Các văn bản cảnh báo của đợt cao điểm chưa được chuyển tiếp đến các đơn vị.")
    tag(document, "{%p endif %}")
    ending(document, "{{ issuer_name }} báo cáo Ủy ban nhân dân tỉnh xem xét, chỉ đạo./.")
    closing(document)
    return document


TEMPLATES: dict[str, Callable[[], Any]] = {
    "forwarding_letter": forwarding_letter,
    "unit_report": unit_report,
    "campaign_report": campaign_report,
}


def build(directory: Path = OUTPUT) -> list[Path]:
    """Write every template into `directory`; returns the paths written."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name, make in TEMPLATES.items():
        path = directory / f"{name}.docx"
        make().save(str(path))
        written.append(path)
    return written


if __name__ == "__main__":
    for path in build(Path(sys.argv[1]) if len(sys.argv) > 1 else OUTPUT):
        sys.stdout.write(f"wrote {path}\n")
