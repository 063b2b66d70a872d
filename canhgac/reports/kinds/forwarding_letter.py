"""The province's forwarding letter (công văn): a national warning letter re-issued by the DIC
to its units under the number it was forwarded with, and an annex listing each recipient's
affected hosts with the cited CVEs matching is still seeing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from django.utils.translation import gettext_noop

from canhgac.accounts.models import Unit
from canhgac.accounts.services.common import Actor
from canhgac.advisories.models import WarningLetter
from canhgac.reports import selectors
from canhgac.reports.interface import DocumentKind, Issue, Numbering
from canhgac.reports.kinds.common import (
    FILE_NOTE,
    SEVERITY_WORDS,
    addressed,
    authorize_province,
    dashed,
    in_sentence,
    lines_of,
    province_letterhead,
    province_signature,
)
from canhgac.reports.official import day_text


@dataclass(frozen=True, slots=True)
class Citation:
    index: int
    cve: str
    severity: str


@dataclass(frozen=True, slots=True)
class AnnexLine:
    index: int
    system: str
    host: str
    cves: str  # still matched, comma-separated; "—" when none


@dataclass(frozen=True, slots=True)
class AnnexUnit:
    index: int
    name: str
    lines: tuple[AnnexLine, ...]


def subject_of(title: str) -> str:
    """The subject line ("V/v cảnh báo …"): the title, lower-cased at its start."""
    return f"V/v {in_sentence(title)}" if title else ""


class ForwardingLetter(DocumentKind):
    id: ClassVar[str] = "forwarding_letter"
    display_name: ClassVar[str] = gettext_noop("Forwarding letter")
    target_type = WarningLetter

    def authorize(self, *, by: Actor, target: Any) -> None:
        authorize_province(by=by, target=target)

    def unit(self, target: Any) -> Unit | None:
        return None

    def title(self, target: Any) -> str:
        return f"Công văn {target.number} {subject_of(target.title)}"

    def numbering(self, target: Any) -> Numbering:
        return Numbering(fixed=target.number)

    def issue_day(self, target: Any, today: date) -> date:
        issued_on: date = target.issued_on
        return issued_on

    def file_stem(self, target: Any, issue: Issue) -> str:
        return f"cong-van-{issue.number}"

    def document(self, target: Any, issue: Issue) -> dict[str, Any]:
        letter: WarningLetter = target
        original = letter.forwarded_from
        assert original is not None  # noqa: S101 (authorize refuses a letter not forwarded)
        tasks = selectors.letter_tasks(letter)
        annex = tuple(
            AnnexUnit(
                index=position,
                name=task.unit.name,
                lines=tuple(
                    AnnexLine(
                        index=number,
                        system=item.system.name if item.system else "—",
                        host=item.asset_name,
                        cves=", ".join(item.matched) or "—",
                    )
                    for number, item in enumerate(items, start=1)
                ),
            )
            for position, (task, items) in enumerate(tasks, start=1)
        )
        recipients = [task.unit.name for task, _items in tasks]
        inline, addressees = addressed(recipients, "Các cơ quan, đơn vị trên địa bàn tỉnh")
        return {
            "head": province_letterhead(
                number=issue.number, day=issue.day, subject=subject_of(letter.title)
            ),
            "addressee_inline": inline,
            "addressees": addressees,
            "issuer_name": letter.issuer,
            "original": {
                "number": original.number,
                "issuer": original.issuer,
                "day": day_text(original.issued_on),
                "subject": in_sentence(original.title),
            },
            "summary": lines_of(letter.summary),
            "citations": [
                Citation(index, cited.vulnerability.cve_id, SEVERITY_WORDS[cited.severity])
                for index, cited in enumerate(selectors.letter_citations(letter), start=1)
            ],
            "affected_units": sum(1 for unit in annex if unit.lines),
            "affected_hosts": sum(len(unit.lines) for unit in annex),
            "actions": lines_of(letter.required_actions),
            "due": day_text(letter.due_date),
            "copies": dashed([*recipients, FILE_NOTE.rstrip(".")]),
            "sign": province_signature(),
            "annex": annex,
            "annex_reference": (
                f"(Kèm theo Văn bản số {issue.number} ngày {day_text(issue.day)} "
                f"của {letter.issuer})"
            ),
        }
