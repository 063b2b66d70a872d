"""Every host line of a forwarded letter's tasks, unit by unit, as a spreadsheet (CSV, XLSX):
what each unit declared, what matching verified, which cited CVEs are still matched."""

from __future__ import annotations

from typing import Any, ClassVar

from django.utils.translation import gettext_noop

from canhgac.accounts.models import Unit
from canhgac.accounts.services.common import Actor
from canhgac.advisories.models import WarningLetter
from canhgac.reports import selectors
from canhgac.reports.interface import Issue, Numbering, TableKind
from canhgac.reports.kinds.common import (
    authorize_province,
    moment_text,
    status_word,
    verification_word,
)
from canhgac.reports.official import Table, day_text

COLUMNS = (
    "Mã đơn vị",
    "Đơn vị",
    "Máy chủ",
    "Hệ thống",
    "Trạng thái khai báo",
    "Lý do / biện pháp",
    "Ngày dự kiến khắc phục",
    "Xác minh",
    "Thời điểm xác minh",
    "CVE còn khớp",
    "CVE đã khắc phục",
    "Hạn xử lý",
)


class TaskLines(TableKind):
    id: ClassVar[str] = "task_lines"
    display_name: ClassVar[str] = gettext_noop("Remediation lines of a letter")
    target_type = WarningLetter

    def authorize(self, *, by: Actor, target: Any) -> None:
        authorize_province(by=by, target=target)

    def unit(self, target: Any) -> Unit | None:
        return None

    def title(self, target: Any) -> str:
        return f"Danh sách máy chủ và trạng thái khắc phục theo văn bản số {target.number}"

    def numbering(self, target: Any) -> Numbering:
        return Numbering()  # an export, not a document: registered without a number

    def file_stem(self, target: Any, issue: Issue) -> str:
        return f"danh-sach-{target.number}-{issue.day.isoformat()}"

    def table(self, target: Any, issue: Issue) -> Table:
        rows = tuple(
            (
                task.unit.code,
                task.unit.name,
                item.asset_name,
                item.system.name if item.system else "",
                status_word(item.status),
                item.reason,
                day_text(item.plan_date),
                verification_word(item.verification),
                moment_text(item.verified_at),
                ", ".join(item.matched),
                ", ".join(item.fixed),
                day_text(item.due_date or task.due_date),
            )
            for task, items in selectors.letter_tasks(target)
            for item in items
        )
        return Table(columns=COLUMNS, rows=rows)
