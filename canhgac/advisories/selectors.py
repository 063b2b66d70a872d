"""Reads of the advisory knowledge base (readable by everyone with a role)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from canhgac.advisories.models import Vulnerability
from canhgac.core.exceptions import NotFoundError


def vulnerability_detail(*, cve_id: str) -> dict[str, Any]:
    """Everything known about one vulnerability, with the source of each fact (stable keys)."""
    vulnerability = (
        Vulnerability.objects.filter(cve_id=cve_id.strip().upper())
        .prefetch_related(
            "attributions", "scores", "criteria", "msrc_affected__product", "msrc_fixes__product"
        )
        .first()
    )
    if vulnerability is None:
        raise NotFoundError(f"{cve_id} is not in the knowledge base", extra={"cve": cve_id})
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
            }
            for c in vulnerability.criteria.all()
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


def vulnerability_search(
    *,
    q: str = "",
    kev: bool | None = None,
    min_score: float | None = None,
    product: str = "",
) -> QuerySet[Vulnerability]:
    """Vulnerabilities by text (id, title, description), KEV, minimum CVSS, affected product."""
    found = Vulnerability.objects.all()
    if q:
        found = found.filter(
            Q(cve_id__icontains=q) | Q(title__icontains=q) | Q(description__icontains=q)
        )
    if kev is not None:
        found = found.filter(kev_date_added__isnull=not kev)
    if min_score is not None:
        found = found.filter(scores__base_score__gte=min_score)
    if product:
        found = found.filter(
            Q(criteria__key__icontains=product) | Q(msrc_affected__product__name__icontains=product)
        )
    return found.distinct().order_by("-published", "cve_id")
