"""Shared test fixtures: a small province with one user per role, and helpers for both clients."""

from __future__ import annotations

import pytest
from django.conf import settings

from canhgac.accounts.tests.world import World, build_world
from canhgac.core.i18n import compile_catalogs


@pytest.fixture(scope="session", autouse=True)
def _compiled_catalogs() -> None:
    compile_catalogs(settings.LOCALE_PATHS[0])


@pytest.fixture
def world(db: None) -> World:
    return build_world()
