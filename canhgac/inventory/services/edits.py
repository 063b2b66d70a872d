"""Manual edits of systems and assets (web and API), each checked, validated and audited."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Model

from canhgac.accounts.models import Unit
from canhgac.accounts.services.common import Actor, audit
from canhgac.audit.enums import AuditAction
from canhgac.core import clock
from canhgac.core.exceptions import Problem, SourceLocation, ValidationError
from canhgac.inventory.models import Asset, InformationSystem
from canhgac.inventory.services.imports import SYSTEM_FIELDS, require_edit

MANUAL_SOURCE = "manual"
SYSTEM_EDITABLE = frozenset({*SYSTEM_FIELDS, "owner_unit", "operator_unit", "provider_unit"})
ASSET_EDITABLE = frozenset(
    {
        "kind",
        "name",
        "system",
        "hostnames",
        "ip_addresses",
        "mac_addresses",
        "internet_facing",
        "criticality",
        "os_name",
        "os_cpe",
        "os_version",
        "os_build",
        "tags",
    }
)

EditableT = TypeVar("EditableT", InformationSystem, Asset)


def _check_fields(fields: Iterable[str], editable: frozenset[str]) -> None:
    unknown = set(fields) - editable
    if unknown:
        raise ValidationError(f"unknown fields: {', '.join(sorted(unknown))}")


def _validated(instance: Model) -> None:
    """Model validation (choices, lengths, level constraints) as one located ValidationError."""
    try:
        instance.full_clean()
    except DjangoValidationError as error:
        problems = [
            Problem(str(message), SourceLocation(name))
            for name, messages in error.message_dict.items()
            for message in messages
        ]
        raise ValidationError("invalid values", problems=problems) from None


def _plain(value: Any) -> Any:
    return value.pk if isinstance(value, Model) else value


def _unit_of(instance: InformationSystem | Asset) -> Unit:
    return instance.owner_unit if isinstance(instance, InformationSystem) else instance.unit


def _create(by: Actor, instance: EditableT, action: AuditAction) -> EditableT:
    require_edit(by, [_unit_of(instance)])
    instance.sources = [MANUAL_SOURCE]
    _validated(instance)
    with transaction.atomic():
        instance.save()
        audit(by, action, unit=_unit_of(instance), target=instance, parameters={"created": True})
    return instance


def _update(
    by: Actor, instance: EditableT, changes: dict[str, Any], action: AuditAction
) -> EditableT:
    """Apply `changes` to a locked copy; audit the differences; nothing if nothing differs."""
    new_units: list[Unit] = [
        value
        for name, value in changes.items()
        if name in {"owner_unit", "unit"} and value is not None
    ]
    require_edit(by, [_unit_of(instance), *new_units])
    with transaction.atomic():
        locked: EditableT = type(instance).objects.select_for_update().get(pk=instance.pk)
        diff = {
            name: {"from": _plain(getattr(locked, name)), "to": _plain(value)}
            for name, value in changes.items()
            if getattr(locked, name) != value
        }
        if not diff:
            return locked
        for name in diff:
            setattr(locked, name, changes[name])
        if MANUAL_SOURCE not in locked.sources:
            locked.sources = [*locked.sources, MANUAL_SOURCE]
        _validated(locked)
        locked.save()
        audit(by, action, unit=_unit_of(locked), target=locked, parameters={"changes": diff})
    return locked


def _delete(
    by: Actor, instance: InformationSystem | Asset, action: AuditAction, parameters: dict[str, Any]
) -> None:
    require_edit(by, [_unit_of(instance)])
    with transaction.atomic():
        audit(by, action, unit=_unit_of(instance), target=instance, parameters=parameters)
        instance.delete()


def system_create(
    *, by: Actor, code: str, name: str, owner_unit: Unit, **fields: Any
) -> InformationSystem:
    _check_fields(fields, SYSTEM_EDITABLE)
    system = InformationSystem(code=code, name=name, owner_unit=owner_unit, **fields)
    return _create(by, system, AuditAction.SYSTEM_SAVED)


def system_update(
    *, by: Actor, system: InformationSystem, changes: dict[str, Any]
) -> InformationSystem:
    _check_fields(changes, SYSTEM_EDITABLE)
    return _update(by, system, changes, AuditAction.SYSTEM_SAVED)


def system_delete(*, by: Actor, system: InformationSystem) -> None:
    _delete(
        by,
        system,
        AuditAction.SYSTEM_DELETED,
        {"code": system.code, "assets": system.assets.count()},
    )


def asset_create(*, by: Actor, unit: Unit, key: str, kind: str, **fields: Any) -> Asset:
    _check_fields(fields, ASSET_EDITABLE)
    now = clock.now()
    asset = Asset(unit=unit, key=key, kind=kind, first_seen=now, last_seen=now, **fields)
    return _create(by, asset, AuditAction.ASSET_SAVED)


def asset_update(*, by: Actor, asset: Asset, changes: dict[str, Any]) -> Asset:
    _check_fields(changes, ASSET_EDITABLE)
    return _update(by, asset, changes, AuditAction.ASSET_SAVED)


def asset_delete(*, by: Actor, asset: Asset) -> None:
    _delete(
        by,
        asset,
        AuditAction.ASSET_DELETED,
        {"key": asset.key, "components": asset.components.count()},
    )
