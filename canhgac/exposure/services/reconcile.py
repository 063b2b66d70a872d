"""Reconciling a run's findings with its verdicts (one batch of hosts at a time).

New verdicts create findings; changed ones update them (reopening closed ones, following the
triage decision in force); findings the matcher no longer reports are closed with the reason
(the refutation), and fixed ones become verified when the asset reports again. An unchanged
finding is recognised by its fingerprint and only marked seen.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import F

from canhgac.core import clock
from canhgac.core.bulk import bulk_insert, bulk_set
from canhgac.core.sequences import chunks
from canhgac.exposure import priority
from canhgac.exposure.enums import ACTIVE_STATUSES, CLOSED_STATUSES, FindingStatus
from canhgac.exposure.factors import (
    AssetFactors,
    VulnerabilityFactors,
    asset_factors,
    sla_days,
    vulnerability_factors,
)
from canhgac.exposure.matching.facts import State, Verdict
from canhgac.exposure.models import Finding, FindingEvent, FindingSource, MatchRun
from canhgac.exposure.services.decisions import applicable_decisions

MATCHER = "matching"  # the matcher's name as a finding source and event actor
CHUNK = 500
UPDATED_FIELDS = [
    "unit",
    "fingerprint",
    "matched_name",
    "matched_version",
    "state",
    "status",
    "confidence",
    "rule",
    "source",
    "explanation",
    "reported",
    "priority",
    "priority_score",
    "priority_breakdown",
    "priority_formula",
    "due_date",
    "due_reason",
    "decision",
    "last_seen",
    "closed_at",
    "updated_at",
]


@dataclass
class Summary:
    """What a run did, for the CLI, the API and the run's record."""

    assets: int = 0
    verdicts: int = 0
    new: int = 0
    reopened: int = 0
    closed: int = 0
    unchanged: int = 0
    updated: int = 0
    not_affected: int = 0
    verified: int = 0
    seconds: float = 0.0
    by_state: dict[str, int] = field(default_factory=dict)

    def add(self, other: Summary) -> None:
        """Add the counts of a batch of the same run."""
        for name in (
            "verdicts",
            "new",
            "reopened",
            "closed",
            "unchanged",
            "updated",
            "not_affected",
            "verified",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for state, count in other.by_state.items():
            self.by_state[state] = self.by_state.get(state, 0) + count

    def as_dict(self) -> dict[str, Any]:
        return {
            "assets": self.assets,
            "verdicts": self.verdicts,
            "new": self.new,
            "reopened": self.reopened,
            "closed": self.closed,
            "unchanged": self.unchanged,
            "updated": self.updated,
            "not_affected": self.not_affected,
            "verified": self.verified,
            "seconds": round(self.seconds, 3),
            "by_state": self.by_state,
        }


def reconcile(
    run: MatchRun,
    asset_ids: list[int],
    verdicts: list[Verdict],
    refute: Callable[[int, set[int]], list[Verdict]],
    *,
    vulnerability_ids: Sequence[int] | None,
) -> Summary:
    """Findings of the scope brought in line with the verdicts; `refute(asset, vulnerabilities)`
    explains the ones closed. An unchanged finding (same fingerprint, same decision) is only
    marked seen: it is never loaded as an object."""
    now = clock.now()
    summary = Summary(verdicts=len(verdicts))
    reported = {v.identity: v for v in verdicts if v.state is not State.NOT_AFFECTED}
    for verdict in reported.values():
        summary.by_state[verdict.state.value] = summary.by_state.get(verdict.state.value, 0) + 1
    existing = _existing(asset_ids, vulnerability_ids)
    vulnerabilities = vulnerability_factors(
        [v.vulnerability for v in reported.values()]
        + [row.vulnerability for row in existing.values()]
    )
    assets = asset_factors(asset_ids)
    sla = sla_days({factors.unit_id for factors in assets.values()})
    decisions = applicable_decisions(asset_ids, [v.vulnerability for v in reported.values()])
    created: list[Finding] = []
    scores: dict[tuple[object, ...], tuple[priority.Score, priority.Due]] = {}
    touched: dict[int, tuple[Verdict, Derived, Any]] = {}  # pk → what to write
    seen: list[int] = []
    for identity, verdict in reported.items():
        asset = assets[verdict.asset]
        decision = decisions.find(verdict)
        row = existing.pop(identity, None)
        first_seen = row.first_seen if row is not None else now
        derived = _derive(
            verdict, vulnerabilities[verdict.vulnerability], asset, sla, first_seen, scores
        )
        if row is None:
            finding = Finding(
                asset_id=verdict.asset,
                vulnerability_id=verdict.vulnerability,
                kind=verdict.kind.value,
                ref=verdict.ref,
                first_seen=now,
                status=FindingStatus.OPEN,
            )
            _apply(finding, derived, decision, now)
            created.append(finding)
            summary.new += 1
        elif row.unchanged(derived.fingerprint, decision):
            seen.append(row.pk)
            summary.unchanged += 1
        else:
            touched[row.pk] = (verdict, derived, decision)
    leaving = [(identity, row) for identity, row in existing.items() if row.reported]
    refuted = _refutations(leaving, refute)
    summary.not_affected = len(refuted)
    events: list[FindingEvent] = []
    changed: list[Finding] = []
    for finding in _load(list(touched) + [row.pk for _, row in leaving]):
        if finding.pk in touched:
            verdict, derived, decision = touched[finding.pk]
            old_status = finding.status
            _apply(finding, derived, decision, now)
            if old_status in CLOSED_STATUSES:
                events.append(
                    _event(finding, "reopened", old_status, finding.status, run, now, verdict)
                )
                summary.reopened += 1
            else:
                summary.updated += 1
        else:  # in scope, no longer reported by the matcher
            if finding.status in ACTIVE_STATUSES:
                old_status = finding.status
                finding.status, finding.closed_at = FindingStatus.FIXED, now
                summary.closed += 1
                why = refuted.get(
                    (finding.asset_id, finding.vulnerability_id, finding.kind, finding.ref)
                )
                events.append(_event(finding, "fixed", old_status, finding.status, run, now, why))
            finding.reported, finding.updated_at = False, now
        changed.append(finding)
    bulk_insert(created)
    _read_back_ids(created, asset_ids)
    bulk_set(changed, UPDATED_FIELDS)
    for ids in chunks(seen, CHUNK):
        Finding.objects.filter(pk__in=ids).update(last_seen=now)
    # the explanation of a new finding is on the finding itself: its event says only the state
    events += [
        FindingEvent(
            finding=finding,
            at=now,
            kind="opened",
            to_status=finding.status,
            actor=MATCHER,
            detail={"state": finding.state},
            run=run,
        )
        for finding in created
    ]
    _record_sources(run, created, changed, seen, now)
    events += _verify(run, asset_ids, vulnerability_ids, now, summary)
    bulk_insert(events)
    return summary


def _read_back_ids(created: list[Finding], asset_ids: list[int]) -> None:
    """The primary keys of the findings just inserted, by their identity."""
    if not created:
        return
    wanted = {_identity(finding): finding for finding in created}
    for part in chunks(asset_ids, CHUNK):
        for pk, asset, vulnerability, kind, ref in Finding.objects.filter(
            asset_id__in=part
        ).values_list("pk", "asset_id", "vulnerability_id", "kind", "ref"):
            finding = wanted.get((asset, vulnerability, kind, ref))
            if finding is not None:
                finding.pk = pk


def _verify(
    run: MatchRun,
    asset_ids: list[int],
    vulnerability_ids: Sequence[int] | None,
    now: datetime,
    summary: Summary,
) -> list[FindingEvent]:
    """Fixed findings that newer inventory data (the asset seen again after the fix) still does
    not report become verified."""
    verified = []
    for part in chunks(asset_ids, CHUNK):
        query = Finding.objects.filter(
            asset_id__in=part,
            status=FindingStatus.FIXED,
            reported=False,
            closed_at__lt=F("asset__last_seen"),
        )
        if vulnerability_ids is not None:
            query = query.filter(vulnerability_id__in=list(vulnerability_ids))
        verified += list(query.values_list("pk", flat=True))
    for part in chunks(verified, CHUNK):
        Finding.objects.filter(pk__in=part).update(status=FindingStatus.VERIFIED, updated_at=now)
    summary.verified = len(verified)
    return [
        FindingEvent(
            finding_id=pk,
            at=now,
            kind="verified",
            from_status=FindingStatus.FIXED,
            to_status=FindingStatus.VERIFIED,
            actor=MATCHER,
            run=run,
        )
        for pk in verified
    ]


def _refutations(
    leaving: Iterable[tuple[tuple[int, int, str, int], Stored]],
    refute: Callable[[int, set[int]], list[Verdict]],
) -> dict[tuple[int, int, str, int], Verdict]:
    """The NOT_AFFECTED verdicts of the reported findings the matcher no longer reports."""
    by_asset: dict[int, set[int]] = {}
    for identity, row in leaving:
        by_asset.setdefault(identity[0], set()).add(row.vulnerability)
    return {
        verdict.identity: verdict
        for asset_id, vulnerabilities in by_asset.items()
        for verdict in refute(asset_id, vulnerabilities)
        if verdict.state is State.NOT_AFFECTED
    }


def _identity(finding: Finding) -> tuple[int, int, str, int]:
    return (finding.asset_id, finding.vulnerability_id, finding.kind, finding.ref)


@dataclass(frozen=True, slots=True)
class Stored:
    """What a run needs of a stored finding to tell whether it changed."""

    pk: int
    vulnerability: int
    status: str
    decision: int | None
    reported: bool
    fingerprint: str
    first_seen: datetime

    def unchanged(self, fingerprint: str, decision: Any) -> bool:
        """Nothing to write but "seen again": same derived values, same decision in force, and
        no status the run would change (a closed finding reopens, an ended decision reopens)."""
        if not self.reported or fingerprint != self.fingerprint:
            return False
        if decision is not None:
            return bool(self.decision == decision.pk and self.status == decision.status)
        return self.decision is None and self.status not in CLOSED_STATUSES


def _existing(
    asset_ids: list[int], vulnerability_ids: Sequence[int] | None
) -> dict[tuple[int, int, str, int], Stored]:
    """Every finding of the scope, reported or not (a closed one may reopen), as tuples."""
    found = {}
    for part in chunks(asset_ids, CHUNK):
        query = Finding.objects.filter(asset_id__in=part)
        if vulnerability_ids is not None:
            query = query.filter(vulnerability_id__in=list(vulnerability_ids))
        for row in query.values_list(
            "pk",
            "asset_id",
            "vulnerability_id",
            "kind",
            "ref",
            "status",
            "decision_id",
            "reported",
            "fingerprint",
            "first_seen",
        ):
            pk, asset, vulnerability, kind, ref, status, decision, reported, fingerprint, first = (
                row
            )
            found[(asset, vulnerability, kind, ref)] = Stored(
                pk, vulnerability, status, decision, reported, fingerprint, first
            )
    return found


def _load(ids: list[int]) -> list[Finding]:
    return [
        finding
        for part in chunks(sorted(ids), CHUNK)
        for finding in Finding.objects.filter(pk__in=part)
    ]


@dataclass(frozen=True, slots=True)
class Derived:
    """What matching derives for a finding: the verdict's fields, the priority, the due date."""

    values: dict[str, Any]
    fingerprint: str


def _derive(
    verdict: Verdict,
    factors: VulnerabilityFactors,
    asset: AssetFactors,
    sla: dict[int, dict[str, int]],
    first_seen: datetime,
    scores: dict[tuple[object, ...], tuple[priority.Score, priority.Due]],
) -> Derived:
    """What matching derives for the verdict's finding (`scores`: a memo of the run, since the
    priority depends on the vulnerability, the asset and the state only)."""
    day = clock.local_date(first_seen)
    memo = (verdict.vulnerability, verdict.asset, verdict.state, day)
    if memo not in scores:
        result = priority.score(
            priority.Factors(
                cvss=factors.cvss,
                epss_percentile=factors.epss_percentile,
                kev=factors.kev,
                warned=tuple(number for number, _ in factors.warnings),
                public_exploit=factors.exploit,
                internet_facing=asset.internet_facing,
                security_level=asset.security_level,
                criticality=asset.criticality,
                potential=verdict.state is State.POTENTIAL,
            )
        )
        due = priority.due_date(
            first_seen=day,
            priority=result.priority,
            sla_days=sla[asset.unit_id],
            warnings=tuple((number, on) for number, on in factors.warnings if on is not None),
            kev_due=factors.kev_due,
        )
        scores[memo] = (result, due)
    result, due = scores[memo]
    values = {
        "unit_id": asset.unit_id,
        "matched_name": verdict.name[:255],
        "matched_version": verdict.version[:128],
        "state": verdict.state.value,
        "confidence": verdict.confidence,
        "rule": verdict.rule.value,
        "source": verdict.source[:128],
        "explanation": explanation_json(verdict),
        "priority": result.priority.value,
        "priority_score": result.value,
        "priority_breakdown": [
            {"factor": part.factor, "value": part.value, "points": part.points}
            for part in result.parts
        ],
        "priority_formula": result.formula,
        "due_date": due.on,
        "due_reason": due.reason,
    }
    fingerprint = hashlib.sha1(  # noqa: S324 - a change detector, not security
        json.dumps(values, sort_keys=True, default=str).encode()
    ).hexdigest()
    return Derived(values, fingerprint)


def _apply(finding: Finding, derived: Derived, decision: Any, now: datetime) -> None:
    """The derived values onto the finding; the status follows the triage decision in force,
    else reopens a closed finding (or one whose decision ended)."""
    for name, value in derived.values.items():
        setattr(finding, name, value)
    finding.fingerprint = derived.fingerprint
    finding.reported = True
    finding.last_seen = now
    finding.updated_at = now
    if decision is not None:
        finding.decision = decision
        finding.status = decision.status
        finding.closed_at = None
    elif finding.status in CLOSED_STATUSES or finding.decision_id is not None:
        finding.decision = None
        finding.status = FindingStatus.OPEN
        finding.closed_at = None


def explanation_json(verdict: Verdict) -> list[dict[str, Any]]:
    return [{"code": item.code, **dict(item.values)} for item in verdict.reasons]


def _event(
    finding: Finding,
    kind: str,
    from_status: str,
    to_status: str,
    run: MatchRun,
    now: datetime,
    verdict: Verdict | None,
) -> FindingEvent:
    detail: dict[str, Any] = {}
    if verdict is not None:
        detail = {"state": verdict.state.value, "reasons": explanation_json(verdict)}
    return FindingEvent(
        finding=finding,
        at=now,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        actor=MATCHER,
        detail=detail,
        run=run,
    )


def _record_sources(
    run: MatchRun,
    created: Iterable[Finding],
    changed: Iterable[Finding],
    seen: list[int],
    now: datetime,
) -> None:
    """The matcher as a source of each finding: active while it reports the finding (`seen`:
    the unchanged ones, still reported)."""
    for ids in chunks(seen, CHUNK):
        FindingSource.objects.filter(finding_id__in=ids, source=MATCHER).update(
            last_seen=now, run=run
        )
    rows = {
        source.finding_id: source
        for part in chunks([finding.pk for finding in changed], CHUNK)
        for source in FindingSource.objects.filter(finding_id__in=part, source=MATCHER)
    }
    new = [
        FindingSource(finding=finding, source=MATCHER, first_seen=now, last_seen=now, run=run)
        for finding in created
    ]
    updated = []
    for finding in changed:
        source = rows.get(finding.pk)
        if source is None:
            new.append(
                FindingSource(
                    finding=finding,
                    source=MATCHER,
                    first_seen=now,
                    last_seen=now,
                    run=run,
                    active=finding.reported,
                )
            )
            continue
        source.active, source.run = finding.reported, run
        if finding.reported:
            source.last_seen = now
        updated.append(source)
    bulk_insert(new)
    bulk_set(updated, ["active", "run", "last_seen"])
