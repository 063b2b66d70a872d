"""What a report kind implements. A new kind (e.g. a campaign report) is one module with one
class and one line in `kinds/registry.py`; the DOCX, PDF, CSV and XLSX paths are shared.

A kind turns its target (a warning letter, a task, …) into values: a `DocumentKind`'s
`document()` gives the context of the official document (the DOCX template
`templates/docx/<id>.docx` and the HTML template `templates/reports/<id>.html` lay it out), a
`TableKind`'s `table()` the rows of an export. Both read
through selectors and write nothing; `report_render` (services.py) numbers, renders, stores and
registers the result.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from django.db.models import Model

from canhgac.accounts.models import Unit
from canhgac.accounts.services.common import Actor
from canhgac.reports.enums import ReportFormat
from canhgac.reports.official import Table


@dataclass(frozen=True, slots=True)
class Numbering:
    """How a document of a kind is numbered: the next number of `series`, or the `fixed`
    number it already has (a forwarded letter's own), or none (exports)."""

    series: str = ""
    fixed: str = ""

    @property
    def numbered(self) -> bool:
        return bool(self.series)


@dataclass(frozen=True, slots=True)
class Issue:
    """The number and date a document is issued under (number "" for exports)."""

    number: str
    day: date


class ReportKind(ABC):
    id: ClassVar[str]  # "forwarding_letter"; the template names and the register's `kind`
    display_name: ClassVar[str]  # English source text, translated where shown
    formats: ClassVar[tuple[ReportFormat, ...]]
    target_type: ClassVar[type[Model]]  # what the kind is rendered for

    @abstractmethod
    def authorize(self, *, by: Actor, target: Any) -> None:
        """Raise NotFoundError if `by` cannot see the target, PermissionDeniedError if they
        see it but may not issue this document."""

    @abstractmethod
    def unit(self, target: Any) -> Unit | None:
        """The unit the document is about or issued by (None: province-wide); it scopes who
        sees the register entry."""

    @abstractmethod
    def title(self, target: Any) -> str:
        """The register's title of the document (Vietnamese, as the document says)."""

    @abstractmethod
    def numbering(self, target: Any) -> Numbering: ...

    def issue_day(self, target: Any, today: date) -> date:
        """The document's date (today, unless the kind says otherwise)."""
        return today

    def file_stem(self, target: Any, issue: Issue) -> str:
        """The download's name without its extension."""
        return self.id


class DocumentKind(ReportKind):
    """An official document: DOCX (templates/docx/<id>.docx) and PDF
    (templates/reports/<id>.html) laid out from `document()`."""

    formats: ClassVar[tuple[ReportFormat, ...]] = (ReportFormat.DOCX, ReportFormat.PDF)

    @abstractmethod
    def document(self, target: Any, issue: Issue) -> dict[str, Any]:
        """The context of the DOCX and PDF templates."""


class TableKind(ReportKind):
    """An export: CSV and XLSX of the rows `table()` gives."""

    formats: ClassVar[tuple[ReportFormat, ...]] = (ReportFormat.CSV, ReportFormat.XLSX)

    @abstractmethod
    def table(self, target: Any, issue: Issue) -> Table:
        """The rows of the export."""
