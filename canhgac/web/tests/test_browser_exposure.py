"""The exposure pages in a real browser, on the demo province of Thanh Vân (matched on loading).

Reuses the browser machinery of test_browser.py. Screenshots land in
test-artifacts/screenshots/exposure-*.png.
"""

from __future__ import annotations

import pytest
from django.utils import translation
from playwright.sync_api import Page

from canhgac.accounts.tests.world import World
from canhgac.demo.loader import demo_load
from canhgac.demo.province import DEMO_PASSWORD
from canhgac.exposure.explanations import priority_factor, sentences
from canhgac.exposure.models import Finding
from canhgac.web.tests import test_browser
from canhgac.web.tests.test_browser import Session, heading
from canhgac.web.tests.test_browser_inventory import assert_clean

# The browser fixtures of test_browser.py, made available here by name.
_allow_async_unsafe = test_browser._allow_async_unsafe
browser = test_browser.browser
browser_world = test_browser.browser_world
context = test_browser.context
session = test_browser.session

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(browser_world: World) -> World:
    """The committed test province plus the demo province, its inventory matched."""
    demo_load()
    assert Finding.objects.filter(unit__code="SO-YT").exists()
    return browser_world


def vi(text: str) -> str:
    with translation.override("vi"):
        return translation.gettext(text)


def sign_in(session: Session, username: str) -> None:
    session.login(username, DEMO_PASSWORD)
    session.page.wait_for_url(session.url("/dashboard/"))


def finding_ids(page: Page) -> list[int]:
    rows = page.get_by_test_id("finding-table").locator("tbody tr[data-finding]")
    return [int(row.get_attribute("data-finding") or 0) for row in rows.all()]


def test_unit_officer_reads_why_a_finding_is_there(session: Session, demo: World) -> None:
    page = session.page
    sign_in(session, "yte.canbo")  # unit officer of the Department of Health (SO-YT)

    page.locator("aside.sidebar").get_by_role("link", name=vi("Findings"), exact=True).click()
    page.wait_for_url(session.url("/exposure/findings/"))
    assert heading(page) == vi("Findings")
    mine = list(
        Finding.objects.filter(unit__code="SO-YT", status="open")
        .order_by("-priority_score", "due_date", "pk")
        .values_list("pk", flat=True)
    )
    assert mine
    assert finding_ids(page) == mine  # only the unit's own findings, by priority
    finding = Finding.objects.select_related("vulnerability").get(pk=mine[0])

    row = page.locator(f"tr[data-finding='{finding.pk}']")
    assert row.locator(".priority").inner_text().strip() == finding.priority
    row.get_by_test_id("finding-link").click()
    page.wait_for_url(session.url(f"/exposure/findings/{finding.pk}/"))
    assert heading(page).startswith(finding.vulnerability.cve_id)

    reasons = page.get_by_test_id("finding-reasons").locator("li")
    with translation.override("vi"):
        expected = sentences(finding.explanation)
        factors = [priority_factor(part["factor"]) for part in finding.priority_breakdown]
    assert expected
    assert [text.strip() for text in reasons.all_inner_texts()] == expected
    assert reasons.first.is_visible()
    breakdown = page.get_by_test_id("priority-breakdown")
    assert [
        text.strip() for text in breakdown.locator("tbody tr td:first-child").all_inner_texts()
    ] == factors
    assert breakdown.get_by_test_id("priority-total").inner_text().strip() == (
        f"{finding.priority_score:.1f}".replace(".", ",")
    )
    # the officer may triage, but not accept a risk (a manager's decision)
    status = page.get_by_test_id("finding-triage").locator("select[name=status]")
    values = status.locator("option").evaluate_all("options => options.map(o => o.value)")
    assert "mitigated" in values
    assert "accepted_risk" not in values
    assert_clean(session)


def test_triage_in_the_browser_and_screenshots(session: Session, demo: World) -> None:
    page = session.page
    sign_in(session, "admin")

    page.locator("aside.sidebar").get_by_role("link", name=vi("Exposure"), exact=True).click()
    page.wait_for_url(session.url("/exposure/"))
    assert heading(page) == vi("Exposure")
    active = Finding.objects.filter(status__in=["open", "in_remediation", "mitigated"]).count()
    assert page.get_by_test_id("tile-active").locator(".number").inner_text() == str(active)
    assert page.get_by_test_id("match-now").is_visible()
    session.screenshot("exposure-dashboard-vi")

    page.get_by_test_id("tile-active").click()
    page.wait_for_url(session.url("/exposure/findings/?status=active"))
    assert len(finding_ids(page)) == active
    session.screenshot("exposure-findings-vi")

    # Bulk: the three Spring jars of the QLVB application go into remediation together.
    spring = list(
        Finding.objects.filter(vulnerability__cve_id="CVE-2022-22965").values_list("pk", flat=True)
    )
    assert len(spring) == 3
    for pk in spring:
        page.locator(f"tr[data-finding='{pk}'] input[name=finding]").check()
    bulk = page.get_by_test_id("bulk-triage")
    bulk.locator("select[name=status]").select_option("in_remediation")
    bulk.locator("textarea[name=reason]").fill("Nâng cấp Spring Framework lên 5.3.18")
    with page.expect_navigation():
        page.get_by_test_id("bulk-triage-submit").click()
    assert page.url == session.url("/exposure/findings/?status=active")
    assert " 3 " in f" {page.locator('.messages li').inner_text().strip()} "  # "… 3 findings …"
    assert set(Finding.objects.filter(pk__in=spring).values_list("status", flat=True)) == {
        "in_remediation"
    }

    rpc = Finding.objects.get(
        asset__key="mail01.thanhvan.example", vulnerability__cve_id="CVE-2022-26809"
    )
    page.goto(session.url(f"/exposure/findings/{rpc.pk}/"))
    why = page.get_by_test_id("finding-reasons")
    assert "KB5012647" in why.inner_text()
    session.screenshot("exposure-finding-detail-vi")

    # The asset's page lists its active findings, each leading back here.
    page.get_by_test_id("finding-facts").get_by_role("link", name="Máy chủ Exchange").click()
    page.wait_for_url(session.url(f"/inventory/assets/{rpc.asset_id}/"))
    section = page.get_by_test_id("asset-findings")
    assert section.locator("tbody tr").count() == Finding.objects.filter(asset=rpc.asset).count()
    session.screenshot("exposure-asset-findings-vi")
    section.locator(f"a[href='/exposure/findings/{rpc.pk}/']").click()
    page.wait_for_url(session.url(f"/exposure/findings/{rpc.pk}/"))

    # An accepted risk without its end date: the error shows, nothing changes.
    form = page.get_by_test_id("finding-triage")
    form.locator("select[name=status]").select_option("accepted_risk")
    form.locator("textarea[name=reason]").fill("Máy chủ sẽ thay thế trong tháng tới")
    with page.expect_navigation() as navigation:
        page.get_by_test_id("triage-submit").click()
    assert navigation.value is not None
    assert navigation.value.status == 422
    assert form.locator(".error").inner_text().strip() == vi("An accepted risk needs an end date.")
    rpc.refresh_from_db()
    assert rpc.status == "open"
    # the 422 above is the expected answer (Chromium logs it in the console too)
    session.failed_responses.clear()
    session.console_errors.clear()

    form.locator("input[name=until]").fill("31/12/2099")
    with page.expect_navigation():
        page.get_by_test_id("triage-submit").click()
    rpc.refresh_from_db()
    assert rpc.status == "accepted_risk"
    assert page.get_by_test_id("finding-decision").get_by_text("31/12/2099").is_visible()
    session.screenshot("exposure-finding-decided-vi")
    assert_clean(session)
