"""Writes of users and memberships."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction

from canhgac.accounts import access
from canhgac.accounts.enums import Permission, Role
from canhgac.accounts.models import Membership, Unit, User
from canhgac.accounts.services.common import Actor, audit, require
from canhgac.accounts.services.tokens import tokens_revoke_all
from canhgac.accounts.tree import role_problem
from canhgac.audit.enums import AuditAction
from canhgac.core.exceptions import ConflictError, Problem, ValidationError


def _check_password(password: str, user: User) -> None:
    """Django's password validators, as one ValidationError listing every reason."""
    try:
        validate_password(password, user)
    except DjangoValidationError as error:
        raise ValidationError(
            "the password is too weak",
            problems=[Problem(message) for message in error.messages],
            extra={"field": "password"},
        ) from None


def user_create(
    *,
    by: Actor,
    username: str,
    email: str,
    password: str,
    full_name: str = "",
    title: str = "",
    phone: str = "",
    language: str = "vi",
) -> User:
    require(by, Permission.USER_MANAGE)
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(f"unknown language {language!r}", extra={"field": "language"})
    candidate = User(username=username, email=email, full_name=full_name)
    _check_password(password, candidate)
    with transaction.atomic():
        if User.objects.filter(username=username).exists():
            raise ConflictError(f"user {username!r} exists", extra={"field": "username"})
        user = User.objects.create_user(
            username=username,
            email=email,
            password=password,
            full_name=full_name,
            title=title,
            phone=phone,
            language=language,
        )
        audit(by, AuditAction.USER_CREATED, target=user, parameters={"username": username})
    return user


def user_set_active(*, by: Actor, user: User, active: bool) -> User:
    require(by, Permission.USER_MANAGE)
    if isinstance(by, User) and by.pk == user.pk and not active:
        raise ConflictError("you cannot deactivate your own account")
    with transaction.atomic():
        if user.is_active != active:
            User.objects.filter(pk=user.pk).update(is_active=active)
            user.is_active = active
            audit(
                by,
                AuditAction.USER_UPDATED,
                target=user,
                parameters={"changes": {"is_active": {"from": not active, "to": active}}},
            )
            if not active:
                tokens_revoke_all(by=by, user=user, reason="account deactivated")
    return user


def membership_grant(*, by: Actor, user: User, unit: Unit, role: str) -> Membership:
    require(by, Permission.USER_MANAGE)
    if role not in Role.values:
        raise ValidationError(f"unknown role {role!r}", extra={"field": "role"})
    problem = role_problem(role, unit.kind, unit.is_coordinator)
    if problem:
        raise ValidationError(problem, extra={"field": "role"})
    with transaction.atomic():
        membership, created = Membership.objects.get_or_create(
            user=user,
            unit=unit,
            role=role,
            defaults={"granted_by": by if isinstance(by, User) else None},
        )
        if created:
            audit(
                by,
                AuditAction.MEMBERSHIP_GRANTED,
                unit=unit,
                target=membership,
                parameters={"user": user.username, "unit": unit.code, "role": role},
            )
    access.access_cache_clear(user)
    return membership


def membership_revoke(*, by: Actor, membership: Membership) -> None:
    require(by, Permission.USER_MANAGE)
    if (
        isinstance(by, User)
        and membership.user_id == by.pk
        and membership.role == Role.PROVINCE_ADMIN
    ):
        raise ConflictError("you cannot revoke your own administrator role")
    with transaction.atomic():
        audit(
            by,
            AuditAction.MEMBERSHIP_REVOKED,
            unit=membership.unit,
            target=membership,
            parameters={
                "user": membership.user.username,
                "unit": membership.unit.code,
                "role": membership.role,
            },
        )
        membership.delete()
    access.access_cache_clear(membership.user)


def password_changed(*, user: User) -> int:
    """After a user changed their password: audit it and revoke their API tokens."""
    with transaction.atomic():
        audit(user, AuditAction.PASSWORD_CHANGED, target=user)
        return tokens_revoke_all(by=user, user=user, reason="password changed")


def user_set_password(*, by: Actor, user: User, password: str) -> User:
    """Set a password for someone (administrator or CLI); their API tokens are revoked."""
    require(by, Permission.USER_MANAGE)
    _check_password(password, user)
    with transaction.atomic():
        user.set_password(password)
        user.save(update_fields=["password"])
        audit(by, AuditAction.PASSWORD_CHANGED, target=user, parameters={"by_admin": True})
        tokens_revoke_all(by=by, user=user, reason="password set by an administrator")
    return user
