"""Offline bundles: a round trip rebuilds the same knowledge base; tampering is refused."""

from __future__ import annotations

import json
import shutil
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from canhgac.accounts.tests.world import TEST_ACTOR, World
from canhgac.advisories.bundles import export_bundle, import_bundle
from canhgac.advisories.feeds.records import WarningLetterRecord
from canhgac.advisories.models import (
    Alias,
    Attribution,
    BundleImport,
    FeedRun,
    MsrcFix,
    Vulnerability,
    WarningLetter,
)
from canhgac.advisories.services import advisories_import_file, warning_forward, warning_save
from canhgac.advisories.tests.test_services import stored
from canhgac.audit.models import AuditEvent
from canhgac.core import clock
from canhgac.core.exceptions import ParseError, PermissionDeniedError, SourceLocation
from canhgac.core.tests.parsing import located

SAMPLES = Path(__file__).parent / "samples"


def knowledge() -> tuple[object, ...]:
    """The knowledge base without database ids and import times."""
    letters = sorted(
        (
            letter.number,
            letter.title,
            letter.due_date,
            letter.forwarded_from.number if letter.forwarded_from else "",
            sorted(letter.cves.values_list("vulnerability__cve_id", "severity")),
        )
        for letter in WarningLetter.objects.all()
    )
    return (
        sorted(
            Vulnerability.objects.values_list(
                "cve_id", "description", "kev_date_added", "epss_score", "published"
            )
        ),
        sorted(Attribution.objects.values_list("vulnerability__cve_id", "source", "fingerprint")),
        sorted(MsrcFix.objects.values_list("vulnerability__cve_id", "kb", "fixed_build")),
        sorted(Alias.objects.values_list("vulnerability__cve_id", "alias")),
        letters,
    )


def forget_everything(settings: Any, tmp_path: Path) -> None:
    """The isolated machine: an empty knowledge base and an empty archive."""
    for model in (WarningLetter, Vulnerability, FeedRun, BundleImport):
        for row in model.objects.order_by("-pk"):
            row.delete()
    settings.CANHGAC_HOME = tmp_path / "isolated"


@pytest.fixture
def connected(world: World, samples_dir: Path) -> None:
    for name in ("CVE-2022-22965", "CVE-2022-26809"):
        path = samples_dir / "advisories/nvd" / f"{name}.json"
        advisories_import_file(by=TEST_ACTOR, path=path, source=str(path))
    for name in ("kev-min.csv", "epss-min.csv.gz", "msrc-cvrf-min.xml"):
        advisories_import_file(by=TEST_ACTOR, path=SAMPLES / name, source=name)
    original = warning_save(
        by=TEST_ACTOR,
        record=WarningLetterRecord(
            number="674/CATTT-NCSC",
            issuer="Cục An toàn thông tin",
            issued_on=date(2022, 4, 13),
            title="Lỗ hổng Microsoft tháng 4/2022",
            location=SourceLocation("test"),
            cves=(("CVE-2022-26809", "critical"), ("CVE-2022-22965", "high")),
        ),
    )[0]
    warning_forward(
        by=TEST_ACTOR,
        original=original,
        number="412/STTTT-CNTT",
        issuer="Sở Thông tin và Truyền thông",
        issued_on=date(2022, 4, 15),
        due_date=date(2022, 4, 29),
    )


@pytest.mark.usefixtures("connected")
def test_round_trip_rebuilds_the_same_knowledge(settings: Any, tmp_path: Path) -> None:
    before = knowledge()
    bundle = tmp_path / "bundle.zip"
    exported = export_bundle(by=TEST_ACTOR, path=bundle)
    assert (exported.files, exported.letters, exported.signed) == (5, 2, False)
    with zipfile.ZipFile(bundle) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert [entry["format"] for entry in manifest["files"]] == [
            "nvd",
            "nvd",
            "kev-csv",
            "epss",
            "msrc-cvrf",
        ]
        assert manifest["files"][0]["file_name"] == "CVE-2022-22965.json"

    forget_everything(settings, tmp_path)
    assert knowledge() != before
    imported = import_bundle(by=TEST_ACTOR, path=bundle, source="bundle.zip")
    assert imported.sha256 == exported.sha256
    assert not imported.already
    assert knowledge() == before
    assert FeedRun.objects.filter(origin="bundle", status="ok").count() == 6  # + letters
    assert AuditEvent.objects.filter(action="advisories.bundle_imported").count() == 1

    rows = stored()
    again = import_bundle(by=TEST_ACTOR, path=bundle, source="bundle.zip")
    assert again.already
    assert stored() == rows
    assert FeedRun.objects.filter(origin="bundle").count() == 6


@pytest.mark.usefixtures("connected")
def test_since_takes_only_later_imports(settings: Any, tmp_path: Path) -> None:
    moment = clock.now()
    advisories_import_file(by=TEST_ACTOR, path=SAMPLES / "kev-min.json", source="kev-min.json")
    later = export_bundle(by=TEST_ACTOR, path=tmp_path / "later.zip", since=moment)
    assert (later.files, later.letters) == (1, 0)
    full = export_bundle(by=TEST_ACTOR, path=tmp_path / "full.zip")
    before = knowledge()
    forget_everything(settings, tmp_path)
    import_bundle(by=TEST_ACTOR, path=tmp_path / "full.zip", source="full.zip")
    assert import_bundle(by=TEST_ACTOR, path=tmp_path / "later.zip", source="later.zip").files == 1
    assert knowledge() == before
    assert full.files == 6


@pytest.mark.usefixtures("connected")
def test_signed_bundles(settings: Any, tmp_path: Path) -> None:
    bundle = tmp_path / "signed.zip"
    with override_settings(ADVISORY_BUNDLE_KEY="shared secret of the province"):
        assert export_bundle(by=TEST_ACTOR, path=bundle).signed
    forget_everything(settings, tmp_path)
    with override_settings(ADVISORY_BUNDLE_KEY="another key"):
        error = _refused(bundle)
    assert error == [
        "signed.zip: the signature does not match: wrong key, or the bundle was changed"
    ]
    unsigned = tmp_path / "unsigned.zip"
    _rewrite(bundle, unsigned, drop="manifest.sig")
    with override_settings(ADVISORY_BUNDLE_KEY="shared secret of the province"):
        assert _refused(unsigned) == [
            "unsigned.zip: the bundle is not signed and ADVISORY_BUNDLE_KEY is set"
        ]
        assert import_bundle(by=TEST_ACTOR, path=bundle, source="signed.zip").signed
    assert Vulnerability.objects.exists()


def _rewrite(source: Path, target: Path, *, drop: str = "", change: str = "") -> None:
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            if info.filename == drop:
                continue
            data = old.read(info.filename)
            if info.filename == change:
                data = data[:-10] + bytes(10)
            new.writestr(info, data)


def _refused(bundle: Path, **options: str) -> list[str]:
    with pytest.raises(ParseError) as caught:
        import_bundle(by=TEST_ACTOR, path=bundle, source=bundle.name, **options)
    return located(caught.value)


@pytest.mark.usefixtures("connected")
def test_damaged_or_foreign_bundles_are_refused_before_anything_is_applied(
    settings: Any, tmp_path: Path
) -> None:
    bundle = tmp_path / "b.zip"
    summary = export_bundle(by=TEST_ACTOR, path=bundle)
    forget_everything(settings, tmp_path)

    changed = tmp_path / "changed.zip"
    _rewrite(bundle, changed, change="files/00005.gz")
    problems = _refused(changed)
    assert len(problems) == 1
    assert problems[0].startswith("changed.zip [files/00005.gz]: files/00005.gz ")
    assert not Vulnerability.objects.exists()  # files 1-4 were fine, but nothing was applied

    missing = tmp_path / "missing.zip"
    _rewrite(bundle, missing, drop="files/00002.gz")
    assert _refused(missing) == [
        "missing.zip [files[1]]: files/00002.gz is missing from the bundle"
    ]
    assert _refused(bundle, expect_sha256="0" * 64) == [
        f"b.zip: the bundle's SHA-256 is {summary.sha256}, not {'0' * 64}"
    ]
    newer = tmp_path / "newer.zip"
    with zipfile.ZipFile(bundle) as old, zipfile.ZipFile(newer, "w") as new:
        for info in old.infolist():
            data = old.read(info.filename)
            if info.filename == "manifest.json":
                data = json.dumps(json.loads(data) | {"version": 2}).encode()
            new.writestr(info, data)
    assert _refused(newer) == [
        "newer.zip [version]: bundle version 2; this canhgac reads version 1"
    ]
    text = tmp_path / "letter.zip"
    text.write_text("not a zip")
    assert _refused(text)[0].startswith("letter.zip: not a bundle (zip): ")
    shutil.copy(SAMPLES / "kev-min.json", tmp_path / "kev.zip")
    assert _refused(tmp_path / "kev.zip")[0].startswith("kev.zip: not a bundle (zip)")
    assert not Vulnerability.objects.exists()
    assert BundleImport.objects.count() == 0


def test_bundles_need_the_advisory_role(world: World, tmp_path: Path) -> None:
    with pytest.raises(PermissionDeniedError):
        export_bundle(by=world.users["unit_officer"], path=tmp_path / "b.zip")
    assert not (tmp_path / "b.zip").exists()
