"""The blank inventory spreadsheet that `canhgac inventory template` writes (XLSX and CSV)."""

from __future__ import annotations

import csv
from pathlib import Path

from canhgac.inventory.importers.spreadsheet import TABLES, TEMPLATE_SHEETS

XLSX_NAME = "canhgac-inventory-template.xlsx"
TABLE_TITLES = {
    "systems": "Hệ thống thông tin (information systems)",
    "assets": "Tài sản: máy chủ, máy trạm, thiết bị mạng, ứng dụng (assets)",
    "software": "Phần mềm cài đặt trên tài sản (installed software)",
}


def write_template(directory: Path) -> list[Path]:
    """Write the workbook and one CSV per table into `directory`; return the paths."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    directory.mkdir(parents=True, exist_ok=True)
    workbook = Workbook()
    guide = workbook.active
    assert guide is not None  # noqa: S101 (a new workbook always has a sheet)
    guide.title = "HuongDan"
    guide.append(["Cảnh gác: mẫu kê khai hệ thống thông tin và tài sản"])
    guide["A1"].font = Font(bold=True, size=14)
    guide.append(
        [
            "Điền các trang HeThong, TaiSan, PhanMem; một dòng cho mỗi đối tượng. "
            "Nhiều giá trị trong một ô: ngăn cách bằng dấu ;. Ngày: dd/mm/yyyy."
        ]
    )
    guide.append(
        [
            "Fill in the HeThong, TaiSan and PhanMem sheets, one row per item. Several "
            "values in a cell: separate with ;. Dates: dd/mm/yyyy."
        ]
    )
    for table, columns in TABLES.items():
        guide.append([])
        guide.append([f"{TEMPLATE_SHEETS[table]}: {TABLE_TITLES[table]}"])
        guide.cell(row=guide.max_row, column=1).font = Font(bold=True)
        guide.append(["Cột (tiêu đề)", "English name", "Giá trị / values", "Bắt buộc"])
        for column in columns:
            guide.append(
                [column.vietnamese, column.name, column.help, "x" if column.required else ""]
            )
        sheet = workbook.create_sheet(TEMPLATE_SHEETS[table])
        sheet.append([column.vietnamese for column in columns])
        for index, column in enumerate(columns, start=1):
            sheet.cell(row=1, column=index).font = Font(bold=True)
            letter = sheet.cell(row=1, column=index).column_letter
            sheet.column_dimensions[letter].width = max(14, len(column.vietnamese) + 4)
        sheet.freeze_panes = "A2"
    guide.column_dimensions["A"].width = 34
    guide.column_dimensions["B"].width = 22
    guide.column_dimensions["C"].width = 70
    paths = [directory / XLSX_NAME]
    workbook.save(paths[0])
    for table, columns in TABLES.items():
        path = directory / f"canhgac-inventory-{table}.csv"
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            csv.writer(handle).writerow([column.vietnamese for column in columns])
        paths.append(path)
    return paths
