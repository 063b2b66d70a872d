"""The report kinds canhgac renders, listed by hand (a duplicate id fails at import)."""

from __future__ import annotations

from canhgac.core.registry import Registry
from canhgac.reports.interface import ReportKind
from canhgac.reports.kinds.campaign_report import CampaignReport
from canhgac.reports.kinds.forwarding_letter import ForwardingLetter
from canhgac.reports.kinds.task_lines import TaskLines
from canhgac.reports.kinds.unit_report import UnitReport

KINDS: Registry[ReportKind] = Registry(
    "report kind",
    [
        ForwardingLetter,
        UnitReport,
        TaskLines,
        CampaignReport,
    ],
)


def report_kind(kind_id: str) -> ReportKind:
    """An instance of the kind `kind_id` (UnknownPluginError names the known ones)."""
    return KINDS.get(kind_id)()
