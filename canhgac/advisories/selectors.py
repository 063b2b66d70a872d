"""Reads of the advisory knowledge base (readable by everyone with a role)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db.models import F, Max, Q, QuerySet
from django.utils import timezone

from canhgac.advisories.feeds.nvd_cpe import resolve
from canhgac.advisories.models import (
    Attribution,
    BundleImport,
    CpeDeprecation,
    FeedRun,
    FeedState,
    Vulnerability,
    WarningLetter,
    WindowsRelease,
)
from canhgac.core.exceptions import NotFoundError


def vulnerability_detail(*, cve_id: str) -> dict[str, Any]:
    """Everything known about one vulnerability, with the source of each fact (stable keys)."""
    vulnerability = (
        Vulnerability.objects.filter(cve_id=cve_id.strip().upper())
        .prefetch_related(
            "attributions",
            "scores",
            "criteria",
            "aliases",
            "remediations",
            "msrc_affected__product",
            "msrc_fixes__product",
            "warnings__warning",
        )
        .first()
    )
    if vulnerability is None:
        raise NotFoundError(f"{cve_id} is not in the knowledge base", extra={"cve": cve_id})
    deprecations = cpe_deprecations(
        {c.key for c in vulnerability.criteria.all() if c.scheme == "cpe"}
    )
    fixes: dict[str, list[dict[str, Any]]] = {}
    for fix in vulnerability.msrc_fixes.all():
        product = fix.product.name if fix.product else "(all products)"
        fixes.setdefault(product, []).append(
            {
                "kb": fix.kb,
                "kind": fix.kind,
                "sub_type": fix.sub_type,
                "fixed_build": fix.fixed_build,
                "supersedes": fix.supersedence,
                "document": fix.document,
                "url": fix.url,
            }
        )
    return {
        "id": vulnerability.cve_id,
        "title": vulnerability.title,
        "description": vulnerability.description,
        "published": vulnerability.published,
        "last_modified": vulnerability.last_modified,
        "nvd_status": vulnerability.nvd_status,
        "cwes": vulnerability.cwes,
        "kev": None
        if vulnerability.kev_date_added is None
        else {
            "date_added": vulnerability.kev_date_added,
            "due_date": vulnerability.kev_due_date,
            "required_action": vulnerability.kev_required_action,
            "known_ransomware_campaign_use": vulnerability.kev_ransomware,
        },
        "epss": None
        if vulnerability.epss_score is None
        else {
            "score": vulnerability.epss_score,
            "percentile": vulnerability.epss_percentile,
            "date": vulnerability.epss_date,
        },
        "sources": [
            {
                "source": a.source,
                "document": a.document,
                "modified": a.source_modified,
                "last_seen": a.last_seen,
            }
            for a in vulnerability.attributions.all()
        ],
        "scores": [
            {
                "source": s.source,
                "system": s.system,
                "vector": s.vector,
                "base_score": s.base_score,
                "severity": s.severity,
                "provider": s.provider,
                "primary": s.primary,
            }
            for s in vulnerability.scores.all()
        ],
        "affected_criteria": [
            {
                "source": c.source,
                "configuration": c.configuration,
                "configuration_operator": c.configuration_operator,
                "node": c.node,
                "node_operator": c.node_operator,
                "negate": c.node_negate,
                "criteria": c.key,
                "vulnerable": c.vulnerable,
                "version_start_including": c.version_start_including,
                "version_start_excluding": c.version_start_excluding,
                "version_end_including": c.version_end_including,
                "version_end_excluding": c.version_end_excluding,
                "scheme": c.scheme,
                "ecosystem": c.ecosystem,
                "status": c.status,
                "range_type": c.range_type,
                "vers": c.vers,
                "events": c.events,
                "repo": c.repo,
                "versions": c.versions,
                # the current names of a deprecated CPE (the dictionary says so)
                "replaced_by": list(resolve(c.key, deprecations)) if c.key in deprecations else [],
            }
            for c in vulnerability.criteria.all()
        ],
        "aliases": sorted({a.alias for a in vulnerability.aliases.all()}),
        "references": _references(vulnerability),
        "remediations": [
            {
                "source": r.source,
                "category": r.category,
                "details": r.details,
                "url": r.url,
                "products": r.products,
                "date": r.date,
            }
            for r in vulnerability.remediations.all()
        ],
        "warnings": [
            {
                "id": cited.warning.pk,
                "number": cited.warning.number,
                "issuer": cited.warning.issuer,
                "issued_on": cited.warning.issued_on,
                "due_date": cited.warning.due_date,
                "severity": cited.severity,
                "title": cited.warning.title,
            }
            for cited in sorted(
                vulnerability.warnings.all(), key=lambda cited: cited.warning.issued_on
            )
        ],
        "microsoft_products": [
            {
                "product": a.product.name,
                "severity": a.severity,
                "impact": a.impact,
                "document": a.document,
            }
            for a in vulnerability.msrc_affected.all()
        ],
        "microsoft_fixes": fixes,
    }


def cpe_deprecations(names: set[str]) -> dict[str, tuple[str, ...]]:
    """The stored deprecations of `names` and, transitively, of their successors."""
    found: dict[str, tuple[str, ...]] = {}
    asked: set[str] = set()
    wanted = set(names)
    while wanted:
        asked |= wanted
        rows = CpeDeprecation.objects.filter(name__in=wanted).values_list("name", "deprecated_by")
        found |= {name: tuple(successors) for name, successors in rows}
        wanted = {name for successors in found.values() for name in successors} - asked
    return found


def _references(vulnerability: Vulnerability) -> list[dict[str, Any]]:
    """Every source's references, once per address, with the sources that gave it."""
    merged: dict[str, dict[str, Any]] = {}
    for attribution in vulnerability.attributions.all():
        for reference in attribution.references:
            entry = merged.setdefault(reference["url"], {"url": reference["url"], "tags": []})
            entry["tags"] = sorted(set(entry["tags"]) | set(reference.get("tags", [])))
            entry.setdefault("sources", []).append(attribution.source)
    return list(merged.values())


SEVERITY_FLOORS = {"critical": 9.0, "high": 7.0, "medium": 4.0, "low": 0.1}


@dataclass(frozen=True)
class VulnerabilityFilter:
    """The search the web page, the API and the CLI share; empty fields do not filter.

    `q`: id, alias (GHSA-…), title or description; `severity`: the highest CVSS base score is
    at least the band's floor (critical 9, high 7, medium 4, low 0.1); `vendor`/`product`: a
    CPE criterion's vendor/product part, a package name or a Microsoft product name;
    `published_from`/`published_to`: days (inclusive) in the display time zone.
    """

    q: str = ""
    kev: bool | None = None
    min_score: float | None = None
    severity: str = ""
    vendor: str = ""
    product: str = ""
    published_from: date | None = None
    published_to: date | None = None
    cited: bool | None = None  # cited by a warning letter


def vulnerability_search(search: VulnerabilityFilter | None = None) -> QuerySet[Vulnerability]:
    """Vulnerabilities matching `search`, newest first."""
    search = search or VulnerabilityFilter()
    found = Vulnerability.objects.all()
    q = search.q.strip()
    if q:
        found = found.filter(
            Q(cve_id__icontains=q)
            | Q(aliases__alias__iexact=q)
            | Q(title__icontains=q)
            | Q(description__icontains=q)
        )
    if search.kev is not None:
        found = found.filter(kev_date_added__isnull=not search.kev)
    floor = max(
        [value for value in (search.min_score, SEVERITY_FLOORS.get(search.severity)) if value]
        or [0.0]
    )
    if floor:
        found = found.filter(scores__base_score__gte=floor)
    if search.vendor:
        vendor = search.vendor.strip().lower().replace(" ", "_")
        found = found.filter(
            Q(criteria__key__istartswith=f"cpe:2.3:a:{vendor}:")
            | Q(criteria__key__istartswith=f"cpe:2.3:o:{vendor}:")
            | Q(criteria__key__istartswith=f"cpe:2.3:h:{vendor}:")
            | Q(criteria__key__istartswith=f"pkg:{vendor}/")
        )
    if search.product:
        product = search.product.strip()
        found = found.filter(
            Q(criteria__key__icontains=product.lower().replace(" ", "_"))
            | Q(msrc_affected__product__name__icontains=product)
        )
    if search.published_from:
        found = found.filter(published__gte=_day_start(search.published_from))
    if search.published_to:
        found = found.filter(published__lt=_day_start(search.published_to + timedelta(days=1)))
    if search.cited is not None:
        found = found.filter(warnings__isnull=not search.cited)
    return found.distinct().order_by(F("published").desc(nulls_last=True), "cve_id")


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


# --- Feed status -------------------------------------------------------------------------------

# How the knowledge base counts each feed's vulnerabilities: attribution source, or prefix.
FEED_SOURCES = {
    "nvd": Q(source="nvd"),
    "kev": Q(source="kev"),
    "msrc": Q(source__startswith="msrc:"),
    "osv": Q(source__startswith="osv:"),
    "csaf": Q(source__startswith="csaf:"),
}


def feed_status(*, runs: int = 50) -> dict[str, Any]:
    """What the feed status page shows: per source its sync state, what the knowledge base
    holds from it, and the latest import runs (with their errors)."""
    from canhgac.advisories.sync.sources import SOURCES

    now = timezone.now()
    states = {state.source: state for state in FeedState.objects.all()}
    held = {
        feed: Attribution.objects.filter(query).values("vulnerability").distinct().count()
        for feed, query in FEED_SOURCES.items()
    }
    held["epss"] = Vulnerability.objects.filter(epss_score__isnull=False).count()
    held["nvd-cpe"] = CpeDeprecation.objects.count()
    last_ok = {
        row["feed"]: row["last"]
        for row in FeedRun.objects.filter(status=FeedRun.Status.OK)
        .values("feed")
        .annotate(last=Max("finished_at"))
    }
    sources = []
    for source in SOURCES:
        state = states.get(source.id)
        sources.append(
            {
                "id": source.id,
                "name": source.display_name,
                "scheduled": source.id in settings.ADVISORY_SYNC_SOURCES,
                "last_attempt": state.last_attempt_at if state else None,
                "last_success": state.last_success_at if state else None,
                "synced_until": state.synced_until if state else None,
                "last_error": state.last_error if state else "",
                "resume": state.cursor if state and "index" in state.cursor else None,
                "running": bool(state and state.locked_until and state.locked_until > now),
                "last_import": last_ok.get(source.id),
                "held": held.get(source.id, 0),
            }
        )
    return {
        "schedule": settings.ADVISORY_SYNC_SCHEDULE,
        "sources": sources,
        "totals": {
            "vulnerabilities": Vulnerability.objects.count(),
            "kev": Vulnerability.objects.filter(kev_date_added__isnull=False).count(),
            "epss_date": Vulnerability.objects.aggregate(day=Max("epss_date"))["day"],
            "warning_letters": WarningLetter.objects.count(),
            "cpe_deprecations": held["nvd-cpe"],
            "bundles_imported": BundleImport.objects.count(),
            "windows_releases": WindowsRelease.objects.count(),
        },
        "runs": list(FeedRun.objects.all()[:runs]),
        "failed_runs": FeedRun.objects.filter(status=FeedRun.Status.FAILED).count(),
    }
