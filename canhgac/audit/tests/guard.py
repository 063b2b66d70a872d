"""Test helpers for the database guard of the audit log (migration audit 0002).

pytest-django empties every table after a transactional test (live server, browser tests);
the append-only triggers refuse that, and the flush also removes the chain head row. Tests
that commit lift the guard before the flush and put it back afterwards.
"""

from __future__ import annotations

import importlib

from django.db import connection

from canhgac.audit.models import AuditChainHead

_migration = importlib.import_module("canhgac.audit.migrations.0002_append_only_guard")
_STATEMENTS = {
    "sqlite": (_migration.SQLITE_FORWARD, _migration.SQLITE_BACKWARD),
    "postgresql": (_migration.POSTGRES_FORWARD, _migration.POSTGRES_BACKWARD),
}


def audit_guard_install() -> None:
    """The state the migration leaves: append-only triggers and the chain head row."""
    forward, backward = _STATEMENTS[connection.vendor]
    with connection.cursor() as cursor:
        for statement in [*backward, *forward]:
            cursor.execute(statement)
    AuditChainHead.objects.get_or_create(
        pk=1, defaults={"sequence": 0, "hash": _migration.GENESIS_HASH}
    )


def audit_guard_lift() -> None:
    """Drop the triggers so that the test database can be emptied."""
    with connection.cursor() as cursor:
        for statement in _STATEMENTS[connection.vendor][1]:
            cursor.execute(statement)
