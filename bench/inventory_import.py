"""Benchmark: inventory import, parse and store, on SQLite (and PostgreSQL with DATABASE_URL).

    uv run python bench/inventory_import.py [--hosts 5000] [--components 100]
    DATABASE_URL=postgres://... uv run python bench/inventory_import.py

Three workloads:
1. a generated province: N hosts x M components (a host-collector JSON per batch of hosts),
   written to files first, then parsed and stored; then the same files again (re-import:
   everything unchanged);
2. the largest real SBOM in CANHGAC_SAMPLES_DIR (parse + store, then re-import);
3. a real nmap scan.

Target (DESIGN.md / issue 3): >= 20,000 components/s stored on SQLite.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from harness import django_ready  # bench/harness.py, beside this script

HOSTS_PER_FILE = 250


def host_document(number: int, components: int) -> dict[str, Any]:
    return {
        "schema": "canhgac-host-inventory",
        "schema_version": "1.0",
        "collector": {"name": "bench", "version": "1"},
        "collected_at": "2026-04-25T02:00:00Z",
        "hostname": f"host{number:05d}",
        "fqdn": f"host{number:05d}.bench.example",
        "ip_addresses": [f"10.{number // 65536}.{number // 256 % 256}.{number % 256}"],
        "os": {
            "family": "linux",
            "id": "ubuntu",
            "name": "Ubuntu",
            "version_id": "22.04",
            "pretty_name": "Ubuntu 22.04.4 LTS",
        },
        "kernel": {"release": "5.15.0-105-generic", "machine": "x86_64"},
        "packages": [
            {
                "name": f"lib{index:04d}",
                "version": f"1.{index % 50}.{number % 7}-1",
                "arch": "amd64",
                "manager": "dpkg",
            }
            for index in range(components)
        ],
        "listening": [{"protocol": "tcp", "port": 22, "address": "0.0.0.0", "process": "sshd"}],  # noqa: S104
    }


def write_files(directory: Path, hosts: int, components: int) -> list[Path]:
    paths = []
    for start in range(0, hosts, HOSTS_PER_FILE):
        # The collector writes one document per host; the bench imports one host per file.
        for number in range(start, min(start + HOSTS_PER_FILE, hosts)):
            path = directory / f"host{number:05d}.json"
            path.write_text(json.dumps(host_document(number, components)), encoding="utf-8")
            paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hosts", type=int, default=5000)
    parser.add_argument("--components", type=int, default=100)
    arguments = parser.parse_args()

    engine = django_ready()
    from django.conf import settings
    from django.db import transaction
    from rich.console import Console
    from rich.table import Table

    from canhgac.accounts.actors import SystemActor
    from canhgac.accounts.enums import UnitKind
    from canhgac.accounts.models import Unit
    from canhgac.accounts.services import unit_create
    from canhgac.inventory.importers.host_json import HostJsonParser
    from canhgac.inventory.importers.records import InventoryBatch
    from canhgac.inventory.importers.registry import parser_for
    from canhgac.inventory.models import Component
    from canhgac.inventory.services import inventory_import

    actor = SystemActor("bench")
    unit = Unit.objects.filter(code="BENCH").first() or unit_create(
        by=actor, code="BENCH", name="Bench", kind=UnitKind.PROVINCE_COMMITTEE
    )
    table = Table(title=f"Inventory import on {engine}")
    for column in ("workload", "rows", "parse s", "parse rows/s", "store s", "store rows/s"):
        table.add_column(column, justify="right")

    def run(label: str, batches: list[InventoryBatch], parse_seconds: float) -> None:
        rows = sum(len(asset.components) for batch in batches for asset in batch.assets)
        started = time.perf_counter()
        with transaction.atomic():
            for batch in batches:
                inventory_import(by=actor, batch=batch, unit=unit)
        store = time.perf_counter() - started
        table.add_row(
            label,
            f"{rows:,}",
            f"{parse_seconds:.2f}",
            f"{rows / parse_seconds:,.0f}" if parse_seconds else "-",
            f"{store:.2f}",
            f"{rows / store:,.0f}",
        )

    def merged(batches: list[InventoryBatch]) -> list[InventoryBatch]:
        """One import of all hosts (as a province-wide upload would be)."""
        first = batches[0]
        assets = tuple(asset for batch in batches for asset in batch.assets)
        return [
            InventoryBatch(
                first.source_format,
                "generated",
                assets=assets,
                observed_at=first.observed_at,
                complete=first.complete,
            )
        ]

    with tempfile.TemporaryDirectory() as directory:
        paths = write_files(Path(directory), arguments.hosts, arguments.components)
        started = time.perf_counter()
        host_parser = HostJsonParser()
        batches = [host_parser.parse(path, source=path.name) for path in paths]
        parse_seconds = time.perf_counter() - started
    generated = merged(batches)
    label = f"{arguments.hosts:,} hosts x {arguments.components} components"
    run(f"{label}: first import", generated, parse_seconds)
    run(f"{label}: re-import (unchanged)", generated, parse_seconds)

    samples = Path(settings.CANHGAC_SAMPLES_DIR)
    for relative in (
        "sbom/cyclonedx/juice-shop__v11.1.2__bom.json",
        "sbom/cyclonedx-in-the-wild/redis-commander-sbom-cdx.json",
        "scans/nmap-libnmap/full_sudo6.xml",
    ):
        path = samples / relative
        if not path.exists():
            continue
        started = time.perf_counter()
        batch = parser_for(path, source=path.name).parse(path, source=path.name)
        parse_seconds = time.perf_counter() - started
        run(f"{path.name}", [batch], parse_seconds)

    Console().print(table)
    stored = Component.objects.filter(asset__unit=unit, removed_at__isnull=True).count()
    Console().print(f"components stored: {stored:,}")


if __name__ == "__main__":
    main()
