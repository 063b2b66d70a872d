"""Bringing an installation up to date: database schema, static files, translations. Idempotent."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.conf import settings
from django.core.management import call_command
from django.db import connections
from django.db.migrations.executor import MigrationExecutor

from canhgac.core.i18n import compile_catalogs


@dataclass(frozen=True, slots=True)
class InitReport:
    database: str
    migrations_applied: int
    static_files_collected: int
    catalogs_compiled: int


def pending_migrations(database: str = "default") -> list[str]:
    executor = MigrationExecutor(connections[database])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _backwards in plan]


def installation_init(*, collect_static: bool = True) -> InitReport:
    settings.CANHGAC_HOME.mkdir(parents=True, exist_ok=True)
    compiled = compile_catalogs(settings.LOCALE_PATHS[0])
    pending = pending_migrations()
    if pending:
        call_command("migrate", interactive=False, verbosity=0)
    collected = 0
    if collect_static:
        output = io.StringIO()
        call_command("collectstatic", interactive=False, verbosity=1, stdout=output)
        first_word = output.getvalue().strip().split(" ", 1)[0]
        collected = int(first_word) if first_word.isdigit() else 0
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    return InitReport(engine, len(pending), collected, len(compiled))
