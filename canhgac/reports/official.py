"""The fixed parts of a Vietnamese official document (Nghị định 30/2020/NĐ-CP), as values the
DOCX and PDF templates lay out the same way (pure: no Django)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"


def day_text(day: date | None) -> str:
    """dd/mm/yyyy, or "" without a date."""
    return day.strftime("%d/%m/%Y") if day else ""


def place_date(place: str, day: date) -> str:
    """ "Thanh Vân, ngày 05 tháng 4 năm 2022": NĐ30 writes a day below 10 and the months
    January and February with a leading zero."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


@dataclass(frozen=True, slots=True)
class Letterhead:
    """The two-column header: who issues (left) and the national motto with place and date
    (right), the number, and for a letter (công văn) its subject line."""

    authority: str  # the governing body, upper case ("UBND TỈNH THANH VÂN")
    issuer: str  # the issuing body, upper case, bold ("SỞ THÔNG TIN VÀ TRUYỀN THÔNG")
    number: str  # "101/STTTT-ATTT"
    place_date: str  # "Thanh Vân, ngày 15 tháng 4 năm 2022"
    subject: str = ""  # "V/v …" under the number (letters only)
    nation: str = NATION
    motto: str = MOTTO


@dataclass(frozen=True, slots=True)
class Signature:
    """The signature block: the signer's title (one line each), then space, then the name."""

    title_lines: tuple[str, ...]
    name: str = ""
    note: str = ""  # "(Ký, ghi rõ họ tên, đóng dấu)" when the name is left blank


@dataclass(frozen=True, slots=True)
class Table:
    """Rows of an export: column headings and text cells (CSV, XLSX)."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class Picture:
    """A figure (a chart) drawn without a browser: SVG for the PDF (inline in the HTML), PNG
    for the DOCX (placed by the DOCX renderer at `width_mm`)."""

    svg: str
    png: bytes
    width_mm: float
