"""What the priority formula reads, loaded set-based for a run's vulnerabilities and assets."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.conf import settings

from canhgac.accounts.models import Unit
from canhgac.advisories.models import Score, Vulnerability, WarningCve
from canhgac.core.sequences import chunks
from canhgac.exposure.models import SlaPolicy
from canhgac.inventory.models import Asset

CHUNK = 500
CVSS_SYSTEMS = ("cvss_v40", "cvss_v31", "cvss_v30", "cvss_v2")


@dataclass(frozen=True, slots=True)
class VulnerabilityFactors:
    cvss: float | None
    epss_percentile: float | None
    kev: bool
    kev_due: date | None
    warnings: tuple[tuple[str, date | None], ...]  # (letter number, due date)
    exploit: bool  # a letter reports exploitation or public exploit code


@dataclass(frozen=True, slots=True)
class AssetFactors:
    unit_id: int
    internet_facing: bool | None
    criticality: str
    security_level: int | None


def vulnerability_factors(ids: Iterable[int]) -> dict[int, VulnerabilityFactors]:
    wanted = sorted(set(ids))
    cvss: dict[int, float] = {}
    letters: dict[int, list[tuple[str, date | None, bool]]] = defaultdict(list)
    base: dict[int, tuple[float | None, date | None, date | None]] = {}
    for part in chunks(wanted, CHUNK):
        for pk, score in Score.objects.filter(
            vulnerability_id__in=part, system__in=CVSS_SYSTEMS, base_score__isnull=False
        ).values_list("vulnerability_id", "base_score"):
            if score is not None:
                cvss[pk] = max(cvss.get(pk, 0.0), score)
        for pk, number, due, exploited, public in WarningCve.objects.filter(
            vulnerability_id__in=part
        ).values_list(
            "vulnerability_id",
            "warning__number",
            "warning__due_date",
            "warning__exploited",
            "warning__public_exploit",
        ):
            letters[pk].append((number, due, exploited or public))
        base.update(
            (pk, (percentile, added, due))
            for pk, percentile, added, due in Vulnerability.objects.filter(pk__in=part).values_list(
                "pk", "epss_percentile", "kev_date_added", "kev_due_date"
            )
        )
    return {
        pk: VulnerabilityFactors(
            cvss=cvss.get(pk),
            epss_percentile=base[pk][0],
            kev=base[pk][1] is not None,
            kev_due=base[pk][2],
            warnings=tuple(sorted((number, due) for number, due, _ in letters[pk])),
            exploit=any(flag for _, _, flag in letters[pk]),
        )
        for pk in wanted
        if pk in base
    }


def asset_factors(ids: Iterable[int]) -> dict[int, AssetFactors]:
    found = {}
    for part in chunks(sorted(set(ids)), CHUNK):
        for pk, unit_id, internet, criticality, approved, proposed in Asset.objects.filter(
            pk__in=part
        ).values_list(
            "pk",
            "unit_id",
            "internet_facing",
            "criticality",
            "system__approved_level",
            "system__proposed_level",
        ):
            found[pk] = AssetFactors(unit_id, internet, criticality, approved or proposed)
    return found


def sla_days(unit_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """Days to fix per priority for each unit: its own policy, else its nearest ancestor's,
    else the installation's (`EXPOSURE_SLA_DAYS`)."""
    policies = {policy.unit_id: policy.days() for policy in SlaPolicy.objects.all()}
    default: dict[str, int] = dict(settings.EXPOSURE_SLA_DAYS)
    paths = dict(Unit.objects.filter(pk__in=set(unit_ids)).values_list("pk", "path"))
    by_path = dict(Unit.objects.filter(pk__in=policies).values_list("path", "pk"))
    found = {}
    for pk, path in paths.items():
        chosen = default
        best = -1
        for policy_path, policy_unit in by_path.items():
            if path.startswith(policy_path) and len(policy_path) > best:
                chosen, best = policies[policy_unit], len(policy_path)
        found[pk] = chosen
    return found
