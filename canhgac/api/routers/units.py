"""Units: list and read within the caller's scope; create and change with the right role."""

from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from canhgac.accounts import access, services
from canhgac.accounts.enums import Permission
from canhgac.accounts.models import Membership, ServiceContract, Unit
from canhgac.api.auth import request_user
from canhgac.api.schemas import (
    ContractOut,
    ErrorOut,
    MembershipOut,
    UnitCreateIn,
    UnitOut,
    UnitUpdateIn,
)

router = Router(tags=["units"])


class UnitFilter(Schema):
    kind: str | None = None
    parent: str | None = None
    q: str | None = None
    active: bool | None = None


@router.get("", response=list[UnitOut], summary="Units in my scope")
@paginate
def unit_list(request: HttpRequest, filters: Query[UnitFilter]) -> QuerySet[Unit]:
    units = access.unit_list_for_user(user=request_user(request)).order_by("path")
    if filters.kind:
        units = units.filter(kind=filters.kind)
    if filters.parent:
        units = units.filter(parent__code=filters.parent)
    if filters.q:
        units = units.filter(Q(name__icontains=filters.q) | Q(code__icontains=filters.q))
    if filters.active is not None:
        units = units.filter(is_active=filters.active)
    return units


@router.post(
    "",
    response={201: UnitOut, 403: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Create a unit (province administrator)",
)
def unit_create(request: HttpRequest, payload: UnitCreateIn) -> Status[Unit]:
    user = request_user(request)
    access.require_permission(user=user, permission=Permission.UNIT_MANAGE)
    parent = access.unit_get_for_user(user=user, unit_id=payload.parent) if payload.parent else None
    data = payload.dict(exclude={"code", "name", "kind", "parent", "is_coordinator"})
    unit = services.unit_create(
        by=user,
        code=payload.code,
        name=payload.name,
        kind=payload.kind,
        parent=parent,
        is_coordinator=payload.is_coordinator,
        **data,
    )
    return Status(201, unit)


@router.get("/{code}", response={200: UnitOut, 404: ErrorOut}, summary="One unit")
def unit_get(request: HttpRequest, code: str) -> Unit:
    return access.unit_get_for_user(user=request_user(request), unit_id=code)


@router.patch(
    "/{code}",
    response={200: UnitOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Change a unit (contact details: unit manager; the rest: administrator)",
)
def unit_update(request: HttpRequest, code: str, payload: UnitUpdateIn) -> Unit:
    user = request_user(request)
    unit = access.unit_get_for_user(user=user, unit_id=code)
    changes: dict[str, Any] = payload.dict(exclude_unset=True)
    return services.unit_update(by=user, unit=unit, changes=changes)


@router.get(
    "/{code}/members",
    response={200: list[MembershipOut], 404: ErrorOut},
    summary="People with a role in the unit",
)
def unit_members(request: HttpRequest, code: str) -> list[Membership]:
    user = request_user(request)
    unit = access.unit_get_for_user(user=user, unit_id=code)
    return list(access.membership_list_for_user(user=user, unit=unit))


@router.get(
    "/{code}/contracts",
    response={200: list[ContractOut], 404: ErrorOut},
    summary="Service contracts where the unit is provider or client",
)
def unit_contracts(request: HttpRequest, code: str) -> list[ServiceContract]:
    user = request_user(request)
    unit = access.unit_get_for_user(user=user, unit_id=code)
    return list(access.contract_list_for_user(user=user).filter(Q(provider=unit) | Q(client=unit)))
