"""Writes one parsed `AdvisoryBatch` into the knowledge base (called inside a transaction).

Per vulnerability and source, an `Attribution` keeps a fingerprint of what the source said:
an unchanged record writes nothing (re-importing a file is a no-op); a changed one replaces
that source's scores, criteria, aliases and remediations (or, for Microsoft, that document's
products and fixes) and updates the merged fields. Other sources' data is never touched.
A record older than what the same source said before (`last_modified`) is skipped as stale,
so pages or bundles applied out of order never roll data back.

The source of a record is its feed id, or "feed:document" when one feed publishes several
documents about the same CVE (OSV entries, CSAF advisories, Microsoft monthly documents).
Merged fields: NVD's description, dates and status win; other sources only fill what is empty.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime
from typing import Any

from canhgac.advisories.feeds.records import (
    AdvisoryBatch,
    CpeRecord,
    KevRecord,
    MsrcDocumentRecord,
    VulnerabilityRecord,
)
from canhgac.advisories.lengths import check_lengths
from canhgac.advisories.models import (
    AffectedCriterion,
    Alias,
    Attribution,
    CpeDeprecation,
    MsrcAffected,
    MsrcFix,
    MsrcProduct,
    Remediation,
    Score,
    Vulnerability,
    WindowsRelease,
)
from canhgac.core.bulk import bulk_set
from canhgac.core.files import cpe_product_key
from canhgac.core.sequences import chunks

CHUNK = 2000
AUTHORITATIVE = "nvd"  # its description, dates and status replace the others'


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    stale: int = 0  # older than what the same source said before: skipped


@dataclass
class AdvisoryReport:
    source_format: str
    source_name: str
    vulnerabilities: Counts = field(default_factory=Counts)
    msrc_fixes: int = 0
    letters: int = 0  # warning letters created or changed
    cpe_deprecations: int = 0  # deprecated CPE names created or changed
    windows_releases: int = 0  # Windows products whose latest update was created or changed
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source_format": self.source_format,
            "source_name": self.source_name,
            "vulnerabilities": asdict(self.vulnerabilities),
            "msrc_fixes": self.msrc_fixes,
            "letters": self.letters,
            "cpe_deprecations": self.cpe_deprecations,
            "windows_releases": self.windows_releases,
            "warnings": self.warnings,
        }


def _fingerprint(value: Any) -> str:
    """SHA-256 of everything a record says but where it was read: the `repr` of its fields
    (records are frozen dataclasses of strings, numbers, dates and tuples, whose `repr` is
    stable), six times cheaper than hashing a JSON dump of `asdict`."""
    said = tuple(getattr(value, f.name) for f in fields(value) if f.name != "location")
    return hashlib.sha256(repr(said).encode("utf-8")).hexdigest()


def vulnerabilities(ids: Iterable[str]) -> dict[str, Vulnerability]:
    """The vulnerabilities with these ids, created (empty) where missing."""
    wanted = sorted(set(ids))
    found: dict[str, Vulnerability] = {}
    for chunk in chunks(wanted, CHUNK):
        found |= {v.cve_id: v for v in Vulnerability.objects.filter(cve_id__in=chunk)}
    missing = [Vulnerability(cve_id=cve_id) for cve_id in wanted if cve_id not in found]
    Vulnerability.objects.bulk_create(missing, batch_size=CHUNK)
    return found | {v.cve_id: v for v in missing}


@dataclass(frozen=True, slots=True)
class _Said:
    """What one source said about one vulnerability, as the attribution keeps it."""

    fingerprint: str
    document: str
    modified: datetime | None
    references: list[dict[str, Any]] = field(default_factory=list)


def _changed(
    source: str,
    said: dict[str, _Said],
    vulns: dict[str, Vulnerability],
    report: AdvisoryReport,
    now: datetime,
) -> set[str]:
    """Ids whose record from `source` differs from the stored attribution (which is updated)."""
    ids = [vulns[cve_id].pk for cve_id in said]
    stored: dict[int, Attribution] = {}
    for chunk in chunks(ids, CHUNK):
        stored |= {
            a.vulnerability_id: a
            for a in Attribution.objects.filter(source=source, vulnerability_id__in=chunk)
        }
    changed: set[str] = set()
    create, update = [], []
    for cve_id, what in said.items():
        vulnerability = vulns[cve_id]
        attribution = stored.get(vulnerability.pk)
        if attribution is None:
            create.append(
                Attribution(
                    vulnerability=vulnerability,
                    source=source,
                    document=what.document,
                    source_modified=what.modified,
                    references=what.references,
                    fingerprint=what.fingerprint,
                    first_seen=now,
                    last_seen=now,
                )
            )
            report.vulnerabilities.created += 1
            changed.add(cve_id)
        elif attribution.fingerprint == what.fingerprint:
            report.vulnerabilities.unchanged += 1
        elif (
            attribution.source_modified is not None
            and what.modified is not None
            and what.modified < attribution.source_modified
        ):
            report.vulnerabilities.stale += 1
        else:
            attribution.fingerprint, attribution.document = what.fingerprint, what.document
            attribution.source_modified, attribution.last_seen = what.modified, now
            attribution.references = what.references
            update.append(attribution)
            report.vulnerabilities.updated += 1
            changed.add(cve_id)
    Attribution.objects.bulk_create(create, batch_size=CHUNK)
    bulk_set(update, ["fingerprint", "document", "source_modified", "last_seen", "references"])
    return changed


# --- Vulnerability records (NVD, OSV, CSAF) --------------------------------------------------


def _criteria(record: VulnerabilityRecord, vulnerability: Vulnerability, source: str) -> list[Any]:
    rows = []
    for c_index, configuration in enumerate(record.configurations):
        for n_index, node in enumerate(configuration.nodes):
            rows += [
                AffectedCriterion(
                    vulnerability=vulnerability,
                    source=source,
                    configuration=c_index,
                    configuration_operator=configuration.operator,
                    configuration_negate=configuration.negate,
                    node=n_index,
                    node_operator=node.operator,
                    node_negate=node.negate,
                    key=m.criteria,
                    product=cpe_product_key(m.criteria),
                    vulnerable=m.vulnerable,
                    version_start_including=m.version_start_including,
                    version_start_excluding=m.version_start_excluding,
                    version_end_including=m.version_end_including,
                    version_end_excluding=m.version_end_excluding,
                )
                for m in node.matches
            ]
    for p_index, package in enumerate(record.packages):
        vulnerable = package.status in {"affected", "known_affected", "first_affected"} or (
            package.status == "last_affected"
        )
        common = {
            "vulnerability": vulnerability,
            "source": source,
            "configuration": p_index,
            "node_operator": "OR",
            "scheme": package.scheme,
            "key": package.key,
            "product": cpe_product_key(package.key) if package.scheme == "cpe" else package.key,
            "vulnerable": vulnerable,
            "ecosystem": package.ecosystem,
            "status": package.status,
        }
        ranges = package.ranges or (None,)
        for r_index, version_range in enumerate(ranges):
            rows.append(
                AffectedCriterion(
                    node=r_index,
                    range_type=version_range.type if version_range else "",
                    vers=version_range.vers if version_range else "",
                    events=[list(event) for event in version_range.events] if version_range else [],
                    repo=version_range.repo if version_range else "",
                    # enumerated versions belong to the package: kept on its first row
                    versions=list(package.versions) if r_index == 0 else [],
                    **common,
                )
            )
    return rows


def _merge(vulnerability: Vulnerability, record: VulnerabilityRecord) -> None:
    """Fill (or, for the authoritative source, replace) the merged fields."""

    def take(name: str, value: Any) -> None:
        if value and (record.source == AUTHORITATIVE or not getattr(vulnerability, name)):
            setattr(vulnerability, name, value)

    take("description", record.description)
    take("title", record.title)
    take("published", record.published)
    take("last_modified", record.last_modified)
    take("nvd_status", record.status if record.source == AUTHORITATIVE else "")
    take("cwes", list(record.cwes))
    if record.kev_date_added:
        vulnerability.kev_date_added = record.kev_date_added
        vulnerability.kev_due_date = record.kev_due_date
        vulnerability.kev_required_action = record.kev_required_action
        vulnerability.kev_name = record.kev_name


MERGED_FIELDS = [
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
]


def _store_source(
    source: str,
    records: list[VulnerabilityRecord],
    vulns: dict[str, Vulnerability],
    report: AdvisoryReport,
    now: datetime,
) -> list[Vulnerability]:
    """One source's records; returns the vulnerabilities whose merged fields may change."""
    by_id = {record.id: record for record in records}
    said = {
        r.id: _Said(
            _fingerprint(r),
            r.location.path[-255:],
            r.last_modified,
            [
                {"url": ref.url, "source": ref.source, "tags": list(ref.tags)}
                for ref in r.references
            ],
        )
        for r in records
    }
    changed = _changed(source, said, vulns, report, now)
    if not changed:
        return []
    ids = [vulns[cve_id].pk for cve_id in changed]
    for model in (Score, AffectedCriterion, Alias, Remediation):
        for chunk in chunks(ids, CHUNK):
            model.objects.filter(vulnerability_id__in=chunk, source=source).delete()
    scores, criteria, aliases, remedies, merged = [], [], [], [], []
    for cve_id in sorted(changed):
        record, vulnerability = by_id[cve_id], vulns[cve_id]
        scores += [
            Score(
                vulnerability=vulnerability,
                source=source,
                system=s.system,
                vector=s.vector,
                base_score=s.base_score,
                severity=s.severity,
                provider=s.provider,
                primary=s.primary,
            )
            for s in record.scores
        ]
        criteria += _criteria(record, vulnerability, source)
        aliases += [
            Alias(vulnerability=vulnerability, alias=alias, source=source)
            for alias in dict.fromkeys(record.aliases)
            if alias != cve_id
        ]
        remedies += [
            Remediation(
                vulnerability=vulnerability,
                source=source,
                category=remedy.category,
                details=remedy.details,
                url=remedy.url,
                products=list(remedy.product_keys),
                date=remedy.date,
            )
            for remedy in record.remediations
        ]
        _merge(vulnerability, record)
        merged.append(vulnerability)
    Score.objects.bulk_create(scores, batch_size=CHUNK)
    AffectedCriterion.objects.bulk_create(criteria, batch_size=CHUNK)
    Alias.objects.bulk_create(aliases, batch_size=CHUNK)
    Remediation.objects.bulk_create(remedies, batch_size=CHUNK)
    return merged


def store_records(
    records: tuple[VulnerabilityRecord, ...], report: AdvisoryReport, now: datetime
) -> None:
    if not records:
        return
    vulns = vulnerabilities(record.id for record in records)
    by_source: dict[str, list[VulnerabilityRecord]] = defaultdict(list)
    for record in records:
        by_source[record.attribution].append(record)
    merged: dict[str, Vulnerability] = {}
    # The authoritative source last, so that its merged fields win within one batch too.
    for source in sorted(by_source, key=lambda name: name == AUTHORITATIVE):
        merged |= {
            v.cve_id: v for v in _store_source(source, by_source[source], vulns, report, now)
        }
    bulk_set(list(merged.values()), MERGED_FIELDS)


# --- KEV, EPSS -------------------------------------------------------------------------------


def store_kev(entries: tuple[KevRecord, ...], report: AdvisoryReport, now: datetime) -> None:
    if not entries:
        return
    vulns = vulnerabilities(entry.cve_id for entry in entries)
    changed = _changed(
        "kev",
        {e.cve_id: _Said(_fingerprint(e), e.location.path[-255:], None) for e in entries},
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
        vulnerability.kev_ransomware = entry.known_ransomware_campaign_use
        vulnerability.kev_name = entry.name
        vulnerability.title = vulnerability.title or entry.name
        merged.append(vulnerability)
    bulk_set(
        merged,
        [
            "kev_date_added",
            "kev_due_date",
            "kev_required_action",
            "kev_ransomware",
            "kev_name",
            "title",
        ],
    )


def store_epss(batch: AdvisoryBatch, report: AdvisoryReport) -> None:
    if not batch.epss:
        return
    vulns = vulnerabilities(entry.cve_id for entry in batch.epss)
    changed = []
    for entry in batch.epss:
        vulnerability = vulns[entry.cve_id]
        values = (entry.score, entry.percentile, batch.epss_score_date)
        stored = (vulnerability.epss_score, vulnerability.epss_percentile, vulnerability.epss_date)
        if stored == values:
            report.vulnerabilities.unchanged += 1
            continue
        if (
            vulnerability.epss_date is not None
            and batch.epss_score_date is not None
            and batch.epss_score_date < vulnerability.epss_date
        ):
            report.vulnerabilities.stale += 1
            continue
        vulnerability.epss_score, vulnerability.epss_percentile, vulnerability.epss_date = values
        changed.append(vulnerability)
        report.vulnerabilities.updated += 1
    bulk_set(changed, ["epss_score", "epss_percentile", "epss_date"])


# --- Microsoft ---------------------------------------------------------------------------------


def _msrc_products(document: MsrcDocumentRecord) -> dict[str, MsrcProduct]:
    names = {p.product_id: p.name for p in document.products}
    products = {p.product_id: p for p in MsrcProduct.objects.filter(product_id__in=list(names))}
    new = [
        MsrcProduct(product_id=pid, name=name) for pid, name in names.items() if pid not in products
    ]
    MsrcProduct.objects.bulk_create(new, batch_size=CHUNK)
    products |= {p.product_id: p for p in new}
    renamed = [products[pid] for pid, name in names.items() if products[pid].name != name]
    for product in renamed:
        product.name = names[product.product_id]
    bulk_set(renamed, ["name"])
    return products


def store_msrc(document: MsrcDocumentRecord, report: AdvisoryReport, now: datetime) -> None:
    products = _msrc_products(document)
    vulns = vulnerabilities(v.cve_id for v in document.vulnerabilities)
    by_id = {v.cve_id: v for v in document.vulnerabilities}
    changed = _changed(
        f"msrc:{document.document_id}",
        {
            v.cve_id: _Said(_fingerprint(v), document.document_id, v.released)
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
                severity=severity.get(pid, ""),
                impact=impact.get(pid, ""),
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
                    kb=remedy.kb,
                    kind=remedy.kind,
                    sub_type=remedy.sub_type,
                    supersedence=remedy.supersedence,
                    fixed_build=remedy.fixed_build,
                    url=remedy.url,
                    restart_required=remedy.restart_required,
                    description=remedy.description,
                )
                for product in targets
            ]
        if not vulnerability.title:
            vulnerability.title = record.title
            titled.append(vulnerability)
    MsrcAffected.objects.bulk_create(affected, batch_size=CHUNK, ignore_conflicts=True)
    MsrcFix.objects.bulk_create(fixes, batch_size=CHUNK)
    bulk_set(titled, ["title"])
    report.msrc_fixes += len(fixes)


# --- CPE dictionary --------------------------------------------------------------------------


def store_cpes(records: tuple[CpeRecord, ...], report: AdvisoryReport) -> None:
    """Deprecated CPE names and their successors (the parser gives deprecated names only)."""
    by_name: dict[str, CpeRecord] = {r.name: r for r in records if r.deprecated}
    stored: dict[str, CpeDeprecation] = {}
    names = list(by_name)
    for chunk in chunks(names, CHUNK):
        stored |= {d.name: d for d in CpeDeprecation.objects.filter(name__in=chunk)}
    create, update = [], []
    for name, record in by_name.items():
        row = stored.get(name)
        # A page may name only some successors (those seen from the other direction):
        # successors are added, never dropped by a later page.
        known = row.deprecated_by if row else []
        successors = list(dict.fromkeys([*known, *record.deprecated_by]))
        if row is None:
            create.append(
                CpeDeprecation(
                    name=name, deprecated_by=successors, last_modified=record.last_modified
                )
            )
        elif row.deprecated_by != successors:
            row.deprecated_by, row.last_modified = successors, record.last_modified
            update.append(row)
    CpeDeprecation.objects.bulk_create(create, batch_size=CHUNK)
    bulk_set(update, ["deprecated_by", "last_modified"])
    report.cpe_deprecations += len(create) + len(update)


def store_windows_releases(batch: AdvisoryBatch, report: AdvisoryReport) -> None:
    """The latest update per Windows product: replaced when the list says otherwise."""
    if not batch.windows_releases:
        return
    stored = {
        r.product: r
        for r in WindowsRelease.objects.filter(
            product__in=[record.product for record in batch.windows_releases]
        )
    }
    create, update = [], []
    for record in batch.windows_releases:
        values = {
            "version": record.version,
            "build": record.build,
            "latest_kb": record.latest_kb,
            "released": record.released,
        }
        row = stored.get(record.product)
        if row is None:
            create.append(
                WindowsRelease(product=record.product, source=batch.source_name, **values)
            )
        elif any(getattr(row, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(row, name, value)
            row.source = batch.source_name
            update.append(row)
    WindowsRelease.objects.bulk_create(create, batch_size=CHUNK)
    bulk_set(update, ["version", "build", "latest_kb", "released", "source"])
    report.windows_releases += len(create) + len(update)


def store(batch: AdvisoryBatch, report: AdvisoryReport, now: datetime) -> None:
    """Everything of `batch` but its warning letters (which go through `warning_save`)."""
    check_lengths(batch)
    store_records(batch.vulnerabilities, report, now)
    store_kev(batch.kev, report, now)
    store_epss(batch, report)
    for document in batch.msrc_documents:
        store_msrc(document, report, now)
    store_cpes(batch.cpes, report)
    store_windows_releases(batch, report)
