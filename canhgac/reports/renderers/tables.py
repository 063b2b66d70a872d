"""Exports as spreadsheets: CSV (UTF-8 with a BOM, which Excel needs to read Vietnamese) and
XLSX. Cells that a spreadsheet would take for a formula are written as text."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from canhgac.reports.official import Table

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_WIDTH = 60


def cell_text(value: str) -> str:
    """`value`, prefixed with an apostrophe if a spreadsheet would evaluate it (CSV injection)."""
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def csv_bytes(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(table.columns)
    writer.writerows([cell_text(cell) for cell in row] for row in table.rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(table: Table, *, sheet: str) -> bytes:
    workbook = Workbook()
    worksheet = workbook.active
    assert worksheet is not None  # noqa: S101 (a new workbook has one sheet)
    worksheet.title = sheet[:31]
    worksheet.append(list(table.columns))
    for row in table.rows:
        worksheet.append([cell_text(cell) for cell in row])
    for cell in worksheet[1]:
        cell.font = Font(bold=True)
    for index, heading in enumerate(table.columns, start=1):
        longest = max([len(heading), *(len(row[index - 1]) for row in table.rows)])
        worksheet.column_dimensions[get_column_letter(index)].width = min(longest + 2, MAX_WIDTH)
    worksheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
