"""Writes of units and service contracts.

Every structural change (new unit, new parent, new kind, coordinator flag) is checked on the
final state of the whole tree before anything is written: parents exist and fit, no cycle,
stored sub-units and the roles held in the unit stay valid. Paths are then recomputed for the
whole tree from the parent links (`units_rebuild_paths`), so no stale in-memory path can
survive a move.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction

from canhgac.accounts.enums import Permission, UnitKind
from canhgac.accounts.importers import ALL_FIELDS, CODE_PATTERN, UnitRecord
from canhgac.accounts.models import Membership, ServiceContract, Unit
from canhgac.accounts.services.common import Actor, audit, require
from canhgac.accounts.tree import UnitState, compute_paths, structure_problems
from canhgac.audit.enums import AuditAction
from canhgac.audit.services import Target
from canhgac.core.exceptions import ConflictError, Problem, SourceLocation, ValidationError

# Fields a unit manager may change on their own unit; the rest need Permission.UNIT_MANAGE.
CONTACT_FIELDS = frozenset({"name_en", "short_name", "email", "phone", "address"})
STRUCTURE_FIELDS = frozenset({"name", "kind", "is_coordinator", "is_active"})
TEXT_LIMITS = {
    "name": 255,
    "name_en": 255,
    "short_name": 64,
    "email": 254,
    "phone": 64,
    "address": 255,
}


def units_rebuild_paths() -> int:
    """Recompute every unit's path and depth from the parent links; return how many changed."""
    rows = list(Unit.objects.values_list("id", "parent_id", "path", "depth"))
    computed = compute_paths({unit_id: parent_id for unit_id, parent_id, _, _ in rows})
    changed = [
        Unit(id=unit_id, path=computed[unit_id][0], depth=computed[unit_id][1])
        for unit_id, _parent, path, depth in rows
        if (path, depth) != computed[unit_id]
    ]
    Unit.objects.bulk_update(changed, ["path", "depth"], batch_size=500)
    return len(changed)


def _tree_state() -> tuple[dict[str, Unit], dict[str, UnitState]]:
    """Every unit (locked) and its structural state, by code."""
    units = {unit.code: unit for unit in Unit.objects.select_for_update().order_by("pk")}
    codes = {unit.pk: code for code, unit in units.items()}
    states = {
        code: UnitState(
            unit.kind, codes.get(unit.parent_id) if unit.parent_id else None, unit.is_coordinator
        )
        for code, unit in units.items()
    }
    return units, states


def _roles_by_unit(units: dict[str, Unit], codes: set[str]) -> dict[str, list[str]]:
    roles: dict[str, list[str]] = {}
    ids = {units[code].pk: code for code in codes if code in units}
    for unit_id, role in Membership.objects.filter(unit_id__in=ids).values_list("unit_id", "role"):
        roles.setdefault(ids[unit_id], []).append(role)
    return roles


def _changed(before: dict[str, UnitState], after: dict[str, UnitState]) -> set[str]:
    return {code for code, state in after.items() if before.get(code) != state}


def _check_text(changes: dict[str, Any]) -> None:
    for name, value in changes.items():
        if name in TEXT_LIMITS:
            if not isinstance(value, str):
                raise ValidationError(f"{name} must be text", extra={"field": name})
            if len(value) > TEXT_LIMITS[name]:
                raise ValidationError(
                    f"{name} is longer than {TEXT_LIMITS[name]} characters", extra={"field": name}
                )
    if changes.get("name", "x") == "":
        raise ValidationError("name may not be empty", extra={"field": "name"})
    if changes.get("email"):
        try:
            validate_email(changes["email"])
        except DjangoValidationError:
            raise ValidationError(
                f"invalid email {changes['email']!r}", extra={"field": "email"}
            ) from None


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
    require(by, Permission.UNIT_MANAGE)
    if not CODE_PATTERN.match(code):
        raise ValidationError(
            "code may hold only letters, digits, '-' and '_'", extra={"field": "code"}
        )
    if kind not in UnitKind.values:
        raise ValidationError(f"unknown unit kind {kind!r}", extra={"field": "kind"})
    unknown = set(contact) - CONTACT_FIELDS
    if unknown:
        raise ValidationError(f"unknown fields: {', '.join(sorted(unknown))}")
    _check_text({"name": name, **contact})
    with transaction.atomic():
        units, before = _tree_state()
        if code in units:
            raise ConflictError(f"a unit with code {code!r} exists", extra={"field": "code"})
        after = {**before, code: UnitState(kind, parent.code if parent else None, is_coordinator)}
        problems = structure_problems(before, after, {})
        if problems:
            _code, field_name, message = problems[0]
            raise ValidationError(message, extra={"field": field_name})
        unit = Unit.objects.create(
            code=code, name=name, kind=kind, parent=parent, is_coordinator=is_coordinator, **contact
        )
        units_rebuild_paths()
        unit.refresh_from_db()
        audit(
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
    require(by, Permission.UNIT_MANAGE if structural else Permission.UNIT_EDIT, unit.pk)
    if "kind" in changes and changes["kind"] not in UnitKind.values:
        raise ValidationError(f"unknown unit kind {changes['kind']!r}", extra={"field": "kind"})
    for flag in ("is_active", "is_coordinator"):
        if flag in changes and not isinstance(changes[flag], bool):
            raise ValidationError(f"{flag} must be true or false", extra={"field": flag})
    _check_text({name: value for name, value in changes.items() if name in TEXT_LIMITS})
    with transaction.atomic():
        units, before = _tree_state()
        locked = units[unit.code]
        new_parent = changes.get("parent")
        old = before[locked.code]
        state = UnitState(
            changes.get("kind", old.kind),
            (new_parent.code if new_parent else None) if "parent" in changes else old.parent,
            changes.get("is_coordinator", old.is_coordinator),
        )
        after = {**before, locked.code: state}
        problems = structure_problems(before, after, _roles_by_unit(units, {locked.code}))
        if problems:
            _code, field_name, message = problems[0]
            raise ValidationError(message, extra={"field": field_name})
        diff = {
            name: {"from": getattr(locked, name), "to": value}
            for name, value in changes.items()
            if name != "parent" and getattr(locked, name) != value
        }
        if state.parent != old.parent:
            diff["parent"] = {"from": old.parent, "to": state.parent}
        if not diff:
            return locked
        for name in diff:
            setattr(locked, name, new_parent if name == "parent" else changes[name])
        locked.save(update_fields=[*diff, "updated_at"])
        if "parent" in diff:
            units_rebuild_paths()
            locked.refresh_from_db()
        audit(
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


VALUE_FIELDS = (
    "name",
    "kind",
    "name_en",
    "short_name",
    "email",
    "phone",
    "address",
    "is_coordinator",
)


def _values(record: UnitRecord) -> dict[str, Any]:
    """The fields the file gives for this unit (columns absent from the file are left alone)."""
    return {name: getattr(record, name) for name in VALUE_FIELDS if name in record.present}


def _depth_in(after: dict[str, UnitState], code: str) -> int:
    depth = 0
    parent = after[code].parent
    while parent is not None:
        depth += 1
        parent = after[parent].parent
    return depth


def unit_import(*, by: Actor, records: list[UnitRecord], source: str) -> ImportResult:
    """Create or update units by code, all or nothing. Re-importing the same file changes nothing.

    Only the columns present in the file are written; units absent from the file are left
    alone (an import never deletes).
    """
    require(by, Permission.UNIT_MANAGE)
    result = ImportResult()
    with transaction.atomic():
        units, before = _tree_state()
        after = dict(before)
        by_code = {record.code: record for record in records}
        for record in records:
            old = before.get(record.code)
            present = record.present if old is not None else ALL_FIELDS
            after[record.code] = UnitState(
                record.kind if "kind" in present else old.kind,  # type: ignore[union-attr]
                record.parent_code if "parent" in present else old.parent,  # type: ignore[union-attr]
                record.is_coordinator if "is_coordinator" in present else old.is_coordinator,  # type: ignore[union-attr]
            )
        changed = _changed(before, after)
        problems = [
            Problem(
                message,
                SourceLocation(
                    by_code[code].location.path, by_code[code].location.line, field_name
                ),
            )
            for code, field_name, message in structure_problems(
                before, after, _roles_by_unit(units, changed)
            )
        ]
        if problems:
            raise ValidationError(
                f"{source}: {len(problems)} problem(s); nothing imported", problems=problems
            )
        new_codes = sorted(
            (code for code in by_code if code not in units), key=lambda code: _depth_in(after, code)
        )
        for code in new_codes:
            record = by_code[code]
            parent = units[record.parent_code] if record.parent_code else None
            units[code] = Unit.objects.create(code=code, parent=parent, **_values(record))
            result.created.append(code)
        for record in records:
            if record.code in new_codes:
                continue
            unit = units[record.code]
            values = _values(record)
            diff = {
                name: {"from": getattr(unit, name), "to": value}
                for name, value in values.items()
                if getattr(unit, name) != value
            }
            new_parent = after[record.code].parent
            if new_parent != before[record.code].parent:
                diff["parent"] = {"from": before[record.code].parent, "to": new_parent}
                unit.parent = units[new_parent] if new_parent else None
            if not diff:
                result.unchanged.append(record.code)
                continue
            for name in values:
                setattr(unit, name, values[name])
            unit.save(update_fields=[*diff, "updated_at"])
            result.updated.append(record.code)
            audit(
                by,
                AuditAction.UNIT_UPDATED,
                unit=unit,
                target=unit,
                parameters={"source": source, "line": record.location.line, "changes": diff},
            )
        units_rebuild_paths()
        for code in result.created:
            audit(
                by,
                AuditAction.UNIT_CREATED,
                unit=units[code],
                target=units[code],
                parameters={"source": source, "line": by_code[code].location.line},
            )
        audit(
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
    require(by, Permission.UNIT_MANAGE)
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
        audit(
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
