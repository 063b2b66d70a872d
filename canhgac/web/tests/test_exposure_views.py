"""The exposure pages: dashboard, findings list and filters, detail, triage, "match now".

`inventory_world` holds one finding on an asset of A (dvc-web01) and one of B (hsba-app), both
CVE-2022-22965 (cited by the warning letter 7/CATTT-NCSC); the tests add more in A.
Expected texts go through gettext in Vietnamese, so they hold before and after translation.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from django.utils.html import escape

from canhgac.accounts.models import Unit, User
from canhgac.accounts.tests.world import World
from canhgac.advisories.models import Vulnerability
from canhgac.audit.enums import AuditAction
from canhgac.audit.models import AuditEvent
from canhgac.core import clock
from canhgac.core.exceptions import ValidationError
from canhgac.exposure.explanations import due_reason, priority_factor, rule_name, sentences
from canhgac.exposure.models import Finding, FindingEvent, MatchRun, TriageDecision
from canhgac.inventory.models import Asset

WEB01 = "dvc-web01.example.gov.vn"
MAIL01 = "mail01.example.gov.vn"


def vi(text: Callable[[], str]) -> str:
    """A text as the Vietnamese page shows it (HTML-escaped)."""
    with translation.override("vi"):
        return escape(text())


def _user(role: str) -> User:
    return User.objects.get(username=role)


def add_finding(asset_key: str, cve_id: str, ref: int, **values: Any) -> Finding:
    asset = Asset.objects.get(key=asset_key)
    now = clock.now()
    fields: dict[str, Any] = {
        "unit": asset.unit,
        "asset": asset,
        "vulnerability": Vulnerability.objects.get(cve_id=cve_id),
        "kind": "component",
        "ref": ref,
        "matched_name": "spring-beans",
        "matched_version": "5.3.17",
        "state": "affected",
        "confidence": 90,
        "rule": "cpe",
        "source": "nvd",
        "explanation": [{"code": "version_in_range", "version": "5.3.17", "range": "< 5.3.18"}],
        "priority": "P2",
        "priority_score": 55.0,
        "priority_formula": "2026.1",
        "first_seen": now,
        "last_seen": now,
        "updated_at": now,
        **values,
    }
    return Finding.objects.create(**fields)


def listed(client: Client, url: str) -> list[int]:
    response = client.get(url)
    assert response.status_code == 200, url
    return [int(pk) for pk in re.findall(r'data-finding="(\d+)"', response.content.decode())]


@pytest.fixture
def findings(inventory_world: World) -> dict[str, Finding]:
    """The two findings of the fixture and three more in A (one closed, one overdue)."""
    today = clock.today()
    Vulnerability.objects.update(kev_date_added=None)  # the NVD sample lists Spring4Shell in KEV
    Vulnerability.objects.filter(cve_id="CVE-2017-5638").update(kev_date_added=today)
    return {
        "a": Finding.objects.get(asset__key=WEB01),
        "b": Finding.objects.get(asset__key="hsba-app"),
        "fixed": add_finding(
            WEB01, "CVE-2024-3400", 1, status="fixed", priority="P1", priority_score=90.0
        ),
        "potential": add_finding(
            MAIL01,
            "CVE-2017-5638",
            2,
            state="potential",
            priority="P3",
            priority_score=35.0,
            due_date=today - timedelta(days=3),
        ),
        "remediating": add_finding(
            WEB01,
            "CVE-2017-5638",
            3,
            status="in_remediation",
            due_date=today + timedelta(days=10),
        ),
    }


# --- The list and its filters -----------------------------------------------------------------


def test_filters_narrow_the_list(findings: dict[str, Finding], client: Client) -> None:
    client.force_login(_user("unit_officer"))
    ids = {name: finding.pk for name, finding in findings.items()}

    def names(url: str) -> list[str]:
        by_id = {pk: name for name, pk in ids.items()}
        return [by_id[pk] for pk in listed(client, url)]

    # No parameter: the active findings (B's is outside the officer's unit), by priority score.
    assert names("/exposure/findings/") == ["a", "remediating", "potential"]
    assert names("/exposure/findings/?status=") == ["fixed", "a", "remediating", "potential"]
    assert names("/exposure/findings/?status=fixed") == ["fixed"]
    assert names("/exposure/findings/?status=in_remediation") == ["remediating"]
    assert names("/exposure/findings/?status=&state=potential") == ["potential"]
    assert names("/exposure/findings/?status=active&min_priority=P2") == ["a", "remediating"]
    assert names("/exposure/findings/?status=&min_priority=P1") == ["fixed", "a"]
    assert names("/exposure/findings/?status=active&kev=on") == ["remediating", "potential"]
    assert names("/exposure/findings/?status=active&warned=on") == ["a"]
    assert names("/exposure/findings/?overdue=on") == ["potential"]
    assert names("/exposure/findings/?status=&cve=cve-2017-5638") == ["remediating", "potential"]
    assert names(f"/exposure/findings/?status=&asset={WEB01}") == ["fixed", "a", "remediating"]
    assert names("/exposure/findings/?status=&system=QLVB") == ["potential"]
    assert names("/exposure/findings/?unit=A&status=active&kev=on&state=affected") == [
        "remediating"
    ]
    # A unit outside the officer's scope is not a choice: an error, and nothing listed.
    refused = client.get("/exposure/findings/?unit=B")
    assert refused.status_code == 200
    assert 'class="error"' in refused.content.decode()
    assert names("/exposure/findings/?unit=B") == []


def test_province_roles_filter_by_unit(findings: dict[str, Finding], client: Client) -> None:
    client.force_login(_user("province_analyst"))
    assert listed(client, "/exposure/findings/?unit=B&status=active") == [findings["b"].pk]
    assert len(listed(client, "/exposure/findings/")) == 4
    # The root unit's filter covers its sub-units.
    assert len(listed(client, "/exposure/findings/?unit=ROOT&status=")) == 5


def test_rows_show_the_due_date_and_flag_overdue_ones(
    findings: dict[str, Finding], client: Client
) -> None:
    client.force_login(_user("unit_officer"))
    page = client.get("/exposure/findings/").content.decode()
    rows = dict(re.findall(r'<tr data-finding="(\d+)">(.*?)</tr>', page, re.S))
    overdue = findings["potential"].due_date
    future = findings["remediating"].due_date
    assert overdue is not None
    assert future is not None
    assert 'class="overdue"' in rows[str(findings["potential"].pk)]
    assert overdue.strftime("%d/%m/%Y") in rows[str(findings["potential"].pk)]
    assert "overdue" not in rows[str(findings["remediating"].pk)]
    assert future.strftime("%d/%m/%Y") in rows[str(findings["remediating"].pk)]
    assert f'href="/inventory/assets/{findings["a"].asset_id}/"' in rows[str(findings["a"].pk)]
    assert f'href="/exposure/findings/{findings["a"].pk}/"' in rows[str(findings["a"].pk)]


def test_the_list_keeps_a_constant_number_of_queries(
    findings: dict[str, Finding], client: Client
) -> None:
    client.force_login(_user("province_admin"))

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/exposure/findings/?status=").status_code == 200
        return len(queries)

    before = count()
    for ref in range(100, 140):  # more rows on other assets, units and systems
        add_finding(WEB01 if ref % 2 else "hsba-app", "CVE-2024-3400", ref)
    assert Finding.objects.count() == 45
    assert count() == before


def test_the_pages_of_the_default_list_stay_active(
    findings: dict[str, Finding], client: Client
) -> None:
    for ref in range(100, 150):
        add_finding(WEB01, "CVE-2024-3400", ref)
    client.force_login(_user("unit_officer"))
    first = listed(client, "/exposure/findings/")
    second = listed(client, "/exposure/findings/?page=2")
    assert (len(first), len(second)) == (50, 3)  # 53 active in A; the fixed one on neither
    assert findings["fixed"].pk not in first + second
    page = client.get("/exposure/findings/").content.decode()
    assert 'href="?page=2"' in page


def test_the_dashboard_has_bounded_queries(findings: dict[str, Finding], client: Client) -> None:
    client.force_login(_user("province_admin"))
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/exposure/").status_code == 200
    assert len(queries) <= 20, [query["sql"] for query in queries]


# --- Triage -----------------------------------------------------------------------------------


def test_bulk_triage_sets_statuses_and_records_decisions(
    findings: dict[str, Finding], client: Client
) -> None:
    client.force_login(_user("unit_manager"))
    chosen = [findings["a"], findings["potential"]]
    response = client.post(
        "/exposure/findings/triage/?unit=A&status=active",
        {
            "finding": [str(finding.pk) for finding in chosen],
            "status": "false_positive",
            "reason": "Máy chủ không chạy Spring MVC",
            "any_version": "on",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/exposure/findings/?unit=A&status=active"
    for finding in chosen:
        finding.refresh_from_db()
        assert finding.status == "false_positive"
        assert finding.decision is not None
        assert (finding.decision.scope, finding.decision.decided_by) == (
            "any_version",
            "unit_manager",
        )
    assert TriageDecision.objects.count() == 2
    assert FindingEvent.objects.filter(kind="triaged").count() == 2
    assert AuditEvent.objects.filter(action=AuditAction.FINDING_TRIAGED).count() == 2
    # the others did not move
    findings["remediating"].refresh_from_db()
    assert findings["remediating"].status == "in_remediation"
    page = client.get(response["Location"]).content.decode()
    with translation.override("vi"):
        message = translation.ngettext(
            "%(count)d finding updated.", "%(count)d findings updated.", 2
        ) % {"count": 2}
    assert message in page
    # the two are no longer active: the list shows the remaining one
    assert listed(client, "/exposure/findings/?unit=A&status=active") == [
        findings["remediating"].pk
    ]


def _nothing_changed(findings: dict[str, Finding]) -> None:
    for finding in findings.values():
        stored = Finding.objects.get(pk=finding.pk)
        assert (stored.status, stored.decision_id) == (finding.status, None)
    assert TriageDecision.objects.count() == 0
    assert FindingEvent.objects.count() == 0


def test_invalid_triage_shows_the_error_and_changes_nothing(
    findings: dict[str, Finding], client: Client
) -> None:
    client.force_login(_user("unit_manager"))
    a = findings["a"]
    justification = vi(lambda: translation.gettext("“Not affected” needs a justification."))
    detail = client.post(
        f"/exposure/findings/{a.pk}/triage/", {"status": "not_affected", "reason": "Không dùng"}
    )
    assert detail.status_code == 422
    assert justification in detail.content.decode()
    assert 'data-testid="finding-reasons"' in detail.content.decode()  # still the detail page

    bulk = client.post(
        "/exposure/findings/triage/?status=active",
        {"finding": [str(a.pk)], "status": "not_affected", "reason": "Không dùng"},
    )
    assert bulk.status_code == 422
    page = bulk.content.decode()
    assert justification in page
    assert f'value="{a.pk}" aria-label' in page  # the ticked row stays ticked
    assert re.search(rf'value="{a.pk}"[^>]*checked', page)

    past = client.post(
        f"/exposure/findings/{a.pk}/triage/",
        {"status": "accepted_risk", "reason": "Sắp thay thế", "until": "01/01/2020"},
    )
    assert past.status_code == 422
    assert (
        vi(lambda: translation.gettext("The end date of an accepted risk must be in the future."))
        in past.content.decode()
    )

    nothing = client.post("/exposure/findings/triage/", {"status": "open", "reason": "x"})
    assert nothing.status_code == 422
    assert vi(lambda: translation.gettext("Tick at least one finding.")) in nothing.content.decode()
    _nothing_changed(findings)


def test_a_refusal_of_the_service_is_shown(
    findings: dict[str, Finding], client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(**_kwargs: Any) -> None:
        raise ValidationError("the reason is longer than 4000 characters")

    monkeypatch.setattr("canhgac.web.exposure_views.findings_triage", refuse)
    client.force_login(_user("unit_officer"))
    a = findings["a"]
    for path, data in (
        (f"/exposure/findings/{a.pk}/triage/", {}),
        ("/exposure/findings/triage/", {"finding": [str(a.pk)]}),
    ):
        response = client.post(path, {"status": "mitigated", "reason": "WAF", **data})
        assert response.status_code == 422
        assert "the reason is longer than 4000 characters" in response.content.decode()
    _nothing_changed(findings)


def test_triage_from_the_detail_page(findings: dict[str, Finding], client: Client) -> None:
    client.force_login(_user("unit_manager"))
    a = findings["a"]
    response = client.post(
        f"/exposure/findings/{a.pk}/triage/",
        {
            "status": "not_affected",
            "reason": "Ứng dụng không dùng Spring MVC",
            "justification": "vulnerable_code_not_in_execute_path",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/exposure/findings/{a.pk}/"
    a.refresh_from_db()
    assert a.status == "not_affected"
    page = client.get(response["Location"]).content.decode()
    assert vi(lambda: translation.gettext("The decision has been recorded.")) in page
    decision = page.split('data-testid="finding-decision"')[1].split("</article>")[0]
    assert "Ứng dụng không dùng Spring MVC" in decision
    assert vi(lambda: translation.gettext("Vulnerable code not in execute path")) in decision
    history = page.split('data-testid="finding-history"')[1].split("</article>")[0]
    assert vi(lambda: translation.gettext("Triaged")) in history
    assert "unit_manager" in history


@pytest.mark.parametrize(
    ("role", "form", "risk"),
    [
        ("unit_manager", True, True),
        ("unit_officer", True, False),
        ("duty_officer", False, False),
        ("provider_analyst", False, False),
    ],
)
def test_the_triage_forms_follow_the_permissions(
    findings: dict[str, Finding], client: Client, role: str, form: bool, risk: bool
) -> None:
    client.force_login(_user(role))
    detail = client.get(f"/exposure/findings/{findings['a'].pk}/").content.decode()
    assert ('data-testid="finding-triage"' in detail) is form
    assert ('<option value="accepted_risk"' in detail) is risk
    page = client.get("/exposure/findings/").content.decode()
    assert ('data-testid="bulk-triage"' in page) is form
    assert ('name="finding"' in page) is form


# --- The detail page ---------------------------------------------------------------------------


def test_the_detail_explains_the_finding_and_its_priority(
    findings: dict[str, Finding], client: Client
) -> None:
    a = findings["a"]
    a.explanation = [
        {"code": "cpe_mapped", "cpe": "cpe:2.3:a:vmware:spring_framework:5.3.17", "criterion": "x"},
        {"code": "version_in_range", "version": "5.3.17", "range": "< 5.3.18"},
    ]
    a.priority_breakdown = [
        {"factor": "cvss", "value": "9.8", "points": 39.2},
        {"factor": "warning", "value": "7/CATTT-NCSC", "points": 15.0},
        {"factor": "internet", "value": "yes", "points": 10.0},
        {"factor": "criticality", "value": "critical", "points": 10.0},
    ]
    a.priority_score, a.priority = 74.2, "P1"
    a.due_date, a.due_reason = clock.today() - timedelta(days=1), "warning:7/CATTT-NCSC"
    a.save()
    client.force_login(_user("unit_officer"))
    page = client.get(f"/exposure/findings/{a.pk}/").content.decode()

    why = page.split('data-testid="finding-reasons"')[1].split("</ol>")[0]
    for sentence in vi(lambda: "\n".join(sentences(a.explanation))).split("\n"):
        assert f"<li>{sentence}</li>" in why
    assert vi(lambda: rule_name("cpe")) in page
    breakdown = page.split('data-testid="priority-breakdown"')[1].split("</article>")[0]
    for factor in ("cvss", "warning", "internet", "criticality"):
        assert vi(lambda factor=factor: priority_factor(factor)) in breakdown  # type: ignore[misc]
    for points in ("39,2", "15,0", "10,0", "74,2"):  # Vietnamese decimal comma
        assert points in breakdown
    assert "2026.1" in breakdown
    assert vi(lambda: translation.gettext("Critical")) in breakdown  # the criticality, in words
    due = page.split('data-testid="finding-due"')[1].split("</dd>")[0]
    assert a.due_date is not None
    assert a.due_date.strftime("%d/%m/%Y") in due
    assert 'class="overdue"' in due
    assert vi(lambda: due_reason("warning:7/CATTT-NCSC")) in due
    assert "Máy chủ web cổng DVC" in page
    assert "Cổng dịch vụ công tỉnh" in page  # the information system


def test_the_detail_lists_sources_and_history(findings: dict[str, Finding], client: Client) -> None:
    a = findings["a"]
    now = clock.now()
    a.sources.create(source="nvd", active=True, first_seen=now, last_seen=now)
    a.sources.create(source="nessus", active=False, first_seen=now, last_seen=now)
    a.events.create(at=now, kind="opened", to_status="open", actor="system:exposure")
    client.force_login(_user("auditor_unit"))
    page = client.get(f"/exposure/findings/{a.pk}/").content.decode()
    sources = page.split('data-testid="finding-sources"')[1].split("</article>")[0]
    assert "<code>nessus</code>" in sources
    assert "<code>nvd</code>" in sources
    history = page.split('data-testid="finding-history"')[1].split("</article>")[0]
    assert clock.to_local(now).strftime("%d/%m/%Y %H:%M") in history  # Asia/Ho_Chi_Minh
    assert "system:exposure" in history
    assert vi(lambda: translation.gettext("Found")) in history


# --- Dashboard and matching --------------------------------------------------------------------


def test_the_dashboard_counts_the_users_units(findings: dict[str, Finding], client: Client) -> None:
    Finding.objects.filter(pk=findings["b"].pk).update(due_date=clock.today() - timedelta(days=1))
    client.force_login(_user("unit_officer"))
    page = client.get("/exposure/").content.decode()

    def tile(name: str) -> str:
        match = re.search(rf'data-testid="tile-{name}"><span class="number">(\d+)<', page)
        assert match is not None, name
        return match.group(1)

    assert tile("active") == "3"
    assert (tile("affected"), tile("potential")) == ("2", "1")
    assert (tile("p1"), tile("p2"), tile("p3"), tile("p4")) == ("1", "1", "1", "0")
    assert (tile("kev"), tile("warned"), tile("overdue")) == ("2", "1", "1")
    assert (tile("closed"), tile("decided"), tile("assets"), tile("vulnerabilities")) == (
        "1",
        "0",
        "2",
        "2",
    )
    units = page.split('data-testid="unit-exposure"')[1].split("</table>")[0]
    assert 'href="/exposure/findings/?unit=A&amp;status=active"' in units
    assert "Unit B" not in units
    top = page.split('data-testid="top-vulnerabilities"')[1].split("</table>")[0]
    assert 'href="/exposure/findings/?cve=CVE-2017-5638&amp;status=active"' in top
    assert 'href="/advisories/CVE-2017-5638/"' in top

    client.force_login(_user("province_admin"))
    page = client.get("/exposure/").content.decode()
    units = page.split('data-testid="unit-exposure"')[1].split("</table>")[0]
    row_b = units.split("?unit=B&amp;status=active")[1].split("</tr>")[0]
    assert "overdue-cell" in row_b


def test_match_now_enqueues_the_matching_task(
    inventory_world: World,
    client: Client,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    client.force_login(_user("province_analyst"))
    with django_capture_on_commit_callbacks(execute=True) as queued:
        response = client.post("/exposure/match/", {"full": "on"})
    assert response.status_code == 302
    assert response["Location"] == "/exposure/"
    assert len(queued) == 1
    run = MatchRun.objects.get()  # the task ran (tests run Huey immediately)
    assert (run.scope, run.full, run.status) == ("all", True, "ok")
    page = client.get("/exposure/").content.decode()
    assert vi(lambda: translation.gettext("Matching of every unit has been queued.")) in page
    runs = page.split('data-testid="match-runs"')[1].split("</table>")[0]
    assert clock.local_date(run.started_at).strftime("%d/%m/%Y") in runs

    client.force_login(_user("unit_officer"))
    with django_capture_on_commit_callbacks(execute=True) as queued:
        response = client.post("/exposure/match/", {"unit": "A"})
    assert response.status_code == 302
    assert len(queued) == 1
    assert MatchRun.objects.filter(scope="unit:A", full=True).count() == 1  # the first of A


def test_the_match_form_offers_what_the_user_may_match(
    inventory_world: World, client: Client
) -> None:
    def options(role: str) -> list[str] | None:
        client.force_login(_user(role))
        page = client.get("/exposure/").content.decode()
        if 'data-testid="match-now"' not in page:
            return None
        form = page.split('data-testid="match-now"')[1].split("</form>")[0]
        return re.findall(r'<option value="([^"]*)"', form)

    every = list(Unit.objects.order_by("path").values_list("code", flat=True))
    assert options("province_analyst") == ["", *every]  # "" = every unit
    assert options("unit_manager") == ["A", "A1"]
    assert options("unit_officer") == ["A"]
    assert options("duty_officer") is None
    assert options("auditor_province") is None


def test_the_runs_shown_are_those_of_the_users_units(
    inventory_world: World, client: Client
) -> None:
    now = clock.now()
    for scope in ("all", "unit:A", "unit:B", "unit:A1 assets:2"):
        MatchRun.objects.create(scope=scope, status="ok", started_at=now, counts={"new": 1})
    client.force_login(_user("unit_manager"))
    runs = client.get("/exposure/").content.decode().split('data-testid="match-runs"')[1]
    runs = runs.split("</table>")[0]
    assert "unit:A<" in runs
    assert "unit:A1 assets:2" in runs
    assert "unit:B" not in runs
    assert vi(lambda: translation.gettext("All units")) in runs


# --- Navigation and the other pages ------------------------------------------------------------


def test_navigation_opens_the_exposure_pages(inventory_world: World, client: Client) -> None:
    client.force_login(_user("duty_officer"))
    page = client.get("/exposure/findings/").content.decode()
    sidebar = page.split('<aside class="sidebar">')[1].split("</aside>")[0]
    assert '<a href="/exposure/" >' in sidebar
    assert '<a href="/exposure/findings/" aria-current="page">' in sidebar
    coming = sidebar.split('class="coming"')[1]
    assert vi(lambda: translation.gettext("Exposure")) not in coming
    dashboard = client.get("/exposure/").content.decode()
    assert '<a href="/exposure/" aria-current="page">' in dashboard


def test_asset_and_vulnerability_pages_link_the_findings(
    findings: dict[str, Finding], client: Client
) -> None:
    client.force_login(_user("unit_officer"))
    asset = findings["a"].asset
    page = client.get(f"/inventory/assets/{asset.pk}/").content.decode()
    section = page.split('data-testid="asset-findings"')[1].split("</article>")[0]
    active = [findings["a"], findings["remediating"]]  # the fixed one is not listed
    assert re.findall(r'href="/exposure/findings/(\d+)/"', section) == [
        str(finding.pk) for finding in active
    ]
    vulnerability = client.get("/advisories/CVE-2022-22965/").content.decode()
    line = vulnerability.split('data-testid="vulnerability-findings"')[1].split("</p>")[0]
    assert 'href="/exposure/findings/?cve=CVE-2022-22965&amp;status=active"' in line
    assert ">1 " in line
    client.force_login(_user("province_admin"))
    vulnerability = client.get("/advisories/CVE-2022-22965/").content.decode()
    line = vulnerability.split('data-testid="vulnerability-findings"')[1].split("</p>")[0]
    assert ">2 " in line
