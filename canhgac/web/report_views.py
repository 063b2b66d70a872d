"""Web pages of reports: the buttons that issue a document or export (render, register, then
download), the register of what the user may see, and the download of a registered file.

Thin views: targets come through the scoped selectors, writing through `report_render`;
NotFoundError (404) and PermissionDeniedError (403) propagate to `AccessDeniedMiddleware`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Model
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from canhgac.core.downloads import download
from canhgac.core.exceptions import ConflictError, ValidationError
from canhgac.remediation.board import campaign_get
from canhgac.remediation.selectors import task_get_for_user
from canhgac.reports import selectors
from canhgac.reports.enums import ReportFormat
from canhgac.reports.kinds.registry import KINDS
from canhgac.reports.services import report_render
from canhgac.web.session import signed_in_user

PAGE_SIZE = 50
LETTER_KINDS = frozenset({"forwarding_letter", "task_lines"})


def _issue(request: HttpRequest, kind: str, target: Model, back: HttpResponse) -> HttpResponse:
    """Render and register, then send the browser to the download; back to the page (with
    the reason) if the request cannot be honoured."""
    try:
        entry = report_render(
            by=signed_in_user(request), kind=kind, target=target, fmt=request.POST.get("format", "")
        )
    except (ValidationError, ConflictError) as error:
        messages.error(
            request, _("The document could not be made: %(reason)s") % {"reason": error.message}
        )
        return back
    return redirect("web:report_file", entry_id=entry.pk)


@login_required
@require_POST
def letter_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The forwarding letter (DOCX, PDF) or the list of every task line (CSV, XLSX)."""
    letter = selectors.forwarded_letter_get(letter_id=pk)
    kind = request.POST.get("kind", "")
    if kind not in LETTER_KINDS:
        kind = ""  # the service refuses it with the list of kinds
    return _issue(request, kind, letter, redirect("web:warning_detail", pk=letter.pk))


@login_required
@require_POST
def task_report(request: HttpRequest, task_id: int) -> HttpResponse:
    """The unit's report on its task (DOCX, PDF)."""
    task = task_get_for_user(user=signed_in_user(request), task_id=task_id)
    return _issue(request, "unit_report", task, redirect("web:task_detail", task_id=task.pk))


@login_required
@require_POST
def campaign_report(request: HttpRequest, code: str) -> HttpResponse:
    """The province's campaign status report (DOCX, PDF)."""
    campaign = campaign_get(code=code)
    return _issue(
        request, "campaign_report", campaign, redirect("web:campaign_board", code=campaign.code)
    )


@login_required
def register(request: HttpRequest) -> HttpResponse:
    entries = selectors.register_list_for_user(user=signed_in_user(request))
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    names = {kind.id: _(kind.display_name) for kind in KINDS}
    rows: list[dict[str, Any]] = [
        {"entry": entry, "kind": names.get(entry.kind, entry.kind)} for entry in page.object_list
    ]
    return render(request, "web/reports/register.html", {"page": page, "rows": rows})


@login_required
def report_file(request: HttpRequest, entry_id: int) -> FileResponse:
    entry = selectors.entry_get_for_user(user=signed_in_user(request), entry_id=entry_id)
    return download(
        entry.file, name=entry.name, content_type=ReportFormat(entry.format).content_type
    )
