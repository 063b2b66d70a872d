"""Warning letters: the YAML format, storing, forwarding, the CVEs they cite."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from canhgac.accounts.tests.world import TEST_ACTOR, World
from canhgac.advisories.feeds.warning import WarningYamlParser
from canhgac.advisories.models import Vulnerability, WarningLetter
from canhgac.advisories.services import advisories_import, warning_forward
from canhgac.audit.enums import AuditAction
from canhgac.audit.models import AuditEvent
from canhgac.core.exceptions import ConflictError, PermissionDeniedError, ValidationError
from canhgac.core.golden import assert_matches_golden

LETTERS = Path(__file__).resolve().parents[2] / "demo" / "warnings-2022.yaml"
SAMPLES = Path(__file__).parent / "samples"


def test_letters_of_spring_2022_parse() -> None:
    batch = WarningYamlParser().parse(LETTERS, source="warnings-2022.yaml")
    january, april, spring, province = batch.letters
    assert january.number == "56/CATTT-NCSC"
    assert january.issued_on == date(2022, 1, 12)
    assert ("CVE-2022-21907", "critical") in january.cves
    assert [cve for cve, severity in april.cves if severity == "critical"] == [
        "CVE-2022-26809",
        "CVE-2022-24491",
        "CVE-2022-24497",
    ]
    assert (spring.exploited, spring.public_exploit) == (True, True)
    assert province.forwarded_from == "651/CATTT-NCSC"
    assert province.due_date == date(2022, 4, 28)


def test_golden_sample() -> None:
    path = SAMPLES / "warning-min.yaml"
    assert_matches_golden(WarningYamlParser().parse(path, source=path.name), path)


def test_bad_letters_are_located(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "warnings:\n"
        "  - number: 1/X\n    issuer: A\n    issued_on: 31/02/2022\n    title: T\n"
        "    colour: red\n    exploited: maybe\n"
        "    cves:\n      nghiem_trong: [CVE-2022-1, not-a-cve]\n      urgent: [CVE-2022-26809]\n"
        "  - number: 1/X\n    issuer: A\n    issued_on: 01/02/2022\n    title: T\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as caught:
        WarningYamlParser().parse(path, source="bad.yaml")
    assert [str(p) for p in caught.value.problems] == [
        "bad.yaml:2 [colour]: unknown field 'colour'",
        "bad.yaml:9 [cves]: 'CVE-2022-1' is not a CVE id",
        "bad.yaml:9 [cves]: 'NOT-A-CVE' is not a CVE id",
        "bad.yaml:10 [cves]: unknown severity group 'urgent' (nghiem_trong, cao, khac)",
        "bad.yaml:2 [issued_on]: issued_on is not a date (dd/mm/yyyy)",
        "bad.yaml:2 [exploited]: exploited must be có/không (yes/no)",
    ]


def test_import_forward_and_cite(world: World) -> None:
    batch = WarningYamlParser().parse(LETTERS, source="warnings-2022.yaml")
    report = advisories_import(by=TEST_ACTOR, batch=batch)
    assert report.letters == 4
    province = WarningLetter.objects.get(number="1201/STTTT-CNTT")
    assert province.forwarded_from is not None
    assert province.forwarded_from.number == "651/CATTT-NCSC"
    rpc = Vulnerability.objects.get(cve_id="CVE-2022-26809")
    assert set(rpc.warnings.values_list("warning__number", flat=True)) == {
        "651/CATTT-NCSC",
        "1201/STTTT-CNTT",
    }
    assert advisories_import(by=TEST_ACTOR, batch=batch).letters == 0  # re-import: no change

    spring = WarningLetter.objects.get(number="590/CATTT-NCSC")
    forwarded = warning_forward(
        by=world.users["province_analyst"],
        original=spring,
        number="1190/STTTT-CNTT",
        issuer="Sở TT&TT",
        issued_on=date(2022, 4, 2),
        due_date=date(2022, 4, 8),
    )
    assert list(forwarded.cves.values_list("vulnerability__cve_id", "severity")) == [
        ("CVE-2022-22965", "critical")
    ]
    assert (
        AuditEvent.objects.filter(
            action=AuditAction.WARNING_SAVED, actor=world.users["province_analyst"]
        ).count()
        == 1
    )
    with pytest.raises(ConflictError):
        warning_forward(
            by=TEST_ACTOR,
            original=spring,
            number="1190/STTTT-CNTT",
            issuer="Sở TT&TT",
            issued_on=date(2022, 4, 2),
            due_date=None,
        )
    with pytest.raises(PermissionDeniedError):
        warning_forward(
            by=world.users["unit_manager"],
            original=spring,
            number="9/X",
            issuer="X",
            issued_on=date(2022, 4, 2),
            due_date=None,
        )
