"""Web pages of notifications: the user's inbox, and the deliveries page of administrators.

Thin views: reads through `duty.selectors` (own inbox only; deliveries need
NOTIFICATION_ADMIN), writes through `inbox_mark_read` and `delivery_retry`. NotFoundError and
PermissionDeniedError propagate to `AccessDeniedMiddleware` (404/403, audited).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from canhgac.core.exceptions import ConflictError
from canhgac.duty import selectors
from canhgac.duty.enums import DeliveryStatus
from canhgac.duty.services.deliveries import delivery_retry
from canhgac.duty.services.inbox import inbox_mark_read
from canhgac.web.session import signed_in_user

PAGE_SIZE = 50


class DeliveryFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("Every status")), *DeliveryStatus.choices],
    )


@login_required
def notification_inbox(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    page = Paginator(selectors.inbox_for_user(user=user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "web/notifications/inbox.html",
        {"page": page, "unread": selectors.inbox_unread_count(user=user)},
    )


@login_required
@require_POST
def notification_read(request: HttpRequest, entry_id: int) -> HttpResponse:
    user = signed_in_user(request)
    entry = selectors.inbox_entry_get_for_user(user=user, entry_id=entry_id)
    inbox_mark_read(by=user, user=user, entries=[entry])
    return redirect("web:notification_inbox")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    count = inbox_mark_read(by=user, user=user, all_unread=True)
    messages.success(
        request,
        ngettext(
            "%(count)d notification marked as read.",
            "%(count)d notifications marked as read.",
            count,
        )
        % {"count": count},
    )
    return redirect("web:notification_inbox")


@login_required
def delivery_list(request: HttpRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = DeliveryFilterForm(request.GET)
    status = form.cleaned_data["status"] if form.is_valid() else ""
    deliveries = selectors.delivery_list_for_user(user=user, status=status)
    page = Paginator(deliveries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/notifications/deliveries.html",
        {
            "page": page,
            "form": form,
            "counts": [
                (DeliveryStatus(value).label, value, count)
                for value, count in selectors.delivery_counts().items()
            ],
            "retryable": {DeliveryStatus.PENDING, DeliveryStatus.FAILED, DeliveryStatus.GAVE_UP},
        },
    )


@login_required
@require_POST
def delivery_retry_now(request: HttpRequest, delivery_id: int) -> HttpResponse:
    user = signed_in_user(request)
    delivery = selectors.delivery_get_for_user(user=user, delivery_id=delivery_id)
    try:
        delivery_retry(by=user, delivery=delivery)
    except ConflictError:
        messages.error(request, _("This message has already been sent or is being sent."))
    else:
        messages.success(
            request,
            _("The message to %(address)s will be sent again in a moment.")
            % {"address": delivery.address},
        )
    query = request.GET.urlencode()
    return redirect(reverse("web:delivery_list") + (f"?{query}" if query else ""))
