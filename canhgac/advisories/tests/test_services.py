"""The advisory writer: real NVD, KEV and Microsoft documents; re-import is a no-op."""

from __future__ import annotations

from pathlib import Path

import pytest

from canhgac.accounts.tests.world import TEST_ACTOR, World
from canhgac.advisories.models import (
    AffectedCriterion,
    Attribution,
    MsrcFix,
    Score,
    Vulnerability,
)
from canhgac.advisories.selectors import vulnerability_detail
from canhgac.advisories.services import advisories_import_file
from canhgac.core.exceptions import PermissionDeniedError

NVD = [
    "CVE-2021-31207",
    "CVE-2021-34473",
    "CVE-2022-21907",
    "CVE-2022-22965",
    "CVE-2022-23277",
    "CVE-2022-26809",
]


def stored() -> tuple[object, ...]:
    return (
        sorted(Vulnerability.objects.values_list()),
        sorted(Score.objects.values_list()),
        sorted(AffectedCriterion.objects.values_list()),
        sorted(MsrcFix.objects.values_list()),
        sorted(Attribution.objects.values_list()),
    )


@pytest.fixture
def knowledge(world: World, samples_dir: Path) -> Path:
    advisories = samples_dir / "advisories"
    for cve in NVD:
        path = advisories / "nvd" / f"{cve}.json"
        advisories_import_file(by=TEST_ACTOR, path=path, source=path.name)
    for name in ("kev_known_exploited_vulnerabilities.json", "msrc-cvrf/cvrfDocument-2022-Apr.xml"):
        advisories_import_file(by=TEST_ACTOR, path=advisories / name, source=name)
    return advisories


def test_sources_merge_without_losing_who_said_what(knowledge: Path) -> None:
    spring = Vulnerability.objects.get(cve_id="CVE-2022-22965")
    assert spring.kev_date_added is not None
    assert spring.kev_date_added.isoformat() == "2022-04-04"
    assert set(spring.attributions.values_list("source", flat=True)) == {"nvd", "kev"}
    assert spring.criteria.count() == 98
    assert spring.criteria.filter(vulnerable=False).count() == 1
    assert Vulnerability.objects.filter(kev_date_added__isnull=False).count() == 1404
    rpc = Vulnerability.objects.get(cve_id="CVE-2022-26809")
    # Not in CISA KEV: NVD and the April Microsoft document only.
    assert set(rpc.attributions.values_list("source", flat=True)) == {"nvd", "msrc:2022-Apr"}


def test_reimport_changes_nothing(knowledge: Path) -> None:
    before = stored()
    report = advisories_import_file(
        by=TEST_ACTOR, path=knowledge / "nvd" / "CVE-2022-22965.json", source="again.json"
    )
    assert (report.vulnerabilities.created, report.vulnerabilities.updated) == (0, 0)
    name = "msrc-cvrf/cvrfDocument-2022-Apr.xml"
    again = advisories_import_file(by=TEST_ACTOR, path=knowledge / name, source=name)
    assert again.vulnerabilities.unchanged == 181
    assert stored() == before


def test_show_lists_kbs_and_fixed_builds_per_windows_product(knowledge: Path) -> None:
    detail = vulnerability_detail(cve_id="cve-2022-26809")
    server_2019 = detail["microsoft_fixes"]["Windows Server 2019"]
    update = next(fix for fix in server_2019 if fix["kind"] == "Vendor Fix")
    assert (update["kb"], update["fixed_build"], update["supersedes"]) == (
        "5012647",
        "10.0.17763.2803",
        "5011503",
    )
    assert {
        "product": "Windows Server 2019",
        "severity": "Critical",
        "impact": "Remote Code Execution",
        "document": "2022-Apr",
    } in detail["microsoft_products"]
    assert any(score["base_score"] == 9.8 for score in detail["scores"])


def test_only_province_roles_import(world: World, samples_dir: Path) -> None:
    path = samples_dir / "advisories" / "nvd" / "CVE-2022-22965.json"
    with pytest.raises(PermissionDeniedError):
        advisories_import_file(by=world.users["unit_manager"], path=path, source=path.name)
    assert not Vulnerability.objects.exists()
    report = advisories_import_file(by=world.users["province_analyst"], path=path, source=path.name)
    assert report.vulnerabilities.created == 1
