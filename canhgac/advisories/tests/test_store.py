"""The writer with OSV, CSAF and CPE data: exact counts, merging, stale records, limits."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta
from pathlib import Path

import pytest

from canhgac.accounts.tests.world import TEST_ACTOR
from canhgac.advisories.feeds.nvd import NvdParser
from canhgac.advisories.feeds.osv import OsvParser
from canhgac.advisories.feeds.records import VulnerabilityRecord
from canhgac.advisories.models import (
    AffectedCriterion,
    Alias,
    Attribution,
    CpeDeprecation,
    FeedRun,
    Remediation,
    Vulnerability,
    WindowsRelease,
)
from canhgac.advisories.selectors import VulnerabilityFilter, vulnerability_detail
from canhgac.advisories.selectors import vulnerability_search as search
from canhgac.advisories.services import advisories_import, advisories_import_file
from canhgac.advisories.tests.test_services import stored
from canhgac.core.exceptions import ValidationError
from canhgac.core.tests.parsing import located

SAMPLES = Path(__file__).parent / "samples"
pytestmark = pytest.mark.usefixtures("world")


def rows_of(record: VulnerabilityRecord) -> int:
    """AffectedCriterion rows a record gives: one per range, one for a package without."""
    return sum(max(1, len(package.ranges)) for package in record.packages)


@pytest.mark.slow
def test_go_ecosystem_zip_imports_with_exact_counts(samples_dir: Path) -> None:
    path = samples_dir / "advisories/osv/Go-all.zip"
    batch = OsvParser().parse(path, source=path.name)  # the parser's own counts: test_feeds_osv
    report = advisories_import_file(by=TEST_ACTOR, path=path, source=path.name)
    records = batch.vulnerabilities
    assert report.vulnerabilities.created == len(records) == 4310
    assert Attribution.objects.filter(source__startswith="osv:").count() == len(records)
    assert Vulnerability.objects.count() == len({record.id for record in records})
    assert AffectedCriterion.objects.count() == sum(rows_of(record) for record in records)
    assert Alias.objects.count() == sum(
        len({alias for alias in record.aliases if alias != record.id}) for record in records
    )
    assert not AffectedCriterion.objects.exclude(vers__startswith="vers:golang/").exists()

    rows = stored()
    again = advisories_import_file(by=TEST_ACTOR, path=path, source=path.name)
    assert (again.vulnerabilities.created, again.vulnerabilities.updated) == (0, 0)
    assert again.vulnerabilities.unchanged == len(records)
    assert stored() == rows

    detail = vulnerability_detail(cve_id="CVE-2022-27664")
    assert "GO-2022-0969" in detail["aliases"]
    assert {(c["criteria"], c["vers"]) for c in detail["affected_criteria"]} == {
        ("pkg:golang/stdlib", "vers:golang/<1.18.6|>=1.19.0-0|<1.19.1"),
        ("pkg:golang/golang.org/x/net", "vers:golang/<0.0.0-20220906165146-f3363e06e74c"),
    }
    found = search(VulnerabilityFilter(q="GO-2022-0969"))
    assert [v.cve_id for v in found] == ["CVE-2022-27664"]


SPRING_GHSA = {
    "schema_version": "1.4.0",
    "id": "GHSA-36p3-wjmg-h94x",
    "modified": "2024-01-01T00:00:00Z",
    "published": "2022-03-31T18:30:50Z",
    "aliases": ["CVE-2022-22965"],
    "summary": "Remote Code Execution in Spring Framework",
    "details": "Spring4Shell, as GitHub describes it.",
    "affected": [
        {
            "package": {"ecosystem": "Maven", "name": "org.springframework:spring-beans"},
            "ranges": [
                {"type": "ECOSYSTEM", "events": [{"introduced": "5.3.0"}, {"fixed": "5.3.18"}]}
            ],
        }
    ],
}


@pytest.mark.parametrize("nvd_first", [True, False])
def test_osv_and_nvd_about_one_cve_keep_both_and_nvd_wins_the_description(
    samples_dir: Path, tmp_path: Path, nvd_first: bool
) -> None:
    spring = samples_dir / "advisories/nvd/CVE-2022-22965.json"
    ghsa = tmp_path / "GHSA-36p3-wjmg-h94x.json"
    ghsa.write_text(json.dumps(SPRING_GHSA))
    for path in [spring, ghsa] if nvd_first else [ghsa, spring]:
        advisories_import_file(by=TEST_ACTOR, path=path, source=path.name)
    vulnerability = Vulnerability.objects.get(cve_id="CVE-2022-22965")
    assert vulnerability.description == json.loads(spring.read_text())["descriptions"][0]["value"]
    assert vulnerability.title == "Remote Code Execution in Spring Framework"
    sources = set(vulnerability.attributions.values_list("source", flat=True))
    assert sources == {"nvd", "osv:GHSA-36p3-wjmg-h94x"}
    package = vulnerability.criteria.get(source="osv:GHSA-36p3-wjmg-h94x")
    assert (package.key, package.vers, package.status) == (
        "pkg:maven/org.springframework/spring-beans",
        "vers:maven/>=5.3.0|<5.3.18",
        "affected",
    )
    assert vulnerability.criteria.filter(source="nvd").count() == 98


def test_csaf_packages_and_remediations() -> None:
    report = advisories_import_file(
        by=TEST_ACTOR, path=SAMPLES / "csaf-min.json", source="csaf-min.json"
    )
    assert report.vulnerabilities.created == 2
    detail = vulnerability_detail(cve_id="CVE-2024-31001")
    statuses = {c["status"] for c in detail["affected_criteria"]}
    assert "known_affected" in statuses
    assert "fixed" in statuses
    assert {r["category"] for r in detail["remediations"]} >= {"vendor_fix"}
    assert Remediation.objects.count() > 0
    assert all(r["url"] or r["details"] for r in detail["remediations"])
    rows = stored()
    advisories_import_file(by=TEST_ACTOR, path=SAMPLES / "csaf-min.json", source="csaf-min.json")
    assert stored() == rows


def test_cpe_deprecations_resolve_on_the_detail_page(samples_dir: Path) -> None:
    report = advisories_import_file(
        by=TEST_ACTOR, path=SAMPLES / "nvd-cpe-min.json", source="nvd-cpe-min.json"
    )
    assert report.cpe_deprecations == CpeDeprecation.objects.count() > 0
    again = advisories_import_file(
        by=TEST_ACTOR, path=SAMPLES / "nvd-cpe-min.json", source="nvd-cpe-min.json"
    )
    assert again.cpe_deprecations == 0
    old = CpeDeprecation.objects.get(name="cpe:2.3:a:example:old_app:1.0:*:*:*:*:*:*:*")
    assert old.deprecated_by
    # A criterion naming the old product shows where it went, through the whole chain.
    path = samples_dir / "advisories/nvd/CVE-2022-22965.json"
    advisories_import_file(by=TEST_ACTOR, path=path, source=path.name)
    criterion = AffectedCriterion.objects.filter(source="nvd").first()
    assert criterion is not None
    criterion.key = old.name
    criterion.save()
    [shown] = [
        c
        for c in vulnerability_detail(cve_id="CVE-2022-22965")["affected_criteria"]
        if c["criteria"] == old.name
    ]
    assert shown["replaced_by"]
    assert old.name not in shown["replaced_by"]


def test_older_record_from_the_same_source_is_skipped(samples_dir: Path) -> None:
    path = samples_dir / "advisories/nvd/CVE-2022-26809.json"
    advisories_import_file(by=TEST_ACTOR, path=path, source=path.name)
    record = NvdParser().parse(path, source=path.name).vulnerabilities[0]
    assert record.last_modified is not None
    older = dataclasses.replace(
        record, description="an older text", last_modified=record.last_modified - timedelta(days=9)
    )
    report = advisories_import(
        by=TEST_ACTOR,
        batch=dataclasses.replace(
            NvdParser().parse(path, source=path.name), vulnerabilities=(older,)
        ),
    )
    assert (report.vulnerabilities.stale, report.vulnerabilities.updated) == (1, 0)
    assert Vulnerability.objects.get(cve_id="CVE-2022-26809").description != "an older text"


def test_values_too_long_are_refused_with_their_place(samples_dir: Path, tmp_path: Path) -> None:
    page = json.loads((SAMPLES / "nvd-page-min.json").read_text())
    match = page["vulnerabilities"][0]["cve"]["configurations"][0]["nodes"][0]["cpeMatch"][0]
    match["versionEndExcluding"] = "1." + "9" * 80
    path = tmp_path / "long.json"
    path.write_text(json.dumps(page))
    with pytest.raises(ValidationError) as caught:
        advisories_import_file(by=TEST_ACTOR, path=path, source="long.json")
    [problem] = located(caught.value)
    assert problem.startswith("long.json:")
    assert "cpeMatch version_end_excluding '1.9999" in problem
    assert problem.endswith("is longer than 64 characters")
    assert not Vulnerability.objects.exists()
    failed = FeedRun.objects.get()
    assert (failed.status, failed.feed) == ("failed", "")
    assert "longer than 64 characters" in failed.error


def test_windows_build_kb_feed_imports_with_exact_counts(samples_dir: Path) -> None:
    folder = samples_dir / "advisories/windows-build-kb"
    mapping = json.loads((folder / "CVE_KB_Mapping_2025-Jun.json").read_text())
    report = advisories_import_file(
        by=TEST_ACTOR,
        path=folder / "CVE_KB_Mapping_2025-Jun.json",
        source="CVE_KB_Mapping_2025-Jun.json",
    )
    assert report.vulnerabilities.created == len({entry["cve"] for entry in mapping})
    assert report.msrc_fixes == sum(len(entry["patches"]) for entry in mapping)
    fixes = vulnerability_detail(cve_id="CVE-2025-29828")["microsoft_fixes"]
    assert ("5060999", "10.0.22621.5472") in {
        (fix["kb"], fix["fixed_build"]) for fix in fixes["Windows 11 Version 22H2"]
    }
    releases = json.loads((folder / "windows-versions.json").read_text())
    versions = advisories_import_file(
        by=TEST_ACTOR, path=folder / "windows-versions.json", source="windows-versions.json"
    )
    assert versions.windows_releases == WindowsRelease.objects.count() == len(releases)
    server = WindowsRelease.objects.get(product="Windows Server 2019")
    assert (server.build, server.latest_kb) == ("17763.9121", "5120238")
    again = advisories_import_file(
        by=TEST_ACTOR, path=folder / "windows-versions.json", source="windows-versions.json"
    )
    assert again.windows_releases == 0
