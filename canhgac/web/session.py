"""The signed-in user of a web request (views are wrapped in @login_required)."""

from __future__ import annotations

from django.http import HttpRequest

from canhgac.accounts.models import User
from canhgac.core.exceptions import PermissionDeniedError


def signed_in_user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):  # pragma: no cover - @login_required redirects first
        raise PermissionDeniedError("sign in first")
    return user
