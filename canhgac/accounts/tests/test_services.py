"""Write services of the accounts context: imports, the tree, roles, contracts, tokens."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from canhgac.accounts import access, services
from canhgac.accounts.enums import Role, UnitKind
from canhgac.accounts.importers import parse_units_csv, parse_units_file
from canhgac.accounts.models import Membership, Unit
from canhgac.accounts.tests.world import TEST_ACTOR, World
from canhgac.audit.enums import AuditAction
from canhgac.audit.models import AuditEvent
from canhgac.core import clock
from canhgac.core.exceptions import (
    ConflictError,
    PermissionDeniedError,
    ValidationError,
)

SAMPLES = Path(__file__).parent / "samples"


def unit_rows() -> list[tuple[object, ...]]:
    return list(
        Unit.objects.order_by("code").values_list(
            "code", "name", "kind", "parent__code", "path", "depth", "email", "updated_at"
        )
    )


def test_import_creates_the_tree_then_reimport_changes_nothing(db: None) -> None:
    records = parse_units_file(SAMPLES / "units.csv")
    first = services.unit_import(by=TEST_ACTOR, records=records, source="units.csv")
    assert sorted(first.created) == ["H-MAU", "NCC-MAU", "SO-TTTT-MAU", "TT-CNTT-MAU", "UBND-MAU"]
    centre = Unit.objects.get(code="TT-CNTT-MAU")
    assert centre.depth == 2
    assert centre.path.startswith(Unit.objects.get(code="SO-TTTT-MAU").path)
    stored = unit_rows()
    events = AuditEvent.objects.count()

    second = services.unit_import(by=TEST_ACTOR, records=records, source="units.csv")

    assert (second.created, second.updated) == ([], [])
    assert len(second.unchanged) == 5
    assert unit_rows() == stored
    assert AuditEvent.objects.count() == events + 1  # the import itself, and nothing else
    assert AuditEvent.objects.order_by("-sequence").first().action == AuditAction.UNITS_IMPORTED


def test_import_updates_in_place_and_audits_the_changes(db: None) -> None:
    services.unit_import(
        by=TEST_ACTOR, records=parse_units_file(SAMPLES / "units.csv"), source="units.csv"
    )
    changed = parse_units_csv(
        "code,name,kind,parent,phone\nSO-TTTT-MAU,Sở Khoa học và Công nghệ,department,UBND-MAU,"
        "0200 1234\n",
        source="rename.csv",
    )
    result = services.unit_import(by=TEST_ACTOR, records=changed, source="rename.csv")
    assert result.updated == ["SO-TTTT-MAU"]
    event = AuditEvent.objects.filter(action=AuditAction.UNIT_UPDATED).get()
    assert event.parameters["changes"]["name"] == {
        "from": "Sở Thông tin và Truyền thông",
        "to": "Sở Khoa học và Công nghệ",
    }
    assert event.parameters["line"] == 2


def test_bad_import_stores_nothing_and_reports_every_problem(db: None) -> None:
    records = parse_units_csv(
        "code,name,kind,parent\n"
        "ROOT,Root,province_committee,\n"
        "D1,Department,department,ROOT\n"
        "S1,Sub-unit,sub_unit,NOWHERE\n"
        "D2,Department under a department,department,D1\n"
        "C1,Cycle one,sub_unit,C2\n"
        "C2,Cycle two,sub_unit,C1\n",
        source="bad.csv",
    )
    with pytest.raises(ValidationError) as caught:
        services.unit_import(by=TEST_ACTOR, records=records, source="bad.csv")
    messages = [str(problem) for problem in caught.value.problems]
    assert messages[0] == "bad.csv:4 [parent]: parent 'NOWHERE' is neither in the file nor stored"
    assert messages[1].startswith(
        "bad.csv:5 [parent]: a unit of kind 'department' cannot sit under 'department'"
    )
    assert any("parent cycle: C1 → C2 → C1" in message for message in messages)
    assert Unit.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_moving_a_unit_moves_its_subtree(world: World) -> None:
    admin = world.users["province_admin"]
    services.unit_update(by=admin, unit=world.units["A1"], changes={"parent": world.units["B"]})
    a1 = Unit.objects.get(code="A1")
    assert a1.path == world.units["B"].path + f"{a1.pk:010d}/"
    assert access.unit_get_for_user(user=world.users["other_unit"], unit_id="A1") == a1
    with pytest.raises(ValidationError, match="parent cycle: ROOT → A1 → B → ROOT"):
        services.unit_update(by=admin, unit=world.units["ROOT"], changes={"parent": a1})


def test_unit_manager_edits_contacts_but_not_structure(world: World) -> None:
    manager = world.users["unit_manager"]
    unit = services.unit_update(by=manager, unit=world.units["A"], changes={"phone": "0909"})
    assert unit.phone == "0909"
    with pytest.raises(PermissionDeniedError):
        services.unit_update(by=manager, unit=world.units["A"], changes={"name": "X"})
    with pytest.raises(PermissionDeniedError):
        services.unit_update(by=manager, unit=world.units["B"], changes={"phone": "1"})
    assert Unit.objects.get(code="A").name == "Unit A"


def test_unchanged_update_writes_no_event(world: World) -> None:
    events = AuditEvent.objects.count()
    services.unit_update(
        by=world.users["province_admin"], unit=world.units["A"], changes={"name": "Unit A"}
    )
    assert AuditEvent.objects.count() == events


def test_kind_rules_for_new_units(world: World) -> None:
    with pytest.raises(ValidationError, match="needs a parent"):
        services.unit_create(by=TEST_ACTOR, code="D9", name="D", kind=UnitKind.DEPARTMENT)
    with pytest.raises(ValidationError, match="cannot sit under"):
        services.unit_create(
            by=TEST_ACTOR,
            code="P2",
            name="P",
            kind=UnitKind.SERVICE_PROVIDER,
            parent=world.units["A"],
        )
    with pytest.raises(ConflictError):
        services.unit_create(
            by=TEST_ACTOR, code="A", name="A", kind=UnitKind.DEPARTMENT, parent=world.units["ROOT"]
        )


@pytest.mark.parametrize(
    ("role", "unit", "message"),
    [
        (Role.PROVINCE_ADMIN, "A", "province-wide roles"),
        (Role.PROVINCE_ANALYST, "B", "province-wide roles"),
        (Role.PROVIDER_ANALYST, "A", "service-provider unit"),
        (Role.UNIT_MANAGER, "P", "only the provider-analyst role"),
        ("emperor", "A", "unknown role"),
    ],
)
def test_role_rules(world: World, role: str, unit: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        services.membership_grant(
            by=TEST_ACTOR, user=world.users["unit_officer"], unit=world.units[unit], role=role
        )


def test_grant_is_idempotent_and_revoke_takes_effect(world: World) -> None:
    officer = world.users["unit_officer"]
    assert access.unit_list_for_user(user=officer).count() == 1
    first = services.membership_grant(
        by=TEST_ACTOR, user=officer, unit=world.units["B"], role=Role.UNIT_OFFICER
    )
    again = services.membership_grant(
        by=TEST_ACTOR, user=officer, unit=world.units["B"], role=Role.UNIT_OFFICER
    )
    assert first.pk == again.pk
    assert access.unit_list_for_user(user=officer).count() == 2
    services.membership_revoke(by=TEST_ACTOR, membership=first)
    assert access.unit_list_for_user(user=officer).count() == 1
    assert not Membership.objects.filter(pk=first.pk).exists()


def test_admin_cannot_lock_themselves_out(world: World) -> None:
    admin = world.users["province_admin"]
    own = Membership.objects.get(user=admin)
    with pytest.raises(ConflictError):
        services.membership_revoke(by=admin, membership=own)
    with pytest.raises(ConflictError):
        services.user_set_active(by=admin, user=admin, active=False)


def test_provider_scope_follows_contract_dates(world: World) -> None:
    provider = world.users["provider_analyst"]
    assert set(access.unit_list_for_user(user=provider).values_list("code", flat=True)) == {"A"}
    services.contract_save(
        by=TEST_ACTOR,
        provider=world.units["P"],
        client=world.units["A"],
        starts_on=clock.today() - timedelta(days=30),
        ends_on=clock.today() + timedelta(days=335),
        include_subunits=True,
    )
    access.access_cache_clear(provider)
    assert set(access.unit_list_for_user(user=provider).values_list("code", flat=True)) == {
        "A",
        "A1",
    }
    with pytest.raises(ValidationError, match="ends before it starts"):
        services.contract_save(
            by=TEST_ACTOR,
            provider=world.units["P"],
            client=world.units["B"],
            starts_on=clock.today(),
            ends_on=clock.today() - timedelta(days=1),
        )


def test_inactive_user_reaches_nothing(world: World) -> None:
    manager = world.users["unit_manager"]
    services.user_set_active(by=TEST_ACTOR, user=manager, active=False)
    access.access_cache_clear(manager)
    assert access.unit_list_for_user(user=manager).count() == 0


def test_tokens_authenticate_until_revoked_or_expired(world: World) -> None:
    officer = world.users["unit_officer"]
    token, raw = services.token_create(by=officer, user=officer, name="script", days=1)
    assert raw.startswith(f"cg_{token.prefix}_")
    assert token.digest != raw
    assert raw not in token.digest
    assert services.token_authenticate(raw_token=raw) == officer
    assert services.token_authenticate(raw_token=raw + "x") is None
    assert services.token_authenticate(raw_token="Bearer nonsense") is None

    token.expires_at = clock.now() - timedelta(seconds=1)
    token.save(update_fields=["expires_at"])
    assert services.token_authenticate(raw_token=raw) is None

    with pytest.raises(ValidationError, match="lifetime must be 1 to 365 days"):
        services.token_create(by=officer, user=officer, name="forever", days=0)
    _second, raw2 = services.token_create(by=officer, user=officer, name="year", days=365)
    assert services.token_authenticate(raw_token=raw2) == officer
    services.token_revoke(by=officer, token=_second)
    assert services.token_authenticate(raw_token=raw2) is None
    with pytest.raises(PermissionDeniedError):
        services.token_create(by=officer, user=world.users["unit_manager"], name="x")


def test_weak_password_is_refused_with_reasons(world: World) -> None:
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        services.user_create(
            by=TEST_ACTOR, username="weak", email="w@example.test", password="123456789012"
        )
    assert any("entirely numeric" in str(problem) for problem in caught.value.problems)


def test_access_context_is_computed_with_few_queries(world: World) -> None:
    manager = world.users["unit_manager"]
    access.access_cache_clear(manager)
    with CaptureQueriesContext(connection) as queries:
        access.access_context(manager)
        access.access_context(manager)
        access.unit_list_for_user(user=manager).count()
    assert len(queries) == 3  # memberships, subtree ids, the count


def test_import_moves_a_subtree_and_scopes_follow(world: World) -> None:
    services.unit_create(
        by=TEST_ACTOR, code="A1X", name="Deep", kind=UnitKind.SUB_UNIT, parent=world.units["A1"]
    )
    moved = parse_units_csv(
        "code,name,kind,parent\nA1,Unit A1,sub_unit,B\nNEW,New under A1X,sub_unit,A1X\n",
        source="move.csv",
    )
    services.unit_import(by=TEST_ACTOR, records=moved, source="move.csv")
    b_path = Unit.objects.get(code="B").path
    for code in ("A1", "A1X", "NEW"):
        assert Unit.objects.get(code=code).path.startswith(b_path), code
    assert Unit.objects.get(code="NEW").depth == 4
    manager_of_b = world.users["other_unit"]
    manager_of_a = world.users["unit_manager"]
    access.access_cache_clear(manager_of_a)
    assert set(access.unit_list_for_user(user=manager_of_b).values_list("code", flat=True)) == {
        "B",
        "A1",
        "A1X",
        "NEW",
    }
    assert set(access.unit_list_for_user(user=manager_of_a).values_list("code", flat=True)) == {"A"}


def test_import_refuses_a_cycle_through_a_new_unit(world: World) -> None:
    services.unit_create(
        by=TEST_ACTOR, code="A1X", name="Deep", kind=UnitKind.SUB_UNIT, parent=world.units["A1"]
    )
    records = parse_units_csv(
        "code,name,kind,parent\nA1,Unit A1,sub_unit,N\nN,New,sub_unit,A1X\n", source="c.csv"
    )
    with pytest.raises(ValidationError) as caught:
        services.unit_import(by=TEST_ACTOR, records=records, source="c.csv")
    assert [str(p) for p in caught.value.problems] == [
        "c.csv:2 [parent]: parent cycle: A1 → N → A1X → A1"
    ]
    assert not Unit.objects.filter(code="N").exists()
    assert Unit.objects.get(code="A1").parent == world.units["A"]


def test_import_writes_only_the_columns_it_has(world: World) -> None:
    services.unit_update(by=TEST_ACTOR, unit=world.units["DIC"], changes={"phone": "0200 1"})
    records = parse_units_csv(
        "code,name,kind,parent\nDIC,Sở KH&CN,department,ROOT\n", source="rename.csv"
    )
    services.unit_import(by=TEST_ACTOR, records=records, source="rename.csv")
    dic = Unit.objects.get(code="DIC")
    assert (dic.name, dic.phone, dic.is_coordinator) == ("Sở KH&CN", "0200 1", True)


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "A,Unit A,service_provider,",
            "c.csv:2 [kind]: sub-unit A1: a unit of kind "
            "'sub_unit' cannot sit under 'service_provider'",
        ),
        (
            "DIC,Unit DIC,department,ROOT,no",
            "c.csv:2 [kind]: role province_admin is held here: "
            "province-wide roles are granted only in the Provincial People's Committee or the "
            "security coordinator unit",
        ),
    ],
)
def test_import_refuses_changes_that_break_children_or_roles(
    world: World, row: str, message: str
) -> None:
    header = "code,name,kind,parent" + (",is_coordinator" if row.count(",") == 4 else "")
    records = parse_units_csv(f"{header}\n{row}\n", source="c.csv")
    with pytest.raises(ValidationError) as caught:
        services.unit_import(by=TEST_ACTOR, records=records, source="c.csv")
    assert any(str(problem).startswith(message) for problem in caught.value.problems)


def test_update_refuses_null_and_bad_email(world: World) -> None:
    manager = world.users["unit_manager"]
    with pytest.raises(ValidationError, match="email must be text"):
        services.unit_update(by=manager, unit=world.units["A"], changes={"email": None})
    with pytest.raises(ValidationError, match="invalid email"):
        services.unit_update(by=manager, unit=world.units["A"], changes={"email": "x@"})


def test_provider_sees_only_its_own_contracts(world: World) -> None:
    rival = services.unit_create(
        by=TEST_ACTOR, code="P2", name="Rival", kind=UnitKind.SERVICE_PROVIDER
    )
    services.contract_save(
        by=TEST_ACTOR,
        provider=rival,
        client=world.units["A"],
        starts_on=clock.today(),
        reference="HD-SECRET-42",
    )

    def providers(role: str) -> set[str]:
        contracts = access.contract_list_for_user(user=world.users[role])
        return set(contracts.filter(client__code="A").values_list("provider__code", flat=True))

    assert providers("provider_analyst") == {"P"}
    assert providers("unit_manager") == {"P", "P2"}
    assert providers("other_unit") == set()


def test_a_deactivated_unit_gives_its_members_and_providers_nothing(world: World) -> None:
    services.unit_update(by=TEST_ACTOR, unit=world.units["A"], changes={"is_active": False})
    for role in ("unit_officer", "provider_analyst"):
        user = world.users[role]
        access.access_cache_clear(user)
        assert access.unit_list_for_user(user=user).count() == 0, role
    admin = world.users["province_admin"]
    assert access.unit_get_for_user(user=admin, unit_id="A").is_active is False
