"""What the kinds share: the Vietnamese words of the documents, the province's letterhead and
signature from the settings, who may issue province-wide documents."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings

from canhgac.accounts.enums import Permission, UnitKind
from canhgac.accounts.models import Unit
from canhgac.accounts.services.common import Actor, require
from canhgac.advisories.models import WarningLetter
from canhgac.core import clock
from canhgac.core.exceptions import ValidationError
from canhgac.remediation.enums import ItemStatus, Verification
from canhgac.reports.official import Letterhead, Signature, place_date

# The regulation's five statuses (REGULATION.md §8 C.13), as a document writes them.
STATUS_WORDS = {
    ItemStatus.NOT_REVIEWED: "Chưa rà soát",
    ItemStatus.NOT_AFFECTED: "Không ảnh hưởng",
    ItemStatus.PATCHED: "Đã vá",
    ItemStatus.WORKAROUND: "Áp dụng biện pháp thay thế",
    ItemStatus.NOT_FIXED: "Chưa khắc phục",
}
SEVERITY_WORDS = {"critical": "Nghiêm trọng", "high": "Cao", "other": "Khác"}
VERIFIED, NOT_VERIFIED = "Đã xác minh", "Chưa xác minh"
FILE_NOTE = "Lưu: VT, ATTT."


def status_word(status: str) -> str:
    return STATUS_WORDS[ItemStatus(status)]


def verification_word(verification: str) -> str:
    return VERIFIED if verification == Verification.VERIFIED else NOT_VERIFIED


def province_letterhead(*, number: str, day: Any, subject: str = "") -> Letterhead:
    return Letterhead(
        authority=settings.REPORT_AUTHORITY,
        issuer=settings.REPORT_ISSUER,
        number=number,
        place_date=place_date(settings.REPORT_PLACE, day),
        subject=subject,
    )


def unit_letterhead(*, unit: Unit, number: str, day: Any) -> Letterhead:
    """A unit's own header: its parent body above it (the province's authority for the
    departments directly under the provincial committee)."""
    parent = unit.parent
    above = (
        settings.REPORT_AUTHORITY
        if parent is None or parent.kind == UnitKind.PROVINCE_COMMITTEE
        else parent.name.upper()
    )
    return Letterhead(
        authority=above,
        issuer=unit.name.upper(),
        number=number,
        place_date=place_date(settings.REPORT_PLACE, day),
    )


def province_signature() -> Signature:
    lines = tuple(line.strip() for line in settings.REPORT_SIGNER_TITLE.splitlines())
    return Signature(
        title_lines=tuple(line for line in lines if line), name=settings.REPORT_SIGNER_NAME
    )


def unit_signature() -> Signature:
    return Signature(title_lines=("THỦ TRƯỞNG ĐƠN VỊ",), note="(Ký, ghi rõ họ tên, đóng dấu)")


def require_forwarded(target: Any) -> WarningLetter:
    if not isinstance(target, WarningLetter) or target.forwarded_from_id is None:
        raise ValidationError(
            "this document is made for a letter the province forwarded to its units",
            extra={"field": "letter"},
        )
    return target


def authorize_province(*, by: Actor, target: Any) -> None:
    """Province-wide documents: issued by those who forward letters."""
    require(by, Permission.ADVISORY_MANAGE)
    require_forwarded(target)


def lines_of(text: str) -> list[str]:
    """Non-empty lines of a free text, without list dashes (the template adds them)."""
    return [line.strip().lstrip("-•* ").strip() for line in text.splitlines() if line.strip()]


def dashed(names: list[str], last: str = ".") -> list[str]:
    """ "- A;" lines, the last one ending with `last`, as NĐ30 lists recipients."""
    return [
        f"- {name}{last if index == len(names) - 1 else ';'}" for index, name in enumerate(names)
    ]


def addressed(names: list[str], nobody: str) -> tuple[str, list[str]]:
    """ "Kính gửi: A." for one recipient; "Kính gửi:" then one dashed line each for several."""
    if len(names) <= 1:
        return (f"{names[0] if names else nobody}.", [])
    return ("", dashed(names))


def moment_text(moment: datetime | None) -> str:
    """dd/mm/yyyy HH:MM in the installation's time zone, or ""."""
    return clock.to_local(moment).strftime("%d/%m/%Y %H:%M") if moment else ""


def in_sentence(title: str) -> str:
    """A title inside a sentence ("về việc cảnh báo …"): its first letter in lower case."""
    if title[1:2].isupper():  # an acronym ("NCSC cảnh báo …") keeps its case
        return title
    return title[:1].lower() + title[1:]
