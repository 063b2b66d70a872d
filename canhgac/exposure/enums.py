"""Finding statuses, triage justifications and priorities (pure enums: cores use them too)."""

from __future__ import annotations

import enum


class FindingStatus(enum.StrEnum):
    OPEN = "open"
    IN_REMEDIATION = "in_remediation"
    MITIGATED = "mitigated"  # a workaround is in place; the vulnerable thing is still there
    FIXED = "fixed"  # no longer matched
    VERIFIED = "verified"  # still not matched by newer inventory or scan data after the fix
    FALSE_POSITIVE = "false_positive"
    ACCEPTED_RISK = "accepted_risk"  # with an expiry and an approver
    NOT_AFFECTED = "not_affected"  # with a VEX justification


# Statuses of a finding the unit still has to act on (matching may close them as fixed).
ACTIVE_STATUSES = frozenset(
    {FindingStatus.OPEN, FindingStatus.IN_REMEDIATION, FindingStatus.MITIGATED}
)
# Statuses set by a person's decision: they stick across re-matching until the decision ends.
DECIDED_STATUSES = frozenset(
    {FindingStatus.FALSE_POSITIVE, FindingStatus.ACCEPTED_RISK, FindingStatus.NOT_AFFECTED}
)
CLOSED_STATUSES = frozenset({FindingStatus.FIXED, FindingStatus.VERIFIED})
# What a person may set through triage (fixed/verified come from matching only).
TRIAGE_STATUSES = frozenset(
    {
        FindingStatus.OPEN,
        FindingStatus.IN_REMEDIATION,
        FindingStatus.MITIGATED,
        FindingStatus.FALSE_POSITIVE,
        FindingStatus.ACCEPTED_RISK,
        FindingStatus.NOT_AFFECTED,
    }
)


class Justification(enum.StrEnum):
    """VEX justifications of "not affected" (CISA's minimum requirements, CSAF flags)."""

    COMPONENT_NOT_PRESENT = "component_not_present"
    VULNERABLE_CODE_NOT_PRESENT = "vulnerable_code_not_present"
    VULNERABLE_CODE_NOT_IN_EXECUTE_PATH = "vulnerable_code_not_in_execute_path"
    VULNERABLE_CODE_CANNOT_BE_CONTROLLED_BY_ADVERSARY = (
        "vulnerable_code_cannot_be_controlled_by_adversary"
    )
    INLINE_MITIGATIONS_ALREADY_EXIST = "inline_mitigations_already_exist"


class TriageScope(enum.StrEnum):
    """Which later findings a triage decision covers."""

    VERSION = "version"  # the same component at the same version
    ANY_VERSION = "any_version"  # the same component at any version


class Priority(enum.StrEnum):
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"


class RunStatus(enum.StrEnum):
    RUNNING = "running"
    OK = "ok"
    FAILED = "failed"
