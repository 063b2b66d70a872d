"""Triage: a person's decision about findings, sticky across re-imports until it ends.

A decision covers the findings of one asset and vulnerability whose matched thing has the same
kind and name, at the decided version or at any version (`scope`). Re-matching applies the
newest decision in force to new and reopened findings, so a false positive stays one when the
inventory row behind it is replaced by a newer import. Accepted risk needs an expiry date and
the right to accept risk; when it expires, the decision ends and its findings reopen.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from django.db import transaction
from django.db.models import Q

from canhgac.accounts.enums import Permission
from canhgac.accounts.services.common import Actor, actor_name, audit, require
from canhgac.audit.enums import AuditAction
from canhgac.core import clock
from canhgac.core.bulk import bulk_set
from canhgac.core.exceptions import ValidationError
from canhgac.core.sequences import chunks
from canhgac.exposure.enums import (
    CLOSED_STATUSES,
    TRIAGE_STATUSES,
    FindingStatus,
    Justification,
    TriageScope,
)
from canhgac.exposure.matching.facts import Verdict
from canhgac.exposure.models import Finding, FindingEvent, TriageDecision

CHUNK = 500
KEYS_PER_QUERY = 100  # findings per OR-of-keys query (SQLite limits expression depth)
MAX_REASON = 4000
DecisionKey = tuple[int, int, str, str]  # asset, vulnerability, kind, matched name


@dataclass
class DecisionIndex:
    by_key: dict[DecisionKey, list[TriageDecision]]

    def find(self, verdict: Verdict) -> TriageDecision | None:
        key = (verdict.asset, verdict.vulnerability, verdict.kind.value, verdict.name[:255])
        return _first_covering(self.by_key.get(key, ()), verdict.version[:128])


def _first_covering(decisions: Iterable[TriageDecision], version: str) -> TriageDecision | None:
    for decision in decisions:  # newest first
        if decision.scope == TriageScope.ANY_VERSION or decision.matched_version == version:
            return decision
    return None


def applicable_decisions(
    asset_ids: Sequence[int], vulnerability_ids: Iterable[int]
) -> DecisionIndex:
    wanted = set(vulnerability_ids)
    by_key: dict[DecisionKey, list[TriageDecision]] = defaultdict(list)
    for part in chunks(list(asset_ids), CHUNK):
        for decision in TriageDecision.objects.filter(asset_id__in=part, active=True).order_by(
            "-decided_at", "-pk"
        ):
            if decision.vulnerability_id in wanted:
                key = (
                    decision.asset_id,
                    decision.vulnerability_id,
                    decision.kind,
                    decision.matched_name,
                )
                by_key[key].append(decision)
    return DecisionIndex(by_key)


def _validate(
    status: str, reason: str, justification: str, until: date | None, scope: str
) -> tuple[FindingStatus, TriageScope]:
    problems = []
    try:
        chosen = FindingStatus(status)
    except ValueError:
        chosen = FindingStatus.OPEN
        problems.append(f"status '{status}' is not one of {', '.join(sorted(TRIAGE_STATUSES))}")
    if chosen not in TRIAGE_STATUSES:
        problems.append(f"status '{status}' is set by matching, not by triage")
    if not reason.strip():
        problems.append("a reason is required")
    if len(reason) > MAX_REASON:
        problems.append(f"the reason is longer than {MAX_REASON} characters")
    if chosen is FindingStatus.ACCEPTED_RISK:
        if until is None:
            problems.append("accepted risk needs an expiry date (until)")
        elif until <= clock.today():
            problems.append("the expiry date of an accepted risk must be in the future")
    elif until is not None:
        problems.append("only an accepted risk has an expiry date")
    if chosen is FindingStatus.NOT_AFFECTED:
        if justification not in {item.value for item in Justification}:
            problems.append(
                "not affected needs a justification: "
                + ", ".join(item.value for item in Justification)
            )
    elif justification:
        problems.append("only 'not affected' takes a justification")
    try:
        chosen_scope = TriageScope(scope)
    except ValueError:
        chosen_scope = TriageScope.VERSION
        problems.append(f"scope '{scope}' is not 'version' or 'any_version'")
    if problems:
        raise ValidationError("; ".join(problems))
    return chosen, chosen_scope


def findings_triage(
    *,
    by: Actor,
    findings: Sequence[Finding],
    status: str,
    reason: str,
    justification: str = "",
    until: date | None = None,
    scope: str = TriageScope.VERSION.value,
) -> list[Finding]:
    """Set the status of findings (one or many, bulk triage) and remember the decision.

    `open` ends the decisions covering the findings. Every other status creates one decision
    per (asset, vulnerability, matched thing) that later matching applies."""
    chosen, chosen_scope = _validate(status, reason, justification, until, scope)
    for unit_id in {finding.unit_id for finding in findings}:
        require(by, Permission.FINDING_TRIAGE, unit_id)
        if chosen is FindingStatus.ACCEPTED_RISK:
            require(by, Permission.RISK_ACCEPT, unit_id)
    now = clock.now()
    label = actor_name(by)
    detail = {
        "reason": reason.strip(),
        "justification": justification,
        "until": until.isoformat() if until else "",
        "scope": chosen_scope.value,
    }
    before = {finding.pk: finding.status for finding in findings}
    with transaction.atomic():
        _end_decisions(findings, now, f"replaced by {label}")
        decisions: list[TriageDecision] = []
        if chosen is not FindingStatus.OPEN:
            decisions = TriageDecision.objects.bulk_create(
                TriageDecision(
                    asset_id=finding.asset_id,
                    vulnerability_id=finding.vulnerability_id,
                    kind=finding.kind,
                    matched_name=finding.matched_name,
                    matched_version=finding.matched_version,
                    scope=chosen_scope,
                    status=chosen,
                    justification=justification,
                    reason=reason.strip(),
                    until=until,
                    approver=label if chosen is FindingStatus.ACCEPTED_RISK else "",
                    decided_by=label,
                    decided_at=now,
                )
                for finding in findings
            )
        for index, finding in enumerate(findings):
            finding.decision = decisions[index] if decisions else None
            if before[finding.pk] not in CLOSED_STATUSES:  # a closed one keeps the decision
                finding.status = chosen
            finding.updated_at = now
        bulk_set(findings, ["decision", "status", "updated_at"])
        FindingEvent.objects.bulk_create(
            FindingEvent(
                finding=finding,
                at=now,
                kind="triaged",
                from_status=before[finding.pk],
                to_status=finding.status,
                actor=label,
                detail=detail,
            )
            for finding in findings
        )
        for finding in findings:  # one audit event each: the chain links them one by one
            audit(
                by,
                AuditAction.FINDING_TRIAGED,
                unit=finding.unit,
                target=finding,
                parameters={"from": before[finding.pk], "to": finding.status, **detail},
            )
    return list(findings)


def _end_decisions(findings: Sequence[Finding], now: object, why: str) -> None:
    """End the decisions in force on these findings' (asset, vulnerability, matched thing)."""
    for part in chunks(list(findings), KEYS_PER_QUERY):
        covered = Q()
        for finding in part:
            covered |= Q(
                asset_id=finding.asset_id,
                vulnerability_id=finding.vulnerability_id,
                kind=finding.kind,
                matched_name=finding.matched_name,
            )
        TriageDecision.objects.filter(covered, active=True).update(
            active=False, ended_at=now, end_reason=why[:255]
        )


def decisions_expire(*, by: Actor) -> int:
    """End the accepted risks whose date has passed; their findings reopen (or stay fixed
    when no source reports them any more). Returns how many decisions ended."""
    today = clock.today()
    now = clock.now()
    expired = list(
        TriageDecision.objects.filter(
            active=True, status=FindingStatus.ACCEPTED_RISK, until__lt=today
        )
    )
    with transaction.atomic():
        for decision in expired:
            decision.active, decision.ended_at, decision.end_reason = False, now, "expired"
            decision.save(update_fields=["active", "ended_at", "end_reason"])
            for finding in Finding.objects.filter(decision=decision).select_related("unit"):
                old_status = finding.status
                finding.status = FindingStatus.OPEN if finding.reported else FindingStatus.FIXED
                finding.decision, finding.updated_at = None, now
                finding.save(update_fields=["status", "decision", "updated_at"])
                FindingEvent.objects.create(
                    finding=finding,
                    at=now,
                    kind="decision_expired",
                    from_status=old_status,
                    to_status=finding.status,
                    actor=actor_name(by),
                    detail={"until": decision.until.isoformat() if decision.until else ""},
                )
            audit(
                by,
                AuditAction.DECISION_ENDED,
                target=decision,
                parameters={"reason": "expired", "until": decision.until},
            )
    return len(expired)
