"""Benchmark: audit-log appends (each in its own transaction, as services do) and chain
verification, on the embedded SQLite database or the DATABASE_URL given.

    uv run python bench/audit_log.py [--events 5000]

Prints a table; no target is asserted (DESIGN.md has none for the audit log). The figure to
watch is appends/s: every write service pays one append inside its transaction.
"""

from __future__ import annotations

import argparse
import time

from harness import django_ready  # bench/harness.py, beside this script


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=5000)
    arguments = parser.parse_args()

    engine = django_ready()
    from rich.console import Console
    from rich.table import Table

    from canhgac.audit.enums import AuditAction
    from canhgac.audit.selectors import audit_verify
    from canhgac.audit.services import audit_record

    started = time.perf_counter()
    for number in range(arguments.events):
        audit_record(
            action=AuditAction.UNIT_UPDATED,
            actor=None,
            actor_label="bench",
            parameters={"changes": {"phone": {"from": str(number - 1), "to": str(number)}}},
        )
    append_seconds = time.perf_counter() - started

    started = time.perf_counter()
    report = audit_verify()
    verify_seconds = time.perf_counter() - started
    assert report.ok, report

    table = Table(title=f"Audit log on {engine} ({arguments.events} events)")
    for column in ("operation", "seconds", "events/s"):
        table.add_column(column, justify="right")
    table.add_row(
        "append (one transaction each)",
        f"{append_seconds:.2f}",
        f"{arguments.events / append_seconds:,.0f}",
    )
    table.add_row(
        "verify whole chain", f"{verify_seconds:.2f}", f"{report.checked / verify_seconds:,.0f}"
    )
    Console().print(table)


if __name__ == "__main__":
    main()
