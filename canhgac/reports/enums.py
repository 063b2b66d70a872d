"""The formats canhgac writes documents and exports in (pure)."""

from __future__ import annotations

import enum


class ReportFormat(enum.StrEnum):
    DOCX = "docx"  # editable, ready for a digital signature (docxtpl)
    PDF = "pdf"  # WeasyPrint, A4
    CSV = "csv"  # UTF-8 with a BOM, so Excel shows Vietnamese right
    XLSX = "xlsx"  # openpyxl

    @property
    def content_type(self) -> str:
        return CONTENT_TYPES[self]

    @property
    def is_document(self) -> bool:
        """Laid out as an official document (else: a table of rows)."""
        return self in DOCUMENT_FORMATS


CONTENT_TYPES = {
    ReportFormat.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ReportFormat.PDF: "application/pdf",
    ReportFormat.CSV: "text/csv; charset=utf-8",
    ReportFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
DOCUMENT_FORMATS = frozenset({ReportFormat.DOCX, ReportFormat.PDF})
TABLE_FORMATS = frozenset({ReportFormat.CSV, ReportFormat.XLSX})
