"""Web pages of the advisory knowledge base (read for every signed-in role)."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from canhgac.accounts import access
from canhgac.accounts.enums import PROVINCE_TREE_KINDS, Permission
from canhgac.accounts.models import Unit
from canhgac.advisories import selectors, services
from canhgac.advisories.feeds.common import CVE_ID
from canhgac.advisories.feeds.records import WarningLetterRecord
from canhgac.advisories.models import WarningAttachment, WarningLetter
from canhgac.core.downloads import download
from canhgac.core.exceptions import ConflictError, SourceLocation, ValidationError
from canhgac.exposure import selectors as exposure_selectors
from canhgac.remediation.selectors import letter_cascade
from canhgac.remediation.services.forwarding import (
    Proposal,
    letter_add_units,
    letter_forward,
    recipients_propose,
)
from canhgac.web.session import signed_in_user

PAGE_SIZE = 50


DAY = forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"}, format="%d/%m/%Y")


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    vendor = forms.CharField(label=_("Vendor"), required=False)
    product = forms.CharField(label=_("Product"), required=False)
    severity = forms.ChoiceField(
        label=_("Severity"),
        required=False,
        choices=[
            ("", _("Any")),
            ("critical", _("Critical (≥ 9.0)")),
            ("high", _("High or above (≥ 7.0)")),
            ("medium", _("Medium or above (≥ 4.0)")),
        ],
    )
    min_score = forms.FloatField(label=_("Minimum CVSS"), required=False, min_value=0, max_value=10)
    published_from = forms.DateField(label=_("Published from"), required=False, widget=DAY)
    published_to = forms.DateField(label=_("Published to"), required=False, widget=DAY)
    kev = forms.BooleanField(label=_("Known exploited (KEV) only"), required=False)


@login_required
def vulnerability_list(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    found = selectors.vulnerability_search()
    if form.is_valid():
        data = form.cleaned_data
        found = selectors.vulnerability_search(
            selectors.VulnerabilityFilter(
                q=data["q"],
                product=data["product"],
                vendor=data["vendor"],
                kev=True if data["kev"] else None,
                min_score=data["min_score"],
                severity=data["severity"],
                published_from=data["published_from"],
                published_to=data["published_to"],
            )
        )
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "web/advisories/vulnerability_list.html", {"page": page, "form": form})


@login_required
def vulnerability_detail(request: HttpRequest, cve_id: str) -> HttpResponse:
    detail = selectors.vulnerability_detail(cve_id=cve_id)
    criteria = detail["affected_criteria"]
    findings = exposure_selectors.finding_filter(
        exposure_selectors.finding_list_for_user(user=signed_in_user(request)),
        exposure_selectors.FindingFilter(cve=detail["id"], status="active"),
    )
    return render(
        request,
        "web/advisories/vulnerability_detail.html",
        {
            "v": detail,
            "active_findings": findings.count(),
            "configurations": [c for c in criteria if not c["status"]],
            "packages": [c for c in criteria if c["status"]],
        },
    )


@login_required
def feed_status(request: HttpRequest) -> HttpResponse:
    return render(request, "web/advisories/feed_status.html", {"status": selectors.feed_status()})


CVE_SPLIT = re.compile(r"[\s,;]+")


def _cves(text: str) -> list[str]:
    return [item.upper() for item in CVE_SPLIT.split(text or "") if item]


class WarningForm(forms.Form):
    number = forms.CharField(label=_("Number"), max_length=64, help_text=_("e.g. 674/CATTT-NCSC"))
    issuer = forms.CharField(label=_("Issued by"), max_length=255)
    issued_on = forms.DateField(label=_("Issued on"), help_text=_("dd/mm/yyyy"))
    title = forms.CharField(label=_("Title"), max_length=512)
    summary = forms.CharField(
        label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    affected_products = forms.CharField(
        label=_("Affected products"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    required_actions = forms.CharField(
        label=_("Required actions"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    due_date = forms.DateField(label=_("Fix by"), required=False, help_text=_("dd/mm/yyyy"))
    exploited = forms.BooleanField(label=_("Exploited in the wild"), required=False)
    public_exploit = forms.BooleanField(label=_("Public exploit code"), required=False)
    cves_critical = forms.CharField(
        label=_("Critical CVEs (Nghiêm trọng)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    cves_high = forms.CharField(
        label=_("High CVEs (Cao)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    cves_other = forms.CharField(
        label=_("Other CVEs"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("cves_critical", "cves_high", "cves_other"):
            bad = [item for item in _cves(data.get(name, "")) if not CVE_ID.match(item)]
            if bad:
                self.add_error(
                    name, _("Not CVE identifiers: %(items)s") % {"items": ", ".join(bad)}
                )
        return data

    def record(self) -> WarningLetterRecord:
        data = self.cleaned_data
        cves = [
            (cve, severity)
            for name, severity in (
                ("cves_critical", "critical"),
                ("cves_high", "high"),
                ("cves_other", "other"),
            )
            for cve in _cves(data[name])
        ]
        return WarningLetterRecord(
            number=data["number"].strip(),
            issuer=data["issuer"].strip(),
            issued_on=data["issued_on"],
            title=data["title"].strip(),
            location=SourceLocation("web"),
            cves=tuple(dict.fromkeys(cves)),
            summary=data["summary"],
            affected_products=data["affected_products"],
            required_actions=data["required_actions"],
            due_date=data["due_date"],
            exploited=data["exploited"],
            public_exploit=data["public_exploit"],
        )


class RecipientField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    """Units to send a letter to; those matching proposed show their affected host count."""

    hosts: dict[int, int] = {}

    def label_from_instance(self, obj: Any) -> str:
        count = self.hosts.get(obj.pk)
        if count is None:
            return str(obj.name)
        hosts = ngettext("%(count)s affected host", "%(count)s affected hosts", count)
        return f"{obj.name} — " + hosts % {"count": count}


class ForwardForm(forms.Form):
    number = forms.CharField(label=_("Number of the province's letter"), max_length=64)
    issuer = forms.CharField(label=_("Issued by"), max_length=255)
    issued_on = forms.DateField(label=_("Issued on"), help_text=_("dd/mm/yyyy"))
    due_date = forms.DateField(label=_("Fix by"), required=False, help_text=_("dd/mm/yyyy"))
    required_actions = forms.CharField(
        label=_("Required actions"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    units = RecipientField(
        label=_("Recipients"),
        queryset=Unit.objects.none(),
        required=False,
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Units whose inventory matches a cited vulnerability are ticked."),
    )

    def __init__(self, *args: Any, proposals: list[Proposal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["units"]
        assert isinstance(field, RecipientField)  # noqa: S101
        field.queryset = Unit.objects.filter(
            is_active=True, kind__in=[kind.value for kind in PROVINCE_TREE_KINDS]
        ).order_by("path")
        field.hosts = {proposal.unit.pk: len(proposal.hosts) for proposal in proposals}
        if not self.is_bound:
            self.initial["units"] = [proposal.unit.code for proposal in proposals]


def _can_manage(request: HttpRequest) -> bool:
    return access.has_permission(user=request.user, permission=Permission.ADVISORY_MANAGE)


@login_required
def warning_list(request: HttpRequest) -> HttpResponse:
    letters = (
        WarningLetter.objects.select_related("forwarded_from")
        .annotate(cve_count=Count("cves"))
        .order_by("-issued_on", "number")
    )
    page = Paginator(letters, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/advisories/warning_list.html",
        {"page": page, "can_manage": _can_manage(request)},
    )


@login_required
def warning_detail(request: HttpRequest, pk: int) -> HttpResponse:
    letter = get_object_or_404(WarningLetter.objects.select_related("forwarded_from"), pk=pk)
    proposals = recipients_propose(letter=letter) if _can_manage(request) else []
    form = ForwardForm(
        request.POST or None,
        initial={"issuer": "", "required_actions": letter.required_actions},
        proposals=proposals,
    )
    if request.method == "POST":
        access.require_permission(user=request.user, permission=Permission.ADVISORY_MANAGE)
        if form.is_valid():
            data = form.cleaned_data
            try:
                forwarded = letter_forward(
                    by=signed_in_user(request),
                    original=letter,
                    number=data["number"].strip(),
                    issuer=data["issuer"].strip(),
                    issued_on=data["issued_on"],
                    due_date=data["due_date"],
                    required_actions=data["required_actions"],
                    units=list(data["units"]),
                    auto=False,
                )
            except ConflictError as error:
                form.add_error("number", error.message)
            else:
                return redirect("web:warning_detail", pk=forwarded.letter.pk)
    return _warning_page(
        request, letter, form, proposals=proposals, status=422 if form.errors else 200
    )


class RecipientsForm(forms.Form):
    units = forms.ModelMultipleChoiceField(
        label=_("Units"),
        queryset=Unit.objects.none(),
        to_field_name="code",
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, letter: WarningLetter, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["units"]
        assert isinstance(field, forms.ModelMultipleChoiceField)  # noqa: S101
        field.queryset = (
            Unit.objects.filter(
                is_active=True, kind__in=[kind.value for kind in PROVINCE_TREE_KINDS]
            )
            .exclude(pk__in=letter.tasks.values("unit_id"))
            .order_by("path")
        )


@login_required
def warning_recipients(request: HttpRequest, pk: int) -> HttpResponse:
    """POST: send a letter the province already forwarded to more units."""
    access.require_permission(user=request.user, permission=Permission.ADVISORY_MANAGE)
    letter = get_object_or_404(WarningLetter, pk=pk)
    form = RecipientsForm(request.POST or None, letter=letter)
    if request.method == "POST" and form.is_valid():
        tasks = letter_add_units(
            by=signed_in_user(request), letter=letter, units=list(form.cleaned_data["units"])
        )
        messages.success(
            request,
            ngettext(
                "The letter has been sent to %(count)d more unit.",
                "The letter has been sent to %(count)d more units.",
                len(tasks),
            )
            % {"count": len(tasks)},
        )
    return redirect("web:warning_detail", pk=letter.pk)


def _warning_page(
    request: HttpRequest,
    letter: WarningLetter,
    form: ForwardForm,
    *,
    proposals: list[Proposal],
    status: int = 200,
    attachment_error: str = "",
) -> HttpResponse:
    return render(
        request,
        "web/advisories/warning_detail.html",
        {
            "letter": letter,
            "proposals": proposals,
            "cascade": letter_cascade(user=signed_in_user(request), letter=letter),
            "recipients_form": RecipientsForm(letter=letter) if letter.tasks.exists() else None,
            "cves": letter.cves.select_related("vulnerability"),
            "forwards": letter.forwards.all(),
            "attachments": letter.attachments.all(),
            "form": form,
            "can_manage": _can_manage(request),
            "attachment_error": attachment_error,
        },
        status=status,
    )


@login_required
def warning_create(request: HttpRequest) -> HttpResponse:
    access.require_permission(user=request.user, permission=Permission.ADVISORY_MANAGE)
    form = WarningForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if WarningLetter.objects.filter(number=form.cleaned_data["number"].strip()).exists():
            form.add_error("number", _("A warning letter with this number exists."))
        else:
            letter, _changed = services.warning_save(
                by=signed_in_user(request), record=form.record()
            )
            return redirect("web:warning_detail", pk=letter.pk)
    return render(
        request,
        "web/advisories/warning_form.html",
        {"form": form},
        status=422 if form.errors else 200,
    )


@login_required
def warning_attach(request: HttpRequest, pk: int) -> HttpResponse:
    """POST a file to attach to the letter (province roles)."""
    access.require_permission(user=request.user, permission=Permission.ADVISORY_MANAGE)
    letter = get_object_or_404(WarningLetter, pk=pk)
    upload = request.FILES.get("file")
    if request.method != "POST" or upload is None:
        return redirect("web:warning_detail", pk=letter.pk)
    try:
        services.warning_attach(by=signed_in_user(request), letter=letter, upload=upload)
    except (ValidationError, ConflictError) as error:
        proposals = recipients_propose(letter=letter)
        form = ForwardForm(
            initial={"required_actions": letter.required_actions}, proposals=proposals
        )
        return _warning_page(
            request,
            letter,
            form,
            proposals=proposals,
            status=422,
            attachment_error=error.message,
        )
    return redirect("web:warning_detail", pk=letter.pk)


@login_required
def warning_attachment(request: HttpRequest, pk: int, attachment_id: int) -> FileResponse:
    """Download an attachment (everyone with a role reads warning letters)."""
    attachment = get_object_or_404(WarningAttachment, pk=attachment_id, warning_id=pk)
    return download(attachment.file, name=attachment.name, content_type=attachment.content_type)
