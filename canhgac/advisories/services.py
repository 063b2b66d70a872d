"""The services that change the advisory knowledge base: imports of any feed format (all or
nothing, re-importing is a no-op; the writing itself is in `store.py`) and warning letters.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import transaction

from canhgac.accounts.enums import Permission
from canhgac.accounts.services.common import Actor, actor_name, audit, require
from canhgac.advisories.feeds.records import AdvisoryBatch, WarningLetterRecord
from canhgac.advisories.feeds.registry import parser_for
from canhgac.advisories.models import FeedRun, WarningAttachment, WarningCve, WarningLetter
from canhgac.advisories.runs import (
    archive_file,
    recorded_run,
    run_finished,
)
from canhgac.advisories.store import AdvisoryReport, store, vulnerabilities
from canhgac.audit.enums import AuditAction
from canhgac.audit.services import Target
from canhgac.core import clock
from canhgac.core.exceptions import ConflictError, Problem, SourceLocation, ValidationError
from canhgac.core.files import sha256_of
from canhgac.core.registry import AUTO
from canhgac.core.text import shorten
from canhgac.core.uploads import DOCUMENT_TYPES, Upload, document_checked, uploaded_file


def advisories_import(*, by: Actor, batch: AdvisoryBatch) -> AdvisoryReport:
    """Store one parsed file, all or nothing; re-importing the same file changes nothing."""
    require(by, Permission.ADVISORY_MANAGE)
    report = AdvisoryReport(
        batch.source_format,
        batch.source_name,
        warnings=[str(problem) for problem in batch.warnings],
    )
    now = clock.now()
    with transaction.atomic():
        store(batch, report, now)
        # Letters that re-issue another one of the same file come after it.
        for letter in sorted(batch.letters, key=lambda record: bool(record.forwarded_from)):
            _saved, changed = warning_save(by=by, record=letter)
            report.letters += int(changed)
        audit(
            by,
            AuditAction.ADVISORIES_IMPORTED,
            target=Target("file", batch.source_format, batch.source_name[-255:]),
            parameters=report.as_dict() | {"warnings": len(report.warnings)},
        )
    return report


def advisories_import_file(
    *,
    by: Actor,
    path: Path,
    source: str,
    format_id: str = AUTO,
    origin: str = FeedRun.Origin.FILE,
) -> AdvisoryReport:
    """Parse and store one file, recording the run (and its error, if it fails) and keeping a
    copy of the file in the archive offline bundles are made from."""
    require(by, Permission.ADVISORY_MANAGE)
    feed = format_id if format_id != AUTO else ""
    with recorded_run(feed=feed, origin=origin, source_name=source, by=by) as run:
        parser = parser_for(path, source=source, format_id=format_id)
        report = advisories_import(by=by, batch=parser.parse(path, source=source))
        digest = sha256_of(path)
        archived = archive_file(path, digest) if settings.ADVISORY_ARCHIVE else ""
        run_finished(run, counts=report.as_dict(), sha256=digest, archived=archived, feed=parser.id)
    return report


def advisories_import_recorded(
    *, by: Actor, batch: AdvisoryBatch, origin: str = FeedRun.Origin.FILE
) -> AdvisoryReport:
    """`advisories_import` of a batch that has no file (the demo snapshot), with its run
    recorded for the feed status page. Not archived: bundles carry files only."""
    with recorded_run(
        feed=batch.source_format, origin=origin, source_name=batch.source_name, by=by
    ) as run:
        report = advisories_import(by=by, batch=batch)
        run_finished(run, counts=report.as_dict())
    return report


def advisories_import_upload(*, by: Actor, upload: Upload, format_id: str = AUTO) -> AdvisoryReport:
    """An uploaded file: the role and size are checked before any work."""
    require(by, Permission.ADVISORY_MANAGE)
    with uploaded_file(upload) as (path, name):
        return advisories_import_file(by=by, path=path, source=name, format_id=format_id)


# --- Warning letters ---------------------------------------------------------------------------

# The letter's own columns, copied from the record; the number is its key, and the cited CVEs
# and the letter it forwards are stored as relations.
LETTER_FIELDS = tuple(
    field.name
    for field in dataclasses.fields(WarningLetterRecord)
    if field.name not in {"number", "location", "cves", "forwarded_from"}
)


def warning_save(*, by: Actor, record: WarningLetterRecord) -> tuple[WarningLetter, bool]:
    """Create or update (by number) a warning letter and the CVEs it cites.

    Returns the letter and whether anything changed. Cited CVEs unknown to the knowledge base
    are added (empty) so that later feeds fill them in.
    """
    require(by, Permission.ADVISORY_MANAGE)
    with transaction.atomic():
        forwarded = None
        if record.forwarded_from:
            forwarded = WarningLetter.objects.filter(number=record.forwarded_from).first()
            if forwarded is None:
                raise ValidationError(
                    f"forwarded_from: no warning letter numbered {record.forwarded_from!r}",
                    problems=[
                        Problem(
                            "unknown letter",
                            SourceLocation(
                                record.location.path, record.location.line, "forwarded_from"
                            ),
                        )
                    ],
                )
        letter = WarningLetter.objects.select_for_update().filter(number=record.number).first()
        values = {name: getattr(record, name) for name in LETTER_FIELDS}
        values["forwarded_from"] = forwarded
        cited = dict(record.cves)
        created = letter is None
        if letter is None:
            letter = WarningLetter.objects.create(number=record.number, **values)
            changes: dict[str, Any] = {"created": True}
        else:
            changes = {
                name: {"from": str(getattr(letter, name)), "to": str(value)}
                for name, value in values.items()
                if getattr(letter, name) != value
            }
            for name in changes:
                setattr(letter, name, values[name])
            if changes:
                letter.save()
        stored = dict(letter.cves.values_list("vulnerability__cve_id", "severity"))
        if stored != cited:
            changes["cves"] = {"from": stored, "to": cited}
            letter.cves.all().delete()
            vulns = vulnerabilities(cited)
            WarningCve.objects.bulk_create(
                [
                    WarningCve(warning=letter, vulnerability=vulns[cve_id], severity=severity)
                    for cve_id, severity in cited.items()
                ]
            )
        if changes:
            audit(
                by,
                AuditAction.WARNING_SAVED,
                target=letter,
                parameters={"number": letter.number, "changes": changes},
            )
    return letter, created or bool(changes)


def warning_forward(
    *,
    by: Actor,
    original: WarningLetter,
    number: str,
    issuer: str,
    issued_on: date,
    due_date: date | None,
    required_actions: str = "",
) -> WarningLetter:
    """Re-issue a letter under the province's own number, citing the same CVEs."""
    record = WarningLetterRecord(
        number=number,
        issuer=issuer,
        issued_on=issued_on,
        title=original.title,
        location=SourceLocation("web"),
        cves=tuple(original.cves.values_list("vulnerability__cve_id", "severity")),
        summary=original.summary,
        affected_products=original.affected_products,
        required_actions=required_actions or original.required_actions,
        due_date=due_date,
        exploited=original.exploited,
        public_exploit=original.public_exploit,
        forwarded_from=original.number,
    )
    if WarningLetter.objects.filter(number=number).exists():
        raise ConflictError(
            f"a warning letter numbered {number!r} exists", extra={"field": "number"}
        )
    return warning_save(by=by, record=record)[0]


def warning_attach(*, by: Actor, letter: WarningLetter, upload: Upload) -> WarningAttachment:
    """Attach a file to a letter, stored by its SHA-256; the same file twice is refused."""
    require(by, Permission.ADVISORY_MANAGE)
    with uploaded_file(upload) as (path, name):
        suffix = document_checked(path, name, what="a warning letter")
        digest = sha256_of(path)
        with transaction.atomic():
            if letter.attachments.filter(sha256=digest).exists():
                raise ConflictError(
                    f"{name}: this file is already attached to {letter.number}",
                    extra={"field": "file"},
                )
            attachment = WarningAttachment(
                warning=letter,
                name=shorten(name, 255),
                content_type=DOCUMENT_TYPES[suffix],
                size=path.stat().st_size,
                sha256=digest,
                uploaded_at=clock.now(),
                uploaded_by=actor_name(by),
            )
            with path.open("rb") as handle:
                attachment.file.save(digest, File(handle), save=False)
            attachment.save()
            audit(
                by,
                AuditAction.ATTACHMENT_ADDED,
                target=letter,
                parameters={"name": attachment.name, "sha256": digest, "size": attachment.size},
            )
    return attachment
