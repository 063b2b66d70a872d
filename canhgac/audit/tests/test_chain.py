"""The pure hash-chain rules, without a database."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

from canhgac.audit.chain import GENESIS_HASH, ChainedEvent, compute_hash, verify_chain

START = datetime(2026, 4, 29, 17, 0, tzinfo=UTC)


def make_chain(length: int) -> list[ChainedEvent]:
    events: list[ChainedEvent] = []
    previous = GENESIS_HASH
    for sequence in range(1, length + 1):
        event = ChainedEvent(
            sequence=sequence,
            occurred_at=START + timedelta(minutes=sequence),
            actor_id=7,
            actor_label="admin",
            unit_id=3,
            action="unit.updated",
            target_type="accounts.unit",
            target_id=str(sequence),
            target_label=f"Sở số {sequence}",
            parameters={"changes": {"phone": {"from": "", "to": f"0{sequence}"}}},
            ip_address="127.0.0.1",
            previous_hash=previous,
        )
        event = dataclasses.replace(event, hash=compute_hash(event))
        events.append(event)
        previous = event.hash
    return events


def test_intact_chain_verifies() -> None:
    report = verify_chain(make_chain(5))
    assert report.ok
    assert report.checked == 5


def test_empty_chain_is_intact() -> None:
    report = verify_chain([])
    assert report.ok
    assert report.last_hash == GENESIS_HASH


def test_changed_content_is_detected_at_that_event() -> None:
    events = make_chain(5)
    events[2] = dataclasses.replace(events[2], actor_label="someone else")
    report = verify_chain(events)
    assert report.first_break is not None
    assert report.first_break.sequence == 3
    assert "content" in report.first_break.reason
    assert report.checked == 2


def test_rehashed_event_breaks_the_next_link() -> None:
    events = make_chain(5)
    forged = dataclasses.replace(events[1], parameters={"forged": True})
    events[1] = dataclasses.replace(forged, hash=compute_hash(forged))
    report = verify_chain(events)
    assert report.first_break is not None
    assert report.first_break.sequence == 3
    assert "previous-hash" in report.first_break.reason


def test_removed_event_is_detected() -> None:
    events = make_chain(5)
    del events[3]
    report = verify_chain(events)
    assert report.first_break is not None
    assert report.first_break.sequence == 5
    assert "removed" in report.first_break.reason


def test_hash_ignores_parameter_key_order_and_time_zone() -> None:
    event = make_chain(1)[0]
    reordered = dataclasses.replace(
        event,
        parameters=dict(reversed(list(event.parameters.items()))),
        occurred_at=event.occurred_at.astimezone(),
    )
    assert compute_hash(reordered) == compute_hash(event)
