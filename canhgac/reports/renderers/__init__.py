"""One path per format, shared by every kind: a kind gives values, these lay them out."""

from __future__ import annotations

from typing import Any

from canhgac.reports.enums import ReportFormat
from canhgac.reports.interface import DocumentKind, Issue, ReportKind, TableKind


def render(kind: ReportKind, target: Any, issue: Issue, fmt: ReportFormat) -> bytes:
    """The bytes of `kind`'s document (DOCX, PDF) or export (CSV, XLSX) for `target`; `fmt` is
    one of `kind.formats` (the service checked), which the kind's base class sets."""
    if isinstance(kind, DocumentKind):
        return _document(kind, target, issue, fmt)
    assert isinstance(kind, TableKind)  # noqa: S101 (every kind is one of the two)
    from canhgac.reports.renderers.tables import csv_bytes, xlsx_bytes

    table = kind.table(target, issue)
    return csv_bytes(table) if fmt is ReportFormat.CSV else xlsx_bytes(table, sheet=kind.id)


def _document(kind: DocumentKind, target: Any, issue: Issue, fmt: ReportFormat) -> bytes:
    if fmt is ReportFormat.DOCX:
        from canhgac.reports.renderers.docx import docx_bytes

        return docx_bytes(kind.id, kind.document(target, issue))
    from canhgac.reports.renderers.pdf import pdf_bytes  # WeasyPrint loads Pango: lazily

    return pdf_bytes(kind.id, kind.document(target, issue))
