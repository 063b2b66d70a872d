"""Shared test fixtures: a small province with one user per role (see accounts/tests/world.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils.translation.reloader import translation_file_changed

from canhgac.accounts.tests.world import TEST_ACTOR, World, build_world
from canhgac.audit.tests.guard import audit_guard_install, audit_guard_lift
from canhgac.core.i18n import compile_catalogs


@pytest.fixture(scope="session", autouse=True)
def _compiled_catalogs() -> None:
    """Compile changed .po files, and drop catalogs Django may have loaded before that (another
    xdist worker may have compiled them after this process started)."""
    locale = Path(settings.LOCALE_PATHS[0])
    compile_catalogs(locale)
    translation_file_changed(sender=None, file_path=locale / "vi" / "LC_MESSAGES" / "django.mo")


@pytest.fixture(autouse=True)
def _private_home(tmp_path_factory: pytest.TempPathFactory, settings: Any) -> None:
    """Each test writes its files (advisory archive, downloads, bundles) in its own home."""
    settings.CANHGAC_HOME = tmp_path_factory.mktemp("home")


@pytest.fixture(scope="session")
def samples_dir() -> Path:
    """The shared public samples (CANHGAC_SAMPLES_DIR, default ../shared/data). Missing = fail."""
    directory = Path(settings.CANHGAC_SAMPLES_DIR)
    if not (directory / "PROVENANCE.md").is_file():
        pytest.fail(f"shared samples not found at {directory}: set CANHGAC_SAMPLES_DIR")
    return directory


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture
def inventory_world(world: World) -> World:
    """The world with the inventory spreadsheet samples imported (systems of A and B, hosts)."""
    from canhgac.inventory.importers.spreadsheet import CsvParser
    from canhgac.inventory.services import inventory_import

    samples = Path(__file__).parent / "canhgac" / "inventory" / "tests" / "samples"
    for name in ("inventory-systems.csv", "inventory-assets.csv", "inventory-software.csv"):
        batch = CsvParser().parse(samples / name, source=name)
        inventory_import(by=TEST_ACTOR, batch=batch)
    from canhgac.advisories.services import advisories_import_file

    advisories = Path(__file__).parent / "canhgac" / "advisories" / "tests" / "samples"
    for name in ("nvd-page-min.json", "warning-min.yaml"):
        advisories_import_file(by=TEST_ACTOR, path=advisories / name, source=name)
    _findings_of_a_and_b()
    return world


def _findings_of_a_and_b() -> None:
    """One finding on an asset of A and one of B (written directly: the permission matrices
    need findings in both units, not a realistic match)."""
    from canhgac.advisories.models import Vulnerability
    from canhgac.core import clock
    from canhgac.exposure.models import Finding
    from canhgac.inventory.models import Asset

    vulnerability = Vulnerability.objects.get(cve_id="CVE-2022-22965")
    now = clock.now()
    for key in ("dvc-web01.example.gov.vn", "hsba-app"):
        asset = Asset.objects.get(key=key)
        Finding.objects.create(
            unit=asset.unit,
            asset=asset,
            vulnerability=vulnerability,
            kind="os",
            ref=asset.pk,
            matched_name=key,
            state="affected",
            confidence=90,
            rule="cpe",
            source="nvd",
            explanation=[{"code": "version_in_range", "version": "5.3.17", "range": "< 5.3.18"}],
            priority="P1",
            priority_score=80.0,
            priority_formula="2026.1",
            first_seen=now,
            last_seen=now,
            updated_at=now,
        )


@pytest.fixture(scope="module")
def _audit_guard_restored(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """After a module of committing tests, give later tests the database the migrations made.

    Module scope: pytest-django's flush runs after every function fixture of ours.
    """
    yield
    with django_db_blocker.unblock():
        audit_guard_install()


@pytest.fixture
def transactional_world(_audit_guard_restored: None, transactional_db: None) -> Iterator[World]:
    """The test province, committed (visible to the live server's thread and to subprocesses).

    Its teardown runs before pytest-django empties the tables, and lifts the audit guard so
    that the flush can delete audit events.
    """
    audit_guard_install()
    yield build_world()
    audit_guard_lift()
