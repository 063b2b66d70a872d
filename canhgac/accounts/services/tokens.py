"""Personal API tokens: only a SHA-256 digest is stored; the token itself is shown once."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction

from canhgac.accounts.enums import Permission
from canhgac.accounts.models import ApiToken, User
from canhgac.accounts.services.common import Actor, audit, require
from canhgac.audit.enums import AuditAction
from canhgac.core import clock
from canhgac.core.exceptions import ConflictError, PermissionDeniedError, ValidationError

TOKEN_PREFIX = "cg_"  # noqa: S105 (a public marker, not a secret)


def token_digest(raw_token: str) -> str:
    return hashlib.sha256(raw_token.encode("utf-8")).hexdigest()


def token_create(
    *, by: Actor, user: User, name: str, days: int | None = None
) -> tuple[ApiToken, str]:
    """Create a personal token for `user` (themselves, or any user for the CLI).

    Returns the stored token and the raw value; the raw value is never stored or shown again.
    """
    if isinstance(by, User) and by.pk != user.pk:
        raise PermissionDeniedError("tokens are created by their owner")
    name = name.strip()
    if not name or len(name) > 100:
        raise ValidationError("the token needs a name of 1-100 characters", extra={"field": "name"})
    longest = settings.API_TOKEN_MAX_DAYS
    lifetime = min(settings.API_TOKEN_DEFAULT_DAYS, longest) if days is None else days
    if not 1 <= lifetime <= longest:
        raise ValidationError(f"lifetime must be 1 to {longest} days", extra={"field": "days"})
    prefix = secrets.token_hex(4)
    raw = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    expires_at = clock.now() + timedelta(days=lifetime)
    with transaction.atomic():
        try:
            token = ApiToken.objects.create(
                user=user, name=name, prefix=prefix, digest=token_digest(raw), expires_at=expires_at
            )
        except IntegrityError:  # pragma: no cover - 256-bit collision
            raise ConflictError("token collision; try again") from None
        audit(
            by,
            AuditAction.TOKEN_CREATED,
            target=token,
            parameters={"user": user.username, "name": name, "expires_at": expires_at},
        )
    return token, raw


def token_revoke(*, by: Actor, token: ApiToken) -> ApiToken:
    if isinstance(by, User) and by.pk != token.user_id:
        require(by, Permission.USER_MANAGE)
    with transaction.atomic():
        if token.revoked_at is None:
            token.revoked_at = clock.now()
            token.save(update_fields=["revoked_at"])
            audit(
                by,
                AuditAction.TOKEN_REVOKED,
                target=token,
                parameters={"user": token.user.username, "name": token.name},
            )
    return token


def tokens_revoke_all(*, by: Actor, user: User, reason: str) -> int:
    """Revoke every live token of `user` (password change, deactivation); one audit event."""
    with transaction.atomic():
        live = ApiToken.objects.filter(user=user, revoked_at__isnull=True)
        names = list(live.values_list("name", flat=True))
        if not names:
            return 0
        live.update(revoked_at=clock.now())
        audit(
            by,
            AuditAction.TOKEN_REVOKED,
            target=user,
            parameters={"user": user.username, "tokens": names, "reason": reason},
        )
    return len(names)


TOKEN_TOUCH_INTERVAL = timedelta(minutes=1)


def token_authenticate(*, raw_token: str) -> User | None:
    """The active user owning a valid, unexpired, unrevoked token; None otherwise."""
    if not raw_token.startswith(TOKEN_PREFIX) or len(raw_token) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=token_digest(raw_token), revoked_at__isnull=True)
        .first()
    )
    moment = clock.now()
    if token is None or not token.user.is_active:
        return None
    if token.expires_at is not None and token.expires_at <= moment:
        return None
    if token.last_used_at is None or moment - token.last_used_at > TOKEN_TOUCH_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=moment)
    return token.user
