"""Web views: validate input, check access through the access module, call one service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.db.models import Q
from django.db.utils import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from canhgac.accounts import access, selectors, services
from canhgac.accounts.enums import Permission, Role, UnitKind
from canhgac.audit.selectors import audit_event_list_for_user
from canhgac.core.exceptions import NotFoundError
from canhgac.core.selectors import heartbeat_is_fresh, heartbeat_list
from canhgac.remediation.selectors import task_counts
from canhgac.web.forms import AuditFilterForm, TokenCreateForm, UnitContactForm
from canhgac.web.session import signed_in_user

PAGE_SIZE = 50


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "web/password_change.html"
    success_url = reverse_lazy("web:password_change_done")

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        with transaction.atomic():
            response = super().form_valid(form)
            services.password_changed(user=signed_in_user(self.request))
        return response


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database check for load balancers and monitoring (no data disclosed)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    counts = selectors.dashboard_counts(user=user)
    kind_labels = dict(UnitKind.choices)
    role_labels = dict(Role.choices)
    heartbeats = [(beat, heartbeat_is_fresh(beat)) for beat in heartbeat_list()]
    context: dict[str, Any] = {
        "counts": counts,
        "units_by_kind": [
            (kind_labels[kind], total) for kind, total in counts.units_by_kind.items() if total
        ],
        "memberships_by_role": [
            (role_labels[role], total)
            for role, total in counts.memberships_by_role.items()
            if total
        ],
        "heartbeats": heartbeats,
        "my_memberships": selectors.memberships_of(user=user),
        "tasks": task_counts(user=user),
    }
    if access.has_permission(user=user, permission=Permission.AUDIT_VIEW):
        context["recent_events"] = audit_event_list_for_user(user=user)[:10]
    return render(request, "web/dashboard.html", context)


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    query = request.GET.get("q", "").strip()
    units = access.unit_list_for_user(user=user).order_by("path")
    if query:
        units = units.filter(Q(name__icontains=query) | Q(code__icontains=query))
    template = (
        "web/partials/unit_rows.html" if request.headers.get("HX-Request") else "web/unit_list.html"
    )
    return render(request, template, {"units": units, "query": query})


@login_required
def unit_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = signed_in_user(request)
    unit = access.unit_get_for_user(user=user, unit_id=code)
    contracts = access.contract_list_for_user(user=user).filter(Q(provider=unit) | Q(client=unit))
    return render(
        request,
        "web/unit_detail.html",
        {
            "unit": unit,
            "children": selectors.unit_children(user=user, unit=unit),
            "memberships": access.membership_list_for_user(user=user, unit=unit),
            "contracts": contracts.order_by("starts_on"),
            "parent_visible": unit.parent_id is not None
            and access.has_permission(
                user=user, permission=Permission.UNIT_VIEW, unit_id=unit.parent_id
            ),
            "can_edit": access.has_permission(
                user=user, permission=Permission.UNIT_EDIT, unit_id=unit.pk
            ),
        },
    )


@login_required
def unit_edit(request: HttpRequest, code: str) -> HttpResponse:
    user = signed_in_user(request)
    unit = access.unit_get_for_user(user=user, unit_id=code, permission=Permission.UNIT_EDIT)
    if request.method == "POST":
        form = UnitContactForm(request.POST)
        if form.is_valid():
            services.unit_update(by=user, unit=unit, changes=form.cleaned_data)
            messages.success(request, _("The contact details have been saved."))
            return redirect("web:unit_detail", code=unit.code)
    else:
        form = UnitContactForm(
            initial={name: getattr(unit, name) for name in UnitContactForm.base_fields}
        )
    return render(request, "web/unit_edit.html", {"unit": unit, "form": form})


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    events = audit_event_list_for_user(user=user)
    form = AuditFilterForm(request.GET or None)
    if form.is_valid():
        if form.cleaned_data["action"]:
            events = events.filter(action=form.cleaned_data["action"])
        if form.cleaned_data["actor"]:
            events = events.filter(actor_label__icontains=form.cleaned_data["actor"])
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "web/audit_list.html", {"page": page, "form": form})


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    users = access.user_list_for_user(user=user).order_by("username")
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "web/user_list.html", {"page": page})


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    return render(
        request,
        "web/profile.html",
        {
            "memberships": selectors.memberships_of(user=user),
            "tokens": selectors.token_list_for_user(user=user),
            "form": TokenCreateForm(),
        },
    )


@login_required
@require_POST
def token_create(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = TokenCreateForm(request.POST)
    raw_token = None
    if form.is_valid():
        _token, raw_token = services.token_create(
            by=user, user=user, name=form.cleaned_data["name"], days=form.cleaned_data["days"]
        )
        form = TokenCreateForm()
    return render(
        request,
        "web/partials/tokens.html",
        {"tokens": selectors.token_list_for_user(user=user), "form": form, "raw_token": raw_token},
        status=200,
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, token_id: int) -> HttpResponse:
    user = signed_in_user(request)
    token = selectors.token_list_for_user(user=user).filter(pk=token_id).first()
    if token is None:
        raise NotFoundError("token not found", extra={"token_id": token_id})
    services.token_revoke(by=user, token=token)
    return render(
        request,
        "web/partials/tokens.html",
        {"tokens": selectors.token_list_for_user(user=user), "form": TokenCreateForm()},
    )
