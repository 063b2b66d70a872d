"""`canhgac audit verify` against the test database (in process)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from canhgac.accounts.tests.world import World
from canhgac.audit.models import AuditEvent
from canhgac.audit.tests.test_services import drop_guards
from canhgac.cli.main import app

runner = CliRunner()


def test_intact_chain(world: World) -> None:
    result = runner.invoke(app, ["audit", "verify", "--format", "json"])
    assert result.exit_code == 0
    report = json.loads(result.output)[0]
    assert report == {
        "ok": True,
        "checked": AuditEvent.objects.count(),
        "broken_at": None,
        "reason": None,
    }


def test_tampered_chain_names_the_first_broken_event(world: World) -> None:
    drop_guards()
    AuditEvent.objects.filter(sequence=7).update(actor_label="not the real actor")
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert "audit chain broken at event #7" in result.output
    assert "6 events before it are intact" in result.output
