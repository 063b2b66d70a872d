"""Forwarding a warning letter to the province's units (the cascade's first step).

The DIC re-issues a national letter under its own number and due date (`advisories`
`warning_forward`); canhgac proposes the recipients — every unit whose inventory matches a
cited vulnerability — and the analyst may add others. Each recipient gets a task listing its
affected hosts and is told (in-app and by email).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from django.db import transaction

from canhgac.accounts.enums import Permission
from canhgac.accounts.models import Unit
from canhgac.accounts.services.common import Actor, actor_name, audit, require
from canhgac.advisories.models import WarningLetter
from canhgac.advisories.services import warning_forward
from canhgac.audit.enums import AuditAction
from canhgac.core import clock
from canhgac.remediation.enums import Origin
from canhgac.remediation.exposure import HostExposure, affected_units, exposure_of
from canhgac.remediation.models import Declined, Task
from canhgac.remediation.services.refresh import Refreshed, refresh_letter


@dataclass(frozen=True)
class Proposal:
    """A unit proposed as a recipient, with its affected hosts."""

    unit: Unit
    hosts: list[HostExposure]

    @property
    def vulnerabilities(self) -> list[str]:
        return sorted({cve for host in self.hosts for cve in host.active})


def recipients_propose(*, letter: WarningLetter) -> list[Proposal]:
    """Every active unit with a host affected by a vulnerability the letter cites."""
    affected = affected_units(exposure_of(letter.cves.values_list("vulnerability_id", flat=True)))
    units = Unit.objects.filter(pk__in=list(affected), is_active=True).order_by("path")
    return [Proposal(unit, sorted(affected[unit.pk], key=lambda host: host.name)) for unit in units]


@dataclass(frozen=True)
class Forwarded:
    letter: WarningLetter
    tasks: list[Task]  # one per recipient, in unit order
    proposed: int  # how many recipients matching proposed


def letter_forward(
    *,
    by: Actor,
    original: WarningLetter,
    number: str,
    issuer: str,
    issued_on: date,
    due_date: date | None,
    units: Sequence[Unit] = (),
    auto: bool = True,
    required_actions: str = "",
) -> Forwarded:
    """Re-issue `original` as the province's letter `number` to `units`, and with `auto` to
    every affected unit too; open their tasks and tell them. A recipient matching proposed is
    recorded as such even when chosen by hand. All or nothing."""
    require(by, Permission.ADVISORY_MANAGE)
    with transaction.atomic():
        letter = warning_forward(
            by=by,
            original=original,
            number=number,
            issuer=issuer,
            issued_on=issued_on,
            due_date=due_date,
            required_actions=required_actions,
        )
        proposed = {proposal.unit.pk for proposal in recipients_propose(letter=letter)}
        chosen = (proposed if auto else set()) | {unit.pk for unit in units}
        origins = {
            unit_id: Origin.MATCHED if unit_id in proposed else Origin.ADDED for unit_id in chosen
        }
        now, label = clock.now(), actor_name(by)
        Declined.objects.bulk_create(
            Declined(letter=letter, unit_id=unit_id, declined_at=now, declined_by=label)
            for unit_id in sorted(proposed - chosen)
        )
        changed = refresh_letter(
            by=by, letter=letter, result=Refreshed(), cascade=False, origins=origins
        )
        audit(
            by,
            AuditAction.LETTER_FORWARDED,
            target=letter,
            parameters={
                "number": letter.number,
                "original": original.number,
                "units": [task.unit.code for task in changed.opened],
                "proposed": len(proposed),
                "left_out": sorted(
                    Unit.objects.filter(pk__in=proposed - chosen).values_list("code", flat=True)
                ),
            },
        )
    return Forwarded(letter, changed.opened, len(proposed))


def letter_add_units(*, by: Actor, letter: WarningLetter, units: Sequence[Unit]) -> list[Task]:
    """Send an already forwarded letter to more units (those already recipients are kept)."""
    require(by, Permission.ADVISORY_MANAGE)
    with transaction.atomic():
        letter.declined.filter(unit__in=list(units)).delete()
        changed = refresh_letter(
            by=by,
            letter=letter,
            result=Refreshed(),
            cascade=False,
            origins={unit.pk: Origin.ADDED for unit in units},
        )
    return changed.opened
