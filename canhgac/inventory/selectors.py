"""Reads of the inventory, scoped through the access module.

A system is visible to whoever sees its owner unit or its operator unit; an asset (and what
runs on it) to whoever sees its unit.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db.models import Count, Q, QuerySet

from canhgac.accounts import access
from canhgac.accounts.enums import Permission
from canhgac.core.exceptions import NotFoundError
from canhgac.inventory.models import Asset, Component, InformationSystem, Service

# Any query set of systems or assets, annotated or not: the filters keep its type.
Systems = TypeVar("Systems", bound=QuerySet[Any])
Assets = TypeVar("Assets", bound=QuerySet[Any])


def system_list_for_user(*, user: Any) -> QuerySet[InformationSystem]:
    units = access.units_with_permission(user=user, permission=Permission.UNIT_VIEW)
    systems = InformationSystem.objects.select_related(
        "owner_unit", "operator_unit", "provider_unit"
    )
    if units.everything:
        return systems
    return systems.filter(Q(owner_unit_id__in=units.ids) | Q(operator_unit_id__in=units.ids))


def system_filter(
    systems: Systems,
    *,
    q: str = "",
    unit_code: str = "",
    status: str = "",
    approved_level: int | None = None,
    unapproved: bool = False,
) -> Systems:
    """The search boxes of the systems list, in the web and the API: each one given narrows."""
    if q:
        systems = systems.filter(Q(name__icontains=q) | Q(code__icontains=q))
    if unit_code:
        systems = systems.filter(Q(owner_unit__code=unit_code) | Q(operator_unit__code=unit_code))
    if status:
        systems = systems.filter(status=status)
    if unapproved:
        systems = systems.filter(approved_level__isnull=True)
    if approved_level is not None:
        systems = systems.filter(approved_level=approved_level)
    return systems


def system_get_for_user(
    *, user: Any, code: str, permission: Permission = Permission.UNIT_VIEW
) -> InformationSystem:
    system = system_list_for_user(user=user).filter(code=code).first()
    if system is None:
        raise NotFoundError("information system not found", extra={"system": code})
    if permission is not Permission.UNIT_VIEW:
        access.require_permission(user=user, permission=permission, unit_id=system.owner_unit_id)
    return system


def asset_list_for_user(*, user: Any) -> QuerySet[Asset]:
    return access.restrict(Asset.objects.select_related("unit", "system"), user=user)


def asset_filter(
    assets: Assets,
    *,
    q: str = "",
    unit_code: str = "",
    system_code: str = "",
    kind: str = "",
    internet_facing: bool | None = None,
) -> Assets:
    """The search boxes of the assets list, in the web and the API: each one given narrows."""
    if q:
        assets = assets.filter(Q(key__icontains=q) | Q(name__icontains=q) | Q(os_name__icontains=q))
    if unit_code:
        assets = assets.filter(unit__code=unit_code)
    if system_code:
        assets = assets.filter(system__code=system_code)
    if kind:
        assets = assets.filter(kind=kind)
    if internet_facing is not None:
        assets = assets.filter(internet_facing=internet_facing)
    return assets


def asset_get_for_user(
    *, user: Any, asset_id: int, permission: Permission = Permission.UNIT_VIEW
) -> Asset:
    asset = asset_list_for_user(user=user).filter(pk=asset_id).first()
    if asset is None:
        raise NotFoundError("asset not found", extra={"asset_id": asset_id})
    if permission is not Permission.UNIT_VIEW:
        access.require_permission(user=user, permission=permission, unit_id=asset.unit_id)
    return asset


def component_list_for_user(*, user: Any, include_removed: bool = False) -> QuerySet[Component]:
    components = access.restrict(
        Component.objects.select_related("asset", "asset__unit"),
        user=user,
        unit_field="asset__unit_id",
    )
    return components if include_removed else components.filter(removed_at__isnull=True)


def service_list_for_user(*, user: Any) -> QuerySet[Service]:
    return access.restrict(
        Service.objects.filter(removed_at__isnull=True), user=user, unit_field="asset__unit_id"
    )


def asset_counts_by_system(systems: QuerySet[InformationSystem]) -> QuerySet[InformationSystem]:
    return systems.annotate(asset_count=Count("assets", distinct=True))
