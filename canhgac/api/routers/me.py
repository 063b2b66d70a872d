"""The caller's own account, roles, permissions and API tokens."""

from django.http import HttpRequest
from ninja import Router, Status

from canhgac.accounts import selectors, services
from canhgac.api.auth import request_user
from canhgac.api.schemas import ErrorOut, MeOut, TokenCreatedOut, TokenIn, TokenOut
from canhgac.core.exceptions import NotFoundError, PermissionDeniedError

router = Router(tags=["me"])


@router.get("", response=MeOut, summary="Who am I, with roles and effective permissions")
def me(request: HttpRequest) -> dict[str, object]:
    user = request_user(request)
    return {
        "id": user.pk,
        "username": user.username,
        "full_name": user.full_name,
        "email": user.email,
        "language": user.language,
        "roles": list(selectors.memberships_of(user=user)),
        "permissions": selectors.effective_permissions(user=user),
    }


@router.get("/tokens", response=list[TokenOut], summary="My API tokens")
def token_list(request: HttpRequest) -> list[object]:
    return list(selectors.token_list_for_user(user=request_user(request)))


@router.post("/tokens", response={201: TokenCreatedOut, 422: ErrorOut}, summary="Create a token")
def token_create(request: HttpRequest, payload: TokenIn) -> Status[dict[str, object]]:
    user = request_user(request)
    if getattr(request, "authenticated_by_token", False):
        # A stolen token must not be able to mint itself a successor.
        raise PermissionDeniedError(
            "API tokens are created from a signed-in session (My account) or the CLI"
        )
    token, raw = services.token_create(by=user, user=user, name=payload.name, days=payload.days)
    return Status(201, {**TokenOut.from_orm(token).dict(), "token": raw})


@router.delete("/tokens/{token_id}", response={200: TokenOut, 404: ErrorOut}, summary="Revoke")
def token_revoke(request: HttpRequest, token_id: int) -> object:
    user = request_user(request)
    token = selectors.token_list_for_user(user=user).filter(pk=token_id).first()
    if token is None:
        raise NotFoundError("token not found", extra={"token_id": token_id})
    return services.token_revoke(by=user, token=token)
