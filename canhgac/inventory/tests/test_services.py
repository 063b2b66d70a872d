"""The inventory writer: atomic, idempotent, set-based imports with per-source snapshots."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from canhgac.accounts.tests.world import TEST_ACTOR, World
from canhgac.audit.enums import AuditAction
from canhgac.audit.models import AuditEvent
from canhgac.core.exceptions import PermissionDeniedError, SourceLocation, ValidationError
from canhgac.inventory.enums import AssetKind
from canhgac.inventory.importers.records import (
    AssetRecord,
    ComponentRecord,
    InventoryBatch,
    ServiceRecord,
    SystemRecord,
    UpdateRecord,
)
from canhgac.inventory.importers.spreadsheet import CsvParser
from canhgac.inventory.models import Asset, Component, InformationSystem, InstalledUpdate, Service
from canhgac.inventory.services import inventory_import

SAMPLES = Path(__file__).parent / "samples"


def csv_batch(name: str) -> InventoryBatch:
    return CsvParser().parse(SAMPLES / name, source=name)


def stored() -> tuple[Any, ...]:
    """Every stored inventory row, with its timestamps."""
    return (
        sorted(InformationSystem.objects.values_list()),
        sorted(Asset.objects.values_list()),
        sorted(Component.objects.values_list()),
        sorted(Service.objects.values_list()),
        sorted(InstalledUpdate.objects.values_list()),
    )


def import_samples() -> list[Any]:
    return [
        inventory_import(by=TEST_ACTOR, batch=csv_batch(name))
        for name in ("inventory-systems.csv", "inventory-assets.csv", "inventory-software.csv")
    ]


def test_spreadsheets_import_then_reimport_changes_nothing(world: World) -> None:
    systems, assets, software = import_samples()
    assert (systems.systems.created, assets.assets.created) == (3, 4)
    assert (software.assets.unchanged, software.components.created) == (3, 4)
    mail = Asset.objects.get(key="mail01.example.gov.vn")
    assert mail.kind == "server"  # the software table's guess did not override it
    assert mail.system is not None
    assert mail.system.code == "QLVB"
    assert list(mail.components.values_list("version", flat=True)) == ["15.2.986.5"]
    before = stored()
    events = AuditEvent.objects.count()

    again = import_samples()

    assert stored() == before
    for report in again:
        for kind in ("systems", "assets", "components"):
            counts = getattr(report, kind)
            assert (counts.created, counts.updated, counts.removed) == (0, 0, 0)
    assert AuditEvent.objects.count() == events + 3


def test_import_is_audited_with_counts(world: World) -> None:
    report = inventory_import(by=TEST_ACTOR, batch=csv_batch("inventory-systems.csv"))
    event = AuditEvent.objects.filter(action=AuditAction.INVENTORY_IMPORTED).get()
    assert event.parameters["systems"] == {"created": 3, "updated": 0, "unchanged": 0, "removed": 0}
    assert event.parameters["units"] == ["A", "B"]
    assert event.target_label == "inventory-systems.csv"
    assert report.systems.created == 3


def test_unknown_units_and_systems_are_all_reported(world: World) -> None:
    batch = InventoryBatch(
        "csv",
        "x.csv",
        assets=(
            AssetRecord(
                key="h1",
                kind=AssetKind.SERVER,
                location=SourceLocation("x.csv", 2),
                unit_code="NOPE",
            ),
            AssetRecord(key="h2", kind=AssetKind.SERVER, location=SourceLocation("x.csv", 3)),
            AssetRecord(
                key="h3",
                kind=AssetKind.SERVER,
                location=SourceLocation("x.csv", 4),
                unit_code="A",
                system_code="GHOST",
            ),
            AssetRecord(
                key="h3", kind=AssetKind.SERVER, location=SourceLocation("x.csv", 5), unit_code="A"
            ),
        ),
    )
    with pytest.raises(ValidationError) as caught:
        inventory_import(by=TEST_ACTOR, batch=batch)
    assert [str(p) for p in caught.value.problems] == [
        "x.csv:2 [unit]: unknown unit code 'NOPE'",
        "x.csv:3 [unit]: no unit: give one in the file or with --unit",
        "x.csv:5 [key]: asset 'h3' of unit A already listed at x.csv:4",
        "x.csv:4 [system]: unknown information system 'GHOST'",
    ]
    assert Asset.objects.count() == 0


def test_units_outside_scope_look_unknown_and_other_units_are_refused(world: World) -> None:
    inventory_import(by=TEST_ACTOR, batch=csv_batch("inventory-systems.csv"))
    with pytest.raises(ValidationError) as caught:
        inventory_import(by=world.users["other_unit"], batch=csv_batch("inventory-assets.csv"))
    assert str(caught.value.problems[0]) == ("inventory-assets.csv:2 [unit]: unknown unit code 'A'")
    with pytest.raises(PermissionDeniedError, match="A, B"):
        inventory_import(
            by=world.users["auditor_province"], batch=csv_batch("inventory-assets.csv")
        )
    assert Asset.objects.count() == 0
    own = InventoryBatch(
        "csv",
        "own.csv",
        assets=(
            AssetRecord(
                key="pc-1",
                kind=AssetKind.WORKSTATION,
                location=SourceLocation("own.csv", 2),
                unit_code="A",
            ),
        ),
    )
    report = inventory_import(by=world.users["unit_officer"], batch=own)
    assert report.assets.created == 1


def host(
    components: tuple[ComponentRecord, ...],
    *,
    os_build: str = "10.0.17763.2686",
    services: tuple[ServiceRecord, ...] = (),
    updates: tuple[UpdateRecord, ...] = (),
) -> AssetRecord:
    return AssetRecord(
        key="srv-01.example.gov.vn",
        kind=AssetKind.SERVER,
        location=SourceLocation("host.json"),
        hostnames=("srv-01.example.gov.vn",),
        ip_addresses=("10.0.0.5",),
        os_build=os_build,
        components=components,
        services=services,
        updates=updates,
    )


OPENSSL_OLD = ComponentRecord("openssl", "3.0.2", purl="pkg:deb/ubuntu/openssl@3.0.2")
OPENSSL_NEW = ComponentRecord("openssl", "3.0.13", purl="pkg:deb/ubuntu/openssl@3.0.13")
NGINX = ComponentRecord("nginx", "1.18.0", purl="pkg:deb/ubuntu/nginx@1.18.0")
MONDAY = datetime(2026, 4, 27, 8, 0, tzinfo=UTC)
FRIDAY = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)


def test_components_are_a_snapshot_per_source(world: World) -> None:
    unit = world.units["A"]
    first = InventoryBatch(
        "host-json",
        "mon.json",
        observed_at=MONDAY,
        assets=(
            host(
                (OPENSSL_OLD, NGINX),
                services=(ServiceRecord(443, "tcp", "https", "nginx", "1.18.0"),),
                updates=(UpdateRecord("KB5011503"),),
            ),
        ),
    )
    inventory_import(by=TEST_ACTOR, batch=first, unit=unit)
    second = InventoryBatch(
        "host-json",
        "fri.json",
        observed_at=FRIDAY,
        assets=(
            host(
                (OPENSSL_NEW, NGINX),
                services=(ServiceRecord(443, "tcp", "https", "nginx", "1.18.1"),),
                updates=(UpdateRecord("KB5011503"), UpdateRecord("KB5012647")),
            ),
        ),
    )

    report = inventory_import(by=TEST_ACTOR, batch=second, unit=unit)

    assert (report.components.created, report.components.unchanged, report.components.removed) == (
        1,
        1,
        1,
    )
    assert (report.services.updated, report.updates.created) == (1, 1)
    old = Component.objects.get(version="3.0.2")
    assert old.removed_at == FRIDAY
    nginx = Component.objects.get(name="nginx")
    assert (nginx.first_seen, nginx.last_seen, nginx.removed_at) == (MONDAY, FRIDAY, None)
    asset = Asset.objects.get()
    assert (asset.first_seen, asset.last_seen) == (MONDAY, FRIDAY)

    # A scan of the same host by another source leaves this snapshot alone and does not blank
    # what the collector knew.
    scan = InventoryBatch(
        "nmap",
        "scan.xml",
        assets=(
            AssetRecord(
                key="srv-01.example.gov.vn",
                kind=AssetKind.SERVER,
                location=SourceLocation("scan.xml"),
                ip_addresses=("203.0.113.5",),
                services=(ServiceRecord(3389, "tcp", "ms-wbt-server"),),
            ),
        ),
    )
    inventory_import(by=TEST_ACTOR, batch=scan, unit=unit)
    asset.refresh_from_db()
    assert asset.os_build == "10.0.17763.2686"
    assert asset.ip_addresses == ["10.0.0.5", "203.0.113.5"]
    assert asset.sources == ["host-json", "nmap"]
    assert Component.objects.filter(removed_at__isnull=True).count() == 2
    assert Service.objects.filter(removed_at__isnull=True).count() == 2


def test_dry_run_reports_and_stores_nothing(world: World) -> None:
    events = AuditEvent.objects.count()
    report = inventory_import(by=TEST_ACTOR, batch=csv_batch("inventory-systems.csv"), dry_run=True)
    assert report.systems.created == 3
    assert report.dry_run
    assert InformationSystem.objects.count() == 0
    assert AuditEvent.objects.count() == events


def generated(hosts: int, per_host: int) -> InventoryBatch:
    return InventoryBatch(
        "host-json",
        "gen.json",
        observed_at=MONDAY,
        assets=tuple(
            AssetRecord(
                key=f"h{n}",
                kind=AssetKind.SERVER,
                location=SourceLocation("gen.json", n),
                components=tuple(ComponentRecord(f"lib{m}", f"1.{m}") for m in range(per_host)),
                services=(ServiceRecord(22),),
                updates=(UpdateRecord("KB5011503"),),
            )
            for n in range(hosts)
        ),
    )


def test_query_count_does_not_grow_with_rows(world: World) -> None:
    def queries(hosts: int, per_host: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            inventory_import(
                by=TEST_ACTOR, batch=generated(hosts, per_host), unit=world.units["A"], dry_run=True
            )
        return len(captured)

    small, large = queries(20, 10), queries(60, 30)
    # Batched inserts grow with rows / batch size (SQLite binds at most 999 parameters), but
    # nothing runs once per host or per component: 60 hosts, 1,800 components, < 60 queries.
    assert large < 60
    assert large - small < (60 * 30 - 20 * 10) / 50


def test_the_order_of_the_file_does_not_matter(world: World, tmp_path: Path) -> None:
    lines = (SAMPLES / "inventory-assets.csv").read_text(encoding="utf-8").splitlines()
    reversed_file = tmp_path / "reversed.csv"
    reversed_file.write_text("\n".join([lines[0], *reversed(lines[1:])]) + "\n", encoding="utf-8")
    inventory_import(by=TEST_ACTOR, batch=csv_batch("inventory-systems.csv"))
    inventory_import(by=TEST_ACTOR, batch=CsvParser().parse(reversed_file, source="r.csv"))

    def state() -> list[tuple[object, ...]]:
        return sorted(
            Asset.objects.values_list(
                "unit__code", "key", "kind", "system__code", "hostnames", "ip_addresses", "os_build"
            )
        )

    reversed_state = state()
    Asset.objects.all().delete()
    inventory_import(by=TEST_ACTOR, batch=csv_batch("inventory-assets.csv"))
    assert state() == reversed_state


def test_another_unit_cannot_take_over_a_system(world: World) -> None:
    inventory_import(by=TEST_ACTOR, batch=csv_batch("inventory-systems.csv"))
    hijack = InventoryBatch(
        "csv",
        "h.csv",
        systems=(SystemRecord("CONG-DVC", "Pwned", "B", SourceLocation("h.csv", 2)),),
    )
    with pytest.raises(ValidationError) as caught:
        inventory_import(by=world.users["other_unit"], batch=hijack)
    assert [str(p) for p in caught.value.problems] == [
        "h.csv:2 [code]: the system code 'CONG-DVC' is used by another unit"
    ]
    moved = InventoryBatch(
        "csv",
        "m.csv",
        systems=(SystemRecord("CONG-DVC", "Moved", "B", SourceLocation("m.csv", 2)),),
    )
    with pytest.raises(ValidationError, match="unknown unit code 'B'"):
        inventory_import(by=world.users["unit_manager"], batch=moved)  # B is not theirs
    with pytest.raises(PermissionDeniedError):  # sees A and B, may change neither
        inventory_import(by=world.users["auditor_province"], batch=moved)
    system = InformationSystem.objects.get(code="CONG-DVC")
    assert (system.name, system.owner_unit.code) == ("Cổng dịch vụ công tỉnh", "A")


def test_units_may_name_providers_they_cannot_see(world: World) -> None:
    batch = InventoryBatch(
        "csv",
        "p.csv",
        systems=(
            SystemRecord(
                "X1",
                "System",
                "A",
                SourceLocation("p.csv", 2),
                provider_unit_code="P",
                operator_unit_code="B",
            ),
        ),
    )
    inventory_import(by=world.users["unit_manager"], batch=batch)
    assert InformationSystem.objects.get(code="X1").provider_unit == world.units["P"]


def test_an_older_file_neither_removes_nor_overwrites(world: World) -> None:
    unit = world.units["A"]
    newer = InventoryBatch(
        "host-json",
        "fri.json",
        observed_at=FRIDAY,
        assets=(host((OPENSSL_NEW, NGINX), os_build="10.0.17763.2803"),),
    )
    older = InventoryBatch(
        "host-json",
        "mon.json",
        observed_at=MONDAY,
        assets=(host((OPENSSL_OLD,), os_build="10.0.17763.2686"),),
    )
    inventory_import(by=TEST_ACTOR, batch=newer, unit=unit)
    report = inventory_import(by=TEST_ACTOR, batch=older, unit=unit)
    assert (report.components.created, report.components.removed) == (0, 0)
    assert Asset.objects.get().os_build == "10.0.17763.2803"
    assert set(
        Component.objects.filter(removed_at__isnull=True).values_list("name", "version")
    ) == {("openssl", "3.0.13"), ("nginx", "1.18.0")}


def test_implausible_file_dates_are_ignored(world: World) -> None:
    future = InventoryBatch(
        "host-json",
        "f.json",
        observed_at=datetime(2099, 1, 1, tzinfo=UTC),
        assets=(host((NGINX,)),),
    )
    report = inventory_import(by=TEST_ACTOR, batch=future, unit=world.units["A"])
    assert "not plausible" in str(report.warnings[-1])
    assert Asset.objects.get().last_seen.year < 2099


def test_values_the_database_cannot_hold_are_located(world: World) -> None:
    long_key = AssetRecord(
        key="k" * 300,
        kind=AssetKind.SERVER,
        location=SourceLocation("x.json", 3),
        os_name="Linux\x00",
        services=(ServiceRecord(22, "tcpxxxxxxxxx"), ServiceRecord(80, product="nginx\x00")),
        components=(
            ComponentRecord("openssl", "1." * 100),
            ComponentRecord("curl", purl="pkg:deb/curl@" + "9" * 1100),
        ),
    )
    with pytest.raises(ValidationError) as caught:
        inventory_import(
            by=TEST_ACTOR,
            batch=InventoryBatch("nmap", "x.json", assets=(long_key,)),
            unit=world.units["A"],
        )
    assert [str(p) for p in caught.value.problems] == [
        "x.json:3 [key]: key is longer than 255 characters",
        "x.json:3 [os_name]: os_name contains a NUL character",
        "x.json:3 [services]: service protocol 'tcpxxxxxxxxx'… is longer than 8 characters",
        "x.json:3 [services]: service product 'nginx\\x00' contains a NUL character",
        "x.json:3 [components]: component version '1.1.1.1.1.1.1.1.1.1.'… is longer than 128 "
        "characters",
        "x.json:3 [components]: component purl 'pkg:deb/curl@9999999'… is longer than 1024 "
        "characters",
    ]
    assert not Asset.objects.exists()


def test_long_summaries_are_shortened_visibly(world: World) -> None:
    banner = "Apache httpd; " * 50
    record = AssetRecord(
        key="web",
        kind=AssetKind.SERVER,
        location=SourceLocation("x.json", 1),
        services=(ServiceRecord(80, banner=banner),),
        components=(ComponentRecord("nginx", "1.18.0", evidence="$." + "a" * 600),),
    )
    batch = InventoryBatch("host-json", "x.json", assets=(record,))
    inventory_import(by=TEST_ACTOR, batch=batch, unit=world.units["A"])
    service = Service.objects.get()
    assert len(service.banner) == 512
    assert service.banner == banner[:511] + "…"
    assert Component.objects.get().evidence.endswith("a…")
    again = inventory_import(by=TEST_ACTOR, batch=batch, unit=world.units["A"])
    assert again.services.updated == again.components.updated == 0


def test_empty_software_sheet_removes_nothing(world: World, tmp_path: Path) -> None:
    inventory_import(by=TEST_ACTOR, batch=csv_batch("inventory-systems.csv"))
    inventory_import(by=TEST_ACTOR, batch=csv_batch("inventory-assets.csv"))
    inventory_import(by=TEST_ACTOR, batch=csv_batch("inventory-software.csv"))
    empty = tmp_path / "software.csv"
    empty.write_text("Mã đơn vị,Mã tài sản,Tên phần mềm\n", encoding="utf-8")
    report = inventory_import(by=TEST_ACTOR, batch=CsvParser().parse(empty, source="e.csv"))
    assert report.components.removed == 0
    assert Component.objects.filter(removed_at__isnull=True).count() == 4


def test_system_updates_touch_updated_at_with_few_queries(world: World) -> None:
    inventory_import(by=TEST_ACTOR, batch=csv_batch("inventory-systems.csv"))
    before = InformationSystem.objects.get(code="QLVB").updated_at
    renamed = InventoryBatch(
        "csv", "r.csv", systems=(SystemRecord("QLVB", "Renamed", "A", SourceLocation("r.csv", 2)),)
    )
    with CaptureQueriesContext(connection) as queries:
        inventory_import(by=TEST_ACTOR, batch=renamed)
    assert InformationSystem.objects.get(code="QLVB").updated_at > before
    assert len(queries) < 20
