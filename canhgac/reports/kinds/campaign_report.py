"""The province's campaign status report (báo cáo tình hình chuẩn bị đợt cao điểm) to the
provincial committee: the period, the named warnings, the readiness of every unit in scope (a
chart and a table) and the remediation of the named warnings per letter. Numbered in the
province's series."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from django.conf import settings
from django.utils.translation import gettext_noop

from canhgac.accounts.actors import SystemActor
from canhgac.accounts.enums import Permission
from canhgac.accounts.models import Unit
from canhgac.accounts.services.common import Actor, require
from canhgac.remediation.board import board_summary, campaign_board, campaign_tasks
from canhgac.remediation.models import Campaign
from canhgac.remediation.selectors import task_progress
from canhgac.reports import selectors
from canhgac.reports.charts import Bar, bar_chart
from canhgac.reports.interface import DocumentKind, Issue, Numbering
from canhgac.reports.kinds.common import FILE_NOTE, dashed, province_letterhead, province_signature
from canhgac.reports.numbering import province_series
from canhgac.reports.official import day_text

READER = SystemActor("reports:campaign")  # the report covers every unit in scope


@dataclass(frozen=True, slots=True)
class Figure:
    label: str
    value: str


@dataclass(frozen=True, slots=True)
class UnitLine:
    index: int
    name: str
    readiness: str
    checks: str  # "4/6"
    missing: str  # the numbers of the items not done ("2, 5"), explained by `checks`
    warned: int
    overdue: int


@dataclass(frozen=True, slots=True)
class LetterLine:
    index: int
    number: str
    units: int
    acknowledged: int
    hosts: int
    verified: int
    settled: int


class CampaignReport(DocumentKind):
    id: ClassVar[str] = "campaign_report"
    display_name: ClassVar[str] = gettext_noop("Campaign status report")
    target_type = Campaign

    def authorize(self, *, by: Actor, target: Any) -> None:
        require(by, Permission.CAMPAIGN_MANAGE)

    def unit(self, target: Any) -> Unit | None:
        return None

    def title(self, target: Any) -> str:
        return f"Báo cáo tình hình chuẩn bị đợt cao điểm {target.name}"

    def numbering(self, target: Any) -> Numbering:
        return Numbering(series=province_series())

    def file_stem(self, target: Any, issue: Issue) -> str:
        return f"bao-cao-{target.code}"

    def document(self, target: Any, issue: Issue) -> dict[str, Any]:
        campaign: Campaign = target
        rows = campaign_board(user=READER, campaign=campaign)
        summary = board_summary(rows, campaign)
        letters = list(campaign.letters.order_by("issued_on", "number"))
        return {
            "head": province_letterhead(number=issue.number, day=issue.day),
            "subject": f"Tình hình chuẩn bị bảo đảm an toàn thông tin đợt cao điểm {campaign.name}",
            "addressee_inline": f"Ủy ban nhân dân tỉnh {settings.REPORT_PLACE}.",
            "issuer_name": _issuer_name(),
            "addressees": [],
            "campaign": {
                "name": campaign.name,
                "start": day_text(campaign.starts_on),
                "end": day_text(campaign.ends_on),
                "ready_by": day_text(campaign.prepare_by),
                "letters": ", ".join(letter.number for letter in letters) or "không có",
            },
            "figures": [
                Figure("Số cơ quan, đơn vị trong phạm vi", str(summary["units"])),
                Figure("Số đơn vị đã sẵn sàng (100%)", str(summary["ready"])),
                Figure("Mức sẵn sàng trung bình", f"{summary['average']}%"),
                Figure(
                    "Phát hiện chưa khắc phục của các văn bản cảnh báo",
                    str(summary["warned_findings"]),
                ),
                Figure("Nhiệm vụ khắc phục quá hạn", str(summary["overdue_tasks"])),
            ],
            "chart": bar_chart([Bar(row.unit.name, row.readiness) for row in rows]),
            "units": [
                UnitLine(
                    index=index,
                    name=row.unit.name,
                    readiness=f"{row.readiness}%",
                    checks=f"{sum(state.done for state in row.checks)}/{len(row.checks)}",
                    missing=", ".join(
                        str(number)
                        for number, state in enumerate(row.checks, start=1)
                        if not state.done
                    )
                    or "—",
                    warned=row.warned,
                    overdue=row.overdue_tasks,
                )
                for index, row in enumerate(rows, start=1)
            ],
            "checks": [
                Figure(str(number), check.label)
                for number, check in enumerate(campaign.checks.all(), start=1)
            ],
            "letters": _letter_lines(campaign),
            "copies": dashed(["Như trên", FILE_NOTE.rstrip(".")]),
            "sign": province_signature(),
        }


def _issuer_name() -> str:
    """The province's coordinating department as a sentence names it ("Sở Thông tin và
    Truyền thông tỉnh …"); the letterhead's upper-case issuer when there is none."""
    coordinator = Unit.objects.filter(is_coordinator=True).order_by("path").first()
    return coordinator.name if coordinator else str(settings.REPORT_ISSUER).capitalize()


def _letter_lines(campaign: Campaign) -> list[LetterLine]:
    """Per provincial letter forwarding a named warning: its recipients and their hosts."""
    forwarded = sorted(
        {task.letter for task in campaign_tasks(campaign).select_related("letter")},
        key=lambda letter: (letter.issued_on, letter.number),
    )
    lines = []
    for index, letter in enumerate(forwarded, start=1):
        tasks = selectors.letter_tasks(letter)
        hosts = [item for _task, items in tasks for item in items]
        progress = task_progress(hosts)
        lines.append(
            LetterLine(
                index=index,
                number=letter.number,
                units=len(tasks),
                acknowledged=sum(task.acknowledged_at is not None for task, _items in tasks),
                hosts=progress["hosts"],
                verified=progress["verified"],
                settled=progress["settled"],
            )
        )
    return lines
