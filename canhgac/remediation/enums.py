"""What a unit declares about each affected host, and how the platform checks it (pure enums)."""

from __future__ import annotations

import enum


class ItemStatus(enum.StrEnum):
    """A host's remediation status, in the regulation's words (REGULATION.md §8 C.13)."""

    NOT_REVIEWED = "not_reviewed"  # chưa rà soát
    NOT_AFFECTED = "not_affected"  # không ảnh hưởng (with a reason)
    PATCHED = "patched"  # đã vá
    WORKAROUND = "workaround"  # áp dụng biện pháp thay thế
    NOT_FIXED = "not_fixed"  # chưa khắc phục (with a reason and a plan date)


class Verification(enum.StrEnum):
    """What the inventory says, apart from what the unit declares."""

    MATCHED = "matched"  # a cited vulnerability is still matched on the host
    VERIFIED = "verified"  # it was matched and no longer is: the fix is seen (đã xác minh)
    UNMATCHED = "unmatched"  # never matched for the cited vulnerabilities (added by hand)


class Origin(enum.StrEnum):
    """Why a unit received a provincial letter."""

    MATCHED = "matched"  # proposed when forwarding: its inventory matched a cited CVE
    ADDED = "added"  # chosen by the analyst
    CASCADE = "cascade"  # became affected later (a new advisory or inventory change)


class TaskStatus(enum.StrEnum):
    NEW = "new"  # not acknowledged yet
    IN_PROGRESS = "in_progress"
    DONE = "done"  # every host settled (verified fixed or declared not affected), review ended


class Escalation(enum.IntEnum):
    """How far an overdue task has been escalated."""

    NONE = 0
    MANAGER = 1  # the unit's manager was told
    PROVINCE = 2  # the province's analysts (the DIC) were told


# Declarations that say the vulnerable thing is gone or harmless: matching must agree. (A
# workaround leaves it in place by definition: matching cannot confirm one.)
CLAIMS = frozenset({ItemStatus.PATCHED, ItemStatus.NOT_AFFECTED})
# Declarations that need a reason; NOT_FIXED also needs a plan date.
NEEDS_REASON = frozenset({ItemStatus.NOT_AFFECTED, ItemStatus.NOT_FIXED})


class Check(enum.StrEnum):
    """The readiness checklist of a holiday campaign (REGULATION.md §8 F.23). A campaign may
    use any subset, in any order, and add its own items (free keys)."""

    ROSTER_FILLED = "roster_filled"  # the duty roster of the holiday is filled
    WARNINGS_FIXED = "warnings_fixed"  # the named warnings are fully fixed (computed)
    BACKUPS_CHECKED = "backups_checked"  # 3-2-1 backups checked
    MALWARE_SWEEP = "malware_sweep"  # a malware sweep of the unit's hosts done
    WATCHER_ASSIGNED = "watcher_assigned"  # someone watches the national warning channel
    PROVIDER_COMMITMENT = "provider_commitment"  # the security provider's commitment received


# Items decided by canhgac from its data, not ticked by the unit.
COMPUTED_CHECKS = frozenset({Check.WARNINGS_FIXED})
