"""The web UI in a real browser: headless Debian Chromium driven through Playwright.

One browser per module, a fresh context (cookies, storage) per test, the Django live server on
loopback. The browser's Accept-Language is English on purpose: the UI must still open in
Vietnamese. Screenshots land in test-artifacts/screenshots/ (gitignored) for people to look at.
"""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    expect,
    sync_playwright,
)

from canhgac.accounts import access
from canhgac.accounts.models import ApiToken, Unit
from canhgac.accounts.tests.world import PASSWORD, World

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
TIMEOUT_MS = 10_000
SCREENSHOTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "screenshots"

# Records Content-Security-Policy violations in the page; Playwright injects it over CDP, so the
# page's own CSP (script-src 'self') does not block it.
CSP_RECORDER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


@pytest.fixture(scope="module")
def _allow_async_unsafe() -> Iterator[None]:
    """Playwright's sync API runs an event loop in the test thread; Django's ORM then refuses
    to run there unless told it is safe (it is: nothing else touches the loop)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="module")
def browser(_allow_async_unsafe: None) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def browser_world(transactional_world: World) -> World:
    """The test province, committed so that the live server's thread sees it."""
    return transactional_world


@dataclass
class Session:
    """A browser page on the live server, with everything the page complained about."""

    page: Page
    base_url: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed_responses: list[str] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base_url + path

    def path(self) -> str:
        return self.page.url.removeprefix(self.base_url)

    def login(self, username: str, password: str = PASSWORD) -> None:
        self.page.goto(self.url("/login/"))
        self.page.locator("input[name=username]").fill(username)
        self.page.locator("input[name=password]").fill(password)
        self.page.get_by_test_id("login-submit").click()

    def login_ok(self, username: str) -> None:
        self.login(username)
        self.page.wait_for_url(self.url("/dashboard/"))

    def csp_violations(self) -> list[str]:
        violations: list[str] = self.page.evaluate("window.__cspViolations || []")
        return violations

    def screenshot(self, name: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=SCREENSHOTS / f"{name}.png", full_page=True)


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    ctx = browser.new_context(
        locale="en-US",
        extra_http_headers={"Accept-Language": "en-US,en;q=0.9"},
        viewport={"width": 1280, "height": 800},
    )
    ctx.set_default_timeout(TIMEOUT_MS)
    ctx.add_init_script(CSP_RECORDER)
    yield ctx
    ctx.close()


@pytest.fixture
def session(context: BrowserContext, live_server: Any, browser_world: World) -> Session:
    page = context.new_page()
    result = Session(page=page, base_url=live_server.url)

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            result.console_errors.append(f"{page.url}: {message.text}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: result.page_errors.append(f"{page.url}: {error}"))
    page.on(
        "response",
        lambda response: (
            result.failed_responses.append(f"{response.status} {response.url}")
            if response.status >= 400
            else None
        ),
    )
    return result


def heading(page: Page) -> str:
    return page.locator("main h1").inner_text().strip()


def _units_in_path_order() -> list[str]:
    return list(Unit.objects.order_by("path").values_list("name", flat=True))


def unit_row_names(page: Page) -> list[str]:
    return [name.strip() for name in page.locator("#unit-rows td:first-child a").all_inner_texts()]


# 1. Sign in ---------------------------------------------------------------------------------


def test_wrong_password_shows_error_and_stays_on_login(session: Session) -> None:
    page = session.page
    session.login("unit_manager", "not-the-password")

    error = page.get_by_test_id("login-error")
    error.wait_for()
    assert error.inner_text().strip() == "Sai tên đăng nhập hoặc mật khẩu."
    assert session.path() == "/login/"
    assert heading(page) == "Đăng nhập"
    assert page.locator("input[name=username]").input_value() == "unit_manager"
    assert page.get_by_test_id("logout").count() == 0
    # Still signed out: the dashboard sends us back to the login page.
    page.goto(session.url("/dashboard/"))
    assert session.path() == "/login/?next=/dashboard/"


@pytest.mark.parametrize(
    ("username", "expected_codes"),
    [
        ("province_admin", {"ROOT", "DIC", "A", "A1", "B", "P"}),
        ("unit_manager", {"A", "A1"}),
    ],
)
def test_login_lands_on_dashboard_with_scoped_unit_count(
    session: Session, browser_world: World, username: str, expected_codes: set[str]
) -> None:
    page = session.page
    page.goto(session.url("/login/"))
    # The browser asks for English; the UI stays Vietnamese until the user switches.
    assert page.locator("html").get_attribute("lang") == "vi"
    assert heading(page) == "Đăng nhập"

    session.login_ok(username)

    assert heading(page) == "Tổng quan"
    assert page.title() == "Tổng quan · Cảnh gác"
    visible = access.unit_list_for_user(user=browser_world.users[username]).filter(is_active=True)
    assert set(visible.values_list("code", flat=True)) == expected_codes
    shown = page.get_by_test_id("count-units").locator(".number").inner_text().strip()
    assert int(shown) == visible.count() == len(expected_codes)
    assert Unit.objects.count() == 6  # the other units exist, they are just out of scope
    assert page.get_by_test_id("profile-link").inner_text().strip() == (
        browser_world.users[username].get_full_name()
    )


# 2. Language switch ------------------------------------------------------------------------


def test_language_switch_and_persistence(session: Session, context: BrowserContext) -> None:
    page = session.page
    html = page.locator("html")
    session.login_ok("unit_manager")
    assert html.get_attribute("lang") == "vi"
    assert "current" in (page.get_by_test_id("lang-vi").get_attribute("class") or "")

    page.get_by_test_id("lang-en").click()
    page.wait_for_selector("html[lang=en]")
    assert session.path() == "/dashboard/"  # the switch returns to the page it came from
    assert heading(page) == "Overview"
    assert "current" in (page.get_by_test_id("lang-en").get_attribute("class") or "")
    assert page.get_by_test_id("logout").inner_text().strip() == "Sign out"
    cookies = {cookie["name"]: cookie["value"] for cookie in context.cookies()}
    assert cookies.get("django_language") == "en"

    # Persists on the next page load, and on other pages.
    page.reload()
    assert html.get_attribute("lang") == "en"
    assert heading(page) == "Overview"
    page.goto(session.url("/units/"))
    assert html.get_attribute("lang") == "en"
    assert heading(page) == "Units"

    page.get_by_test_id("lang-vi").click()
    page.wait_for_selector("html[lang=vi]")
    assert session.path() == "/units/"
    assert heading(page) == "Đơn vị"
    page.goto(session.url("/dashboard/"))
    assert html.get_attribute("lang") == "vi"
    assert heading(page) == "Tổng quan"
    assert page.get_by_test_id("logout").inner_text().strip() == "Đăng xuất"


# 3. Dashboard and unit pages ---------------------------------------------------------------


def test_unit_pages_are_scoped_to_the_users_units(session: Session) -> None:
    page = session.page
    session.login_ok("unit_manager")

    page.locator("aside.sidebar").get_by_role("link", name="Đơn vị", exact=True).click()
    page.wait_for_url(session.url("/units/"))
    assert heading(page) == "Đơn vị"
    assert page.locator("aside.sidebar a[aria-current=page]").inner_text().strip() == "Đơn vị"
    assert unit_row_names(page) == ["Unit A", "Unit A1"]
    assert page.locator("#unit-rows").get_by_text("Unit B").count() == 0

    page.locator("#unit-rows").get_by_role("link", name="Unit A", exact=True).click()
    page.wait_for_url(session.url("/units/A/"))
    assert heading(page) == "Unit A"
    assert page.locator("dl.facts code").inner_text().strip() == "A"
    sub_units = page.locator("article", has=page.get_by_role("heading", name="Đơn vị trực thuộc"))
    assert [t.strip() for t in sub_units.locator("li a").all_inner_texts()] == ["Unit A1"]
    people = page.locator("main table.striped tbody tr td:first-child").all_inner_texts()
    assert "Unit Manager" in people

    response = page.goto(session.url("/units/B/"))
    assert response is not None
    assert response.status == 404
    assert heading(page) == "Không tìm thấy"
    assert "Unit B" not in page.locator("main").inner_text()


# 4. htmx search -----------------------------------------------------------------------------


def test_unit_search_updates_table_without_reload(session: Session) -> None:
    page = session.page
    session.login_ok("province_admin")
    page.goto(session.url("/units/"))
    everything = _units_in_path_order()
    assert len(everything) == 6
    assert unit_row_names(page) == everything
    page.evaluate("window.__sameDocument = 'yes'")
    loads: list[str] = []
    page.on("load", lambda _page: loads.append(page.url))

    with page.expect_response(
        lambda r: "/units/?q=A1" in r.url and r.request.headers.get("hx-request") == "true"
    ) as search:
        page.locator("input[name=q]").fill("A1")
    assert search.value.status == 200
    expect(page.locator("#unit-rows tr")).to_have_count(1)

    assert unit_row_names(page) == ["Unit A1"]
    assert session.path() == "/units/"
    assert page.evaluate("window.__sameDocument") == "yes"
    assert loads == []
    assert heading(page) == "Đơn vị"  # the partial replaced the rows only

    with page.expect_response(lambda r: "/units/?q=" in r.url and "A1" not in r.url):
        page.locator("input[name=q]").fill("")
    expect(page.locator("#unit-rows tr")).to_have_count(6)
    assert page.evaluate("window.__sameDocument") == "yes"


# 5. API token through the profile page -----------------------------------------------------


def test_token_created_on_profile_page_works_with_the_api(
    session: Session, browser_world: World
) -> None:
    page = session.page
    session.login_ok("unit_manager")
    page.get_by_test_id("profile-link").click()
    page.wait_for_url(session.url("/profile/"))
    assert heading(page) == "Tài khoản của tôi"
    page.evaluate("window.__sameDocument = 'yes'")

    form = page.locator("#tokens form")
    form.locator("input[name=name]").fill("browser")
    with page.expect_response(lambda r: r.url.endswith("/profile/tokens/")) as created:
        form.locator("button[type=submit]").click()
    assert created.value.status == 200
    new_token = page.get_by_test_id("new-token")
    new_token.wait_for()
    raw = new_token.locator("code").inner_text().strip()
    assert raw.startswith("cg_")
    assert page.evaluate("window.__sameDocument") == "yes"  # htmx swapped #tokens in place
    names = page.locator("#tokens tbody tr td:first-child").all_inner_texts()
    assert "browser" in names

    user = browser_world.users["unit_manager"]
    token = ApiToken.objects.get(user=user, name="browser")
    assert raw.startswith(f"cg_{token.prefix}_")

    request = urllib.request.Request(  # noqa: S310 - the live server on loopback
        session.url("/api/v1/me"), headers={"Authorization": f"Bearer {raw}"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        assert response.status == 200
        body = json.loads(response.read())
    assert body["username"] == "unit_manager"
    assert body["id"] == user.pk


# 6. Logout ----------------------------------------------------------------------------------


def test_logout_returns_to_login_and_protects_dashboard(session: Session) -> None:
    page = session.page
    session.login_ok("unit_manager")
    page.get_by_test_id("logout").click()
    page.wait_for_url(re.compile(r".*/login/$"))
    assert heading(page) == "Đăng nhập"
    assert page.get_by_test_id("logout").count() == 0

    page.goto(session.url("/dashboard/"))
    assert session.path() == "/login/?next=/dashboard/"
    assert heading(page) == "Đăng nhập"


# 7. No console errors, no CSP violations; screenshots ---------------------------------------


PAGES = [
    ("dashboard", "/dashboard/", "Tổng quan"),
    ("unit_list", "/units/", "Đơn vị"),
    ("unit_detail", "/units/A/", "Unit A"),
    ("audit_log", "/audit/", "Nhật ký kiểm tra"),
    ("profile", "/profile/", "Tài khoản của tôi"),
]


def test_pages_render_cleanly_and_screenshots(session: Session) -> None:
    page = session.page
    session.login_ok("province_admin")

    for name, path, title in PAGES:
        response = page.goto(session.url(path))
        assert response is not None
        assert response.status == 200, path
        assert "script-src 'self'" in (response.headers.get("content-security-policy") or "")
        page.wait_for_load_state("networkidle")
        assert heading(page) == title, path
        # The scripts and styles really loaded (under the CSP): htmx is there, app.css applies.
        assert page.evaluate("typeof window.htmx") == "object", path
        background = page.locator(".topbar").evaluate("e => getComputedStyle(e).backgroundColor")
        assert background == "rgb(19, 41, 75)", path
        session.screenshot(f"{name}-vi")

    page.goto(session.url("/dashboard/"))
    page.get_by_test_id("lang-en").click()
    page.wait_for_selector("html[lang=en]")
    page.wait_for_load_state("networkidle")
    assert heading(page) == "Overview"
    session.screenshot("dashboard-en")

    assert session.console_errors == []
    assert session.page_errors == []
    assert session.failed_responses == []
    assert session.csp_violations() == []


def test_console_error_collection_catches_csp_violations(session: Session) -> None:
    """Guards the test above: an inline script on our pages is refused and that is reported."""
    page = session.page
    session.login_ok("unit_manager")
    page.evaluate(
        "document.body.appendChild(Object.assign(document.createElement('script'),"
        " {textContent: 'window.__inline = 1'}))"
    )
    # wait_for_function evaluates its predicate with eval(), which the page's CSP refuses.
    for _ in range(50):
        if page.evaluate("window.__cspViolations.length") > 0:
            break
        page.wait_for_timeout(100)
    assert page.evaluate("window.__inline") is None
    assert any("script-src" in v for v in session.csp_violations())
    assert any("Content Security Policy" in e for e in session.console_errors)
