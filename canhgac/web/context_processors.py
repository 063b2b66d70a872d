"""Navigation for the layout: the contexts of canhgac, with what the user may open."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from canhgac import __version__
from canhgac.accounts import access
from canhgac.accounts.enums import Permission
from canhgac.duty.selectors import inbox_unread_count


@dataclass(frozen=True, slots=True)
class NavItem:
    label: str | Promise
    url: str | None  # None: the capability arrives with a later release
    active_prefix: str = ""
    current: bool = False  # the item of the page shown (the longest matching prefix)


COMING: tuple[str | Promise, ...] = (
    _("Duty"),
    _("Monitoring"),
    _("Incidents"),
    _("Sharing"),
)


def _mark_current(items: list[NavItem], path: str) -> list[NavItem]:
    """Mark the item whose prefix is the longest start of `path` (/exposure/findings/7/ is
    under "Findings", not "Exposure")."""
    matching = [
        item for item in items if item.active_prefix and path.startswith(item.active_prefix)
    ]
    current = max(matching, key=lambda item: len(item.active_prefix), default=None)
    return [replace(item, current=True) if item is current else item for item in items]


def navigation(request: HttpRequest) -> dict[str, Any]:
    common = {"CANHGAC_VERSION": __version__, "TIME_ZONE_NAME": settings.TIME_ZONE}
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return common
    items = [
        NavItem(_("Overview"), reverse("web:dashboard"), "/dashboard"),
        NavItem(_("Units"), reverse("web:unit_list"), "/units"),
        NavItem(_("Information systems"), reverse("web:system_list"), "/inventory/systems"),
        NavItem(_("Assets"), reverse("web:asset_list"), "/inventory/assets"),
        NavItem(_("Data quality"), reverse("web:inventory_quality"), "/inventory/quality"),
        NavItem(_("Vulnerabilities"), reverse("web:vulnerability_list"), "/advisories/CVE"),
        NavItem(_("Warning letters"), reverse("web:warning_list"), "/advisories/warnings"),
        NavItem(_("Feed status"), reverse("web:feed_status"), "/advisories/feeds"),
        NavItem(_("Exposure"), reverse("web:exposure_dashboard"), "/exposure/"),
        NavItem(_("Findings"), reverse("web:finding_list"), "/exposure/findings"),
        NavItem(_("Remediation tasks"), reverse("web:task_list"), "/remediation/tasks"),
        NavItem(_("Reports"), reverse("web:report_register"), "/reports/"),
        NavItem(_("Campaigns"), reverse("web:campaign_list"), "/remediation/campaigns"),
    ]
    if access.has_permission(user=user, permission=Permission.INVENTORY_EDIT):
        items.append(
            NavItem(_("Import inventory"), reverse("web:inventory_import"), "/inventory/import")
        )
    if access.has_permission(user=user, permission=Permission.AUDIT_VIEW):
        items.append(NavItem(_("Audit log"), reverse("web:audit_list"), "/audit"))
    items.append(NavItem(_("Notifications"), reverse("web:notification_inbox"), "/notifications/"))
    if access.has_permission(user=user, permission=Permission.NOTIFICATION_ADMIN):
        items.append(
            NavItem(
                _("Email deliveries"),
                reverse("web:delivery_list"),
                "/notifications/deliveries",
            )
        )
    if access.has_permission(user=user, permission=Permission.USER_MANAGE):
        items.append(NavItem(_("Users"), reverse("web:user_list"), "/users"))
    return {
        **common,
        "nav_items": _mark_current(items, request.path),
        "nav_coming": [NavItem(label, None) for label in COMING],
        "nav_roles": sorted({grant.role.label for grant in access.access_context(user).grants}),
        "nav_unread": inbox_unread_count(user=user),
    }
