"""The priority formula: an explicit, versioned sum of named factors (pure; no Django).

"Why is this P1?" is answered by the breakdown stored with each finding: every factor, the value
it read and the points it gave. Changing a weight means a new `FORMULA` version, so stored
scores say which formula made them.

Formula 2026.1 (points, total capped to 0-100):

| factor | points |
|---|---|
| CVSS base score (highest known) | score x 4 (≤ 40) |
| EPSS percentile | percentile x 10 (≤ 10) |
| in CISA KEV (exploited in the wild) | 20 |
| cited by a national or provincial warning letter | 15 |
| public exploit code or exploitation reported by a letter | 5 |
| asset reachable from the Internet | 10 |
| security level (cấp độ) of the information system | (level - 1) x 2.5 (≤ 10) |
| asset criticality | low 0, medium 3, high 6, critical 10 |
| only potentially affected (a condition undecided) | -10 |

P1 ≥ 70, P2 ≥ 50, P3 ≥ 30, P4 below. Due date: first seen + the unit's days for the priority,
capped by the earliest due date of a citing warning letter and by the KEV due date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from canhgac.exposure.enums import Priority

FORMULA = "2026.1"
THRESHOLDS = ((Priority.P1, 70.0), (Priority.P2, 50.0), (Priority.P3, 30.0))
CRITICALITY_POINTS = {"low": 0.0, "medium": 3.0, "high": 6.0, "critical": 10.0}
DEFAULT_SLA_DAYS = {"P1": 7, "P2": 15, "P3": 30, "P4": 90}


@dataclass(frozen=True, slots=True)
class Factors:
    """What the formula reads about one finding."""

    cvss: float | None = None
    epss_percentile: float | None = None
    kev: bool = False
    warned: tuple[str, ...] = ()  # numbers of the warning letters citing the CVE
    public_exploit: bool = False
    internet_facing: bool | None = None
    security_level: int | None = None
    criticality: str = ""
    potential: bool = False


@dataclass(frozen=True, slots=True)
class Part:
    factor: str  # "cvss", "epss", "kev", "warning", "exploit", "internet", "level", ...
    value: str  # what was read, as text
    points: float


@dataclass(frozen=True, slots=True)
class Score:
    value: float
    priority: Priority
    parts: tuple[Part, ...]
    formula: str = FORMULA


def score(factors: Factors) -> Score:
    parts: list[Part] = []
    if factors.cvss is not None:
        parts.append(Part("cvss", f"{factors.cvss:.1f}", round(min(factors.cvss, 10.0) * 4, 1)))
    if factors.epss_percentile is not None:
        percentile = min(max(factors.epss_percentile, 0.0), 1.0)
        parts.append(Part("epss", f"{percentile:.3f}", round(percentile * 10, 1)))
    if factors.kev:
        parts.append(Part("kev", "yes", 20.0))
    if factors.warned:
        parts.append(Part("warning", ", ".join(factors.warned), 15.0))
    if factors.public_exploit:
        parts.append(Part("exploit", "yes", 5.0))
    if factors.internet_facing:
        parts.append(Part("internet", "yes", 10.0))
    if factors.security_level:
        level = min(max(factors.security_level, 1), 5)
        parts.append(Part("level", str(level), (level - 1) * 2.5))
    if factors.criticality in CRITICALITY_POINTS:
        parts.append(
            Part("criticality", factors.criticality, CRITICALITY_POINTS[factors.criticality])
        )
    if factors.potential:
        parts.append(Part("potential", "yes", -10.0))
    total = round(min(max(sum(part.points for part in parts), 0.0), 100.0), 1)
    priority = next((name for name, floor in THRESHOLDS if total >= floor), Priority.P4)
    return Score(total, priority, tuple(parts))


@dataclass(frozen=True, slots=True)
class Due:
    on: date
    reason: str  # "sla:P1", "warning:674/CATTT-NCSC", "kev"


def due_date(
    *,
    first_seen: date,
    priority: Priority,
    sla_days: dict[str, int],
    warnings: tuple[tuple[str, date], ...] = (),
    kev_due: date | None = None,
) -> Due:
    """The earliest of the SLA deadline, a citing letter's due date and the KEV due date."""
    candidates = [Due(first_seen + timedelta(days=sla_days[priority.value]), f"sla:{priority}")]
    candidates += [Due(on, f"warning:{number}") for number, on in warnings]
    if kev_due is not None:
        candidates.append(Due(kev_due, "kev"))
    return min(candidates, key=lambda item: (item.on, item.reason))
