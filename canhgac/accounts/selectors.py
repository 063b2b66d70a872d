"""Reads of the accounts context that are not access functions."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet

from canhgac.accounts import access
from canhgac.accounts.enums import Permission, Role, UnitKind
from canhgac.accounts.models import ApiToken, Membership, Unit, User


@dataclass(frozen=True, slots=True)
class DashboardCounts:
    units: int
    units_by_kind: dict[str, int]
    users: int
    memberships_by_role: dict[str, int]


def dashboard_counts(*, user: Any) -> DashboardCounts:
    """Counts over the units the user can see (the whole province for province roles)."""
    units = access.unit_list_for_user(user=user).filter(is_active=True)
    by_kind = Counter(dict(units.values_list("kind").annotate(total=Count("id")).order_by()))
    memberships = access.restrict(
        Membership.objects.filter(user__is_active=True),
        user=user,
        permission=Permission.MEMBER_VIEW,
    )
    by_role = Counter(dict(memberships.values_list("role").annotate(total=Count("id")).order_by()))
    users = memberships.values("user_id").distinct().count()
    return DashboardCounts(
        units=sum(by_kind.values()),
        units_by_kind={kind.value: by_kind.get(kind.value, 0) for kind in UnitKind},
        users=users,
        memberships_by_role={role.value: by_role.get(role.value, 0) for role in Role},
    )


def unit_children(*, user: Any, unit: Unit) -> QuerySet[Unit]:
    return access.unit_list_for_user(user=user).filter(parent=unit).order_by("kind", "name")


def token_list_for_user(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def memberships_of(*, user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("unit").order_by("unit__path")


def effective_permissions(*, user: Any) -> dict[str, list[str] | str]:
    """Per permission: "all", or the codes of the units where it holds (absent: nowhere)."""
    context = access.access_context(user)
    per_permission = {permission: context.units_with(permission) for permission in Permission}
    ids = set().union(*(units.ids for units in per_permission.values()))
    codes = dict(Unit.objects.filter(pk__in=ids).values_list("pk", "code"))
    result: dict[str, list[str] | str] = {}
    for permission, units in per_permission.items():
        if units.everything:
            result[permission.value] = "all"
        elif units.ids:
            result[permission.value] = sorted(codes[unit_id] for unit_id in units.ids)
    return result
