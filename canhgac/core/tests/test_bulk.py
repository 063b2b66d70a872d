"""The bulk writers: values prepared as `save()` prepares them, on SQLite and PostgreSQL
(any model with JSON, dates and text will do: matching runs here)."""

from __future__ import annotations

from datetime import date

from canhgac.core import clock
from canhgac.core.bulk import bulk_insert, bulk_set
from canhgac.exposure.models import MatchRun


def test_insert_then_set_round_trip_json_dates_and_text(db: None) -> None:
    now = clock.now()
    runs = [
        MatchRun(
            scope=f"unit:{code}",
            status="ok",
            started_at=now,
            counts={"new": index, "by_state": {"affected": index}, "note": "Sở Y tế"},
            error="",
            actor="test",
        )
        for index, code in enumerate(("A", "B"))
    ]
    bulk_insert(runs)
    stored = list(MatchRun.objects.order_by("scope"))
    assert [(run.scope, run.counts["new"], run.counts["note"]) for run in stored] == [
        ("unit:A", 0, "Sở Y tế"),
        ("unit:B", 1, "Sở Y tế"),
    ]
    assert stored[0].started_at == now
    assert stored[0].finished_at is None
    for run in stored:
        run.status, run.counts = "failed", {"day": date(2022, 4, 30).isoformat()}
    bulk_set(stored, ["status", "counts"])
    assert set(MatchRun.objects.values_list("status", flat=True)) == {"failed"}
    assert MatchRun.objects.first().counts == {"day": "2022-04-30"}  # type: ignore[union-attr]


def test_nothing_to_write_is_a_no_op(db: None) -> None:
    bulk_insert([])
    bulk_set([], ["status"])
    assert MatchRun.objects.count() == 0
