"""What every accounts service shares: who acts, the permission check, the audit call."""

from __future__ import annotations

from typing import Any

from canhgac.accounts import access
from canhgac.accounts.actors import SystemActor
from canhgac.accounts.enums import Permission
from canhgac.accounts.models import Unit, User
from canhgac.audit.enums import AuditAction
from canhgac.audit.services import audit_record
from canhgac.core.text import shorten

Actor = User | SystemActor


def actor_name(by: Actor | None) -> str:
    """Who acted, as stored beside a record: a username or a system actor's label."""
    if by is None:
        return ""
    return shorten(by.label if isinstance(by, SystemActor) else by.get_username(), 255)


def require(by: Actor, permission: Permission, unit_id: int | None = None) -> None:
    """Users need the permission; a `SystemActor` (shell access to the server) is trusted."""
    if isinstance(by, User):
        access.require_permission(user=by, permission=permission, unit_id=unit_id)


def audit(
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
