"""Holiday campaigns on the demo province: creation checked and announced, each unit's checklist
answered by its own officers, the board's numbers equal to the database."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from canhgac.accounts.actors import SystemActor
from canhgac.accounts.models import Unit, User
from canhgac.advisories.models import WarningLetter
from canhgac.core import clock
from canhgac.core.exceptions import ConflictError, PermissionDeniedError, ValidationError
from canhgac.demo.loader import demo_load
from canhgac.duty.models import Notification
from canhgac.exposure.enums import ACTIVE_STATUSES
from canhgac.exposure.models import Finding
from canhgac.remediation import board
from canhgac.remediation.enums import Check
from canhgac.remediation.models import Campaign
from canhgac.remediation.selectors import TaskFilter, task_filter, task_list_for_user
from canhgac.remediation.services.campaigns import campaign_create, readiness_answer
from canhgac.remediation.services.forwarding import letter_forward

ACTOR = SystemActor("test")
SPRING = "590/CATTT-NCSC"


@pytest.fixture
def demo(db: None) -> None:
    demo_load()


def _campaign(code: str = "le-30-4", **options: object) -> Campaign:
    start = clock.today() + timedelta(days=10)
    return campaign_create(
        by=ACTOR,
        code=code,
        name="Lễ 30/4 - 1/5",
        starts_on=start,
        ends_on=start + timedelta(days=4),
        prepare_by=start - timedelta(days=1),
        letters=[WarningLetter.objects.get(number=SPRING)],
        **options,  # type: ignore[arg-type]
    )


def test_a_campaign_is_checked_and_announced_to_its_units(demo: None) -> None:
    campaign = _campaign()
    units = list(campaign.units.all())
    assert units  # every unit of the province's tree but the committee
    assert not campaign.units.filter(parent__isnull=True).exists()
    assert [check.key for check in campaign.checks.all()] == [item.value for item in Check]
    assert campaign.checks.get(key=Check.WARNINGS_FIXED).computed
    told = Notification.objects.filter(
        kind="remediation.campaign_opened",
        link__startswith=f"/remediation/campaigns/{campaign.code}/units/",
    )
    assert told.count() == len(units)
    with pytest.raises(ConflictError):
        _campaign()
    start = clock.today()
    with pytest.raises(ValidationError) as error:
        campaign_create(
            by=ACTOR, code="x", name="x", starts_on=start, ends_on=start - timedelta(days=1)
        )
    assert error.value.extra["field"] == "ends_on"
    officer = User.objects.get(username="yte.canbo")
    with pytest.raises(PermissionDeniedError):
        campaign_create(by=officer, code="y", name="y", starts_on=start, ends_on=start)


def test_the_board_counts_what_the_database_holds(demo: None) -> None:
    campaign = _campaign()
    health = Unit.objects.get(code="SO-YT")
    officer = User.objects.get(username="yte.canbo")
    readiness_answer(
        by=officer, campaign=campaign, unit=health, key="backups_checked", done=True, note="BB-12"
    )
    readiness_answer(by=officer, campaign=campaign, unit=health, key="malware_sweep", done=True)
    with pytest.raises(PermissionDeniedError):  # the hospital's officer answers for SO-YT
        readiness_answer(
            by=User.objects.get(username="benhvien.canbo"),
            campaign=campaign,
            unit=health,
            key="malware_sweep",
            done=False,
        )
    with pytest.raises(ValidationError):  # decided from the findings, not by the unit
        readiness_answer(
            by=officer, campaign=campaign, unit=health, key="warnings_fixed", done=True
        )

    rows = {row.unit.code: row for row in board.campaign_board(user=ACTOR, campaign=campaign)}
    assert set(rows) == set(campaign.units.values_list("code", flat=True))
    row = rows["SO-YT"]
    active = Finding.objects.filter(unit=health, status__in=list(ACTIVE_STATUSES))
    assert row.findings == {
        level: active.filter(priority=level).count() for level in ("P1", "P2", "P3", "P4")
    }
    spring_units = set(
        Finding.objects.filter(
            vulnerability__cve_id="CVE-2022-22965", status__in=list(ACTIVE_STATUSES)
        ).values_list("unit__code", flat=True)
    )
    for code, unit_row in rows.items():
        fixed = next(state for state in unit_row.checks if state.check.key == "warnings_fixed")
        assert fixed.done is (code not in spring_units)
    # SO-YT has no Spring4Shell host: warnings fixed + backups + sweep = 3 of 6
    assert "SO-YT" not in spring_units
    assert row.readiness == 50
    # the officer sees only the unit's row; the manager of SO-YT sees its subtree
    mine = board.campaign_board(user=officer, campaign=campaign)
    assert [item.unit.code for item in mine] == ["SO-YT"]


def test_tasks_of_a_campaign_are_those_of_its_warnings_and_their_forwards(demo: None) -> None:
    campaign = _campaign()
    forwarded = letter_forward(
        by=ACTOR,
        original=WarningLetter.objects.get(number=SPRING),
        number="101/STTTT-ATTT",
        issuer="Sở TT&TT",
        issued_on=date(2022, 4, 2),
        due_date=date(2022, 4, 15),
    )
    letter_forward(
        by=ACTOR,
        original=WarningLetter.objects.get(number="651/CATTT-NCSC"),
        number="102/STTTT-ATTT",
        issuer="Sở TT&TT",
        issued_on=date(2022, 4, 14),
        due_date=date(2022, 4, 25),
    )
    found = task_filter(task_list_for_user(user=ACTOR), TaskFilter(campaign=campaign.code))
    assert {task.pk for task in found} == {task.pk for task in forwarded.tasks}
    assert not task_filter(task_list_for_user(user=ACTOR), TaskFilter(campaign="nope")).exists()
