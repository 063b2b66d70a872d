"""Writes of the accounts context: units, users, memberships, contracts, API tokens.

Every function checks the caller's permission (a `SystemActor` is trusted: it has shell access
to the server), writes in one transaction and records its audit event in that transaction.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr

from canhgac.accounts import access
from canhgac.accounts.actors import SystemActor
from canhgac.accounts.enums import PROVINCE_ROLES, Permission, Role, UnitKind
from canhgac.accounts.importers import CODE_PATTERN, UnitRecord
from canhgac.accounts.models import ApiToken, Membership, ServiceContract, Unit, User
from canhgac.accounts.tree import child_path, parent_problem
from canhgac.audit.enums import AuditAction
from canhgac.audit.services import Target, audit_record
from canhgac.core import clock
from canhgac.core.exceptions import (
    ConflictError,
    PermissionDeniedError,
    Problem,
    SourceLocation,
    ValidationError,
)

Actor = User | SystemActor

# Fields a unit manager may change on their own unit; the rest need Permission.UNIT_MANAGE.
CONTACT_FIELDS = frozenset({"name_en", "short_name", "email", "phone", "address"})
STRUCTURE_FIELDS = frozenset({"name", "kind", "is_coordinator", "is_active"})
TOKEN_PREFIX = "cg_"  # noqa: S105 (a public marker, not a secret)


def _require(by: Actor, permission: Permission, unit_id: int | None = None) -> None:
    if isinstance(by, User):
        access.require_permission(user=by, permission=permission, unit_id=unit_id)


def _audit(
    by: Actor,
    action: AuditAction,
    *,
    unit: Unit | None = None,
    target: Any = None,
    parameters: dict[str, Any] | None = None,
) -> None:
    audit_record(
        action=action,
        actor=by if isinstance(by, User) else None,
        actor_label=by.label if isinstance(by, SystemActor) else None,
        unit=unit,
        target=target,
        parameters=parameters,
    )


# --- Units -------------------------------------------------------------------------------------


def _check_parent(*, kind: str, parent: Unit | None, unit: Unit | None = None) -> None:
    if unit is not None and parent is not None and parent.path.startswith(unit.path):
        raise ValidationError(
            "a unit cannot be moved under itself or one of its sub-units",
            extra={"field": "parent"},
        )
    problem = parent_problem(kind=kind, parent_kind=parent.kind if parent else None)
    if problem:
        raise ValidationError(problem, extra={"field": "parent"})


def _place(unit: Unit, parent: Unit | None) -> None:
    """Set path and depth of a saved unit under `parent`, moving its subtree along."""
    old_path = unit.path
    new_path = child_path(parent.path if parent else None, unit.pk)
    if old_path == new_path:
        return
    new_depth = new_path.count("/") - 2
    if old_path:
        depth_shift = new_depth - unit.depth
        Unit.objects.filter(path__startswith=old_path).update(
            path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
            depth=F("depth") + depth_shift,
        )
    else:
        Unit.objects.filter(pk=unit.pk).update(path=new_path, depth=new_depth)
    unit.path, unit.depth = new_path, new_depth


def unit_create(
    *,
    by: Actor,
    code: str,
    name: str,
    kind: str,
    parent: Unit | None = None,
    is_coordinator: bool = False,
    **contact: str,
) -> Unit:
    _require(by, Permission.UNIT_MANAGE)
    if not CODE_PATTERN.match(code):
        raise ValidationError(
            "code may hold only letters, digits, '-' and '_'", extra={"field": "code"}
        )
    if kind not in UnitKind.values:
        raise ValidationError(f"unknown unit kind {kind!r}", extra={"field": "kind"})
    unknown = set(contact) - CONTACT_FIELDS
    if unknown:
        raise ValidationError(f"unknown fields: {', '.join(sorted(unknown))}")
    _check_parent(kind=kind, parent=parent)
    with transaction.atomic():
        if Unit.objects.filter(code=code).exists():
            raise ConflictError(f"a unit with code {code!r} exists", extra={"field": "code"})
        unit = Unit.objects.create(
            code=code,
            name=name,
            kind=kind,
            parent=parent,
            is_coordinator=is_coordinator,
            **contact,
        )
        _place(unit, parent)
        _audit(
            by,
            AuditAction.UNIT_CREATED,
            unit=unit,
            target=unit,
            parameters={"code": code, "kind": kind, "parent": parent.code if parent else None},
        )
    return unit


def unit_update(*, by: Actor, unit: Unit, changes: dict[str, Any]) -> Unit:
    """Change fields of a unit. Contact fields need UNIT_EDIT on the unit; the rest UNIT_MANAGE.

    `changes` may hold `parent` (a Unit or None) to move the unit with its subtree.
    """
    unknown = set(changes) - CONTACT_FIELDS - STRUCTURE_FIELDS - {"parent"}
    if unknown:
        raise ValidationError(f"unknown fields: {', '.join(sorted(unknown))}")
    structural = set(changes) - CONTACT_FIELDS
    _require(by, Permission.UNIT_MANAGE if structural else Permission.UNIT_EDIT, unit.pk)
    if "kind" in changes and changes["kind"] not in UnitKind.values:
        raise ValidationError(f"unknown unit kind {changes['kind']!r}", extra={"field": "kind"})
    new_parent = changes.get("parent", unit.parent)
    _check_parent(kind=changes.get("kind", unit.kind), parent=new_parent, unit=unit)
    with transaction.atomic():
        locked = Unit.objects.select_for_update().get(pk=unit.pk)
        before = {name: getattr(locked, name) for name in changes if name != "parent"}
        diff = {
            name: {"from": before[name], "to": value}
            for name, value in changes.items()
            if name != "parent" and before[name] != value
        }
        if "parent" in changes and locked.parent_id != (new_parent.pk if new_parent else None):
            diff["parent"] = {
                "from": locked.parent.code if locked.parent else None,
                "to": new_parent.code if new_parent else None,
            }
        if not diff:
            return locked
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.save()
        if "parent" in diff:
            _place(locked, new_parent)
        _audit(
            by, AuditAction.UNIT_UPDATED, unit=locked, target=locked, parameters={"changes": diff}
        )
    return locked


@dataclass
class ImportResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "created_codes": self.created,
            "updated_codes": self.updated,
        }


def _import_order(
    records: list[UnitRecord], stored: dict[str, Unit], problems: list[Problem]
) -> list[UnitRecord]:
    """Parents before children; report unknown parents, wrong kinds and cycles."""
    by_code = {record.code: record for record in records}
    ordered: list[UnitRecord] = []
    state: dict[str, str] = {}

    def visit(record: UnitRecord, trail: tuple[str, ...]) -> None:
        if state.get(record.code) == "done":
            return
        if state.get(record.code) == "visiting":
            cycle = " → ".join((*trail, record.code))
            problems.append(Problem(f"parent cycle: {cycle}", _field(record, "parent")))
            return
        state[record.code] = "visiting"
        parent_code = record.parent_code
        parent_kind: str | None = None
        if parent_code is not None:
            if parent_code in by_code:
                visit(by_code[parent_code], (*trail, record.code))
                parent_kind = by_code[parent_code].kind
            elif parent_code in stored:
                parent_kind = stored[parent_code].kind
            else:
                problems.append(
                    Problem(
                        f"parent {parent_code!r} is neither in the file nor stored",
                        _field(record, "parent"),
                    )
                )
                state[record.code] = "done"
                return
        problem = parent_problem(kind=record.kind, parent_kind=parent_kind)
        if problem:
            problems.append(Problem(problem, _field(record, "parent")))
        state[record.code] = "done"
        ordered.append(record)

    for record in records:
        visit(record, ())
    return ordered


def _field(record: UnitRecord, name: str) -> SourceLocation:
    return SourceLocation(record.location.path, record.location.line, name)


def _record_values(record: UnitRecord) -> dict[str, Any]:
    return {
        "name": record.name,
        "kind": record.kind,
        "name_en": record.name_en,
        "short_name": record.short_name,
        "email": record.email,
        "phone": record.phone,
        "address": record.address,
        "is_coordinator": record.is_coordinator,
    }


def unit_import(*, by: Actor, records: list[UnitRecord], source: str) -> ImportResult:
    """Create or update units by code, all or nothing. Re-importing the same file changes nothing.

    Units stored but absent from the file are left alone (an import never deletes).
    """
    _require(by, Permission.UNIT_MANAGE)
    codes = {record.code for record in records} | {
        record.parent_code for record in records if record.parent_code
    }
    result = ImportResult()
    with transaction.atomic():
        stored = {
            unit.code: unit for unit in Unit.objects.select_for_update().filter(code__in=codes)
        }
        problems: list[Problem] = []
        ordered = _import_order(records, stored, problems)
        for record in ordered:
            existing = stored.get(record.code)
            if existing is not None and record.parent_code:
                new_parent_path = (
                    stored[record.parent_code].path if record.parent_code in stored else None
                )
                if new_parent_path and new_parent_path.startswith(existing.path):
                    problems.append(
                        Problem(
                            "cannot move a unit under its own sub-unit", _field(record, "parent")
                        )
                    )
        if problems:
            raise ValidationError(
                f"{source}: {len(problems)} problem(s); nothing imported", problems=problems
            )
        for record in ordered:
            values = _record_values(record)
            parent = stored[record.parent_code] if record.parent_code else None
            unit = stored.get(record.code)
            if unit is None:
                unit = Unit.objects.create(code=record.code, parent=parent, **values)
                _place(unit, parent)
                stored[record.code] = unit
                result.created.append(record.code)
                _audit(
                    by,
                    AuditAction.UNIT_CREATED,
                    unit=unit,
                    target=unit,
                    parameters={"source": source, "line": record.location.line},
                )
                continue
            diff = {
                name: {"from": getattr(unit, name), "to": value}
                for name, value in values.items()
                if getattr(unit, name) != value
            }
            if unit.parent_id != (parent.pk if parent else None):
                diff["parent"] = {
                    "from": unit.parent.code if unit.parent else None,
                    "to": parent.code if parent else None,
                }
            if not diff:
                result.unchanged.append(record.code)
                continue
            for name, value in values.items():
                setattr(unit, name, value)
            unit.parent = parent
            unit.save()
            if "parent" in diff:
                _place(unit, parent)
            result.updated.append(record.code)
            _audit(
                by,
                AuditAction.UNIT_UPDATED,
                unit=unit,
                target=unit,
                parameters={"source": source, "line": record.location.line, "changes": diff},
            )
        _audit(
            by,
            AuditAction.UNITS_IMPORTED,
            target=Target("file", "", source[-255:]),
            parameters={"source": source, **result.as_dict()},
        )
    return result


def contract_save(
    *,
    by: Actor,
    provider: Unit,
    client: Unit,
    starts_on: date,
    ends_on: date | None = None,
    reference: str = "",
    services: str = "",
    include_subunits: bool = False,
) -> ServiceContract:
    """Create or update (by provider, client, start date) a provider's service contract.

    Saving the same values again changes nothing and records nothing.
    """
    _require(by, Permission.UNIT_MANAGE)
    if provider.kind != UnitKind.SERVICE_PROVIDER:
        raise ValidationError(
            "the provider must be a unit of kind service_provider", extra={"field": "provider"}
        )
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError("the contract ends before it starts", extra={"field": "ends_on"})
    values = {
        "ends_on": ends_on,
        "reference": reference,
        "services": services,
        "include_subunits": include_subunits,
    }
    with transaction.atomic():
        existing = (
            ServiceContract.objects.select_for_update()
            .filter(provider=provider, client=client, starts_on=starts_on)
            .first()
        )
        if existing is not None and all(
            getattr(existing, name) == value for name, value in values.items()
        ):
            return existing
        contract, created = ServiceContract.objects.update_or_create(
            provider=provider, client=client, starts_on=starts_on, defaults=values
        )
        _audit(
            by,
            AuditAction.CONTRACT_SAVED,
            unit=client,
            target=contract,
            parameters={
                "created": created,
                "provider": provider.code,
                "client": client.code,
                "starts_on": starts_on,
                "ends_on": ends_on,
            },
        )
    return contract


# --- Users and memberships ---------------------------------------------------------------------


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
    _require(by, Permission.USER_MANAGE)
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(f"unknown language {language!r}", extra={"field": "language"})
    candidate = User(username=username, email=email, full_name=full_name)
    try:
        validate_password(password, candidate)
    except DjangoValidationError as error:
        raise ValidationError(
            "the password is too weak",
            problems=[Problem(message) for message in error.messages],
            extra={"field": "password"},
        ) from None
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
        _audit(by, AuditAction.USER_CREATED, target=user, parameters={"username": username})
    return user


def user_set_active(*, by: Actor, user: User, active: bool) -> User:
    _require(by, Permission.USER_MANAGE)
    if isinstance(by, User) and by.pk == user.pk and not active:
        raise ConflictError("you cannot deactivate your own account")
    with transaction.atomic():
        if user.is_active != active:
            User.objects.filter(pk=user.pk).update(is_active=active)
            user.is_active = active
            _audit(
                by,
                AuditAction.USER_UPDATED,
                target=user,
                parameters={"changes": {"is_active": {"from": not active, "to": active}}},
            )
    return user


def _role_problem(role: Role, unit: Unit) -> str | None:
    if role in PROVINCE_ROLES and not (
        unit.kind == UnitKind.PROVINCE_COMMITTEE or unit.is_coordinator
    ):
        return (
            "province-wide roles are granted only in the Provincial People's Committee "
            "or the security coordinator unit"
        )
    if role == Role.PROVIDER_ANALYST and unit.kind != UnitKind.SERVICE_PROVIDER:
        return "the provider-analyst role is granted only in a service-provider unit"
    if role != Role.PROVIDER_ANALYST and unit.kind == UnitKind.SERVICE_PROVIDER:
        return "in a service-provider unit only the provider-analyst role can be granted"
    return None


def membership_grant(*, by: Actor, user: User, unit: Unit, role: str) -> Membership:
    _require(by, Permission.USER_MANAGE)
    if role not in Role.values:
        raise ValidationError(f"unknown role {role!r}", extra={"field": "role"})
    problem = _role_problem(Role(role), unit)
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
            _audit(
                by,
                AuditAction.MEMBERSHIP_GRANTED,
                unit=unit,
                target=membership,
                parameters={"user": user.username, "unit": unit.code, "role": role},
            )
    access.access_cache_clear(user)
    return membership


def membership_revoke(*, by: Actor, membership: Membership) -> None:
    _require(by, Permission.USER_MANAGE)
    if (
        isinstance(by, User)
        and membership.user_id == by.pk
        and membership.role == Role.PROVINCE_ADMIN
    ):
        raise ConflictError("you cannot revoke your own administrator role")
    with transaction.atomic():
        _audit(
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


def password_change_record(*, user: User) -> None:
    """Audit a password change made through Django's password form."""
    _audit(user, AuditAction.PASSWORD_CHANGED, target=user)


# --- API tokens --------------------------------------------------------------------------------


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
    lifetime = settings.API_TOKEN_DEFAULT_DAYS if days is None else days
    if lifetime < 0 or lifetime > 3650:
        raise ValidationError(
            "lifetime must be 0 (never expires) to 3650 days", extra={"field": "days"}
        )
    prefix = secrets.token_hex(4)
    raw = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    expires_at = clock.now() + timedelta(days=lifetime) if lifetime else None
    with transaction.atomic():
        try:
            token = ApiToken.objects.create(
                user=user, name=name, prefix=prefix, digest=token_digest(raw), expires_at=expires_at
            )
        except IntegrityError:  # pragma: no cover - 256-bit collision
            raise ConflictError("token collision; try again") from None
        _audit(
            by,
            AuditAction.TOKEN_CREATED,
            target=token,
            parameters={"user": user.username, "name": name, "expires_at": expires_at},
        )
    return token, raw


def token_revoke(*, by: Actor, token: ApiToken) -> ApiToken:
    if isinstance(by, User) and by.pk != token.user_id:
        _require(by, Permission.USER_MANAGE)
    with transaction.atomic():
        if token.revoked_at is None:
            token.revoked_at = clock.now()
            token.save(update_fields=["revoked_at"])
            _audit(
                by,
                AuditAction.TOKEN_REVOKED,
                target=token,
                parameters={"user": token.user.username, "name": token.name},
            )
    return token


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
