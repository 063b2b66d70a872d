"""The stored audit log: append-only in the database, tampering found by `audit verify`."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from canhgac.accounts.tests.world import World
from canhgac.audit.enums import AuditAction
from canhgac.audit.models import AppendOnlyError, AuditEvent
from canhgac.audit.selectors import audit_verify
from canhgac.audit.services import audit_record


def drop_guards() -> None:
    """What an attacker with database rights would do before editing rows."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("DROP TRIGGER audit_event_no_update")
            cursor.execute("DROP TRIGGER audit_event_no_delete")
        else:
            cursor.execute("DROP TRIGGER audit_event_append_only ON audit_auditevent")


def test_every_write_of_the_world_is_chained(world: World) -> None:
    report = audit_verify()
    assert report.ok
    assert report.checked == AuditEvent.objects.count() > 20


def test_events_record_actor_unit_target_and_parameters(world: World) -> None:
    event = audit_record(
        action=AuditAction.UNIT_UPDATED,
        actor=world.users["province_admin"],
        unit=world.units["A"],
        target=world.units["A"],
        parameters={"changes": {"phone": {"from": "", "to": "1"}}},
        ip_address="10.0.0.5",
    )
    stored = AuditEvent.objects.get(pk=event.pk)
    assert stored.actor_label == "province_admin"
    assert stored.unit == world.units["A"]
    assert (stored.target_type, stored.target_id) == ("accounts.unit", str(world.units["A"].pk))
    assert stored.ip_address == "10.0.0.5"
    assert stored.previous_hash == AuditEvent.objects.get(sequence=event.sequence - 1).hash


def test_model_refuses_update_and_delete(world: World) -> None:
    event = AuditEvent.objects.order_by("sequence").first()
    assert event is not None
    event.action = AuditAction.LOGIN
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()


def test_database_refuses_update_and_delete(world: World) -> None:
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(sequence=1).update(actor_label="forged")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(sequence=2).delete()
    assert audit_verify().ok


def test_tampering_is_found_by_audit_verify(world: World) -> None:
    drop_guards()
    AuditEvent.objects.filter(sequence=7).update(actor_label="not the real actor")

    report = audit_verify()
    assert report.first_break is not None
    assert report.first_break.sequence == 7
    assert report.checked == 6


def test_deleted_event_is_found(world: World) -> None:
    drop_guards()
    AuditEvent.objects.filter(sequence=4).delete()
    report = audit_verify()
    assert report.first_break is not None
    assert report.first_break.sequence == 5


def test_removed_tail_is_found(world: World) -> None:
    total = AuditEvent.objects.count()
    drop_guards()
    AuditEvent.objects.filter(sequence__gt=total - 3).delete()
    report = audit_verify()
    assert report.first_break is not None
    assert report.first_break.sequence == total - 2
    assert "events at the end were removed" in report.first_break.reason


@pytest.mark.parametrize(
    ("address", "parameters"),
    [
        ("2001:DB8::1", {"ratio": 1e16, "zero": -0.0, "big": 2**60}),
        ("::ffff:0a00:1", {"text": "a\x00b", "nested": [{"x\x00": 1.5}]}),
        ("not an address", {"when": "2026-04-30"}),
    ],
)
def test_stored_events_verify_after_the_database_round_trip(
    world: World, address: str, parameters: dict[str, object]
) -> None:
    audit_record(
        action=AuditAction.UNIT_UPDATED,
        actor=None,
        actor_label="x\x00y",
        ip_address=address,
        parameters=parameters,
    )
    assert audit_verify().ok
