"""The inventory pages in a real browser: systems, assets, the import form, data quality.

Reuses the browser machinery of test_browser.py (one Chromium per module, a fresh context per
test, the live server, console/CSP error collection). The three spreadsheet samples are
imported into the committed test province before each test. Screenshots land in
test-artifacts/screenshots/inventory-*.png.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.utils import translation
from playwright.sync_api import Locator, Page

from canhgac.accounts.tests.world import TEST_ACTOR, World
from canhgac.inventory.importers.host_json import HostJsonParser
from canhgac.inventory.models import Asset, Component, InformationSystem
from canhgac.inventory.quality import system_quality_issues
from canhgac.inventory.services import inventory_import_file
from canhgac.web.tests import test_browser
from canhgac.web.tests.test_browser import Session, heading

# The browser fixtures of test_browser.py, made available here by name.
_allow_async_unsafe = test_browser._allow_async_unsafe
browser = test_browser.browser
browser_world = test_browser.browser_world
context = test_browser.context
session = test_browser.session

pytestmark = pytest.mark.browser

SAMPLES = Path(__file__).resolve().parents[2] / "inventory" / "tests" / "samples"
SPREADSHEETS = ("inventory-systems.csv", "inventory-assets.csv", "inventory-software.csv")
HOST_JSON = SAMPLES / "host-linux-ubuntu.json"


@pytest.fixture
def inventory(browser_world: World) -> World:
    """The committed province with the spreadsheet samples imported (systems of A and B)."""
    for name in SPREADSHEETS:
        inventory_import_file(by=TEST_ACTOR, path=SAMPLES / name, source=name)
    assert sorted(InformationSystem.objects.values_list("code", flat=True)) == [
        "CONG-DVC",
        "HSBA",
        "QLVB",
    ]
    return browser_world


def system_codes(page: Page) -> list[str]:
    rows = page.get_by_test_id("system-table").locator("tbody tr td:first-child code")
    return [code.strip() for code in rows.all_inner_texts()]


def system_row(page: Page, code: str) -> Locator:
    return page.get_by_test_id("system-table").locator(
        "tbody tr", has=page.locator("code", has_text=code)
    )


def asset_keys(table: Locator) -> list[str]:
    """The asset table's first column: the key (under the name when the asset has one)."""
    keys = []
    for cell in table.locator("tbody tr td:first-child").all():
        small = cell.locator("small")
        keys.append((small.inner_text() if small.count() else cell.inner_text()).strip())
    return keys


def column(table: Locator, index: int) -> list[str]:
    cells = table.locator(f"tbody tr td:nth-child({index})").all_inner_texts()
    return [text.strip() for text in cells]


def fact(page: Page, label: str) -> str:
    """The <dd> following the <dt> named `label` in the page's facts lists."""
    term = page.locator("dl.facts dt").filter(has_text=re.compile(f"^{re.escape(label)}$"))
    return term.locator("xpath=following-sibling::dd[1]").inner_text().strip()


def assert_clean(session: Session) -> None:
    assert session.console_errors == []
    assert session.page_errors == []
    assert session.failed_responses == []
    assert session.csp_violations() == []


# 1. A unit officer of A walks from the sidebar to the software of an asset -------------------


def test_unit_officer_walks_systems_to_asset_software(session: Session, inventory: World) -> None:
    page = session.page
    session.login_ok("unit_officer")

    sidebar = page.locator("aside.sidebar")
    sidebar.get_by_role("link", name="Hệ thống thông tin", exact=True).click()
    page.wait_for_url(session.url("/inventory/systems/"))
    assert heading(page) == "Hệ thống thông tin"
    assert sidebar.locator("a[aria-current=page]").inner_text().strip() == "Hệ thống thông tin"
    # Ordered by owner unit then name; HSBA belongs to unit B and is out of scope.
    assert system_codes(page) == ["CONG-DVC", "QLVB"]
    assert "HSBA" not in page.get_by_test_id("system-table").inner_text()
    assert system_row(page, "CONG-DVC").locator(".level").inner_text().strip() == "Cấp độ 3"
    assert "level-3" in (
        system_row(page, "CONG-DVC").locator(".level").get_attribute("class") or ""
    )
    # QLVB is live with only a proposed level 2: no approved level, and one data-quality error.
    qlvb = system_row(page, "QLVB")
    assert qlvb.locator(".level").inner_text().strip() == "chưa có cấp độ"
    assert qlvb.locator(".badge.bad").count() == 1
    assert system_row(page, "CONG-DVC").locator(".badge.ok").count() == 1
    session.screenshot("inventory-systems-vi")

    page.get_by_role("link", name="Cổng dịch vụ công tỉnh").click()
    page.wait_for_url(session.url("/inventory/systems/CONG-DVC/"))
    assert heading(page) == "Cổng dịch vụ công tỉnh Cấp độ 3"
    assert fact(page, "Mã") == "CONG-DVC"
    assets = page.get_by_test_id("asset-table")
    assert asset_keys(assets) == ["dvc-web01.example.gov.vn"]
    assert column(assets, 6) == ["2"]  # nginx and spring-beans
    session.screenshot("inventory-system-detail-vi")

    assets.get_by_role("link", name="Máy chủ web cổng DVC").click()
    web01 = Asset.objects.get(key="dvc-web01.example.gov.vn")
    page.wait_for_url(session.url(f"/inventory/assets/{web01.pk}/"))
    assert heading(page) == "Máy chủ web cổng DVC"
    assert fact(page, "Bản dựng hệ điều hành") == "5.15.0-105-generic"
    assert fact(page, "Hệ điều hành") == "Ubuntu 22.04.4 LTS"
    software = page.get_by_test_id("component-table")
    assert column(software, 1) == ["nginx", "spring-beans"]
    assert column(software, 2) == ["1.18.0", "5.3.17"]
    assert column(software, 3) == ["F5", "VMware"]
    assert column(software, 4) == [
        "pkg:deb/ubuntu/nginx@1.18.0-6ubuntu14.4",
        "pkg:maven/org.springframework/spring-beans@5.3.17",
    ]
    assert "Exchange" not in software.inner_text()  # the mail server's software stays there
    session.screenshot("inventory-asset-detail-vi")

    assert_clean(session)


# 2. The manager of B sees only B's system and asset ---------------------------------------


def test_other_unit_sees_only_its_own_inventory(session: Session, inventory: World) -> None:
    page = session.page
    session.login_ok("other_unit")

    page.goto(session.url("/inventory/systems/"))
    assert system_codes(page) == ["HSBA"]
    assert system_row(page, "HSBA").locator(".level").inner_text().strip() == "Cấp độ 2"

    page.locator("aside.sidebar").get_by_role("link", name="Tài sản", exact=True).click()
    page.wait_for_url(session.url("/inventory/assets/"))
    assert heading(page) == "Tài sản"
    assets = page.get_by_test_id("asset-table")
    assert asset_keys(assets) == ["hsba-app"]
    assert column(assets, 6) == ["1"]  # Apache Tomcat

    assert_clean(session)

    cong_dvc = page.goto(session.url("/inventory/systems/CONG-DVC/"))
    assert cong_dvc is not None
    assert cong_dvc.status == 404
    assert heading(page) == "Không tìm thấy"
    assert "Cổng dịch vụ công" not in page.locator("main").inner_text()

    web01 = Asset.objects.get(key="dvc-web01.example.gov.vn")
    asset = page.goto(session.url(f"/inventory/assets/{web01.pk}/"))
    assert asset is not None
    assert asset.status == 404
    assert heading(page) == "Không tìm thấy"


# 3. Upload a host-collector file, then a broken one -----------------------------------------


def test_import_host_json_then_broken_file(
    session: Session, inventory: World, tmp_path: Path
) -> None:
    page = session.page
    parsed = HostJsonParser().parse(HOST_JSON, source=HOST_JSON.name)
    (record,) = parsed.assets
    software_rows = len(record.components)
    assert software_rows > 10
    assets_before = Asset.objects.count()
    components_before = Component.objects.count()
    session.login_ok("unit_officer")

    page.locator("aside.sidebar").get_by_role("link", name="Nhập dữ liệu tài sản").click()
    page.wait_for_url(session.url("/inventory/import/"))
    assert heading(page) == "Nhập dữ liệu tài sản"
    form = page.locator("main form[enctype='multipart/form-data']")
    # The unit choice is limited to the units the officer may edit; the format stays "auto".
    assert form.locator("select[name=unit] option").all_inner_texts()[1:] == ["Unit A"]
    assert form.locator("select[name=format]").input_value() == "auto"
    form.locator("input[name=file]").set_input_files(HOST_JSON)
    form.locator("select[name=unit]").select_option("A")
    with page.expect_navigation() as navigation:
        page.get_by_test_id("import-submit").click()
    response = navigation.value
    assert response is not None
    assert response.status == 200

    report = page.get_by_test_id("import-report")
    assert report.locator("h2").inner_text().startswith("Đã nhập: host-linux-ubuntu.json")
    rows = {
        cells[0]: cells[1:]
        for cells in (
            [cell.strip() for cell in row.locator("td").all_inner_texts()]
            for row in report.locator("tbody tr").all()
        )
    }
    assert rows["Tài sản"] == ["1", "0", "0", "0"]
    assert rows["Hệ thống thông tin"] == ["0", "0", "0", "0"]
    assert list(rows) == [
        "Hệ thống thông tin",
        "Tài sản",
        "Phần mềm",
        "Dịch vụ đang mở",
        "Bản cập nhật đã cài",
    ]
    # created, updated, unchanged, no longer reported
    assert rows["Phần mềm"] == [str(software_rows), "0", "0", "0"]
    assert rows["Dịch vụ đang mở"] == [str(len(record.services)), "0", "0", "0"]
    assert page.get_by_test_id("import-error").count() == 0
    session.screenshot("inventory-import-result-vi")

    assert Asset.objects.count() == assets_before + 1
    stored = Asset.objects.get(key=record.key)
    assert stored.unit.code == "A"
    assert Component.objects.count() == components_before + software_rows

    page.locator("aside.sidebar").get_by_role("link", name="Tài sản", exact=True).click()
    page.wait_for_url(session.url("/inventory/assets/"))
    assets = page.get_by_test_id("asset-table")
    assert record.key in asset_keys(assets)
    row = assets.locator("tbody tr", has=page.get_by_text(record.key, exact=True))
    assert row.locator("td").nth(5).inner_text().strip() == str(software_rows)
    session.screenshot("inventory-assets-vi")
    assert_clean(session)

    # A truncated copy: not valid JSON. Located problems, status 422, nothing stored.
    broken = tmp_path / "host-broken.json"
    text = HOST_JSON.read_text(encoding="utf-8")
    broken.write_text(text[: len(text) // 2], encoding="utf-8")
    assets_before = Asset.objects.count()
    components_before = Component.objects.count()
    page.goto(session.url("/inventory/import/"))
    form = page.locator("main form[enctype='multipart/form-data']")
    form.locator("input[name=file]").set_input_files(broken)
    form.locator("select[name=unit]").select_option("A")
    with page.expect_navigation() as navigation:
        page.get_by_test_id("import-submit").click()
    response = navigation.value
    assert response is not None
    assert response.status == 422
    assert heading(page) == "Nhập dữ liệu tài sản"  # the form page, not an error page
    error = page.get_by_test_id("import-error")
    assert error.locator("h2").inner_text().strip() == "Không có dữ liệu nào được nhập"
    problems = error.locator("li")
    assert problems.count() == 1
    assert problems.first.locator("code").inner_text().startswith("host-broken.json:")
    assert "JSON" in problems.first.inner_text()
    assert page.get_by_test_id("import-report").count() == 0
    # The form is still there to try again.
    assert page.get_by_test_id("import-submit").is_visible()
    session.screenshot("inventory-import-error-vi")
    assert Asset.objects.count() == assets_before
    assert Component.objects.count() == components_before


# 4. Data quality -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "codes"),
    [("province_admin", {"CONG-DVC", "QLVB", "HSBA"}), ("unit_officer", {"CONG-DVC", "QLVB"})],
)
def test_quality_page_lists_the_issues_of_the_visible_systems(
    session: Session, inventory: World, username: str, codes: set[str]
) -> None:
    page = session.page
    systems = InformationSystem.objects.filter(code__in=codes).order_by("owner_unit__path", "name")
    issues = [(system, issue) for system in systems for issue in system_quality_issues(system)]
    assert issues  # the samples are chosen to have some
    with translation.override("vi"):
        severity = {"error": "lỗi", "warning": "cảnh báo"}
        expected = [
            [
                system.name,
                system.owner_unit.short_name or system.owner_unit.name,
                f"{severity[issue.severity]} {issue.message}",
            ]
            for system, issue in issues
        ]
    session.login_ok(username)

    page.locator("aside.sidebar").get_by_role("link", name="Chất lượng dữ liệu").click()
    page.wait_for_url(session.url("/inventory/quality/"))
    assert heading(page) == "Chất lượng dữ liệu kê khai"
    assert f" {len(codes)} " in page.locator("main p").first.inner_text()
    table = page.get_by_test_id("quality-table")
    rows = [
        [cell.strip() for cell in row.locator("td").all_inner_texts()]
        for row in table.locator("tbody tr").all()
    ]
    assert len(rows) == len(issues)
    assert rows == expected
    assert table.locator(".badge.bad").count() == sum(
        1 for _system, issue in issues if issue.severity == "error"
    )
    if username == "province_admin":
        session.screenshot("inventory-quality-vi")
    assert_clean(session)
