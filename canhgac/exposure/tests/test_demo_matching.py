"""Matching the demo province: the spring 2022 warnings on the right hosts, not on patched ones."""

from __future__ import annotations

from datetime import date

import pytest

from canhgac.accounts.actors import SystemActor
from canhgac.advisories.models import CpeDeprecation, Vulnerability
from canhgac.core import clock
from canhgac.demo.loader import demo_load
from canhgac.exposure.models import Finding, FindingEvent, MatchRun
from canhgac.exposure.services.matching import exposure_match
from canhgac.inventory.models import Asset, Component

ACTOR = SystemActor("test")

EXPECTED = {
    ("mail01.thanhvan.example", "CVE-2022-26809", "os", "affected"),
    ("mail01.thanhvan.example", "CVE-2022-23277", "component", "affected"),
    ("qlvb-app01.thanhvan.example", "CVE-2022-22965", "component", "affected"),
    ("syt-pc-015", "CVE-2022-26809", "os", "affected"),
    ("his-app01.bvdk.thanhvan.example", "CVE-2022-26809", "os", "affected"),
    ("tc-db01.thanhvan.example", "CVE-2022-26809", "os", "affected"),
}


@pytest.fixture
def demo(db: None) -> None:
    demo_load()


def _findings() -> set[tuple[str, str, str, str]]:
    return set(Finding.objects.values_list("asset__key", "vulnerability__cve_id", "kind", "state"))


def test_the_demo_findings_are_exactly_the_vulnerable_hosts(demo: None) -> None:
    first = MatchRun.objects.get()
    assert (first.scope, first.full, first.counts["new"]) == ("all", True, 8)
    run = exposure_match(by=ACTOR)
    assert _findings() == EXPECTED
    # Spring4Shell: each Spring Framework jar of the QLVB application is a finding of its own
    spring = Finding.objects.filter(vulnerability__cve_id="CVE-2022-22965")
    assert sorted(spring.values_list("matched_name", "matched_version")) == [
        ("spring-beans", "5.3.17"),
        ("spring-core", "5.3.17"),
        ("spring-webmvc", "5.3.17"),
    ]
    assert run.status == "ok"
    # loading the demo matched already: this run finds the same
    assert run.counts["unchanged"] == Finding.objects.count() == 8
    assert (run.counts["new"], run.counts["closed"]) == (0, 0)


def _finding(key: str, cve_id: str) -> Finding:
    return Finding.objects.get(asset__key=key, vulnerability__cve_id=cve_id)


def test_explanations_name_the_rule_the_product_the_kb_and_the_build(demo: None) -> None:
    exposure_match(by=ACTOR)
    rpc = _finding("mail01.thanhvan.example", "CVE-2022-26809")
    assert (rpc.rule, rpc.source, rpc.confidence) == ("windows_build", "msrc:2022-Apr", 100)
    assert rpc.explanation == [
        {
            "code": "build_below_fix",
            "product": "Windows Server 2019",
            "kb": "KB5012647",
            "installed": "10.0.17763.2686",
            "fixed": "10.0.17763.2803",
        }
    ]
    exchange = _finding("mail01.thanhvan.example", "CVE-2022-23277")
    assert (exchange.rule, exchange.matched_name) == (
        "microsoft_kb",
        "Microsoft Exchange Server 2019 Cumulative Update 11",
    )
    assert exchange.explanation == [
        {
            "code": "kb_missing",
            "product": "Microsoft Exchange Server 2019 Cumulative Update 11",
            "kb": "KB5012698",
        }
    ]
    spring = Finding.objects.get(
        vulnerability__cve_id="CVE-2022-22965", matched_name="spring-beans"
    )
    codes = [item["code"] for item in spring.explanation]
    assert codes == ["cpe_mapped", "version_in_range", "platform_holds"]
    assert spring.explanation[1]["range"] == "≥ 5.3.0, < 5.3.18"
    assert spring.explanation[2]["software"] == "openjdk-11-jre-headless"


def test_priority_is_explained_and_the_due_date_capped_by_kev_and_letters(demo: None) -> None:
    exposure_match(by=ACTOR)
    spring = Finding.objects.get(
        vulnerability__cve_id="CVE-2022-22965", matched_name="spring-beans"
    )
    factors = {part["factor"]: part["points"] for part in spring.priority_breakdown}
    assert factors["cvss"] == 39.2
    assert factors["kev"] == 20.0
    assert "warning" in factors
    assert spring.priority == "P1"
    assert spring.priority_formula == "2026.1"
    assert spring.priority_score == round(sum(factors.values()), 1) or spring.priority_score == 100
    # the earliest of: 7 days (P1), the warning letters' due dates, KEV's 25/04/2022
    assert spring.due_date is not None
    assert spring.due_date <= date(2022, 4, 25)
    assert spring.due_reason.startswith(("kev", "warning:"))


def test_matching_again_changes_nothing(demo: None) -> None:
    exposure_match(by=ACTOR)
    before = list(Finding.objects.order_by("pk").values())
    events = FindingEvent.objects.count()
    run = exposure_match(by=ACTOR)
    after = list(Finding.objects.order_by("pk").values())
    for row in before + after:
        row.pop("last_seen"), row.pop("updated_at")
    assert after == before
    assert FindingEvent.objects.count() == events
    assert (run.counts["new"], run.counts["closed"], run.counts["unchanged"]) == (0, 0, 8)


def test_installing_the_update_closes_the_finding_and_says_why(demo: None) -> None:
    exposure_match(by=ACTOR)
    mail = Asset.objects.get(key="mail01.thanhvan.example")
    Asset.objects.filter(pk=mail.pk).update(os_build="10.0.17763.2803")
    run = exposure_match(by=ACTOR, asset_ids=[mail.pk])
    rpc = _finding("mail01.thanhvan.example", "CVE-2022-26809")
    assert (rpc.status, rpc.reported, run.counts["closed"]) == ("fixed", False, 1)
    fixed = rpc.events.get(kind="fixed")
    assert fixed.detail["reasons"][0]["code"] == "build_has_fix"
    # the other finding of the host stays open
    assert _finding("mail01.thanhvan.example", "CVE-2022-23277").status == "open"
    # the host reports again after the fix, still patched: the fix is verified
    Asset.objects.filter(pk=mail.pk).update(last_seen=clock.now())
    run = exposure_match(by=ACTOR, asset_ids=[mail.pk])
    rpc.refresh_from_db()
    assert (rpc.status, run.counts["verified"]) == ("verified", 1)
    assert rpc.events.filter(kind="verified").exists()
    # a rollback of the update reopens it
    Asset.objects.filter(pk=mail.pk).update(os_build="10.0.17763.2686")
    run = exposure_match(by=ACTOR, asset_ids=[mail.pk])
    rpc.refresh_from_db()
    assert (rpc.status, rpc.reported, run.counts["reopened"]) == ("open", True, 1)


def test_a_failed_run_closes_nothing(demo: None, monkeypatch: pytest.MonkeyPatch) -> None:
    exposure_match(by=ACTOR)
    Asset.objects.filter(key="mail01.thanhvan.example").update(os_build="10.0.17763.2803")

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("database went away")

    monkeypatch.setattr("canhgac.exposure.services.reconcile.bulk_insert", broken)
    with pytest.raises(RuntimeError):
        exposure_match(by=ACTOR)
    assert _finding("mail01.thanhvan.example", "CVE-2022-26809").status == "open"
    failed = MatchRun.objects.latest("started_at")
    assert (failed.status, failed.error) == ("failed", "database went away")


def test_a_new_advisory_is_matched_on_the_assets_that_can_have_it(demo: None) -> None:
    """An advisory-scoped run loads only the candidate assets (their stored keys)."""
    rpc = Vulnerability.objects.get(cve_id="CVE-2022-26809")
    run = exposure_match(by=ACTOR, vulnerability_ids=[rpc.pk])
    windows = Asset.objects.filter(os_name__icontains="windows").count()
    assert run.counts["assets"] == windows < Asset.objects.count()
    assert run.counts["unchanged"] == 4


def test_a_run_over_some_vulnerabilities_touches_only_those(demo: None) -> None:
    exposure_match(by=ACTOR)
    Asset.objects.filter(key="mail01.thanhvan.example").update(os_build="10.0.17763.2803")
    spring = Vulnerability.objects.get(cve_id="CVE-2022-22965")
    run = exposure_match(by=ACTOR, vulnerability_ids=[spring.pk])
    assert run.counts["closed"] == 0  # the RPC finding is outside the run's scope
    assert _finding("mail01.thanhvan.example", "CVE-2022-26809").status == "open"


def test_a_deprecated_cpe_name_in_the_inventory_is_resolved_from_the_dictionary(
    demo: None,
) -> None:
    """The CPE dictionary deprecates the inventory's name for the one NVD's criteria use."""
    old = "cpe:2.3:a:pivotal_software:spring_framework:5.3.17:*:*:*:*:*:*:*"
    new = "cpe:2.3:a:vmware:spring_framework:5.3.17:*:*:*:*:*:*:*"
    CpeDeprecation.objects.create(name=old, deprecated_by=[new])
    host = Asset.objects.get(key="hcc-app01.thanhvan.example")  # JDK 11, Spring 5.3.18 jars
    Component.objects.create(
        asset=host,
        source="manual",
        fingerprint="old-spring-name",
        name="Spring Framework (vendor bundle)",
        version="5.3.17",
        cpe=old,
        first_seen=clock.now(),
        last_seen=clock.now(),
    )
    exposure_match(by=ACTOR, asset_ids=[host.pk])
    finding = Finding.objects.get(asset=host, vulnerability__cve_id="CVE-2022-22965")
    assert finding.matched_name == "Spring Framework (vendor bundle)"
    assert finding.explanation[0] == {
        "code": "cpe_renamed",
        "old": "a:pivotal_software:spring_framework",
        "new": "a:vmware:spring_framework",
    }
