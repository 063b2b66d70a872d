"""What the findings say about a letter's vulnerabilities, host by host (read-only).

A host is *affected* while a finding of a cited vulnerability on it is active (open, in
remediation, mitigated); a cited vulnerability is *fixed* on it when all its findings there were
closed by matching (fixed, verified). Findings a person decided (false positive, accepted risk,
not affected) make the host neither.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from canhgac.exposure.enums import ACTIVE_STATUSES, CLOSED_STATUSES
from canhgac.exposure.models import Finding
from canhgac.remediation.enums import Verification


@dataclass
class HostExposure:
    asset_id: int
    unit_id: int
    name: str
    system_id: int | None
    active: set[str] = field(default_factory=set)  # CVE ids still matched
    closed: set[str] = field(default_factory=set)  # CVE ids with a closed finding
    due: tuple[date, str] | None = None  # earliest SLA/KEV due date of its active findings

    @property
    def fixed(self) -> list[str]:
        return sorted(self.closed - self.active)

    @property
    def matched(self) -> list[str]:
        return sorted(self.active)

    @property
    def verification(self) -> Verification:
        if self.active:
            return Verification.MATCHED
        return Verification.VERIFIED if self.closed else Verification.UNMATCHED


def exposure_of(
    vulnerability_ids: Iterable[int], unit_ids: Iterable[int] | None = None
) -> dict[int, dict[int, HostExposure]]:
    """Hosts with a finding of the vulnerabilities, by unit then asset id (one query)."""
    findings = Finding.objects.filter(vulnerability_id__in=list(vulnerability_ids))
    if unit_ids is not None:
        findings = findings.filter(unit_id__in=list(unit_ids))
    hosts: dict[int, dict[int, HostExposure]] = defaultdict(dict)
    rows = findings.values_list(
        "unit_id",
        "asset_id",
        "asset__name",
        "asset__key",
        "asset__system_id",
        "vulnerability__cve_id",
        "status",
        "due_date",
        "due_reason",
    )
    for unit_id, asset_id, name, key, system_id, cve, status, due, why in rows.iterator(2000):
        host = hosts[unit_id].get(asset_id)
        if host is None:
            host = hosts[unit_id][asset_id] = HostExposure(
                asset_id, unit_id, name or key, system_id
            )
        if status in ACTIVE_STATUSES:
            host.active.add(cve)
            # The SLA and KEV dates count; another letter's date does not: a task follows its
            # own letter's due date (an older letter's deadline would make it overdue at birth)
            if due is None or why.startswith("warning:"):
                continue
            if host.due is None or due < host.due[0]:
                host.due = (due, why)
        elif status in CLOSED_STATUSES:
            host.closed.add(cve)
    return hosts


def affected_units(exposure: dict[int, dict[int, HostExposure]]) -> dict[int, list[HostExposure]]:
    """The units with an affected host, and those hosts."""
    found = {
        unit_id: [host for host in hosts.values() if host.active]
        for unit_id, hosts in exposure.items()
    }
    return {unit_id: hosts for unit_id, hosts in found.items() if hosts}
