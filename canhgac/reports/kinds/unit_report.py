"""A unit's report on its task (báo cáo kết quả rà soát, khắc phục lỗ hổng): how many hosts,
how many in each declared status, how many matching verified, and one line per host. Issued
by the unit under its own series (BC-<unit code>)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from django.utils.translation import gettext_noop

from canhgac.accounts.models import Unit
from canhgac.accounts.services.common import Actor
from canhgac.remediation.enums import ItemStatus
from canhgac.remediation.models import Task
from canhgac.remediation.selectors import task_get_for_user, task_progress
from canhgac.reports import selectors
from canhgac.reports.interface import DocumentKind, Issue, Numbering
from canhgac.reports.kinds.common import (
    STATUS_WORDS,
    addressed,
    dashed,
    in_sentence,
    status_word,
    unit_letterhead,
    unit_signature,
    verification_word,
)
from canhgac.reports.numbering import unit_series
from canhgac.reports.official import day_text


@dataclass(frozen=True, slots=True)
class Count:
    label: str
    value: int


@dataclass(frozen=True, slots=True)
class HostLine:
    index: int
    host: str
    system: str
    status: str
    reason: str
    plan_date: str
    verification: str


class UnitReport(DocumentKind):
    id: ClassVar[str] = "unit_report"
    display_name: ClassVar[str] = gettext_noop("Unit remediation report")
    target_type = Task

    def authorize(self, *, by: Actor, target: Any) -> None:
        """Whoever sees the task (its unit's officers, managers above, the province)."""
        task_get_for_user(user=by, task_id=target.pk)

    def unit(self, target: Any) -> Unit | None:
        unit: Unit = target.unit
        return unit

    def title(self, target: Any) -> str:
        return f"Báo cáo kết quả rà soát, khắc phục lỗ hổng theo văn bản số {target.letter.number}"

    def numbering(self, target: Any) -> Numbering:
        return Numbering(series=unit_series(target.unit))

    def file_stem(self, target: Any, issue: Issue) -> str:
        return f"bao-cao-{issue.number}"

    def document(self, target: Any, issue: Issue) -> dict[str, Any]:
        task: Task = target
        letter = task.letter
        hosts = selectors.task_hosts(task)
        progress = task_progress(hosts)
        inline, addressees = addressed([letter.issuer], "")
        return {
            "head": unit_letterhead(
                unit=selectors.unit_with_parent(task.unit), number=issue.number, day=issue.day
            ),
            "subject": (
                f"Kết quả rà soát, khắc phục lỗ hổng theo Văn bản số {letter.number} "
                f"ngày {day_text(letter.issued_on)} của {letter.issuer}"
            ),
            "addressee_inline": inline,
            "addressees": addressees,
            "unit_name": task.unit.name,
            "letter": {
                "number": letter.number,
                "day": day_text(letter.issued_on),
                "issuer": letter.issuer,
                "subject": in_sentence(letter.title),
                "due": day_text(task.due_date or letter.due_date),
            },
            "counts": [
                Count("Tổng số máy chủ bị ảnh hưởng", progress["hosts"]),
                *(
                    Count(STATUS_WORDS[status], progress[f"declared_{status.value}"])
                    for status in ItemStatus
                ),
                Count("Đã xác minh khắc phục qua đối chiếu", progress["verified"]),
                Count("Đã khai báo khắc phục nhưng chưa xác minh", progress["unverified_claims"]),
            ],
            "hosts": [
                HostLine(
                    index=index,
                    host=item.asset_name,
                    system=item.system.name if item.system else "—",
                    status=status_word(item.status),
                    reason=item.reason,
                    plan_date=day_text(item.plan_date),
                    verification=verification_word(item.verification),
                )
                for index, item in enumerate(hosts, start=1)
            ],
            "copies": dashed(["Như trên", "Lưu: VT"]),
            "sign": unit_signature(),
        }
