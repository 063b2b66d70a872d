"""One path per format, shared by every kind: a kind gives values, these lay them out."""

from __future__ import annotations

from typing import Any

from canhgac.reports.enums import ReportFormat
from canhgac.reports.interface import Issue, ReportKind


def render(kind: ReportKind, target: Any, issue: Issue, fmt: ReportFormat) -> bytes:
    """The bytes of `kind`'s document (DOCX, PDF) or export (CSV, XLSX) for `target`."""
    if fmt is ReportFormat.DOCX:
        from canhgac.reports.renderers.docx import docx_bytes

        return docx_bytes(kind.id, kind.document(target, issue))
    if fmt is ReportFormat.PDF:
        from canhgac.reports.renderers.pdf import pdf_bytes  # WeasyPrint loads Pango: lazily

        return pdf_bytes(kind.id, kind.document(target, issue))
    from canhgac.reports.renderers.tables import csv_bytes, xlsx_bytes

    table = kind.table(target, issue)
    return csv_bytes(table) if fmt is ReportFormat.CSV else xlsx_bytes(table, sheet=kind.id)
