"""Web behaviour: sign-in and lockout, audit of sign-ins, language, headers, query counts."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from canhgac.accounts import services
from canhgac.accounts.enums import UnitKind
from canhgac.accounts.tests.world import PASSWORD, TEST_ACTOR, World
from canhgac.audit.enums import AuditAction
from canhgac.audit.models import AuditEvent
from canhgac.core import clock
from canhgac.inventory.models import Asset, InformationSystem


def test_sign_in_and_out_are_audited(world: World, client: Client) -> None:
    response = client.post(
        "/login/", {"username": "unit_officer", "password": PASSWORD}, REMOTE_ADDR="192.0.2.10"
    )
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    login = AuditEvent.objects.filter(action=AuditAction.LOGIN).get()
    assert (login.actor, login.ip_address) == (world.users["unit_officer"], "192.0.2.10")
    client.post("/logout/")
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.LOGOUT, actor=world.users["unit_officer"]
        ).count()
        == 1
    )


def test_failed_sign_ins_are_audited_then_locked_out(world: World, client: Client) -> None:
    for _ in range(5):
        response = client.post(
            "/login/", {"username": "unit_officer", "password": "wrong"}, REMOTE_ADDR="192.0.2.20"
        )
    failures = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED)
    assert failures.count() == 5
    assert failures.first().parameters == {"username": "unit_officer"}  # type: ignore[union-attr]
    assert response.status_code == 429
    locked = client.post(
        "/login/", {"username": "unit_officer", "password": PASSWORD}, REMOTE_ADDR="192.0.2.20"
    )
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_wrong_password_shows_an_error_in_vietnamese(world: World, client: Client) -> None:
    response = client.post("/login/", {"username": "unit_officer", "password": "nope"})
    assert response.status_code == 200
    assert "Sai tên đăng nhập hoặc mật khẩu." in response.content.decode()


def test_vietnamese_first_whatever_the_browser_asks(world: World, client: Client) -> None:
    client.force_login(world.users["province_admin"])
    page = client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="vi"' in page
    assert "Tổng quan" in page
    client.post("/i18n/setlang/", {"language": "en", "next": "/dashboard/"})
    page = client.get("/dashboard/").content.decode()
    assert '<html lang="en"' in page
    assert "Overview" in page


def test_user_preference_is_the_default_language(world: World, client: Client) -> None:
    user = world.users["province_analyst"]
    user.language = "en"
    user.save(update_fields=["language"])
    client.force_login(user)
    assert "Overview" in client.get("/dashboard/").content.decode()


def test_dates_are_day_month_year_in_local_time(world: World, client: Client) -> None:
    client.force_login(world.users["province_admin"])
    page = client.get("/audit/").content.decode()
    first = AuditEvent.objects.order_by("-sequence").first()
    assert first is not None
    local = first.occurred_at.astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
    assert local.strftime("%d/%m/%Y %H:%M:%S") in page


def test_security_headers(world: World, client: Client) -> None:
    client.force_login(world.users["province_admin"])
    response = client.get("/dashboard/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in response["Permissions-Policy"]


def test_session_cookie_flags(world: World, client: Client) -> None:
    response = client.post("/login/", {"username": "unit_officer", "password": PASSWORD})
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_static_files_are_served_without_a_cdn(world: World, client: Client) -> None:
    client.force_login(world.users["province_admin"])
    page = client.get("/dashboard/").content.decode()
    assert "/static/vendor/htmx/htmx.min.js" in page
    assert "/static/vendor/pico/pico.min.css" in page
    assert "https://" not in page


def test_healthz_is_public_and_reveals_nothing(db: None, client: Client) -> None:
    response = client.get("/healthz")
    assert response.json() == {"status": "ok"}


def test_unit_list_queries_do_not_grow_with_units(world: World, client: Client) -> None:
    client.force_login(world.users["province_admin"])

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/units/").status_code == 200
        return len(queries)

    before = count_queries()
    for number in range(30):
        services.unit_create(
            by=TEST_ACTOR,
            code=f"EXTRA-{number}",
            name=f"Extra {number}",
            kind=UnitKind.SUB_UNIT,
            parent=world.units["A"],
        )
    assert count_queries() == before


@pytest.mark.parametrize("page", ["/dashboard/", "/audit/", "/users/", "/units/A/"])
def test_admin_pages_have_bounded_queries(world: World, client: Client, page: str) -> None:
    client.force_login(world.users["province_admin"])
    with CaptureQueriesContext(connection) as queries:
        assert client.get(page).status_code == 200
    assert len(queries) <= 15, [query["sql"] for query in queries]


def test_htmx_unit_search_returns_rows_only(world: World, client: Client) -> None:
    client.force_login(world.users["province_admin"])
    response = client.get("/units/?q=A1", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body
    assert "Unit A1" in body
    assert "Unit B" not in body


def test_token_created_in_the_profile_is_shown_once(world: World, client: Client) -> None:
    user = world.users["duty_officer"]
    client.force_login(user)
    created = client.post(
        "/profile/tokens/", {"name": "tích hợp", "days": 30}, HTTP_HX_REQUEST="true"
    ).content.decode()
    token = user.api_tokens.get(name="tích hợp")
    assert f"cg_{token.prefix}_" in created
    assert f"cg_{token.prefix}_" not in client.get("/profile/").content.decode()
    client.post(f"/profile/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_password_change_is_audited(world: World, client: Client) -> None:
    client.force_login(world.users["unit_officer"])
    response = client.post(
        "/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "Another-long-pass-2026",
            "new_password2": "Another-long-pass-2026",
        },
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action=AuditAction.PASSWORD_CHANGED).count() == 1


def test_client_address_behind_trusted_proxies() -> None:
    from canhgac.web.proxies import client_address, parse_networks

    trusted = parse_networks(["127.0.0.1", "10.0.0.0/8"])
    assert client_address("127.0.0.1", "198.51.100.7, 10.1.2.3", trusted) == "198.51.100.7"
    assert client_address("127.0.0.1", "spoofed, 198.51.100.7", trusted) == "198.51.100.7"
    assert client_address("198.51.100.9", "203.0.113.1", trusted) == "198.51.100.9"
    assert client_address("127.0.0.1", "", trusted) == "127.0.0.1"
    assert client_address("127.0.0.1", "198.51.100.7", ()) == "127.0.0.1"


def test_lockout_and_audit_use_the_forwarded_address(world: World, settings: object) -> None:
    settings.TRUSTED_PROXIES = ["127.0.0.1"]  # type: ignore[attr-defined]
    attacker, colleague = Client(), Client()
    for _ in range(5):
        attacker.post(
            "/login/",
            {"username": "unit_officer", "password": "wrong"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR="198.51.100.66",
        )
    failed = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).first()
    assert failed is not None
    assert failed.ip_address == "198.51.100.66"
    # The attacker's address is locked out; the officer at another address still signs in.
    response = colleague.post(
        "/login/",
        {"username": "unit_officer", "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.10",
    )
    assert response.status_code == 302


def test_warning_letter_created_in_vietnamese_and_forwarded(world: World, client: Client) -> None:
    from canhgac.advisories.models import WarningLetter

    client.force_login(world.users["province_analyst"])
    form = client.get("/advisories/warnings/new/").content.decode()
    assert "Văn bản cảnh báo mới" in form
    response = client.post(
        "/advisories/warnings/new/",
        {
            "number": "651/CATTT-NCSC",
            "issuer": "Cục An toàn thông tin",
            "issued_on": "13/04/2022",
            "title": "Lỗ hổng Microsoft tháng 4/2022",
            "due_date": "30/04/2022",
            "exploited": "on",
            "cves_critical": "CVE-2022-26809, CVE-2022-24491\ncve-2022-24497",
            "cves_high": "CVE-2022-26815 CVE-2022-24521",
        },
    )
    assert response.status_code == 302
    letter = WarningLetter.objects.get(number="651/CATTT-NCSC")
    assert letter.due_date is not None
    assert letter.due_date.isoformat() == "2022-04-30"
    assert letter.cves.filter(severity="critical").count() == 3
    bad = client.post(
        "/advisories/warnings/new/",
        {
            "number": "2/X",
            "issuer": "X",
            "issued_on": "31/02/2022",
            "title": "T",
            "cves_high": "CVE-2022-1",
        },
    )
    assert bad.status_code == 422
    forwarded = client.post(
        f"/advisories/warnings/{letter.pk}/",
        {
            "number": "1201/STTTT-CNTT",
            "issuer": "Sở TT&TT",
            "issued_on": "14/04/2022",
            "due_date": "28/04/2022",
        },
    )
    assert forwarded.status_code == 302
    copy = WarningLetter.objects.get(number="1201/STTTT-CNTT")
    assert copy.forwarded_from == letter
    assert copy.cves.count() == 5
    detail = client.get(f"/advisories/warnings/{copy.pk}/").content.decode()
    assert "651/CATTT-NCSC" in detail
    assert "CVE-2022-26809" in detail


def test_inventory_list_filters_narrow_within_the_users_scope(world: World, client: Client) -> None:

    InformationSystem.objects.create(
        code="QLVB", name="Quản lý văn bản", owner_unit=world.units["A"]
    )
    InformationSystem.objects.create(
        code="DVC", name="Dịch vụ công", owner_unit=world.units["A"], approved_level=3
    )
    InformationSystem.objects.create(code="MAIL-B", name="Thư B", owner_unit=world.units["B"])
    now = clock.now()
    for unit, key, facing in (("A", "web01", True), ("A", "pc-01", False), ("B", "web-b", True)):
        Asset.objects.create(
            unit=world.units[unit], key=key, kind="server", internet_facing=facing,
            first_seen=now, last_seen=now,
        )  # fmt: skip
    client.force_login(world.users["unit_officer"])

    def listed(url: str, *names: str) -> None:
        body = client.get(url).content.decode()
        for name in ("QLVB", "DVC", "MAIL-B", "web01", "pc-01", "web-b"):
            assert (name in body) == (name in names), (url, name)

    listed("/inventory/systems/", "QLVB", "DVC")  # B's system is out of scope
    listed("/inventory/systems/?level=none", "QLVB")
    listed("/inventory/systems/?level=3", "DVC")
    listed("/inventory/systems/?q=d%E1%BB%8Bch", "DVC")
    listed("/inventory/assets/", "web01", "pc-01")
    listed("/inventory/assets/?internet_facing=on", "web01")
