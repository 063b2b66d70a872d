"""Reports: issue a numbered document (DOCX, PDF) or an export (CSV, XLSX) of a forwarded
letter, list the register I may see, download a registered file."""

from typing import Any

from django.http import FileResponse, HttpRequest
from django.urls import reverse
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from canhgac.api.auth import request_user
from canhgac.api.pages import Rendered
from canhgac.api.schemas import ErrorOut
from canhgac.core.downloads import download
from canhgac.reports import selectors
from canhgac.reports.enums import ReportFormat
from canhgac.reports.models import RegisterEntry
from canhgac.reports.services import report_render

router = Router(tags=["reports"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}


class EntryOut(Schema):
    id: int
    kind: str
    number: str = Field(..., description='"" for exports, which are registered unnumbered')
    issued_on: str
    title: str
    unit: str | None
    target_type: str
    target_id: str
    format: str
    name: str
    sha256: str
    size: int
    created_at: str
    created_by: str
    download: str


class RenderIn(Schema):
    kind: str = Field(
        ..., description="forwarding_letter, unit_report, task_lines or campaign_report"
    )
    letter: str = Field("", description="the forwarded letter's number, e.g. 101/STTTT-ATTT")
    unit: str = Field("", description="the unit's code (unit_report)")
    campaign: str = Field("", description="the campaign's code (campaign_report)")
    format: ReportFormat


def _entry(entry: RegisterEntry) -> dict[str, Any]:
    return selectors.entry_item(entry) | {
        "download": reverse("api:report_file", kwargs={"entry_id": entry.pk})
    }


@router.post(
    "",
    response={201: EntryOut, **ERRORS},
    summary="Render a document or export of a forwarded letter and register it",
)
def render(request: HttpRequest, payload: RenderIn) -> Status[dict[str, Any]]:
    user = request_user(request)
    target = selectors.report_target_for_user(
        user=user,
        letter_number=payload.letter,
        unit_code=payload.unit,
        campaign_code=payload.campaign,
    )
    entry = report_render(by=user, kind=payload.kind, target=target, fmt=payload.format)
    return Status(201, _entry(entry))


@router.get("", response=list[EntryOut], summary="The report register (entries I may see)")
@paginate
def register(request: HttpRequest) -> list[dict[str, Any]]:
    entries = selectors.register_list_for_user(user=request_user(request))
    return Rendered(entries, _entry)  # type: ignore[return-value]


@router.get(
    "/{entry_id}/file",
    response={200: None, 404: ErrorOut},
    summary="Download a registered document or export",
    url_name="report_file",
)
def report_file(request: HttpRequest, entry_id: int) -> FileResponse:
    entry = selectors.entry_get_for_user(user=request_user(request), entry_id=entry_id)
    return download(
        entry.file, name=entry.name, content_type=ReportFormat(entry.format).content_type
    )
