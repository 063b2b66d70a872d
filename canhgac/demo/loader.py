"""Load the demo province through the same services a person would use. Idempotent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.db import transaction

from canhgac.accounts import services as accounts_services
from canhgac.accounts.actors import DEMO_LOADER
from canhgac.accounts.importers import UnitRecord
from canhgac.accounts.models import Unit, User
from canhgac.advisories.feeds.warning import WarningYamlParser
from canhgac.advisories.models import WarningLetter
from canhgac.advisories.services import advisories_import_recorded
from canhgac.audit.enums import AuditAction
from canhgac.audit.services import audit_record
from canhgac.core import clock
from canhgac.core.exceptions import SourceLocation
from canhgac.demo.advisories import demo_advisory_batches
from canhgac.demo.inventory import demo_inventory_batches
from canhgac.demo.province import CONTRACTS, DEMO_PASSWORD, UNITS, USERS, DemoUser
from canhgac.exposure.services.matching import exposure_match_changes
from canhgac.inventory.services import inventory_import
from canhgac.remediation.models import Campaign
from canhgac.remediation.services.campaigns import campaign_create

SOURCE = "demo:province"


@dataclass(frozen=True, slots=True)
class DemoSummary:
    units_created: int
    users_created: int
    users: tuple[DemoUser, ...]
    password: str


def _unit_records() -> list[UnitRecord]:
    return [
        UnitRecord(
            code=unit.code,
            name=unit.name,
            kind=unit.kind,
            parent_code=unit.parent,
            location=SourceLocation(SOURCE, index),
            name_en=unit.name_en,
            short_name=unit.short_name,
            is_coordinator=unit.is_coordinator,
            email=f"{unit.code.lower()}@thanhvan.example",
        )
        for index, unit in enumerate(UNITS, start=1)
    ]


def demo_load() -> DemoSummary:
    """Create (or bring back to the demo state) the province's units, users and contracts."""
    with transaction.atomic():
        result = accounts_services.unit_import(
            by=DEMO_LOADER, records=_unit_records(), source=SOURCE
        )
        units = {unit.code: unit for unit in Unit.objects.all()}
        year_start = date(clock.today().year, 1, 1)
        for provider, client, reference, subunits in CONTRACTS:
            accounts_services.contract_save(
                by=DEMO_LOADER,
                provider=units[provider],
                client=units[client],
                starts_on=year_start,
                ends_on=date(year_start.year, 12, 31),
                reference=reference,
                services="Giám sát an toàn thông tin 24/7, hỗ trợ ứng cứu sự cố",
                include_subunits=subunits,
            )
        existing = set(
            User.objects.filter(username__in=[u.username for u in USERS]).values_list(
                "username", flat=True
            )
        )
        users_created = 0
        for demo_user in USERS:
            user = User.objects.filter(username=demo_user.username).first()
            if demo_user.username not in existing or user is None:
                user = accounts_services.user_create(
                    by=DEMO_LOADER,
                    username=demo_user.username,
                    email=f"{demo_user.username}@thanhvan.example",
                    password=DEMO_PASSWORD,
                    full_name=demo_user.full_name,
                    title=demo_user.title,
                )
                users_created += 1
            accounts_services.membership_grant(
                by=DEMO_LOADER, user=user, unit=units[demo_user.unit], role=demo_user.role
            )
        for batch in demo_inventory_batches():
            inventory_import(by=DEMO_LOADER, batch=batch)
        for advisories in demo_advisory_batches():
            advisories_import_recorded(by=DEMO_LOADER, batch=advisories)
        letters = Path(__file__).with_name("warnings-2022.yaml")
        advisories_import_recorded(
            by=DEMO_LOADER, batch=WarningYamlParser().parse(letters, source=letters.name)
        )
        if result.created or users_created:
            audit_record(
                action=AuditAction.DEMO_LOADED,
                actor=None,
                actor_label=DEMO_LOADER.label,
                parameters={"units_created": len(result.created), "users_created": users_created},
            )
    # What the demo hosts are exposed to: the first time everything, then what changed.
    exposure_match_changes(by=DEMO_LOADER)
    _holiday_campaign()
    return DemoSummary(len(result.created), users_created, USERS, DEMO_PASSWORD)


DEMO_CAMPAIGN_WARNINGS = ("590/CATTT-NCSC", "651/CATTT-NCSC")


def _holiday_campaign() -> None:
    """The next New Year's holiday as a campaign, naming the spring 2022 warnings (once)."""
    year = clock.today().year + 1
    code = f"tet-duong-lich-{year}"
    if Campaign.objects.filter(code=code).exists():
        return
    campaign_create(
        by=DEMO_LOADER,
        code=code,
        name=f"Tết Dương lịch {year}",
        starts_on=date(year, 1, 1),
        ends_on=date(year, 1, 1),
        prepare_by=date(year - 1, 12, 30),
        letters=list(WarningLetter.objects.filter(number__in=DEMO_CAMPAIGN_WARNINGS)),
    )
