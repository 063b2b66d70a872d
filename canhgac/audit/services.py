"""The only writer of the audit log. Every write service of every context calls `audit_record`
inside its own transaction, so the event and the change commit (or roll back) together."""

from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import models, transaction

from canhgac.audit.chain import GENESIS_HASH, ChainedEvent, compute_hash
from canhgac.audit.context import client_ip
from canhgac.audit.enums import AuditAction
from canhgac.audit.models import AuditChainHead, AuditEvent
from canhgac.core import clock

if TYPE_CHECKING:
    from canhgac.accounts.models import Unit, User


@dataclass(frozen=True, slots=True)
class Target:
    type: str
    id: str
    label: str

    @classmethod
    def of(cls, instance: models.Model) -> Target:
        return cls(type=instance._meta.label_lower, id=str(instance.pk), label=str(instance)[:255])


def _clean_text(text: str) -> str:
    """PostgreSQL text cannot hold NUL characters: replace them, visibly."""
    return text.replace("\x00", "\ufffd")


def _canonical(value: Any) -> Any:
    """A JSON value that every database gives back unchanged: floats become their text (jsonb
    would turn 1e16 into an integer and -0.0 into 0), NUL characters are replaced."""
    if isinstance(value, dict):
        return {_clean_text(str(key)): _canonical(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(item) for item in value]
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return value if -(2**53) < value < 2**53 else str(value)
    if isinstance(value, float):
        return repr(value)
    return _clean_text(value if isinstance(value, str) else str(value))


def _json_safe(parameters: dict[str, Any]) -> dict[str, Any]:
    """Exactly what the JSON column will give back, so the hash is stable across reads."""
    result: dict[str, Any] = _canonical(json.loads(json.dumps(parameters, default=str)))
    return result


def _canonical_ip(address: str | None) -> str | None:
    """The form the database stores (GenericIPAddressField normalises IPv6); None if invalid."""
    if not address:
        return None
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return f"::ffff:{ip.ipv4_mapped}"
    return str(ip)


def audit_record(
    *,
    action: AuditAction,
    actor: User | None,
    unit: Unit | None = None,
    target: models.Model | Target | None = None,
    parameters: dict[str, Any] | None = None,
    actor_label: str | None = None,
    ip_address: str | None = None,
) -> AuditEvent:
    """Append one event to the chain. Joins the caller's transaction if there is one."""
    resolved_target = Target.of(target) if isinstance(target, models.Model) else target
    label = actor_label or (actor.get_username() if actor is not None else "system")
    with transaction.atomic():
        head = AuditChainHead.objects.select_for_update().get(pk=1)
        event = AuditEvent(
            sequence=head.sequence + 1,
            occurred_at=clock.now(),
            actor=actor,
            actor_label=_clean_text(label)[:255],
            unit=unit,
            action=action,
            target_type=_clean_text(resolved_target.type)[:64] if resolved_target else "",
            target_id=_clean_text(resolved_target.id)[:64] if resolved_target else "",
            target_label=_clean_text(resolved_target.label)[:255] if resolved_target else "",
            parameters=_json_safe(parameters or {}),
            ip_address=_canonical_ip(ip_address or client_ip()),
            previous_hash=head.hash or GENESIS_HASH,
        )
        event.hash = compute_hash(chained_event(event))
        event.save()
        AuditChainHead.objects.filter(pk=1).update(sequence=event.sequence, hash=event.hash)
    return event


def chained_event(event: AuditEvent) -> ChainedEvent:
    return ChainedEvent(
        sequence=event.sequence,
        occurred_at=event.occurred_at,
        actor_id=event.actor_id,
        actor_label=event.actor_label,
        unit_id=event.unit_id,
        action=event.action,
        target_type=event.target_type,
        target_id=event.target_id,
        target_label=event.target_label,
        parameters=event.parameters,
        ip_address=event.ip_address,
        previous_hash=event.previous_hash,
        hash=event.hash,
    )


def access_denied_record(
    *, user: User | None, method: str, path: str, code: str, extra: dict[str, Any]
) -> AuditEvent:
    """Audit a refused access: an out-of-scope object (404) or a forbidden action (403)."""
    return audit_record(
        action=AuditAction.ACCESS_DENIED,
        actor=user,
        actor_label=None if user is not None else "anonymous",
        parameters={
            "method": method,
            "path": path[:500],
            "code": code,
            **{key: value for key, value in extra.items() if key != "problems"},
        },
    )
