"""API authentication: personal bearer tokens for machines, the session (with CSRF) for the UI."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from canhgac.accounts.models import User
from canhgac.accounts.services import token_authenticate
from canhgac.core.exceptions import NotFoundError


def request_user(request: HttpRequest) -> User:
    """The authenticated user of an API request (the auth classes guarantee one)."""
    user = request.user
    if not isinstance(user, User):  # pragma: no cover - unreachable behind the auth classes
        raise NotFoundError("no user")
    return user


class ApiTokenAuth(HttpBearer):
    openapi_description = "Personal API token: `Authorization: Bearer cg_…`"

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = token_authenticate(raw_token=token)
        if user is not None:
            request.user = user
            request.authenticated_by_token = True  # type: ignore[attr-defined]
        return user


class SessionAuth(APIKeyCookie):
    """The signed-in browser session; unsafe methods need the CSRF token."""

    param_name = "sessionid"

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None
