"""A small province for tests: units, one user per role, a provider contract, API tokens.

ROOT  province committee              (auditor_province: leadership viewer)
├── DIC   department, coordinator     (province_admin, province_analyst)
├── A     department                  (unit_manager, unit_officer, duty_officer, auditor_unit)
│   └── A1  sub-unit
└── B     department                  (other_unit: a manager of another unit)
P     service provider, contracted to A only (provider_analyst)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from canhgac.accounts import services
from canhgac.accounts.actors import SystemActor
from canhgac.accounts.enums import Role, UnitKind
from canhgac.accounts.models import Unit, User
from canhgac.core import clock

TEST_ACTOR = SystemActor("test:setup")
PASSWORD = "Test-password-2026"

# Role key → (role, unit code). "other_unit" is a user of another unit (B).
ROLE_USERS: dict[str, tuple[Role, str]] = {
    "province_admin": (Role.PROVINCE_ADMIN, "DIC"),
    "province_analyst": (Role.PROVINCE_ANALYST, "DIC"),
    "auditor_province": (Role.AUDITOR, "ROOT"),
    "unit_manager": (Role.UNIT_MANAGER, "A"),
    "unit_officer": (Role.UNIT_OFFICER, "A"),
    "duty_officer": (Role.DUTY_OFFICER, "A"),
    "auditor_unit": (Role.AUDITOR, "A"),
    "provider_analyst": (Role.PROVIDER_ANALYST, "P"),
    "other_unit": (Role.UNIT_MANAGER, "B"),
}
ROLE_KEYS = tuple(ROLE_USERS)

# Who reaches which unit of the world (used by the permission matrices).
ALL = frozenset(ROLE_KEYS)
PROVINCE = frozenset({"province_admin", "province_analyst", "auditor_province"})
SEES_A = PROVINCE | {
    "unit_manager",
    "unit_officer",
    "duty_officer",
    "auditor_unit",
    "provider_analyst",
}
SEES_A1 = PROVINCE | {"unit_manager", "auditor_unit"}
SEES_B = PROVINCE | {"other_unit"}


@dataclass
class World:
    units: dict[str, Unit] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)


def build_world() -> World:
    world = World()
    specs = [
        ("ROOT", UnitKind.PROVINCE_COMMITTEE, None, False),
        ("DIC", UnitKind.DEPARTMENT, "ROOT", True),
        ("A", UnitKind.DEPARTMENT, "ROOT", False),
        ("A1", UnitKind.SUB_UNIT, "A", False),
        ("B", UnitKind.DEPARTMENT, "ROOT", False),
        ("P", UnitKind.SERVICE_PROVIDER, None, False),
    ]
    for code, kind, parent, coordinator in specs:
        world.units[code] = services.unit_create(
            by=TEST_ACTOR,
            code=code,
            name=f"Unit {code}",
            kind=kind,
            parent=world.units[parent] if parent else None,
            is_coordinator=coordinator,
        )
    today = clock.today()
    services.contract_save(
        by=TEST_ACTOR,
        provider=world.units["P"],
        client=world.units["A"],
        starts_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=335),
    )
    services.contract_save(  # an expired contract must grant nothing
        by=TEST_ACTOR,
        provider=world.units["P"],
        client=world.units["B"],
        starts_on=date(2020, 1, 1),
        ends_on=date(2020, 12, 31),
    )
    for key, (role, unit_code) in ROLE_USERS.items():
        user = services.user_create(
            by=TEST_ACTOR,
            username=key,
            email=f"{key}@example.test",
            password=PASSWORD,
            full_name=key.replace("_", " ").title(),
        )
        services.membership_grant(by=TEST_ACTOR, user=user, unit=world.units[unit_code], role=role)
        world.users[key] = user
        _token, raw = services.token_create(by=TEST_ACTOR, user=user, name="tests")
        world.tokens[key] = raw
    return world


def bearer(world: World, role: str) -> dict[str, str]:
    """The Authorization header of `role`'s API token in `world`."""
    return {"HTTP_AUTHORIZATION": f"Bearer {world.tokens[role]}"}
