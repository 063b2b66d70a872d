"""Benchmark: from a new warning letter to every notification queued (issue 6 target < 10 s).

    uv run python bench/remediation_cascade.py [--hosts 5000] [--units 60]
    DATABASE_URL=postgres://... uv run python bench/remediation_cascade.py

Two provinces, each measured the same way:
1. the demo province (demo_load: its units, users, hosts, matched);
2. a generated province: `--units` departments with a manager and two officers each, `--hosts`
   hosts spread over them — 60% Windows (10 21H2, Server 2019/2022) at the March or April 2022
   build, 1 in 20 running Spring Framework 5.3.17 — with Microsoft's January-April 2022 CVRF
   and the Spring4Shell NVD record from the shared samples imported and matched (setup time
   reported apart).
Measured on each: the AIS warning for April 2022 created (warning_save), the proposal, and the
forward (tasks with their hosts, in-app notifications, email deliveries queued on the real
Huey queue, committed): "warning to notifications queued" = the three together.
"""

from __future__ import annotations

import argparse
import random
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from harness import django_ready  # bench/harness.py, beside this script
from nvd_import import samples_dir, wide

TARGET = 10.0
APRIL = ("CVE-2022-26809", "CVE-2022-24491", "CVE-2022-24497", "CVE-2022-26904", "CVE-2022-24521")
OBSERVED = datetime(2022, 4, 25, 2, 0, tzinfo=UTC)
# (OS name, CPE as the host collector writes it, build family, builds in March and April 2022)
WINDOWS = (
    (
        "Microsoft Windows 10 Pro",
        "cpe:2.3:o:microsoft:windows_10:21h2:*:*:*:*:*:*:*",
        "10.0.19044",
        ("1586", "1645"),
    ),
    (
        "Microsoft Windows Server 2019 Standard",
        "cpe:2.3:o:microsoft:windows_server_2019:-:*:*:*:*:*:*:*",
        "10.0.17763",
        ("2686", "2803"),
    ),
    (
        "Microsoft Windows Server 2022 Standard",
        "cpe:2.3:o:microsoft:windows_server_2022:-:*:*:*:*:*:*:*",
        "10.0.20348",
        ("587", "643"),
    ),
)


@dataclass
class Measured:
    province: str
    hosts: int
    affected_units: int
    tasks: int
    items: int
    notifications: int
    deliveries: int
    create_s: float
    propose_s: float
    forward_s: float

    @property
    def total_s(self) -> float:
        return self.create_s + self.propose_s + self.forward_s


def generated_province(units: int, hosts: int, seed: int) -> float:
    """Units, users and hosts of a generated province, matched; returns the setup seconds."""
    from canhgac.accounts.actors import SystemActor
    from canhgac.accounts.enums import Role, UnitKind
    from canhgac.accounts.models import Membership, User
    from canhgac.accounts.services import unit_create
    from canhgac.advisories.services import advisories_import_file
    from canhgac.core.exceptions import SourceLocation
    from canhgac.exposure.services.matching import exposure_match
    from canhgac.inventory.enums import AssetKind
    from canhgac.inventory.importers.records import (
        AssetRecord,
        ComponentRecord,
        InventoryBatch,
        UpdateRecord,
    )
    from canhgac.inventory.services import inventory_import

    actor = SystemActor("bench")
    rng = random.Random(seed)
    started = time.perf_counter()
    root = unit_create(
        by=actor, code="GEN", name="UBND tỉnh (bench)", kind=UnitKind.PROVINCE_COMMITTEE
    )
    codes = []
    for number in range(units):
        code = f"GEN-{number:03d}"
        unit = unit_create(
            by=actor,
            code=code,
            name=f"Sở {number:03d}",
            kind=UnitKind.DEPARTMENT,
            parent=root,
            email=f"vanthu.{number:03d}@bench.example",
        )
        for role, suffix in (
            (Role.UNIT_MANAGER, "ql"),
            (Role.UNIT_OFFICER, "cb1"),
            (Role.UNIT_OFFICER, "cb2"),
        ):
            # users written directly: hashing 180 passwords would only measure PBKDF2
            user = User.objects.create(
                username=f"{code.lower()}.{suffix}", email=f"{code.lower()}.{suffix}@bench.example"
            )
            Membership.objects.create(user=user, unit=unit, role=role)
        codes.append(code)
    records = []
    for number in range(hosts):
        code = rng.choice(codes)
        components: list[Any] = []
        if number % 20 == 7:
            components.append(
                ComponentRecord(
                    "spring-beans",
                    "5.3.17",
                    purl="pkg:maven/org.springframework/spring-beans@5.3.17",
                )
            )
        if number % 10 < 6:
            os_name, cpe, family, builds = WINDOWS[number % len(WINDOWS)]
            records.append(
                AssetRecord(
                    key=f"win{number:05d}.bench.example",
                    kind=AssetKind.SERVER,
                    location=SourceLocation("bench", number),
                    unit_code=code,
                    os_name=os_name,
                    os_cpe=cpe,
                    os_build=f"{family}.{rng.choice(builds)}",
                    components=tuple(components),
                    updates=(UpdateRecord("KB5011487"),),
                )
            )
        else:
            records.append(
                AssetRecord(
                    key=f"lnx{number:05d}.bench.example",
                    kind=AssetKind.SERVER,
                    location=SourceLocation("bench", number),
                    unit_code=code,
                    os_name="Ubuntu 22.04.4 LTS",
                    os_cpe="cpe:2.3:o:canonical:ubuntu_linux:22.04:*:*:*:lts:*:*:*",
                    components=tuple(components),
                )
            )
    for start in range(0, len(records), 1000):
        batch = InventoryBatch(
            "host-json",
            f"bench:{start}",
            assets=tuple(records[start : start + 1000]),
            observed_at=OBSERVED,
        )
        inventory_import(by=actor, batch=batch)
    advisories = samples_dir() / "advisories"
    for month in ("Jan", "Feb", "Mar", "Apr"):
        path = advisories / "msrc-cvrf" / f"cvrfDocument-2022-{month}.xml"
        advisories_import_file(by=actor, path=path, source=path.name, format_id="msrc-cvrf")
    path = advisories / "nvd" / "CVE-2022-22965.json"
    advisories_import_file(by=actor, path=path, source=path.name, format_id="nvd")
    exposure_match(by=actor, full=True)
    return time.perf_counter() - started


def measure(province: str, number: str) -> Measured:
    from canhgac.accounts.actors import SystemActor
    from canhgac.advisories.feeds.records import WarningLetterRecord
    from canhgac.advisories.services import warning_save
    from canhgac.core.exceptions import SourceLocation
    from canhgac.duty.models import Delivery, Notification
    from canhgac.inventory.models import Asset
    from canhgac.remediation.models import Item
    from canhgac.remediation.services.forwarding import letter_forward, recipients_propose

    actor = SystemActor("bench")
    notifications, deliveries = Notification.objects.count(), Delivery.objects.count()
    started = time.perf_counter()
    letter, _changed = warning_save(
        by=actor,
        record=WarningLetterRecord(
            number=number,
            issuer="Cục An toàn thông tin",
            issued_on=date(2022, 4, 13),
            title="Cảnh báo lỗ hổng Microsoft tháng 4/2022 (bench)",
            location=SourceLocation("bench"),
            cves=tuple((cve, "critical") for cve in APRIL),
        ),
    )
    created = time.perf_counter()
    proposals = recipients_propose(letter=letter)
    proposed = time.perf_counter()
    forwarded = letter_forward(
        by=actor,
        original=letter,
        number=f"{number}-STTTT",
        issuer="Sở Thông tin và Truyền thông",
        issued_on=date(2022, 4, 14),
        due_date=date(2022, 4, 25),
    )
    done = time.perf_counter()
    return Measured(
        province=province,
        hosts=Asset.objects.count(),
        affected_units=len(proposals),
        tasks=len(forwarded.tasks),
        items=Item.objects.filter(task__in=forwarded.tasks).count(),
        notifications=Notification.objects.count() - notifications,
        deliveries=Delivery.objects.count() - deliveries,
        create_s=created - started,
        propose_s=proposed - created,
        forward_s=done - proposed,
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--hosts", type=int, default=5000)
    parser.add_argument("--units", type=int, default=60)
    parser.add_argument("--seed", type=int, default=2026)
    arguments = parser.parse_args()
    engine = django_ready()
    from rich.console import Console
    from rich.table import Table

    from canhgac.demo.loader import demo_load

    console = wide(Console)
    started = time.perf_counter()
    demo_load()
    demo_setup = time.perf_counter() - started
    results = [measure("demo", "900/CATTT-NCSC")]
    setup = generated_province(arguments.units, arguments.hosts, arguments.seed)
    results.append(measure(f"generated ({arguments.units} units)", "901/CATTT-NCSC"))

    table = Table(title=f"Warning to notifications queued ({engine})")
    for column in (
        "province",
        "hosts",
        "affected units",
        "tasks",
        "hosts in tasks",
        "notifications",
        "emails queued",
        "create s",
        "propose s",
        "forward s",
        "total s",
        "target",
        "met",
    ):
        table.add_column(column, justify="right")
    for row in results:
        table.add_row(
            row.province,
            f"{row.hosts:,}",
            str(row.affected_units),
            str(row.tasks),
            f"{row.items:,}",
            str(row.notifications),
            str(row.deliveries),
            f"{row.create_s:.2f}",
            f"{row.propose_s:.2f}",
            f"{row.forward_s:.2f}",
            f"{row.total_s:.2f}",
            f"< {TARGET:.0f}",
            "yes" if row.total_s < TARGET else "NO",
        )
    console.print(table)
    console.print(f"setup: demo {demo_setup:.1f} s; generated province {setup:.1f} s")


if __name__ == "__main__":
    main()
