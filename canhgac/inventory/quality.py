"""Data-quality rules for information systems (NĐ 85/2016 levels): reported, never enforced.

Each rule looks at one system's fields and returns an issue or None. The rules follow the
level criteria of NĐ 85/2016 Art. 7-11 as summarised in REGULATION.md §4; they are hints for
the people keeping the inventory, not legal decisions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

PERSONAL_DATA_USERS = 10_000  # NĐ 85 Art. 9: personal data of ≥ 10,000 users → level ≥ 3


class SystemFacts(Protocol):
    status: str
    information_types: list[str]
    user_count: int | None
    online_service_level: int | None
    proposed_level: int | None
    approved_level: int | None
    approval_decision: str
    approval_date: Any
    provider_unit_id: int | None


@dataclass(frozen=True, slots=True)
class QualityIssue:
    code: str
    severity: str  # "error" (should block go-live) or "warning"
    message: str | Promise


def _level(system: SystemFacts) -> int | None:
    return system.approved_level or system.proposed_level


def live_without_approved_level(system: SystemFacts) -> QualityIssue | None:
    if system.status == "live" and system.approved_level is None:
        return QualityIssue(
            "live_without_approved_level", "error", _("Live without an approved security level")
        )
    return None


def no_level_proposed(system: SystemFacts) -> QualityIssue | None:
    if system.status != "retired" and _level(system) is None:
        return QualityIssue("no_level", "warning", _("No security level proposed yet"))
    return None


def personal_data_level(system: SystemFacts) -> QualityIssue | None:
    level = _level(system)
    if (
        "personal" in system.information_types
        and (system.user_count or 0) >= PERSONAL_DATA_USERS
        and level is not None
        and level < 3
    ):
        return QualityIssue(
            "personal_data_level",
            "warning",
            _("Personal data of 10,000 users or more usually needs level 3 or higher"),
        )
    return None


def online_service_level(system: SystemFacts) -> QualityIssue | None:
    level = _level(system)
    if (system.online_service_level or 0) >= 3 and level is not None and level < 3:
        return QualityIssue(
            "online_service_level",
            "warning",
            _("Online public services of level 3 or 4 usually need security level 3 or higher"),
        )
    return None


def approval_without_decision(system: SystemFacts) -> QualityIssue | None:
    if system.approved_level is not None and not (
        system.approval_decision and system.approval_date
    ):
        return QualityIssue(
            "approval_without_decision",
            "warning",
            _("Approved level without decision number and date"),
        )
    return None


def level_three_without_monitoring(system: SystemFacts) -> QualityIssue | None:
    level = _level(system)
    if level is not None and level >= 3 and system.provider_unit_id is None:
        return QualityIssue(
            "no_monitoring_provider",
            "warning",
            _("Level 3 or higher without a monitoring/protection provider"),
        )
    return None


RULES: tuple[Callable[[SystemFacts], QualityIssue | None], ...] = (
    live_without_approved_level,
    no_level_proposed,
    personal_data_level,
    online_service_level,
    approval_without_decision,
    level_three_without_monitoring,
)


def system_quality_issues(system: SystemFacts) -> list[QualityIssue]:
    return [issue for rule in RULES if (issue := rule(system)) is not None]
