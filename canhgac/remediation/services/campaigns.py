"""Holiday campaigns (đợt cao điểm): the province names a period, the units in scope, the
warnings to fix before it starts and a readiness checklist; each unit answers its checklist.

"The named warnings are fixed" is decided by canhgac (no active finding of a cited vulnerability
in the unit); the other items are the unit's word, kept with who said it and when.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from canhgac.accounts.enums import PROVINCE_TREE_KINDS, Permission
from canhgac.accounts.models import Unit
from canhgac.accounts.services.common import Actor, actor_name, audit, require
from canhgac.advisories.models import WarningLetter
from canhgac.audit.enums import AuditAction
from canhgac.core import clock
from canhgac.core.exceptions import ConflictError, ValidationError
from canhgac.remediation.enums import COMPUTED_CHECKS, Check
from canhgac.remediation.models import Campaign, CampaignCheck, Readiness
from canhgac.remediation.notices import tell_campaign_opened

MAX_NOTE = 4000


def default_checks() -> list[tuple[str, str]]:
    """REGULATION.md §8 F.23's items, labelled in the installation's language."""
    with translation.override(settings.LANGUAGE_CODE):
        return [
            (Check.ROSTER_FILLED.value, _("Duty roster for the holiday filled")),
            (Check.WARNINGS_FIXED.value, _("Named warnings fully fixed")),
            (Check.BACKUPS_CHECKED.value, _("Backups checked (3-2-1)")),
            (Check.MALWARE_SWEEP.value, _("Malware sweep of the hosts done")),
            (Check.WATCHER_ASSIGNED.value, _("National warning channel watcher assigned")),
            (Check.PROVIDER_COMMITMENT.value, _("Security provider's commitment received")),
        ]


def campaign_create(
    *,
    by: Actor,
    code: str,
    name: str,
    starts_on: date,
    ends_on: date,
    prepare_by: date | None = None,
    letters: Sequence[WarningLetter] = (),
    units: Sequence[Unit] | None = None,
    checks: Sequence[tuple[str, str]] | None = None,
    note: str = "",
) -> Campaign:
    """Create a campaign and tell the units in scope (default: every active unit of the
    province's tree but the committee itself)."""
    require(by, Permission.CAMPAIGN_MANAGE)
    code, name = code.strip(), name.strip()
    prepare_by = prepare_by or starts_on
    if not code or not name:
        raise ValidationError("a campaign needs a code and a name", extra={"field": "name"})
    if ends_on < starts_on:
        raise ValidationError("the campaign ends before it starts", extra={"field": "ends_on"})
    if prepare_by > starts_on:
        raise ValidationError(
            "units must be ready by the start at the latest", extra={"field": "prepare_by"}
        )
    if Campaign.objects.filter(code=code).exists():
        raise ConflictError(f"a campaign coded {code!r} exists", extra={"field": "code"})
    items = list(checks if checks is not None else default_checks())
    keys = [key for key, _label in items]
    if len(set(keys)) != len(keys) or not all(key.strip() for key in keys):
        raise ValidationError(
            "checklist keys must be unique and not empty", extra={"field": "checks"}
        )
    if units is None:
        units = list(
            Unit.objects.filter(
                is_active=True,
                parent__isnull=False,
                kind__in=[kind.value for kind in PROVINCE_TREE_KINDS],
            ).order_by("path")
        )
    with transaction.atomic():
        campaign = Campaign.objects.create(
            code=code,
            name=name,
            starts_on=starts_on,
            ends_on=ends_on,
            prepare_by=prepare_by,
            note=note.strip()[:MAX_NOTE],
            created_at=clock.now(),
            created_by=actor_name(by),
        )
        campaign.letters.set(letters)
        campaign.units.set(units)
        CampaignCheck.objects.bulk_create(
            CampaignCheck(
                campaign=campaign,
                key=key,
                label=label[:255],
                computed=key in COMPUTED_CHECKS,
                position=position,
            )
            for position, (key, label) in enumerate(items)
        )
        audit(
            by,
            AuditAction.CAMPAIGN_SAVED,
            target=campaign,
            parameters={
                "code": code,
                "starts_on": starts_on.isoformat(),
                "ends_on": ends_on.isoformat(),
                "letters": [letter.number for letter in letters],
                "units": len(units),
                "checks": keys,
            },
        )
        for unit in units:
            tell_campaign_opened(by=by, campaign=campaign, unit=unit)
    return campaign


def readiness_answer(
    *, by: Actor, campaign: Campaign, unit: Unit, key: str, done: bool, note: str = ""
) -> Readiness:
    """A unit says whether one checklist item is done (again: the answer is replaced)."""
    require(by, Permission.REMEDIATION_UPDATE, unit.pk)
    if not campaign.units.filter(pk=unit.pk).exists():
        raise ValidationError(
            f"{unit.code} is not in the scope of {campaign.code}", extra={"field": "unit"}
        )
    check = campaign.checks.filter(key=key).first()
    if check is None:
        raise ValidationError(f"no checklist item {key!r}", extra={"field": "key"})
    if check.computed:
        raise ValidationError(
            f"{check.label}: decided by canhgac from the findings", extra={"field": "key"}
        )
    with transaction.atomic():
        answer, _created = Readiness.objects.update_or_create(
            item=check,
            unit=unit,
            defaults={
                "done": done,
                "note": note.strip()[:MAX_NOTE],
                "answered_at": clock.now(),
                "answered_by": actor_name(by),
            },
        )
        audit(
            by,
            AuditAction.READINESS_ANSWERED,
            unit=unit,
            target=campaign,
            parameters={"campaign": campaign.code, "item": key, "done": done},
        )
    return answer
