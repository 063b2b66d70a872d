"""Web pages of holiday campaigns: the list, creation (province roles), the board (readiness of
every unit the user sees) and a unit's checklist, answered by its officers."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from canhgac.accounts import access
from canhgac.accounts.enums import PROVINCE_TREE_KINDS, Permission
from canhgac.accounts.models import Unit
from canhgac.advisories.models import WarningLetter
from canhgac.core.exceptions import ConflictError, NotFoundError, ValidationError
from canhgac.remediation import board
from canhgac.remediation.selectors import task_item
from canhgac.remediation.services.campaigns import campaign_create, readiness_answer
from canhgac.web.session import signed_in_user

DAY = forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}, format="%d/%m/%Y")


class CampaignForm(forms.Form):
    code = forms.SlugField(label=gettext_lazy("Code"), max_length=64, help_text="le-30-4-2022")
    name = forms.CharField(label=gettext_lazy("Name"), max_length=255)
    starts_on = forms.DateField(label=gettext_lazy("Starts on"), widget=DAY)
    ends_on = forms.DateField(label=gettext_lazy("Ends on"), widget=DAY)
    prepare_by = forms.DateField(
        label=gettext_lazy("Units ready by"),
        required=False,
        widget=DAY,
        help_text=gettext_lazy("Default: the start."),
    )
    letters = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Warnings to fix before it starts"),
        queryset=WarningLetter.objects.order_by("-issued_on", "number"),
        required=False,
        to_field_name="number",
        widget=forms.CheckboxSelectMultiple,
    )
    units = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Units in scope"),
        queryset=Unit.objects.filter(
            is_active=True,
            parent__isnull=False,
            kind__in=[kind.value for kind in PROVINCE_TREE_KINDS],
        ).order_by("path"),
        required=False,
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("None ticked: every unit of the province."),
    )
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AnswerForm(forms.Form):
    key = forms.SlugField(widget=forms.HiddenInput)
    done = forms.BooleanField(label=gettext_lazy("Done"), required=False)
    note = forms.CharField(label=gettext_lazy("Note"), required=False, max_length=4000)


def _can_manage(request: HttpRequest) -> bool:
    return access.has_permission(user=request.user, permission=Permission.CAMPAIGN_MANAGE)


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/remediation/campaign_list.html",
        {"campaigns": board.campaign_list(), "can_manage": _can_manage(request)},
    )


@login_required
def campaign_new(request: HttpRequest) -> HttpResponse:
    access.require_permission(user=request.user, permission=Permission.CAMPAIGN_MANAGE)
    form = CampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = campaign_create(
                by=signed_in_user(request),
                code=data["code"],
                name=data["name"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                prepare_by=data["prepare_by"],
                letters=list(data["letters"]),
                units=list(data["units"]) or None,
                note=data["note"],
            )
        except (ValidationError, ConflictError) as error:
            field = error.extra.get("field")
            form.add_error(field if field in form.fields else None, error.message)
        else:
            messages.success(request, _("The campaign has been created; its units are told."))
            return redirect("web:campaign_board", code=campaign.code)
    return render(
        request,
        "web/remediation/campaign_form.html",
        {"form": form},
        status=422 if form.errors else 200,
    )


@login_required
def campaign_board(request: HttpRequest, code: str) -> HttpResponse:
    campaign = board.campaign_get(code=code)
    rows = board.campaign_board(user=signed_in_user(request), campaign=campaign)
    return render(
        request,
        "web/remediation/campaign_board.html",
        {
            "campaign": campaign,
            "rows": rows,
            "summary": board.board_summary(rows, campaign),
            "checks": campaign.checks.all(),
            "letters": campaign.letters.order_by("issued_on"),
            "can_report": _can_manage(request),
        },
    )


@login_required
def campaign_unit(request: HttpRequest, code: str, unit_code: str) -> HttpResponse:
    """A unit's checklist for the campaign: read by whoever sees the unit, answered (POST, one
    item at a time) by those who may update its remediation."""
    user = signed_in_user(request)
    campaign = board.campaign_get(code=code)
    unit = access.unit_get_for_user(user=user, unit_id=unit_code)
    if not campaign.units.filter(pk=unit.pk).exists():
        raise NotFoundError("unit not in the campaign", extra={"unit": unit_code})
    can_answer = access.has_permission(
        user=user, permission=Permission.REMEDIATION_UPDATE, unit_id=unit.pk
    )
    error = ""
    if request.method == "POST":
        form = AnswerForm(request.POST)
        if form.is_valid():
            try:
                readiness_answer(
                    by=user,
                    campaign=campaign,
                    unit=unit,
                    key=form.cleaned_data["key"],
                    done=form.cleaned_data["done"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as problem:
                error = problem.message
            else:
                messages.success(request, _("Saved."))
                return redirect("web:campaign_unit", code=campaign.code, unit_code=unit.code)
        else:
            error = _("The answer could not be read.")
    (row,) = board.campaign_board(user=user, campaign=campaign, unit=unit)
    tasks = (
        board.campaign_tasks(campaign)
        .filter(unit=unit)
        .select_related("unit", "letter")
        .prefetch_related("items")
    )
    return render(
        request,
        "web/remediation/campaign_unit.html",
        {
            "campaign": campaign,
            "unit": unit,
            "row": row,
            "can_answer": can_answer,
            "error": error,
            "tasks": [(task, task_item(task)) for task in tasks],
        },
        status=422 if error else 200,
    )
