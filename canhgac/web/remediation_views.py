"""Web pages of remediation: the task list, and the task page a unit officer lives in
(acknowledge, declare hosts in bulk, attach evidence, end the review).

Thin views: read through `remediation.selectors` (scoped to the user's units), write through
the remediation services. NotFoundError (404) and PermissionDeniedError (403) propagate to
`AccessDeniedMiddleware`, which renders and audits them.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from canhgac.accounts import access
from canhgac.accounts.enums import Permission
from canhgac.accounts.models import Unit
from canhgac.core.downloads import download
from canhgac.core.exceptions import CanhgacError, ConflictError, NotFoundError, ValidationError
from canhgac.exposure.explanations import due_reason
from canhgac.remediation import selectors
from canhgac.remediation.enums import ItemStatus
from canhgac.remediation.models import (
    ITEM_STATUS_CHOICES,
    TASK_STATUS_CHOICES,
    ItemEvent,
    Task,
)
from canhgac.remediation.services.declarations import (
    evidence_attach,
    items_declare,
    task_acknowledge,
    task_review_complete,
)
from canhgac.web.session import signed_in_user

PAGE_SIZE = 50
DAY = forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}, format="%d/%m/%Y")


class TaskFilterForm(forms.Form):
    unit = forms.ModelChoiceField(
        label=gettext_lazy("Unit"),
        queryset=Unit.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=gettext_lazy("Any"),
    )
    letter = forms.CharField(label=gettext_lazy("Letter number"), required=False, max_length=64)
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[
            ("", gettext_lazy("Any")),
            *TASK_STATUS_CHOICES,
            ("overdue", gettext_lazy("Overdue")),
        ],
    )
    unverified = forms.BooleanField(
        label=gettext_lazy("Declared fixed, not verified"), required=False
    )

    def where(self) -> selectors.TaskFilter:
        data = self.cleaned_data
        return selectors.TaskFilter(
            unit=data["unit"].code if data["unit"] else "",
            letter=data["letter"].strip(),
            status=data["status"],
            unverified=data["unverified"],
        )


class DeclareForm(forms.Form):
    # no default: a forgotten choice must not reset declared hosts to "not reviewed"
    status = forms.ChoiceField(
        label=gettext_lazy("Status"), choices=[("", "—"), *ITEM_STATUS_CHOICES]
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason / measures"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Required for “not affected” and “not fixed”."),
    )
    plan_date = forms.DateField(
        label=gettext_lazy("Planned fix date"),
        required=False,
        widget=DAY,
        help_text=gettext_lazy("Required for “not fixed” (dd/mm/yyyy)."),
    )


class EvidenceForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File"))
    item = forms.TypedChoiceField(
        label=gettext_lazy("Host (optional)"), required=False, coerce=int, empty_value=None
    )
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=4000)

    def __init__(self, *args: Any, task: Task, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["item"]
        assert isinstance(field, forms.TypedChoiceField)  # noqa: S101
        field.choices = [("", "—"), *task.items.values_list("pk", "asset_name")]


class ReviewForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("Summary of the review"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = TaskFilterForm(request.GET or None)
    unit_field = form.fields["unit"]
    assert isinstance(unit_field, forms.ModelChoiceField)  # noqa: S101
    unit_field.queryset = access.restrict(Unit.objects.order_by("path"), user=user, unit_field="id")
    tasks = selectors.task_list_for_user(user=user)
    if form.is_bound:
        tasks = selectors.task_filter(tasks, form.where()) if form.is_valid() else tasks.none()
    tasks = tasks.order_by(
        F("due_date").asc(nulls_last=True), "-letter__issued_on", "unit__path"
    ).prefetch_related("items")  # each row's progress counts its hosts
    page = Paginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [selectors.task_item(task) | {"task": task} for task in page.object_list]
    return render(
        request, "web/remediation/task_list.html", {"form": form, "page": page, "rows": rows}
    )


@login_required
def task_detail(request: HttpRequest, task_id: int) -> HttpResponse:
    user = signed_in_user(request)
    task = selectors.task_get_for_user(user=user, task_id=task_id)
    return _task_page(request, task)


def _task_page(
    request: HttpRequest,
    task: Task,
    *,
    declare_form: DeclareForm | None = None,
    evidence_form: EvidenceForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = signed_in_user(request)
    lines = selectors.task_lines(task)
    can_update = access.has_permission(
        user=user, permission=Permission.REMEDIATION_UPDATE, unit_id=task.unit_id
    )
    events = (
        ItemEvent.objects.filter(item__task=task)
        .select_related("item")
        .order_by("-at", "-pk")[:100]
    )
    return render(
        request,
        "web/remediation/task_detail.html",
        {
            "task": task,
            "summary": selectors.task_item(task, selectors.task_progress(lines)),
            "lines": [(item, selectors.line_item(item)) for item in lines],
            "can_update": can_update,
            "declare_form": declare_form or DeclareForm(),
            "evidence_form": evidence_form or EvidenceForm(task=task),
            "review_form": ReviewForm(initial={"note": task.note}),
            "evidence": task.evidence.select_related("item"),
            "events": events,
            "due_reason": due_reason(task.due_reason) if task.due_reason else "",
            "acknowledgement_due": selectors.acknowledgement_due(task),
            "selected": set(_revisions(request.POST.getlist("item"))),
        },
        status=status,
    )


def _updatable(request: HttpRequest, task_id: int) -> Task:
    return selectors.task_get_for_user(
        user=signed_in_user(request), task_id=task_id, permission=Permission.REMEDIATION_UPDATE
    )


@login_required
@require_POST
def task_acknowledge_view(request: HttpRequest, task_id: int) -> HttpResponse:
    task = _updatable(request, task_id)
    task_acknowledge(by=signed_in_user(request), task=task)
    messages.success(request, _("The letter has been acknowledged."))
    return redirect("web:task_detail", task_id=task.pk)


@login_required
@require_POST
def task_declare(request: HttpRequest, task_id: int) -> HttpResponse:
    """Declare one status for the ticked hosts; each tick carries the revision it was seen at
    ("id:revision"), so a host changed meanwhile by another officer is not overwritten."""
    task = _updatable(request, task_id)
    form = DeclareForm(request.POST)
    revisions = _revisions(request.POST.getlist("item"))
    if not revisions:
        form.add_error(None, _("Tick at least one host."))
    if form.is_valid():
        data = form.cleaned_data
        try:
            count = items_declare(
                by=signed_in_user(request),
                task=task,
                revisions=revisions,
                status=ItemStatus(data["status"]),
                reason=data["reason"],
                plan_date=data["plan_date"],
            )
        except ConflictError as error:
            form.add_error(
                None,
                _("Another officer changed a host meanwhile: %(detail)s")
                % {"detail": error.message},
            )
        except ValidationError as error:
            field = error.extra.get("field")
            form.add_error(field if field in form.fields else None, _declare_error(error))
        else:
            messages.success(
                request,
                ngettext("%(count)d host declared.", "%(count)d hosts declared.", count)
                % {"count": count},
            )
            return redirect("web:task_detail", task_id=task.pk)
    return _task_page(request, task, declare_form=form, status=422)


def _declare_error(error: ValidationError) -> str:
    field = error.extra.get("field")
    if field == "reason":
        return _("A reason is required for this status.")
    if field == "plan_date":
        return _("A planned fix date is required when the host is not fixed.")
    return error.message


def _revisions(values: list[str]) -> dict[int, int]:
    revisions: dict[int, int] = {}
    for value in values:
        item, _separator, revision = value.partition(":")
        if item.isdigit() and revision.isdigit():
            revisions[int(item)] = int(revision)
    return revisions


@login_required
@require_POST
def task_review(request: HttpRequest, task_id: int) -> HttpResponse:
    task = _updatable(request, task_id)
    form = ReviewForm(request.POST)
    form.is_valid()
    try:
        task_review_complete(
            by=signed_in_user(request), task=task, note=form.cleaned_data.get("note", "")
        )
    except ConflictError:
        messages.error(request, _("Acknowledge the letter first."))
    else:
        messages.success(request, _("The review has been declared complete."))
    return redirect("web:task_detail", task_id=task.pk)


@login_required
@require_POST
def evidence_upload(request: HttpRequest, task_id: int) -> HttpResponse:
    task = _updatable(request, task_id)
    form = EvidenceForm(request.POST, request.FILES, task=task)
    if form.is_valid():
        item_id = form.cleaned_data["item"]
        item = task.items.filter(pk=item_id).first() if item_id else None
        try:
            evidence_attach(
                by=signed_in_user(request),
                task=task,
                upload=form.cleaned_data["file"],
                item=item,
                note=form.cleaned_data["note"],
            )
        except CanhgacError as error:
            form.add_error("file", error.message)
        else:
            messages.success(request, _("The file has been attached."))
            return redirect("web:task_detail", task_id=task.pk)
    return _task_page(request, task, evidence_form=form, status=422)


@login_required
def evidence_download(request: HttpRequest, task_id: int, evidence_id: int) -> Any:
    evidence = selectors.evidence_get_for_user(
        user=signed_in_user(request), evidence_id=evidence_id
    )
    if evidence.task_id != task_id:
        raise NotFoundError("evidence not found", extra={"evidence": evidence_id})
    return download(evidence.file, name=evidence.name, content_type=evidence.content_type)
