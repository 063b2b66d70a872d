"""Manual edits of systems and assets (web and API), each checked, validated and audited."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Model

from canhgac.accounts.actors import SystemActor
from canhgac.accounts.models import Unit, User
from canhgac.audit.enums import AuditAction
from canhgac.audit.services import audit_record
from canhgac.core import clock
from canhgac.core.exceptions import Problem, SourceLocation, ValidationError
from canhgac.inventory.models import Asset, InformationSystem
from canhgac.inventory.services.imports import SYSTEM_FIELDS, Actor, require_edit

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


def _validated(instance: Model, exclude: list[str] | None = None) -> None:
    """Model validation (choices, lengths, level constraints) as one located ValidationError."""
    try:
        instance.full_clean(exclude=exclude)
    except DjangoValidationError as error:
        problems = [
            Problem(str(message), SourceLocation(name))
            for name, messages in error.message_dict.items()
            for message in messages
        ]
        raise ValidationError("invalid values", problems=problems) from None


def _diff(instance: Model, changes: dict[str, Any]) -> dict[str, Any]:
    return {
        name: {"from": _plain(getattr(instance, name)), "to": _plain(value)}
        for name, value in changes.items()
        if getattr(instance, name) != value
    }


def _plain(value: Any) -> Any:
    return value.pk if isinstance(value, Model) else value


def _audit_inventory(
    by: Actor, action: AuditAction, *, unit: Unit, target: Model, parameters: dict[str, Any]
) -> None:
    audit_record(
        action=action,
        actor=by if isinstance(by, User) else None,
        actor_label=by.label if isinstance(by, SystemActor) else None,
        unit=unit,
        target=target,
        parameters=parameters,
    )


def system_create(
    *, by: Actor, code: str, name: str, owner_unit: Unit, **fields: Any
) -> InformationSystem:
    unknown = set(fields) - SYSTEM_EDITABLE
    if unknown:
        raise ValidationError(f"unknown fields: {', '.join(sorted(unknown))}")
    require_edit(by, [owner_unit])
    system = InformationSystem(
        code=code, name=name, owner_unit=owner_unit, sources=[MANUAL_SOURCE], **fields
    )
    _validated(system)
    with transaction.atomic():
        system.save()
        _audit_inventory(
            by,
            AuditAction.SYSTEM_SAVED,
            unit=owner_unit,
            target=system,
            parameters={"created": True, "code": code},
        )
    return system


def system_update(
    *, by: Actor, system: InformationSystem, changes: dict[str, Any]
) -> InformationSystem:
    unknown = set(changes) - SYSTEM_EDITABLE
    if unknown:
        raise ValidationError(f"unknown fields: {', '.join(sorted(unknown))}")
    require_edit(
        by, [system.owner_unit, *([changes["owner_unit"]] if changes.get("owner_unit") else [])]
    )
    with transaction.atomic():
        locked = InformationSystem.objects.select_for_update().get(pk=system.pk)
        diff = _diff(locked, changes)
        if not diff:
            return locked
        for name in diff:
            setattr(locked, name, changes[name])
        if MANUAL_SOURCE not in locked.sources:
            locked.sources = [*locked.sources, MANUAL_SOURCE]
        _validated(locked)
        locked.save()
        _audit_inventory(
            by,
            AuditAction.SYSTEM_SAVED,
            unit=locked.owner_unit,
            target=locked,
            parameters={"changes": diff},
        )
    return locked


def system_delete(*, by: Actor, system: InformationSystem) -> None:
    require_edit(by, [system.owner_unit])
    with transaction.atomic():
        _audit_inventory(
            by,
            AuditAction.SYSTEM_DELETED,
            unit=system.owner_unit,
            target=system,
            parameters={"code": system.code, "assets": system.assets.count()},
        )
        system.delete()


def asset_create(*, by: Actor, unit: Unit, key: str, kind: str, **fields: Any) -> Asset:
    unknown = set(fields) - ASSET_EDITABLE
    if unknown:
        raise ValidationError(f"unknown fields: {', '.join(sorted(unknown))}")
    require_edit(by, [unit])
    now = clock.now()
    asset = Asset(
        unit=unit,
        key=key,
        kind=kind,
        sources=[MANUAL_SOURCE],
        first_seen=now,
        last_seen=now,
        **fields,
    )
    _validated(asset)
    with transaction.atomic():
        asset.save()
        _audit_inventory(
            by,
            AuditAction.ASSET_SAVED,
            unit=unit,
            target=asset,
            parameters={"created": True, "key": key},
        )
    return asset


def asset_update(*, by: Actor, asset: Asset, changes: dict[str, Any]) -> Asset:
    unknown = set(changes) - ASSET_EDITABLE
    if unknown:
        raise ValidationError(f"unknown fields: {', '.join(sorted(unknown))}")
    require_edit(by, [asset.unit])
    with transaction.atomic():
        locked = Asset.objects.select_for_update().get(pk=asset.pk)
        diff = _diff(locked, changes)
        if not diff:
            return locked
        for name in diff:
            setattr(locked, name, changes[name])
        if MANUAL_SOURCE not in locked.sources:
            locked.sources = [*locked.sources, MANUAL_SOURCE]
        _validated(locked)
        locked.save()
        _audit_inventory(
            by,
            AuditAction.ASSET_SAVED,
            unit=locked.unit,
            target=locked,
            parameters={"changes": diff},
        )
    return locked


def asset_delete(*, by: Actor, asset: Asset) -> None:
    require_edit(by, [asset.unit])
    with transaction.atomic():
        _audit_inventory(
            by,
            AuditAction.ASSET_DELETED,
            unit=asset.unit,
            target=asset,
            parameters={"key": asset.key, "components": asset.components.count()},
        )
        asset.delete()
