"""The advisory knowledge base: search and detail for every role; imports for province roles."""

from datetime import date, datetime
from typing import Any, Literal

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import FileResponse, HttpRequest
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from canhgac.accounts import access
from canhgac.accounts.enums import Permission
from canhgac.accounts.services.common import require
from canhgac.advisories import selectors, services
from canhgac.advisories.feeds.common import CVE_ID
from canhgac.advisories.feeds.records import WarningLetterRecord
from canhgac.advisories.models import Vulnerability, WarningAttachment, WarningLetter
from canhgac.advisories.sync.sources import SOURCES
from canhgac.advisories.tasks import advisories_sync_task
from canhgac.api.auth import request_user
from canhgac.api.schemas import ErrorOut
from canhgac.core.downloads import download
from canhgac.core.exceptions import ConflictError, NotFoundError, SourceLocation, ValidationError
from canhgac.core.tasks import enqueue_on_commit
from canhgac.remediation.services.forwarding import letter_forward

router = Router(tags=["advisories"])


class VulnerabilityOut(Schema):
    id: str
    title: str
    published: datetime | None
    last_modified: datetime | None
    kev_date_added: date | None
    kev_due_date: date | None
    epss_score: float | None

    @staticmethod
    def resolve_id(obj: Any) -> str:
        return str(obj.cve_id)


class SearchFilter(Schema):
    q: str = ""
    kev: bool | None = None
    min_score: float | None = Field(None, ge=0, le=10)
    severity: Literal["", "critical", "high", "medium", "low"] = ""
    vendor: str = ""
    product: str = ""
    published_from: date | None = None
    published_to: date | None = None
    cited: bool | None = None


class ImportOut(Schema):
    source_format: str
    source_name: str
    vulnerabilities: dict[str, int]
    msrc_fixes: int
    warnings: list[str]


@router.get(
    "/vulnerabilities", response=list[VulnerabilityOut], summary="Search the knowledge base"
)
@paginate
def vulnerability_list(
    request: HttpRequest, filters: Query[SearchFilter]
) -> QuerySet[Vulnerability]:
    request_user(request)
    return selectors.vulnerability_search(selectors.VulnerabilityFilter(**filters.dict()))


@router.get(
    "/vulnerabilities/{cve_id}",
    response={200: dict[str, Any], 404: ErrorOut},
    summary="Everything known about one vulnerability, with its sources",
)
def vulnerability_get(request: HttpRequest, cve_id: str) -> dict[str, Any]:
    request_user(request)
    return selectors.vulnerability_detail(cve_id=cve_id)


@router.post(
    "/imports",
    response={200: ImportOut, 403: ErrorOut, 422: ErrorOut},
    summary="Import an advisory file (province roles)",
)
def advisories_import(
    request: HttpRequest,
    file: File[UploadedFile],
    format: Form[str] = "auto",
) -> dict[str, Any]:
    report = services.advisories_import_upload(
        by=request_user(request), upload=file, format_id=format
    )
    return report.as_dict()


# --- Warning letters -----------------------------------------------------------------------------


class CitedOut(Schema):
    cve: str
    severity: str


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime
    uploaded_by: str


class WarningOut(Schema):
    id: int
    number: str
    issuer: str
    issued_on: date
    title: str
    due_date: date | None
    exploited: bool
    public_exploit: bool
    forwarded_from: str | None

    @staticmethod
    def resolve_forwarded_from(obj: WarningLetter) -> str | None:
        return obj.forwarded_from.number if obj.forwarded_from else None


class WarningDetailOut(WarningOut):
    summary: str
    affected_products: str
    required_actions: str
    cves: list[CitedOut]
    forwards: list[str]
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_cves(obj: WarningLetter) -> list[dict[str, str]]:
        return [
            {"cve": cve, "severity": severity}
            for cve, severity in obj.cves.values_list("vulnerability__cve_id", "severity")
        ]

    @staticmethod
    def resolve_forwards(obj: WarningLetter) -> list[str]:
        return list(obj.forwards.values_list("number", flat=True))

    @staticmethod
    def resolve_attachments(obj: WarningLetter) -> list[WarningAttachment]:
        return list(obj.attachments.all())


class WarningIn(Schema):
    number: str = Field(..., min_length=1, max_length=64)
    issuer: str = Field(..., min_length=1, max_length=255)
    issued_on: date
    title: str = Field(..., min_length=1, max_length=512)
    summary: str = ""
    affected_products: str = ""
    required_actions: str = ""
    due_date: date | None = None
    exploited: bool = False
    public_exploit: bool = False
    cves_critical: list[str] = []
    cves_high: list[str] = []
    cves_other: list[str] = []

    def record(self) -> WarningLetterRecord:
        cves = [
            (cve.strip().upper(), severity)
            for severity, listed in (
                ("critical", self.cves_critical),
                ("high", self.cves_high),
                ("other", self.cves_other),
            )
            for cve in listed
        ]
        bad = [cve for cve, _severity in cves if not CVE_ID.fullmatch(cve)]
        if bad:
            raise ValidationError(f"not CVE identifiers: {', '.join(bad)}", extra={"field": "cves"})
        return WarningLetterRecord(
            number=self.number.strip(),
            issuer=self.issuer.strip(),
            issued_on=self.issued_on,
            title=self.title.strip(),
            location=SourceLocation("api"),
            cves=tuple(dict.fromkeys(cves)),
            summary=self.summary,
            affected_products=self.affected_products,
            required_actions=self.required_actions,
            due_date=self.due_date,
            exploited=self.exploited,
            public_exploit=self.public_exploit,
        )


class ForwardIn(Schema):
    number: str = Field(..., min_length=1, max_length=64)
    issuer: str = Field(..., min_length=1, max_length=255)
    issued_on: date
    due_date: date | None = None
    required_actions: str = ""
    units: list[str] = Field([], description="codes of units to send it to besides the proposed")
    auto: bool = Field(True, description="also every unit whose inventory matches a cited CVE")


def _letter(pk: int) -> WarningLetter:
    letter = WarningLetter.objects.select_related("forwarded_from").filter(pk=pk).first()
    if letter is None:
        raise NotFoundError(f"no warning letter {pk}")
    return letter


@router.get("/warnings", response=list[WarningOut], summary="Warning letters, newest first")
@paginate
def warning_list(request: HttpRequest, q: str = "") -> QuerySet[WarningLetter]:
    request_user(request)
    letters = WarningLetter.objects.select_related("forwarded_from").order_by(
        "-issued_on", "number"
    )
    if q:
        letters = letters.filter(
            Q(number__icontains=q)
            | Q(title__icontains=q)
            | Q(cves__vulnerability__cve_id=q.upper())
        ).distinct()
    return letters


@router.get(
    "/warnings/{pk}",
    response={200: WarningDetailOut, 404: ErrorOut},
    summary="A warning letter with its CVEs, forwards and attachments",
)
def warning_get(request: HttpRequest, pk: int) -> WarningLetter:
    request_user(request)
    return _letter(pk)


@router.post(
    "/warnings",
    response={201: WarningDetailOut, 403: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Create a warning letter (province roles)",
)
def warning_create(request: HttpRequest, payload: WarningIn) -> Status[WarningLetter]:
    user = request_user(request)
    record = payload.record()
    require(user, Permission.ADVISORY_MANAGE)
    if WarningLetter.objects.filter(number=record.number).exists():
        raise ConflictError(
            f"a warning letter numbered {record.number!r} exists", extra={"field": "number"}
        )
    letter, _changed = services.warning_save(by=user, record=record)
    return Status(201, _letter(letter.pk))


@router.post(
    "/warnings/{pk}/forward",
    response={201: WarningDetailOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Forward a letter to the units under the province's own number (province roles)",
)
def warning_forward(request: HttpRequest, pk: int, payload: ForwardIn) -> Status[WarningLetter]:
    """Each recipient gets a remediation task (see /remediation/tasks) and is notified."""
    user = request_user(request)
    require(user, Permission.ADVISORY_MANAGE)  # before looking the units up: 403, not 404
    original = _letter(pk)
    values = payload.dict()
    units = [access.unit_get_for_user(user=user, unit_id=code) for code in values.pop("units")]
    forwarded = letter_forward(by=user, original=original, units=units, **values)
    return Status(201, _letter(forwarded.letter.pk))


@router.post(
    "/warnings/{pk}/attachments",
    response={201: AttachmentOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Attach a file to a warning letter (province roles)",
)
def warning_attach(
    request: HttpRequest, pk: int, file: File[UploadedFile]
) -> Status[WarningAttachment]:
    user = request_user(request)
    letter = _letter(pk)
    return Status(201, services.warning_attach(by=user, letter=letter, upload=file))


@router.get(
    "/warnings/{pk}/attachments/{attachment_id}",
    response={200: None, 404: ErrorOut},
    summary="Download an attachment",
)
def warning_attachment(request: HttpRequest, pk: int, attachment_id: int) -> FileResponse:
    request_user(request)
    attachment = WarningAttachment.objects.filter(pk=attachment_id, warning_id=pk).first()
    if attachment is None:
        raise NotFoundError(f"no attachment {attachment_id} on warning letter {pk}")
    return download(attachment.file, name=attachment.name, content_type=attachment.content_type)


# --- Feeds ------------------------------------------------------------------------------------


class SyncIn(Schema):
    sources: list[str] = []


@router.get("/feeds", response=dict[str, Any], summary="Feed status: sync state and last runs")
def feeds(request: HttpRequest) -> dict[str, Any]:
    request_user(request)
    status = selectors.feed_status(runs=50)
    status["runs"] = [
        {
            "feed": run.feed,
            "origin": run.origin,
            "source_name": run.source_name,
            "status": run.status,
            "started_at": run.started_at,
            "finished_at": run.finished_at,
            "counts": run.counts,
            "error": run.error,
        }
        for run in status["runs"]
    ]
    return status


@router.post(
    "/feeds/sync",
    response={202: dict[str, Any], 403: ErrorOut, 422: ErrorOut},
    summary="Ask the worker to sync online sources now (province roles)",
)
def feeds_sync(request: HttpRequest, payload: SyncIn) -> Status[dict[str, Any]]:
    user = request_user(request)
    require(user, Permission.ADVISORY_MANAGE)
    known = SOURCES.ids()
    unknown = [source for source in payload.sources if source not in known]
    if unknown:
        raise ValidationError(
            f"unknown sources: {', '.join(unknown)} (known: {', '.join(known)})",
            extra={"field": "sources"},
        )
    sources = payload.sources or list(settings.ADVISORY_SYNC_SOURCES)
    enqueue_on_commit(advisories_sync_task, sources)
    return Status(202, {"queued": sources})
