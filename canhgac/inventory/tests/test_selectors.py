"""The list filters the web and the API share: each narrows, together they intersect."""

from __future__ import annotations

from canhgac.accounts.tests.world import World
from canhgac.core import clock
from canhgac.inventory import selectors
from canhgac.inventory.models import Asset, InformationSystem


def keys(assets: object) -> set[str]:
    return set(assets.values_list("key", flat=True))  # type: ignore[attr-defined]


def codes(systems: object) -> set[str]:
    return set(systems.values_list("code", flat=True))  # type: ignore[attr-defined]


def test_system_filter(world: World) -> None:
    a, b = world.units["A"], world.units["B"]
    InformationSystem.objects.create(code="QLVB", name="Quản lý văn bản", owner_unit=a)
    InformationSystem.objects.create(
        code="DVC", name="Cổng dịch vụ công", owner_unit=b, operator_unit=a, approved_level=3
    )
    InformationSystem.objects.create(
        code="MAIL", name="Thư điện tử", owner_unit=b, approved_level=2, status="retired"
    )
    every = InformationSystem.objects.all()
    assert codes(selectors.system_filter(every)) == {"QLVB", "DVC", "MAIL"}
    assert codes(selectors.system_filter(every, q="dịch vụ")) == {"DVC"}
    assert codes(selectors.system_filter(every, q="mail")) == {"MAIL"}  # by code
    assert codes(selectors.system_filter(every, unit_code="A")) == {"QLVB", "DVC"}  # operates
    assert codes(selectors.system_filter(every, status="retired")) == {"MAIL"}
    assert codes(selectors.system_filter(every, approved_level=3)) == {"DVC"}
    assert codes(selectors.system_filter(every, unapproved=True)) == {"QLVB"}
    assert codes(selectors.system_filter(every, unit_code="B", approved_level=2)) == {"MAIL"}


def test_asset_filter(world: World) -> None:
    now = clock.now()
    system = InformationSystem.objects.create(
        code="DVC", name="Cổng dịch vụ công", owner_unit=world.units["A"]
    )
    seen = {"first_seen": now, "last_seen": now}
    Asset.objects.create(
        unit=world.units["A"], system=system, key="web01", kind="server", name="Web", **seen,
        internet_facing=True, os_name="Ubuntu 22.04 LTS",
    )  # fmt: skip
    Asset.objects.create(
        unit=world.units["A"],
        key="pc-01",
        kind="workstation",
        os_name="Windows 10",
        **seen,
        internet_facing=False,
    )
    Asset.objects.create(
        unit=world.units["B"], key="fw", kind="network_device", name="Tường lửa", **seen
    )
    every = Asset.objects.all()
    assert keys(selectors.asset_filter(every)) == {"web01", "pc-01", "fw"}
    assert keys(selectors.asset_filter(every, q="ubuntu")) == {"web01"}  # by OS
    assert keys(selectors.asset_filter(every, q="tường")) == {"fw"}  # by name
    assert keys(selectors.asset_filter(every, q="PC-")) == {"pc-01"}  # by key
    assert keys(selectors.asset_filter(every, unit_code="A")) == {"web01", "pc-01"}
    assert keys(selectors.asset_filter(every, system_code="DVC")) == {"web01"}
    assert keys(selectors.asset_filter(every, kind="workstation")) == {"pc-01"}
    assert keys(selectors.asset_filter(every, internet_facing=True)) == {"web01"}
    # fw's exposure is unknown (None): it is neither internet-facing nor known not to be.
    assert keys(selectors.asset_filter(every, internet_facing=False)) == {"pc-01"}
    assert keys(selectors.asset_filter(every, unit_code="A", kind="network_device")) == set()
