"""Issuing a document: check who asks, number it, render it, store it, register it, audit it.

Rendering (seconds for a PDF) happens outside the transaction, with the number the register
predicts; the transaction then claims that number and records the entry. If another render
claimed it meanwhile, the document is rendered again with the next one. So a render that fails
consumes no number, numbers stay consecutive, and the register's lock is held only for the
few writes that record the entry.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Model

from canhgac.accounts.models import User
from canhgac.accounts.services.common import Actor, actor_name, audit
from canhgac.audit.enums import AuditAction
from canhgac.core import clock
from canhgac.core.exceptions import ConflictError, ValidationError
from canhgac.core.registry import UnknownPluginError
from canhgac.reports.enums import ReportFormat
from canhgac.reports.interface import Issue, Numbering, ReportKind
from canhgac.reports.kinds.registry import KINDS, report_kind
from canhgac.reports.models import RegisterEntry, report_path
from canhgac.reports.numbering import number_format, sequence_next, sequence_take
from canhgac.reports.renderers import render

ATTEMPTS = 5


def report_render(*, by: Actor, kind: str, target: Model, fmt: ReportFormat | str) -> RegisterEntry:
    """Render `kind` for `target` in `fmt`, store the file and register it (with the next
    number of the kind's series when it is numbered). All or nothing."""
    report, chosen = _checked(kind, target, fmt)
    report.authorize(by=by, target=target)
    numbering = report.numbering(target)
    day = report.issue_day(target, clock.today())
    for _attempt in range(ATTEMPTS):
        sequence = (
            sequence_next(series=numbering.series, year=day.year) if numbering.numbered else None
        )
        number = (
            number_format(sequence=sequence, series=numbering.series, year=day.year)
            if sequence is not None
            else numbering.fixed
        )
        issue = Issue(number=number, day=day)
        content = render(report, target, issue, chosen)
        entry = _claim(by, report, target, chosen, issue, numbering, sequence, content)
        if entry is not None:
            return entry
    raise ConflictError("the register is busy: try again", extra={"kind": report.id})


def _claim(
    by: Actor,
    report: ReportKind,
    target: Model,
    fmt: ReportFormat,
    issue: Issue,
    numbering: Numbering,
    sequence: int | None,
    content: bytes,
) -> RegisterEntry | None:
    """Take the number the document was rendered with and record it; None (and nothing
    written) if another render took that number first."""
    with transaction.atomic():
        if sequence is not None and (
            sequence_take(series=numbering.series, year=issue.day.year) != sequence
        ):
            transaction.set_rollback(True)
            return None
        return _record(by, report, target, fmt, issue, numbering, sequence, content)


def _checked(kind: str, target: Any, fmt: ReportFormat | str) -> tuple[ReportKind, ReportFormat]:
    try:
        report = report_kind(kind)
    except UnknownPluginError:
        raise ValidationError(
            f"unknown report kind {kind!r} (known: {', '.join(KINDS.ids())})",
            extra={"field": "kind"},
        ) from None
    try:
        chosen = ReportFormat(fmt)
    except ValueError:
        chosen = None
    if chosen not in report.formats:
        known = ", ".join(value.value for value in report.formats)
        raise ValidationError(
            f"{report.id} is rendered as {known}, not {fmt}", extra={"field": "format"}
        )
    assert chosen is not None  # noqa: S101 (None is never in formats)
    if not isinstance(target, report.target_type):
        raise ValidationError(
            f"{report.id} is made for a {report.target_type._meta.verbose_name}",
            extra={"field": "target"},
        )
    return report, chosen


def _file_name(report: ReportKind, target: Any, issue: Issue, fmt: ReportFormat) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", report.file_stem(target, issue)).strip("-.")
    return f"{stem or report.id}.{fmt.value}"


def _record(
    by: Actor,
    report: ReportKind,
    target: Model,
    fmt: ReportFormat,
    issue: Issue,
    numbering: Numbering,
    sequence: int | None,
    content: bytes,
) -> RegisterEntry:
    digest = hashlib.sha256(content).hexdigest()
    unit = report.unit(target)
    entry = RegisterEntry(
        kind=report.id,
        number=issue.number,
        series=numbering.series,
        year=issue.day.year,
        sequence=sequence,
        issued_on=issue.day,
        title=report.title(target)[:512],
        unit=unit,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        format=fmt.value,
        name=_file_name(report, target, issue, fmt),
        sha256=digest,
        size=len(content),
        created_at=clock.now(),
        created_by=by if isinstance(by, User) else None,
        created_by_label=actor_name(by),
    )
    path = report_path(entry, digest)
    if entry.file.storage.exists(path):  # the same bytes rendered before: one stored copy
        entry.file.name = path
    else:
        entry.file.save(digest, ContentFile(content), save=False)
    entry.save()
    audit(
        by,
        AuditAction.REPORT_RENDERED,
        unit=unit,
        target=target,
        parameters={
            "entry": entry.pk,
            "kind": report.id,
            "number": issue.number,
            "format": fmt.value,
            "sha256": digest,
            "size": entry.size,
        },
    )
    return entry
