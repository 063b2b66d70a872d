"""Users and memberships (province administrators)."""

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Status
from ninja.pagination import paginate

from canhgac.accounts import access, services
from canhgac.accounts.enums import Permission
from canhgac.accounts.models import Membership, User
from canhgac.api.auth import request_user
from canhgac.api.schemas import ErrorOut, MembershipIn, RoleOut, UserCreateIn, UserOut

router = Router(tags=["users"])


@router.get("/users", response=list[UserOut], summary="All users (administrator)")
@paginate
def user_list(request: HttpRequest) -> QuerySet[User]:
    return access.user_list_for_user(user=request_user(request)).order_by("username")


@router.post(
    "/users",
    response={201: UserOut, 403: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    summary="Create a user (administrator)",
)
def user_create(request: HttpRequest, payload: UserCreateIn) -> Status[User]:
    user = services.user_create(by=request_user(request), **payload.dict())
    return Status(201, user)


@router.get(
    "/users/{username}",
    response={200: UserOut, 404: ErrorOut},
    summary="One user (administrator, or yourself)",
)
def user_get(request: HttpRequest, username: str) -> User:
    return access.user_get_for_user(user=request_user(request), user_id=username)


@router.post(
    "/users/{username}/memberships",
    response={201: RoleOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
    summary="Grant a role in a unit (administrator)",
)
def membership_grant(
    request: HttpRequest, username: str, payload: MembershipIn
) -> Status[Membership]:
    caller = request_user(request)
    access.require_permission(user=caller, permission=Permission.USER_MANAGE)
    person = access.user_get_for_user(user=caller, user_id=username)
    unit = access.unit_get_for_user(user=caller, unit_id=payload.unit)
    return Status(
        201, services.membership_grant(by=caller, user=person, unit=unit, role=payload.role)
    )


@router.delete(
    "/memberships/{membership_id}",
    response={204: None, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Revoke a role (administrator)",
)
def membership_revoke(request: HttpRequest, membership_id: int) -> Status[None]:
    caller = request_user(request)
    membership = access.membership_get_for_user(user=caller, membership_id=membership_id)
    services.membership_revoke(by=caller, membership=membership)
    return Status(204, None)
