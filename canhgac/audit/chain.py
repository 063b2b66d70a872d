"""Pure hash-chain rules of the audit log (no Django).

Each event's hash is SHA-256 over a canonical JSON of its content and the previous event's hash.
Changing, removing or reordering any stored event breaks the chain from that point on.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS_HASH = "0" * 64


@dataclass(frozen=True, slots=True)
class ChainedEvent:
    """The hashed content of one audit event."""

    sequence: int
    occurred_at: datetime
    actor_id: int | None
    actor_label: str
    unit_id: int | None
    action: str
    target_type: str
    target_id: str
    target_label: str
    parameters: dict[str, Any]
    ip_address: str | None
    previous_hash: str
    hash: str = ""


def canonical_payload(event: ChainedEvent) -> bytes:
    occurred = event.occurred_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    document = {
        "sequence": event.sequence,
        "occurred_at": occurred,
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "unit_id": event.unit_id,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "target_label": event.target_label,
        "parameters": event.parameters,
        "ip_address": event.ip_address,
        "previous_hash": event.previous_hash,
    }
    return json.dumps(
        document, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    ).encode("utf-8")


def compute_hash(event: ChainedEvent) -> str:
    return hashlib.sha256(canonical_payload(event)).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainBreak:
    sequence: int
    reason: str


@dataclass(frozen=True, slots=True)
class ChainReport:
    checked: int
    first_break: ChainBreak | None
    last_hash: str

    @property
    def ok(self) -> bool:
        return self.first_break is None


def verify_chain(
    events: Iterable[ChainedEvent], head: tuple[int, str] | None = None
) -> ChainReport:
    """Walk events in sequence order; stop at the first broken link.

    `head` is the (sequence, hash) the log recorded for its last event: a log that ends
    earlier, or on another hash, lost or rewrote events at its end.
    """
    expected_sequence = 1
    previous_hash = GENESIS_HASH
    checked = 0
    for event in events:
        if event.sequence != expected_sequence:
            reason = (
                f"expected event #{expected_sequence}, found #{event.sequence}: "
                "an event was removed or inserted"
            )
            return ChainReport(checked, ChainBreak(event.sequence, reason), previous_hash)
        if event.previous_hash != previous_hash:
            reason = "its previous-hash does not match the hash of the event before it"
            return ChainReport(checked, ChainBreak(event.sequence, reason), previous_hash)
        if compute_hash(event) != event.hash:
            reason = "its content does not match its stored hash (the event was changed)"
            return ChainReport(checked, ChainBreak(event.sequence, reason), previous_hash)
        checked += 1
        expected_sequence += 1
        previous_hash = event.hash
    if head is not None and head != (checked, previous_hash):
        reason = (
            f"the log ends at event #{checked} but its head records #{head[0]}: "
            "events at the end were removed or rewritten"
        )
        return ChainReport(checked, ChainBreak(checked + 1, reason), previous_hash)
    return ChainReport(checked, None, previous_hash)
