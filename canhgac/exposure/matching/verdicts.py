"""Verdicts: what each is worth (confidence), which one wins, and whose data decides.

Shared by the rules (`engine`: NVD configurations, `packages`: ecosystem ranges, `microsoft`:
Windows builds and KBs).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

from canhgac.exposure.matching.facts import (
    Advisory,
    Host,
    Reason,
    Rule,
    Software,
    State,
    Verdict,
)

# How much a verdict is worth, by the rule and the evidence (shown as "confidence").
CONFIDENCE = {
    (Rule.WINDOWS_BUILD, State.AFFECTED): 100,
    (Rule.MICROSOFT_KB, State.AFFECTED): 90,
    (Rule.PACKAGE, State.AFFECTED): 95,
    (Rule.CPE, State.AFFECTED): 90,
}
MAPPED_PENALTY = 10  # the CPE came from canhgac's table, not from the inventory source
POTENTIAL = 50
RULE_STRENGTH = {Rule.WINDOWS_BUILD: 3, Rule.MICROSOFT_KB: 3, Rule.PACKAGE: 2, Rule.CPE: 1}
STATE_STRENGTH = {State.AFFECTED: 2, State.POTENTIAL: 1, State.NOT_AFFECTED: 0}

# Which refutations (NOT_AFFECTED verdicts) to return: None for all, else these vulnerabilities.
Explain = Collection[int] | None


def wanted(explain: Explain, vulnerability: int) -> bool:
    return explain is None or vulnerability in explain


def make_verdict(
    host: Host,
    advisory: Advisory,
    software: Software,
    *,
    state: State,
    rule: Rule,
    source: str,
    reasons: Iterable[Reason],
) -> Verdict:
    if state is State.AFFECTED:
        confidence = CONFIDENCE[(rule, state)] - (MAPPED_PENALTY if software.mapped else 0)
    elif state is State.POTENTIAL:
        confidence = POTENTIAL - (MAPPED_PENALTY if software.mapped else 0)
    else:
        confidence = 0
    return Verdict(
        asset=host.asset,
        vulnerability=advisory.vulnerability,
        cve_id=advisory.cve_id,
        kind=software.kind,
        ref=software.ref,
        name=software.name,
        version=software.version,
        state=state,
        rule=rule,
        source=source,
        confidence=confidence,
        reasons=tuple(reasons),
    )


def stronger(candidate: Verdict, current: Verdict) -> bool:
    """A stronger rule wins whatever it says; within a rule, the more exposed verdict."""
    if RULE_STRENGTH[candidate.rule] != RULE_STRENGTH[current.rule]:
        return RULE_STRENGTH[candidate.rule] > RULE_STRENGTH[current.rule]
    return STATE_STRENGTH[candidate.state] > STATE_STRENGTH[current.state]


def microsoft_knows(advisory: Advisory) -> bool:
    """Microsoft's update guide describes this CVE (it lists affected products or fixes)."""
    return bool(advisory.microsoft_products or advisory.microsoft_fixes)
