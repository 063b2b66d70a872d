"""Remediation: proposals and the cascade of a forwarded letter, the units' tasks with their
hosts, acknowledgement, declarations (optimistic: each host with the revision it was seen at),
the end of a review, evidence files."""

from datetime import date
from typing import Any

from django.http import FileResponse, HttpRequest
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from canhgac.accounts import access
from canhgac.accounts.enums import Permission
from canhgac.accounts.services.common import require
from canhgac.advisories.models import WarningLetter
from canhgac.api.auth import request_user
from canhgac.api.pages import Rendered
from canhgac.api.schemas import ErrorOut
from canhgac.core.downloads import download
from canhgac.core.exceptions import NotFoundError
from canhgac.remediation import board, selectors
from canhgac.remediation.enums import ItemStatus
from canhgac.remediation.models import Campaign, Task
from canhgac.remediation.services.campaigns import campaign_create, readiness_answer
from canhgac.remediation.services.declarations import (
    evidence_attach,
    items_declare,
    task_acknowledge,
    task_review_complete,
)
from canhgac.remediation.services.forwarding import letter_add_units, recipients_propose

router = Router(tags=["remediation"])
ERRORS = {403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
MAX_LINES = 2000


class ProgressOut(Schema):
    hosts: int
    settled: int
    verified: int
    unverified_claims: int


class TaskOut(Schema):
    id: int
    unit: str
    unit_name: str
    letter: str
    letter_title: str
    origin: str
    status: str
    acknowledged_at: str | None
    acknowledgement_overdue: bool
    reviewed_at: str | None
    due: date | None
    due_reason: str
    overdue: bool
    escalation: int
    progress: ProgressOut


class LineOut(Schema):
    id: int
    revision: int
    asset: str
    asset_id: int | None
    system: str
    status: str
    reason: str
    plan_date: date | None
    declared_at: str | None
    declared_by: str
    verification: str
    verified_at: str | None
    unverified_claim: bool
    settled: bool
    matched: list[str]
    fixed: list[str]
    due: date | None


class EvidenceOut(Schema):
    id: int
    name: str
    size: int
    sha256: str
    host: str | None
    note: str
    uploaded_at: str
    uploaded_by: str


class TaskDetailOut(TaskOut):
    lines: list[LineOut]
    evidence: list[EvidenceOut]


class TaskQuery(Schema):
    unit: str = ""
    letter: str = ""
    campaign: str = ""
    status: str = Field("", description="new | in_progress | done | overdue")
    unverified: bool = False


class ProposalOut(Schema):
    unit: str
    unit_name: str
    hosts: list[str]
    vulnerabilities: list[str]


class DeclaredLine(Schema):
    id: int
    revision: int = Field(..., description="the revision the host was seen at")


class DeclareIn(Schema):
    items: list[DeclaredLine] = Field(..., min_length=1, max_length=MAX_LINES)
    status: ItemStatus
    reason: str = ""
    plan_date: date | None = None


class ReviewIn(Schema):
    note: str = ""


class UnitsIn(Schema):
    units: list[str] = Field(..., min_length=1)


def _letter(pk: int) -> WarningLetter:
    letter = WarningLetter.objects.filter(pk=pk).first()
    if letter is None:
        raise NotFoundError(f"no warning letter {pk}")
    return letter


def _detail(task: Task) -> dict[str, Any]:
    lines = selectors.task_lines(task)
    return selectors.task_item(task, selectors.task_progress(lines)) | {
        "lines": [selectors.line_item(line) for line in lines],
        "evidence": [
            selectors.evidence_item(evidence) for evidence in task.evidence.select_related("item")
        ],
    }


@router.get(
    "/warnings/{pk}/proposals",
    response={200: list[ProposalOut], **ERRORS},
    summary="Units whose inventory matches a vulnerability the letter cites (province roles)",
)
def proposal_list(request: HttpRequest, pk: int) -> list[dict[str, Any]]:
    require(request_user(request), Permission.ADVISORY_MANAGE)
    return [
        {
            "unit": proposal.unit.code,
            "unit_name": proposal.unit.name,
            "hosts": [host.name for host in proposal.hosts],
            "vulnerabilities": proposal.vulnerabilities,
        }
        for proposal in recipients_propose(letter=_letter(pk))
    ]


@router.get(
    "/warnings/{pk}/cascade",
    response={200: list[TaskOut], **ERRORS},
    summary="The recipients of a forwarded letter I see: acknowledged, progress",
)
def cascade(request: HttpRequest, pk: int) -> list[dict[str, Any]]:
    rows = selectors.letter_cascade(user=request_user(request), letter=_letter(pk))
    return [row for _task, row in rows]


@router.post(
    "/warnings/{pk}/recipients",
    response={201: list[TaskOut], **ERRORS},
    summary="Send a forwarded letter to more units (province roles)",
)
def recipients_add(request: HttpRequest, pk: int, payload: UnitsIn) -> Status[list[Any]]:
    user = request_user(request)
    require(user, Permission.ADVISORY_MANAGE)  # before looking the units up: 403, not 404
    units = [access.unit_get_for_user(user=user, unit_id=code) for code in payload.units]
    tasks = letter_add_units(by=user, letter=_letter(pk), units=units)
    return Status(201, [selectors.task_item(task) for task in tasks])


@router.get("/tasks", response=list[TaskOut], summary="Remediation tasks in my units")
@paginate
def task_list(request: HttpRequest, filters: Query[TaskQuery]) -> list[dict[str, Any]]:
    tasks = selectors.task_filter(
        selectors.task_list_for_user(user=request_user(request)),
        selectors.TaskFilter(**filters.dict()),
    ).order_by("due_date", "pk")
    return Rendered(tasks.prefetch_related("items"), selectors.task_item)  # type: ignore[return-value]


@router.get("/tasks/{task_id}", response={200: TaskDetailOut, **ERRORS}, summary="A task")
def task_get(request: HttpRequest, task_id: int) -> dict[str, Any]:
    return _detail(selectors.task_get_for_user(user=request_user(request), task_id=task_id))


def _updatable(request: HttpRequest, task_id: int) -> Task:
    return selectors.task_get_for_user(
        user=request_user(request), task_id=task_id, permission=Permission.REMEDIATION_UPDATE
    )


@router.post(
    "/tasks/{task_id}/acknowledge",
    response={200: TaskDetailOut, **ERRORS},
    summary="Acknowledge the letter",
)
def acknowledge(request: HttpRequest, task_id: int) -> dict[str, Any]:
    task = task_acknowledge(by=request_user(request), task=_updatable(request, task_id))
    return _detail(task)


@router.post(
    "/tasks/{task_id}/declare",
    response={200: TaskDetailOut, **ERRORS},
    summary="Declare one status for several hosts; 409 when one changed since its revision",
)
def declare(request: HttpRequest, task_id: int, payload: DeclareIn) -> dict[str, Any]:
    task = _updatable(request, task_id)
    items_declare(
        by=request_user(request),
        task=task,
        revisions={line.id: line.revision for line in payload.items},
        status=payload.status,
        reason=payload.reason,
        plan_date=payload.plan_date,
    )
    return _detail(task)


@router.post(
    "/tasks/{task_id}/review",
    response={200: TaskDetailOut, **ERRORS},
    summary="Declare the review of the unit's systems complete",
)
def review(request: HttpRequest, task_id: int, payload: ReviewIn) -> dict[str, Any]:
    task = task_review_complete(
        by=request_user(request), task=_updatable(request, task_id), note=payload.note
    )
    return _detail(task)


@router.post(
    "/tasks/{task_id}/evidence",
    response={201: EvidenceOut, **ERRORS},
    summary="Attach an evidence file to the task, or to one of its hosts (`item`)",
)
def evidence_add(
    request: HttpRequest,
    task_id: int,
    file: File[UploadedFile],
    item: Form[int | None] = None,
    note: Form[str] = "",
) -> Status[dict[str, Any]]:
    task = _updatable(request, task_id)
    line = task.items.filter(pk=item).first() if item else None
    if item and line is None:
        raise NotFoundError(f"no host {item} in this task")
    evidence = evidence_attach(
        by=request_user(request), task=task, upload=file, item=line, note=note
    )
    return Status(201, selectors.evidence_item(evidence))


@router.get(
    "/tasks/{task_id}/evidence/{evidence_id}",
    response={200: None, 404: ErrorOut},
    summary="Download an evidence file",
)
def evidence_get(request: HttpRequest, task_id: int, evidence_id: int) -> FileResponse:
    evidence = selectors.evidence_get_for_user(user=request_user(request), evidence_id=evidence_id)
    if evidence.task_id != task_id:
        raise NotFoundError("evidence not found")
    return download(evidence.file, name=evidence.name, content_type=evidence.content_type)


class CampaignIn(Schema):
    code: str = Field(..., min_length=1, max_length=64, pattern=r"^[-a-zA-Z0-9_]+$")
    name: str = Field(..., min_length=1, max_length=255)
    starts_on: date
    ends_on: date
    prepare_by: date | None = None
    letters: list[str] = Field([], description="numbers of the warnings to fix before the start")
    units: list[str] = Field([], description="unit codes; empty: every unit of the province")
    note: str = ""


class CampaignOut(Schema):
    code: str
    name: str
    starts_on: date
    ends_on: date
    prepare_by: date
    letters: list[str]
    note: str


class CheckOut(Schema):
    key: str
    label: str
    computed: bool
    done: bool
    note: str
    answered_at: str | None
    answered_by: str


class UnitReadinessOut(Schema):
    unit: str
    unit_name: str
    readiness: int
    checks: list[CheckOut]
    findings: dict[str, int]
    warned_findings: int
    overdue_tasks: int
    last_inventory: str | None


class BoardOut(CampaignOut):
    units: list[UnitReadinessOut]


class AnswerIn(Schema):
    done: bool
    note: str = ""


def _campaign_out(campaign: Campaign) -> dict[str, Any]:
    return {
        "code": campaign.code,
        "name": campaign.name,
        "starts_on": campaign.starts_on,
        "ends_on": campaign.ends_on,
        "prepare_by": campaign.prepare_by,
        "letters": list(campaign.letters.order_by("number").values_list("number", flat=True)),
        "note": campaign.note,
    }


@router.get("/campaigns", response=list[CampaignOut], summary="Holiday campaigns")
def campaign_list(request: HttpRequest) -> list[dict[str, Any]]:
    return [_campaign_out(campaign) for campaign in board.campaign_list()]


@router.post(
    "/campaigns",
    response={201: CampaignOut, **ERRORS},
    summary="Create a campaign and tell its units (province roles)",
)
def campaign_add(request: HttpRequest, payload: CampaignIn) -> Status[dict[str, Any]]:
    user = request_user(request)
    require(user, Permission.CAMPAIGN_MANAGE)  # before looking anything up: 403, not 404
    letters = [_letter_numbered(number) for number in payload.letters]
    units = [access.unit_get_for_user(user=user, unit_id=code) for code in payload.units]
    campaign = campaign_create(
        by=user,
        code=payload.code,
        name=payload.name,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        prepare_by=payload.prepare_by,
        letters=letters,
        units=units or None,
        note=payload.note,
    )
    return Status(201, _campaign_out(campaign))


def _letter_numbered(number: str) -> WarningLetter:
    letter = WarningLetter.objects.filter(number=number).first()
    if letter is None:
        raise NotFoundError(f"no warning letter numbered {number!r}")
    return letter


@router.get(
    "/campaigns/{code}",
    response={200: BoardOut, **ERRORS},
    summary="A campaign's board: the readiness of every unit I see",
)
def campaign_get(request: HttpRequest, code: str) -> dict[str, Any]:
    campaign = board.campaign_get(code=code)
    rows = board.campaign_board(user=request_user(request), campaign=campaign)
    return _campaign_out(campaign) | {"units": [row.as_dict() for row in rows]}


@router.put(
    "/campaigns/{code}/units/{unit}/checks/{key}",
    response={200: UnitReadinessOut, **ERRORS},
    summary="Answer one readiness item for a unit",
)
def readiness_put(
    request: HttpRequest, code: str, unit: str, key: str, payload: AnswerIn
) -> dict[str, Any]:
    user = request_user(request)
    campaign = board.campaign_get(code=code)
    target = access.unit_get_for_user(user=user, unit_id=unit)
    readiness_answer(
        by=user, campaign=campaign, unit=target, key=key, done=payload.done, note=payload.note
    )
    (row,) = board.campaign_board(user=user, campaign=campaign, unit=target)
    return row.as_dict()
