"""The advisory knowledge base: search and detail for every role; imports for province roles."""

from datetime import date, datetime
from typing import Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import paginate

from canhgac.advisories import selectors, services
from canhgac.advisories.models import Vulnerability
from canhgac.api.auth import request_user
from canhgac.api.schemas import ErrorOut

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
