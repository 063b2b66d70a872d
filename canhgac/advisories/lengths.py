"""Values of a parsed batch that do not fit their columns (ADR 0005: refuse, never cut).

The whole batch is checked before anything is written; every problem names the record.
"""

from __future__ import annotations

from canhgac.advisories.feeds.records import AdvisoryBatch, MsrcDocumentRecord, VulnerabilityRecord
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
from canhgac.core.exceptions import SourceLocation, ValidationError
from canhgac.core.limits import Limits


def _check_record(limits: Limits, record: VulnerabilityRecord) -> None:
    at = record.location
    limits.check(Vulnerability, at, cve_id=record.id, nvd_status=record.status)
    limits.check(Attribution, at, source=record.attribution)
    for alias in record.aliases:
        limits.check(Alias, at, "alias", alias=alias)
    for score in record.scores:
        limits.check(
            Score,
            at,
            "score",
            system=score.system,
            vector=score.vector,
            severity=score.severity,
            provider=score.provider,
        )
    for configuration in record.configurations:
        for node in configuration.nodes:
            for match in node.matches:
                limits.check(
                    AffectedCriterion,
                    at,
                    "cpeMatch",
                    key=match.criteria,
                    version_start_including=match.version_start_including,
                    version_start_excluding=match.version_start_excluding,
                    version_end_including=match.version_end_including,
                    version_end_excluding=match.version_end_excluding,
                )
    for package in record.packages:
        limits.check(
            AffectedCriterion,
            at,
            "package",
            key=package.key,
            ecosystem=package.ecosystem,
            status=package.status,
        )
        for version_range in package.ranges:
            limits.check(AffectedCriterion, at, "range", range_type=version_range.type)
    for remedy in record.remediations:
        limits.check(Remediation, at, "remediation", category=remedy.category)


def _check_msrc(limits: Limits, document: MsrcDocumentRecord, source: str) -> None:
    at = SourceLocation(source)
    limits.check(MsrcAffected, at, document=document.document_id)
    for product in document.products:
        limits.check(MsrcProduct, at, "product", product_id=product.product_id, name=product.name)
    for vuln in document.vulnerabilities:
        where = vuln.location
        limits.check(Vulnerability, where, cve_id=vuln.cve_id)
        for _pid, severity in vuln.severities:
            limits.check(MsrcAffected, where, severity=severity)
        for _pid, impact in vuln.impacts:
            limits.check(MsrcAffected, where, impact=impact)
        for score in vuln.scores:
            limits.check(Score, where, "score", vector=score.vector, severity=score.severity)
        for remedy in vuln.remediations:
            limits.check(
                MsrcFix,
                where,
                "remediation",
                kb=remedy.kb,
                kind=remedy.kind,
                sub_type=remedy.sub_type,
                supersedence=remedy.supersedence,
                fixed_build=remedy.fixed_build,
                restart_required=remedy.restart_required,
            )


def check_lengths(batch: AdvisoryBatch) -> None:
    """Refuse the batch (every problem located) if a value does not fit its column."""
    limits = Limits()
    for record in batch.vulnerabilities:
        _check_record(limits, record)
    for entry in batch.kev:
        limits.check(
            Vulnerability,
            entry.location,
            cve_id=entry.cve_id,
            kev_ransomware=entry.known_ransomware_campaign_use,
            kev_name=entry.name,
        )
    for epss in batch.epss:
        limits.check(Vulnerability, SourceLocation(batch.source_name), cve_id=epss.cve_id)
    for document in batch.msrc_documents:
        _check_msrc(limits, document, batch.source_name)
    for release in batch.windows_releases:
        limits.check(
            WindowsRelease,
            release.location,
            product=release.product,
            version=release.version,
            build=release.build,
            latest_kb=release.latest_kb,
        )
    for cpe in batch.cpes:
        limits.check(CpeDeprecation, cpe.location, name=cpe.name)
    if limits.problems:
        raise ValidationError(
            f"{batch.source_name}: {len(limits.problems)} values do not fit the database",
            problems=limits.problems,
        )
