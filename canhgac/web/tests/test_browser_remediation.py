"""The remediation loop in a real browser, on the demo province of Thanh Vân (matched on loading).

The DIC's analyst forwards the national letter 651/CATTT-NCSC (Microsoft, April 2022) to the
affected units; the Department of Health's officer (SO-YT) is told, acknowledges, declares its
workstation not fixed then patched, attaches evidence, sees matching verify the fix and ends the
review; a user of another unit cannot open SO-YT's task. Reuses the browser machinery of
test_browser.py. Screenshots land in test-artifacts/screenshots/remediation-*.png.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.functional import Promise
from playwright.sync_api import Locator, Page

from canhgac.accounts.actors import SystemActor
from canhgac.accounts.models import Unit, User
from canhgac.accounts.tests.world import World
from canhgac.advisories.models import WarningLetter
from canhgac.audit.enums import AuditAction
from canhgac.audit.models import AuditEvent
from canhgac.core import clock
from canhgac.demo.loader import demo_load
from canhgac.demo.province import DEMO_PASSWORD
from canhgac.duty.models import Notification
from canhgac.duty.selectors import inbox_unread_count
from canhgac.exposure.enums import ACTIVE_STATUSES
from canhgac.exposure.explanations import due_reason
from canhgac.exposure.models import Finding
from canhgac.exposure.services.matching import exposure_match
from canhgac.inventory.models import Asset, InstalledUpdate
from canhgac.remediation.enums import ItemStatus, TaskStatus, Verification
from canhgac.remediation.models import ITEM_STATUS_CHOICES, TASK_STATUS_CHOICES, ItemEvent, Task
from canhgac.remediation.services.forwarding import letter_forward
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

NATIONAL = "651/CATTT-NCSC"  # Microsoft, April 2022: RPC (CVE-2022-26809) and others
PROVINCIAL = "120/STTTT-ATTT"
ISSUER = "Sở Thông tin và Truyền thông tỉnh Thanh Vân"
WORKSTATION = "syt-pc-015"  # SO-YT's Windows 10 21H2 workstation, build 19044.1586
PATCHED_BUILD = "10.0.19044.1645"  # after the April 2022 cumulative update
APRIL_UPDATE = "KB5012599"
StrOrPromise = str | Promise  # a label of a model choice


@pytest.fixture
def demo(browser_world: World) -> World:
    """The committed test province plus the demo province, its inventory matched."""
    demo_load()
    assert WarningLetter.objects.filter(number=NATIONAL).exists()
    return browser_world


def vi(text: str) -> str:
    with translation.override("vi"):
        return translation.gettext(text)


def vi_choice(choices: Sequence[tuple[str, StrOrPromise]], value: str) -> str:
    with translation.override("vi"):
        return str(dict(choices)[value])


def day(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def sign_in(session: Session, username: str) -> None:
    session.login(username, DEMO_PASSWORD)
    session.page.wait_for_url(session.url("/dashboard/"))


def sidebar_link(page: Page, label: str) -> Locator:
    return page.locator("aside.sidebar").get_by_role("link", name=vi(label), exact=True)


def affected_unit_codes(letter: WarningLetter) -> set[str]:
    """The units with an open finding of a CVE the letter cites (what matching proposes)."""
    cves = letter.cves.values_list("vulnerability_id", flat=True)
    return set(
        Finding.objects.filter(
            vulnerability_id__in=list(cves),
            status__in=list(ACTIVE_STATUSES),
            unit__is_active=True,
        ).values_list("unit__code", flat=True)
    )


def forward_in_setup() -> Task:
    """The analyst's forward, done through the service: returns SO-YT's task."""
    analyst = User.objects.get(username="phantich")
    today = clock.today()
    forwarded = letter_forward(
        by=analyst,
        original=WarningLetter.objects.get(number=NATIONAL),
        number=PROVINCIAL,
        issuer=ISSUER,
        issued_on=today,
        due_date=today + timedelta(days=14),
    )
    return next(task for task in forwarded.tasks if task.unit.code == "SO-YT")


def png_file(path: Path) -> Path:
    """A valid 1x1 PNG (signature, IHDR, IDAT, IEND)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1x1, 8-bit RGB
    pixels = zlib.compress(b"\x00\xb7\x1c\x1c")  # filter byte + one red pixel
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )
    return path


def status_badge(page: Page) -> str:
    return page.locator("main .heading-row .badge").inner_text().strip()


def message(page: Page) -> str:
    return page.locator(".messages li").inner_text().strip()


# 1. The DIC's analyst forwards the national letter from its page ------------------------------


def test_analyst_forwards_a_letter_to_the_affected_units(session: Session, demo: World) -> None:
    page = session.page
    sign_in(session, "phantich")
    national = WarningLetter.objects.get(number=NATIONAL)
    expected = affected_unit_codes(national)
    assert "SO-YT" in expected
    assert len(expected) >= 2  # the letter reaches several units of the province

    sidebar_link(page, "Warning letters").click()
    page.wait_for_url(session.url("/advisories/warnings/"))
    assert heading(page) == vi("Warning letters")
    page.get_by_test_id("warning-table").get_by_role("link", name=NATIONAL, exact=True).click()
    page.wait_for_url(session.url(f"/advisories/warnings/{national.pk}/"))
    assert heading(page) == national.title
    assert page.get_by_test_id("cascade").count() == 0  # a national letter has no recipients

    form = page.locator("form", has=page.get_by_test_id("forward-submit"))
    ticked = form.locator("input[name=units]:checked").evaluate_all(
        "boxes => boxes.map(box => box.value)"
    )
    assert set(ticked) == expected
    with translation.override("vi"):
        proposes = translation.ngettext(
            "Matching proposes %(counter)s unit.",
            "Matching proposes %(counter)s units.",
            len(expected),
        ) % {"counter": len(expected)}
    assert page.get_by_test_id("proposed-units").inner_text().strip() == proposes
    session.screenshot("remediation-forward-form-vi")

    today = clock.today()
    due = today + timedelta(days=14)
    form.locator("input[name=number]").fill(PROVINCIAL)
    form.locator("input[name=issuer]").fill(ISSUER)
    form.locator("input[name=issued_on]").fill(day(today))
    form.locator("input[name=due_date]").fill(day(due))
    with page.expect_navigation():
        page.get_by_test_id("forward-submit").click()

    letter = WarningLetter.objects.get(number=PROVINCIAL)
    assert session.path() == f"/advisories/warnings/{letter.pk}/"
    assert letter.forwarded_from_id == national.pk
    assert (letter.issuer, letter.issued_on, letter.due_date) == (ISSUER, today, due)
    tasks = list(Task.objects.filter(letter=letter).order_by("unit__path"))
    assert {task.unit.code for task in tasks} == expected

    cascade = page.get_by_test_id("cascade-table")
    rows = cascade.locator("tbody tr")
    assert rows.count() == len(expected)
    assert [row.get_attribute("data-unit") for row in rows.all()] == [
        task.unit.code for task in tasks
    ]
    statuses = rows.locator("td:nth-child(3)").all_inner_texts()
    assert [text.strip() for text in statuses] == [vi("Not acknowledged")] * len(tasks)
    why = rows.locator("td:nth-child(2)").all_inner_texts()
    assert [text.strip() for text in why] == [vi("affected when forwarded")] * len(tasks)
    health = next(task for task in tasks if task.unit.code == "SO-YT")
    link = cascade.locator("tr[data-unit='SO-YT'] td:first-child a")
    assert link.inner_text().strip() == health.unit.name
    assert link.get_attribute("href") == f"/remediation/tasks/{health.pk}/"
    # the earliest due date of the unit's findings may come before the letter's: it says why
    due_cell = cascade.locator("tr[data-unit='SO-YT'] td:last-child").inner_text().splitlines()
    assert health.due_date is not None
    assert due_cell[0].strip() == day(health.due_date)
    with translation.override("vi"):
        assert due_cell[1].strip() == due_reason(health.due_reason)
    session.screenshot("remediation-cascade-vi")
    assert_clean(session)


# 2. The unit officer's path, end to end ------------------------------------------------------


def test_unit_officer_acknowledges_declares_and_sees_the_fix_verified(
    session: Session, demo: World, tmp_path: Path
) -> None:
    page = session.page
    task = forward_in_setup()
    item = task.items.get()  # SO-YT has one affected host
    asset = Asset.objects.get(key=WORKSTATION)
    assert item.asset_id == asset.pk
    assert item.verification == Verification.MATCHED
    officer = User.objects.get(username="yte.canbo")
    notification = Notification.objects.get(
        kind="remediation.task_opened", unit__code="SO-YT", subject__contains=PROVINCIAL
    )

    # Told: the bell counts the unread notifications, the inbox has the letter's.
    sign_in(session, "yte.canbo")
    unread = inbox_unread_count(user=officer)
    assert unread >= 1
    assert page.get_by_test_id("bell-count").inner_text().strip() == str(unread)
    page.get_by_test_id("bell").click()
    page.wait_for_url(session.url("/notifications/"))
    entry = page.locator("article[data-entry]", has_text=notification.subject)
    assert entry.count() == 1
    assert entry.locator("header strong").inner_text().strip() == notification.subject
    assert entry.locator(".badge.bad").inner_text().strip() == vi("Unread")
    assert entry.get_by_test_id("notification-link").get_attribute("href") == (
        f"/remediation/tasks/{task.pk}/"
    )
    session.screenshot("remediation-officer-inbox-vi")

    # The task list shows SO-YT's task only (every recipient has one).
    sidebar_link(page, "Remediation tasks").click()
    page.wait_for_url(session.url("/remediation/tasks/"))
    assert heading(page) == vi("Remediation tasks")
    assert Task.objects.filter(letter=task.letter).count() >= 2
    mine = set(Task.objects.filter(unit__code="SO-YT").values_list("pk", flat=True))
    rows = page.get_by_test_id("task-table").locator("tbody tr[data-task]")
    assert {int(row.get_attribute("data-task") or 0) for row in rows.all()} == mine
    row = page.locator(f"tr[data-task='{task.pk}']")
    assert row.locator("td:nth-child(2)").inner_text().strip() == task.unit.name
    assert row.locator("td:nth-child(3) .badge").inner_text().strip() == vi("Not acknowledged")
    session.screenshot("remediation-task-list-vi")

    row.get_by_test_id("task-link").click()
    page.wait_for_url(session.url(f"/remediation/tasks/{task.pk}/"))
    assert heading(page) == task.letter.title
    assert status_badge(page) == vi("Not acknowledged")
    line = page.locator(f"tr[data-item='{item.pk}']")
    assert line.locator("td:nth-child(2)").inner_text().strip() == item.asset_name
    assert line.get_by_test_id("declared").inner_text().strip() == vi("Not reviewed")
    assert line.get_by_test_id("verification").inner_text().strip() == vi("Still matched")
    session.screenshot("remediation-task-new-vi")

    # Acknowledge.
    with page.expect_navigation():
        page.get_by_test_id("acknowledge").click()
    assert message(page) == vi("The letter has been acknowledged.")
    assert page.get_by_test_id("acknowledge").count() == 0
    task.refresh_from_db()
    assert task.acknowledged_at is not None
    assert task.acknowledged_by == officer
    assert task.status == TaskStatus.IN_PROGRESS
    assert status_badge(page) == vi("In progress")

    # "Not fixed" without a reason: the error is on the reason field, nothing is declared.
    plan = clock.today() + timedelta(days=10)
    form = page.get_by_test_id("declare-form")
    form.locator(f"tr[data-item='{item.pk}'] input[name=item]").check()
    form.locator("select[name=status]").select_option(ItemStatus.NOT_FIXED.value)
    form.locator("input[name=plan_date]").fill(day(plan))
    with page.expect_navigation() as navigation:
        page.get_by_test_id("declare-submit").click()
    assert navigation.value is not None
    assert navigation.value.status == 422
    reason_error = form.locator("label:has(textarea[name=reason]) small.error")
    assert reason_error.inner_text().strip() == vi("A reason is required for this status.")
    assert form.locator("small.error").count() == 1  # on the reason field only
    # what the officer entered is kept, the host is still ticked
    assert form.locator("select[name=status]").input_value() == ItemStatus.NOT_FIXED.value
    assert form.locator("input[name=plan_date]").input_value() == day(plan)
    assert form.locator(f"tr[data-item='{item.pk}'] input[name=item]").is_checked()
    item.refresh_from_db()
    assert item.status == ItemStatus.NOT_REVIEWED
    assert not ItemEvent.objects.filter(item=item, kind=ItemEvent.Kind.DECLARED).exists()
    session.screenshot("remediation-declare-error-vi")
    session.failed_responses.clear()  # the 422 above is the expected answer
    session.console_errors.clear()

    # With a reason and a plan date.
    form.locator("textarea[name=reason]").fill("Chờ lịch bảo trì cuối tuần để khởi động lại")
    with page.expect_navigation():
        page.get_by_test_id("declare-submit").click()
    with translation.override("vi"):
        declared = translation.ngettext(
            "%(count)d host declared.", "%(count)d hosts declared.", 1
        ) % {"count": 1}
    assert message(page) == declared
    item.refresh_from_db()
    assert (item.status, item.plan_date) == (ItemStatus.NOT_FIXED, plan)
    cell = page.locator(f"tr[data-item='{item.pk}']").get_by_test_id("declared")
    cell_text = cell.inner_text()
    assert cell_text.splitlines()[0].strip() == vi_choice(ITEM_STATUS_CHOICES, "not_fixed")
    assert "Chờ lịch bảo trì cuối tuần để khởi động lại" in cell_text
    assert f"{vi('planned')} {day(plan)}" in cell_text
    session.screenshot("remediation-declared-not-fixed-vi")

    # Evidence: a screenshot of Windows Update, attached to the host.
    picture = png_file(tmp_path / "windows-update-syt-pc-015.png")
    evidence_form = page.get_by_test_id("evidence-form")
    evidence_form.locator("input[name=file]").set_input_files(picture)
    evidence_form.locator("select[name=item]").select_option(str(item.pk))
    evidence_form.locator("input[name=note]").fill("Ảnh chụp màn hình Windows Update")
    with page.expect_navigation():
        page.get_by_test_id("evidence-submit").click()
    assert message(page) == vi("The file has been attached.")
    attached = page.get_by_test_id("evidence").locator("ul li")
    assert attached.count() == 1
    link = attached.get_by_role("link", name=picture.name, exact=True)
    assert item.asset_name in attached.inner_text()
    download = page.request.get(session.url(link.get_attribute("href") or ""))
    assert download.status == 200
    assert download.body() == picture.read_bytes()
    evidence = task.evidence.get()
    assert (evidence.name, evidence.item_id, evidence.content_type) == (
        picture.name,
        item.pk,
        "image/png",
    )

    # Declared patched while matching still sees the CVE: the line is highlighted.
    form.locator(f"tr[data-item='{item.pk}'] input[name=item]").check()
    form.locator("select[name=status]").select_option(ItemStatus.PATCHED.value)
    with page.expect_navigation():
        page.get_by_test_id("declare-submit").click()
    assert message(page) == declared
    line = page.locator(f"tr[data-item='{item.pk}']")
    claim = line.get_by_test_id("unverified-claim")
    assert claim.is_visible()
    assert claim.inner_text().strip() == vi("Declared, not verified")
    assert "flagged" in (line.get_attribute("class") or "")
    highlight = line.locator("td").last.evaluate("cell => getComputedStyle(cell).backgroundColor")
    assert highlight == "rgb(255, 247, 214)"  # the whole line is highlighted, not only the badge
    item.refresh_from_db()
    assert (item.status, item.verification) == (ItemStatus.PATCHED, Verification.MATCHED)
    assert item.plan_date is None
    session.screenshot("remediation-unverified-claim-vi")

    # The April update reaches the inventory; matching no longer finds the CVE on the host.
    asset.os_build = PATCHED_BUILD
    asset.save(update_fields=["os_build"])
    now = clock.now()
    InstalledUpdate.objects.create(
        asset=asset,
        source="host-json",
        kb=APRIL_UPDATE,
        installed_on=date(2022, 4, 13),
        first_seen=now,
        last_seen=now,
    )
    exposure_match(by=SystemActor("test"), full=True)
    item.refresh_from_db()
    assert item.verification == Verification.VERIFIED

    page.reload()
    line = page.locator(f"tr[data-item='{item.pk}']")
    verification = line.get_by_test_id("verification")
    assert verification.locator(".badge").first.inner_text().strip() == vi("Verified")
    assert line.get_by_test_id("unverified-claim").count() == 0
    assert "flagged" not in (line.get_attribute("class") or "")
    fixed = line.locator("s code")
    assert fixed.all_inner_texts() == item.fixed == ["CVE-2022-26809"]
    struck = fixed.first.evaluate("code => getComputedStyle(code).textDecorationLine")
    assert struck == "line-through"  # visibly struck through, not only in the markup
    session.screenshot("remediation-verified-vi")

    # The review is complete: every host is settled, so the task is done.
    with page.expect_navigation():
        page.get_by_test_id("review-submit").click()
    assert message(page) == vi("The review has been declared complete.")
    task.refresh_from_db()
    assert task.reviewed_at is not None
    assert task.status == TaskStatus.DONE
    assert status_badge(page) == vi_choice(TASK_STATUS_CHOICES, task.status) == vi("Done")
    history = page.get_by_test_id("task-history").locator("tbody tr")
    assert history.count() == ItemEvent.objects.filter(item__task=task).count()
    session.screenshot("remediation-task-done-vi")

    # The same page on a phone.
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert status_badge(page) == vi("Done")
    session.screenshot("remediation-task-done-mobile-vi")
    assert_clean(session)


# 3. A user of another unit cannot open SO-YT's task -------------------------------------------


def test_a_user_of_another_unit_gets_not_found(session: Session, demo: World) -> None:
    page = session.page
    task = forward_in_setup()
    hospital = Unit.objects.get(code="BV-DK")
    denials = AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED).count()
    sign_in(session, "benhvien.canbo")

    response = page.goto(session.url(f"/remediation/tasks/{task.pk}/"))
    assert response is not None
    assert response.status == 404
    assert heading(page) == vi("Not found")
    main = page.locator("main").inner_text()
    assert task.unit.name not in main
    assert task.letter.title not in main
    assert AuditEvent.objects.filter(action=AuditAction.ACCESS_DENIED).count() == denials + 1
    session.screenshot("remediation-other-unit-404-vi")

    # Its own list has its own task only.
    page.goto(session.url("/remediation/tasks/"))
    rows = page.get_by_test_id("task-table").locator("tbody tr[data-task]")
    own = Task.objects.get(letter=task.letter, unit=hospital)
    assert [int(row.get_attribute("data-task") or 0) for row in rows.all()] == [own.pk]
    with translation.override("vi"):
        count = translation.ngettext("%(counter)s task", "%(counter)s tasks", 1) % {"counter": 1}
    assert page.get_by_test_id("task-count").inner_text().strip() == count


# 4. The campaign: the analyst creates it, the officer answers, the analyst reports it ----------


def test_campaign_readiness_from_creation_to_the_report(
    session: Session, demo: World, tmp_path: Path
) -> None:
    page = session.page
    forward_in_setup()
    sign_in(session, "phantich")
    sidebar_link(page, "Campaigns").click()
    page.wait_for_url(session.url("/remediation/campaigns/"))
    page.get_by_test_id("campaign-new").click()
    form = page.get_by_test_id("campaign-form")
    start = clock.today() + timedelta(days=20)
    form.locator("input[name=code]").fill("le-30-4")
    form.locator("input[name=name]").fill("Lễ 30/4 - 1/5")
    form.locator("input[name=starts_on]").fill(day(start))
    form.locator("input[name=ends_on]").fill(day(start + timedelta(days=4)))
    form.locator(f"input[name=letters][value='{NATIONAL}']").check()
    with page.expect_navigation():
        page.get_by_test_id("campaign-submit").click()
    assert session.path() == "/remediation/campaigns/le-30-4/"
    board = page.get_by_test_id("campaign-board")
    rows = board.locator("tbody tr[data-unit]")
    in_scope = Unit.objects.filter(is_active=True, parent__isnull=False).exclude(
        kind__in=["service_provider", "assessor", "national_body", "isp"]
    )
    assert rows.count() == in_scope.count()
    assert page.get_by_test_id("checklist-legend").is_visible()

    # the health department's officer answers two items of its checklist
    page.context.clear_cookies()  # signed out
    sign_in(session, "yte.canbo")
    page.goto(session.url("/remediation/campaigns/le-30-4/units/SO-YT/"))
    assert heading(page) == Unit.objects.get(code="SO-YT").name
    for key, note in (("backups_checked", "Biên bản 12/BB"), ("malware_sweep", "")):
        row = page.locator(f"tr[data-check='{key}']")
        row.locator("input[name=done]").check()
        row.locator("input[name=note]").fill(note)
        with page.expect_navigation():
            page.get_by_test_id(f"answer-{key}").click()
        assert message(page) == vi("Saved.")
    # SO-YT's workstation still lacks the April update: "named warnings fixed" is not done
    assert page.get_by_test_id("unit-readiness").inner_text().strip() == "33%"
    session.screenshot("remediation-campaign-unit-vi")

    # the analyst sees it on the board and downloads the report for the committee
    page.context.clear_cookies()
    sign_in(session, "phantich")
    page.goto(session.url("/remediation/campaigns/le-30-4/"))
    health = page.locator("tr[data-unit='SO-YT'] [data-testid=readiness]")
    assert health.inner_text().strip().startswith("33%")
    session.screenshot("remediation-campaign-board-vi")
    with page.expect_download() as download:
        page.get_by_test_id("campaign-report-pdf").click()
    path = tmp_path / "campaign.pdf"
    download.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF")
    assert download.value.suggested_filename.endswith(".pdf")
