"""Web pages of the inventory: systems, assets, imports, data quality (thin views)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from canhgac.accounts import access
from canhgac.accounts.enums import Permission
from canhgac.accounts.models import Unit, User
from canhgac.core.exceptions import ValidationError
from canhgac.exposure import selectors as exposure_selectors
from canhgac.inventory import selectors, services
from canhgac.inventory.importers.registry import format_ids
from canhgac.inventory.models import ASSET_KIND_CHOICES, SYSTEM_STATUS_CHOICES
from canhgac.inventory.quality import system_quality_issues
from canhgac.web.session import signed_in_user

PAGE_SIZE = 50
FORMAT_LABELS = {
    "auto": _("Recognise automatically"),
    "host-json": _("Host collector (JSON)"),
    "cyclonedx": _("CycloneDX SBOM"),
    "spdx": _("SPDX SBOM"),
    "nmap": _("nmap scan (XML)"),
    "csv": _("Inventory spreadsheet (CSV)"),
    "xlsx": _("Inventory spreadsheet (XLSX)"),
}
INFORMATION_TYPE_LABELS = {
    "public": _("public information"),
    "private": _("private (non-public) information"),
    "personal": _("personal data"),
    "state_secret": _("state secrets"),
}


class SystemFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=Unit.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=_("All units"),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), *SYSTEM_STATUS_CHOICES],
    )
    level = forms.ChoiceField(
        label=_("Approved level"),
        required=False,
        choices=[
            ("", _("All")),
            ("none", _("Not approved")),
            *((str(n), str(n)) for n in range(1, 6)),
        ],
    )


class AssetFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    unit = forms.ModelChoiceField(
        label=_("Unit"),
        queryset=Unit.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=_("All units"),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        required=False,
        choices=[("", _("All")), *ASSET_KIND_CHOICES],
    )
    internet_facing = forms.BooleanField(label=_("Internet-facing only"), required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File"))
    unit = forms.ModelChoiceField(
        label=_("Unit of the assets (if the file does not say)"),
        queryset=Unit.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=_("(from the file)"),
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[(fid, FORMAT_LABELS.get(fid, fid)) for fid in format_ids()],
        initial="auto",
    )
    dry_run = forms.BooleanField(label=_("Check only (store nothing)"), required=False)


def _scoped(form: forms.Form, user: User, permission: Permission = Permission.UNIT_VIEW) -> None:
    field = form.fields["unit"]
    assert isinstance(field, forms.ModelChoiceField)  # noqa: S101
    field.queryset = access.restrict(
        Unit.objects.order_by("path"), user=user, permission=permission, unit_field="id"
    )


@login_required
def system_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = SystemFilterForm(request.GET or None)
    _scoped(form, user)
    systems = (
        selectors.system_list_for_user(user=user)
        .annotate(asset_count=Count("assets", distinct=True))
        .order_by("owner_unit__path", "name")
    )
    if form.is_valid():
        data = form.cleaned_data
        systems = selectors.system_filter(
            systems,
            q=data["q"],
            unit_code=data["unit"].code if data["unit"] else "",
            status=data["status"],
            approved_level=int(data["level"]) if data["level"].isdigit() else None,
            unapproved=data["level"] == "none",
        )
    page = Paginator(systems, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(system, system_quality_issues(system)) for system in page.object_list]
    return render(
        request,
        "web/inventory/system_list.html",
        {
            "page": page,
            "rows": rows,
            "form": form,
            "can_import": access.has_permission(user=user, permission=Permission.INVENTORY_EDIT),
        },
    )


@login_required
def system_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = signed_in_user(request)
    system = selectors.system_get_for_user(user=user, code=code)
    assets = (
        selectors.asset_list_for_user(user=user)
        .filter(system=system)
        .annotate(
            component_count=Count(
                "components", filter=Q(components__removed_at__isnull=True), distinct=True
            )
        )
        .order_by("key")
    )
    return render(
        request,
        "web/inventory/system_detail.html",
        {
            "system": system,
            "assets": assets,
            "issues": system_quality_issues(system),
            "information_types": [
                INFORMATION_TYPE_LABELS.get(code, code) for code in system.information_types
            ],
        },
    )


@login_required
def asset_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = AssetFilterForm(request.GET or None)
    _scoped(form, user)
    assets = (
        selectors.asset_list_for_user(user=user)
        .annotate(
            component_count=Count(
                "components", filter=Q(components__removed_at__isnull=True), distinct=True
            )
        )
        .order_by("unit__path", "name", "key")
    )
    if form.is_valid():
        data = form.cleaned_data
        assets = selectors.asset_filter(
            assets,
            q=data["q"],
            unit_code=data["unit"].code if data["unit"] else "",
            kind=data["kind"],
            internet_facing=True if data["internet_facing"] else None,
        )
    page = Paginator(assets, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "web/inventory/asset_list.html", {"page": page, "form": form})


@login_required
def asset_detail(request: HttpRequest, asset_id: int) -> HttpResponse:
    user = signed_in_user(request)
    asset = selectors.asset_get_for_user(user=user, asset_id=asset_id)
    components = asset.components.filter(removed_at__isnull=True).order_by("name", "version")
    page = Paginator(components, 100).get_page(request.GET.get("page"))
    findings = (
        exposure_selectors.finding_filter(
            exposure_selectors.finding_list_for_user(user=user),
            exposure_selectors.FindingFilter(status="active"),
        )
        .filter(asset=asset)
        .order_by("-priority_score", "vulnerability__cve_id", "pk")
    )
    return render(
        request,
        "web/inventory/asset_detail.html",
        {
            "asset": asset,
            "page": page,
            "findings": findings,
            "services": asset.services.filter(removed_at__isnull=True),
            "updates": asset.updates.filter(removed_at__isnull=True).order_by(
                "-installed_on", "kb"
            ),
        },
    )


@login_required
def inventory_import(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    access.require_permission(user=user, permission=Permission.INVENTORY_EDIT)
    form = ImportForm(request.POST or None, request.FILES or None)
    _scoped(form, user, Permission.INVENTORY_EDIT)
    context: dict[str, Any] = {"form": form}
    if request.method == "POST" and form.is_valid():
        try:
            context["report"] = services.inventory_import_upload(
                by=user,
                upload=form.cleaned_data["file"],
                unit=form.cleaned_data["unit"],
                format_id=form.cleaned_data["format"],
                dry_run=form.cleaned_data["dry_run"],
            ).as_dict()
        except ValidationError as error:
            context["error"] = error
    return render(
        request, "web/inventory/import.html", context, status=422 if "error" in context else 200
    )


@login_required
def quality(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    systems = selectors.system_list_for_user(user=user).order_by("owner_unit__path", "name")
    rows = [(system, issues) for system in systems if (issues := system_quality_issues(system))]
    return render(request, "web/inventory/quality.html", {"rows": rows, "checked": systems.count()})
