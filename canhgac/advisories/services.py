"""The only writer of the advisory knowledge base: imports of any feed format, all or nothing.

Per vulnerability and source, an `Attribution` keeps a fingerprint of what the source said:
an unchanged record writes nothing (re-importing a file is a no-op); a changed one replaces
that source's scores and criteria (or, for Microsoft, that document's products and fixes)
and updates the merged fields. Other sources' data is never touched.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from django.db import transaction

from canhgac.accounts.enums import Permission
from canhgac.accounts.services.common import Actor, audit, require
from canhgac.advisories.feeds.records import (
    AdvisoryBatch,
    KevRecord,
    MsrcDocumentRecord,
    VulnerabilityRecord,
    WarningLetterRecord,
)
from canhgac.advisories.feeds.registry import parser_for
from canhgac.advisories.models import (
    AffectedCriterion,
    Attribution,
    MsrcAffected,
    MsrcFix,
    MsrcProduct,
    Score,
    Vulnerability,
    WarningCve,
    WarningLetter,
)
from canhgac.audit.enums import AuditAction
from canhgac.audit.services import Target
from canhgac.core import clock
from canhgac.core.exceptions import ConflictError, Problem, SourceLocation, ValidationError
from canhgac.core.registry import AUTO
from canhgac.core.uploads import Upload, uploaded_file

CHUNK = 2000


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class AdvisoryReport:
    source_format: str
    source_name: str
    vulnerabilities: Counts = field(default_factory=Counts)
    msrc_fixes: int = 0
    letters: int = 0  # warning letters created or changed
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source_format": self.source_format,
            "source_name": self.source_name,
            "vulnerabilities": asdict(self.vulnerabilities),
            "msrc_fixes": self.msrc_fixes,
            "letters": self.letters,
            "warnings": self.warnings,
        }


def _fingerprint(value: Any) -> str:
    data = asdict(value)
    data.pop("location", None)
    text = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _vulnerabilities(ids: Iterable[str]) -> dict[str, Vulnerability]:
    """The vulnerabilities with these ids, created (empty) where missing."""
    wanted = sorted(set(ids))
    found: dict[str, Vulnerability] = {}
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        found |= {v.cve_id: v for v in Vulnerability.objects.filter(cve_id__in=chunk)}
    missing = [Vulnerability(cve_id=cve_id) for cve_id in wanted if cve_id not in found]
    Vulnerability.objects.bulk_create(missing, batch_size=CHUNK)
    return found | {v.cve_id: v for v in missing}


def _changed(
    source: str,
    fingerprints: dict[str, tuple[str, str, datetime | None]],
    vulns: dict[str, Vulnerability],
    report: AdvisoryReport,
    now: datetime,
) -> set[str]:
    """Ids whose record from `source` differs from the stored attribution (which is updated)."""
    stored = {
        a.vulnerability_id: a
        for a in Attribution.objects.filter(
            source=source, vulnerability_id__in=[v.pk for v in vulns.values()]
        )
    }
    changed: set[str] = set()
    create, update = [], []
    for cve_id, (print_, document, modified) in fingerprints.items():
        vulnerability = vulns[cve_id]
        attribution = stored.get(vulnerability.pk)
        if attribution is None:
            create.append(
                Attribution(
                    vulnerability=vulnerability,
                    source=source,
                    document=document,
                    source_modified=modified,
                    fingerprint=print_,
                    first_seen=now,
                    last_seen=now,
                )
            )
            report.vulnerabilities.created += 1
            changed.add(cve_id)
        elif attribution.fingerprint != print_:
            attribution.fingerprint, attribution.document = print_, document
            attribution.source_modified, attribution.last_seen = modified, now
            update.append(attribution)
            report.vulnerabilities.updated += 1
            changed.add(cve_id)
        else:
            report.vulnerabilities.unchanged += 1
    Attribution.objects.bulk_create(create, batch_size=CHUNK)
    Attribution.objects.bulk_update(
        update, ["fingerprint", "document", "source_modified", "last_seen"], batch_size=CHUNK
    )
    return changed


def _store_records(
    records: tuple[VulnerabilityRecord, ...], report: AdvisoryReport, now: datetime
) -> None:
    if not records:
        return
    source = records[0].source
    vulns = _vulnerabilities(record.id for record in records)
    by_id = {record.id: record for record in records}
    changed = _changed(
        source,
        {r.id: (_fingerprint(r), r.location.path, r.last_modified) for r in records},
        vulns,
        report,
        now,
    )
    if not changed:
        return
    ids = [vulns[cve_id].pk for cve_id in changed]
    Score.objects.filter(vulnerability_id__in=ids, source=source).delete()
    AffectedCriterion.objects.filter(vulnerability_id__in=ids, source=source).delete()
    scores, criteria, merged = [], [], []
    for cve_id in sorted(changed):
        record, vulnerability = by_id[cve_id], vulns[cve_id]
        scores += [
            Score(
                vulnerability=vulnerability,
                source=source,
                system=s.system,
                vector=s.vector[:255],
                base_score=s.base_score,
                severity=s.severity[:32],
                provider=s.provider[:128],
                primary=s.primary,
            )
            for s in record.scores
        ]
        for c_index, configuration in enumerate(record.configurations):
            for n_index, node in enumerate(configuration.nodes):
                criteria += [
                    AffectedCriterion(
                        vulnerability=vulnerability,
                        source=source,
                        configuration=c_index,
                        configuration_operator=configuration.operator,
                        configuration_negate=configuration.negate,
                        node=n_index,
                        node_operator=node.operator,
                        node_negate=node.negate,
                        key=m.criteria[:512],
                        vulnerable=m.vulnerable,
                        version_start_including=m.version_start_including[:64],
                        version_start_excluding=m.version_start_excluding[:64],
                        version_end_including=m.version_end_including[:64],
                        version_end_excluding=m.version_end_excluding[:64],
                    )
                    for m in node.matches
                ]
        vulnerability.description = record.description or vulnerability.description
        vulnerability.title = (record.title or vulnerability.title)[:512]
        vulnerability.published = record.published or vulnerability.published
        vulnerability.last_modified = record.last_modified or vulnerability.last_modified
        vulnerability.nvd_status = record.status or vulnerability.nvd_status
        vulnerability.cwes = list(record.cwes) or vulnerability.cwes
        if record.kev_date_added:
            vulnerability.kev_date_added = record.kev_date_added
            vulnerability.kev_due_date = record.kev_due_date
            vulnerability.kev_required_action = record.kev_required_action
            vulnerability.kev_name = record.kev_name[:512]
        merged.append(vulnerability)
    Score.objects.bulk_create(scores, batch_size=CHUNK)
    AffectedCriterion.objects.bulk_create(criteria, batch_size=CHUNK)
    Vulnerability.objects.bulk_update(
        merged,
        [
            "description",
            "title",
            "published",
            "last_modified",
            "nvd_status",
            "cwes",
            "kev_date_added",
            "kev_due_date",
            "kev_required_action",
            "kev_name",
        ],
        batch_size=CHUNK,
    )


def _store_kev(entries: tuple[KevRecord, ...], report: AdvisoryReport, now: datetime) -> None:
    if not entries:
        return
    vulns = _vulnerabilities(entry.cve_id for entry in entries)
    changed = _changed(
        "kev",
        {e.cve_id: (_fingerprint(e), e.location.path, None) for e in entries},
        vulns,
        report,
        now,
    )
    merged = []
    for entry in entries:
        if entry.cve_id not in changed:
            continue
        vulnerability = vulns[entry.cve_id]
        vulnerability.kev_date_added, vulnerability.kev_due_date = entry.date_added, entry.due_date
        vulnerability.kev_required_action = entry.required_action
        vulnerability.kev_ransomware = entry.known_ransomware_campaign_use[:16]
        vulnerability.kev_name = entry.name[:512]
        vulnerability.title = vulnerability.title or entry.name[:512]
        merged.append(vulnerability)
    Vulnerability.objects.bulk_update(
        merged,
        [
            "kev_date_added",
            "kev_due_date",
            "kev_required_action",
            "kev_ransomware",
            "kev_name",
            "title",
        ],
        batch_size=CHUNK,
    )


def _store_epss(batch: AdvisoryBatch, report: AdvisoryReport) -> None:
    if not batch.epss:
        return
    vulns = _vulnerabilities(entry.cve_id for entry in batch.epss)
    changed = []
    for entry in batch.epss:
        vulnerability = vulns[entry.cve_id]
        values = (entry.score, entry.percentile, batch.epss_score_date)
        if (
            vulnerability.epss_score,
            vulnerability.epss_percentile,
            vulnerability.epss_date,
        ) == values:
            report.vulnerabilities.unchanged += 1
            continue
        vulnerability.epss_score, vulnerability.epss_percentile, vulnerability.epss_date = values
        changed.append(vulnerability)
        report.vulnerabilities.updated += 1
    Vulnerability.objects.bulk_update(
        changed, ["epss_score", "epss_percentile", "epss_date"], batch_size=CHUNK
    )


def _store_msrc(document: MsrcDocumentRecord, report: AdvisoryReport, now: datetime) -> None:
    products = {
        p.product_id: p
        for p in MsrcProduct.objects.filter(
            product_id__in=[p.product_id for p in document.products]
        )
    }
    new = [
        MsrcProduct(product_id=p.product_id, name=p.name[:255])
        for p in document.products
        if p.product_id not in products
    ]
    MsrcProduct.objects.bulk_create(new, batch_size=CHUNK)
    products |= {p.product_id: p for p in new}
    renamed = [
        products[p.product_id]
        for p in document.products
        if products[p.product_id].name != p.name[:255]
    ]
    for product in renamed:
        product.name = next(
            p.name for p in document.products if p.product_id == product.product_id
        )[:255]
    MsrcProduct.objects.bulk_update(renamed, ["name"], batch_size=CHUNK)

    vulns = _vulnerabilities(v.cve_id for v in document.vulnerabilities)
    by_id = {v.cve_id: v for v in document.vulnerabilities}
    changed = _changed(
        f"msrc:{document.document_id}",
        {
            v.cve_id: (_fingerprint(v), document.document_id, v.released)
            for v in document.vulnerabilities
        },
        vulns,
        report,
        now,
    )
    ids = [vulns[cve_id].pk for cve_id in changed]
    MsrcAffected.objects.filter(vulnerability_id__in=ids, document=document.document_id).delete()
    MsrcFix.objects.filter(vulnerability_id__in=ids, document=document.document_id).delete()
    affected, fixes, titled = [], [], []
    for cve_id in sorted(changed):
        record, vulnerability = by_id[cve_id], vulns[cve_id]
        severity, impact = dict(record.severities), dict(record.impacts)
        affected += [
            MsrcAffected(
                vulnerability=vulnerability,
                product=products[pid],
                document=document.document_id,
                severity=severity.get(pid, "")[:32],
                impact=impact.get(pid, "")[:64],
            )
            for pid in dict.fromkeys(record.product_ids)
            if pid in products
        ]
        for remedy in record.remediations:
            targets: list[MsrcProduct | None] = [
                products[pid] for pid in remedy.product_ids if pid in products
            ] or [None]  # a workaround for the whole CVE has no product
            fixes += [
                MsrcFix(
                    vulnerability=vulnerability,
                    product=product,
                    document=document.document_id,
                    kb=remedy.kb[:16],
                    kind=remedy.kind[:32],
                    sub_type=remedy.sub_type[:64],
                    supersedence=remedy.supersedence[:255],
                    fixed_build=remedy.fixed_build[:64],
                    url=remedy.url[:512],
                    restart_required=remedy.restart_required[:16],
                    description=remedy.description,
                )
                for product in targets
            ]
        if not vulnerability.title:
            vulnerability.title = record.title[:512]
            titled.append(vulnerability)
    MsrcAffected.objects.bulk_create(affected, batch_size=CHUNK, ignore_conflicts=True)
    MsrcFix.objects.bulk_create(fixes, batch_size=CHUNK)
    Vulnerability.objects.bulk_update(titled, ["title"], batch_size=CHUNK)
    report.msrc_fixes += len(fixes)


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
        _store_records(batch.vulnerabilities, report, now)
        _store_kev(batch.kev, report, now)
        _store_epss(batch, report)
        for document in batch.msrc_documents:
            _store_msrc(document, report, now)
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
    *, by: Actor, path: Path, source: str, format_id: str = AUTO
) -> AdvisoryReport:
    batch = parser_for(path, source=source, format_id=format_id).parse(path, source=source)
    return advisories_import(by=by, batch=batch)


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
            vulns = _vulnerabilities(cited)
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
