"""Benchmark: matching an inventory against the whole advisory base (issue 5 targets).

    uv run python bench/exposure_match.py [--cves 400000] [--hosts 2000] [--per-host 50]
        [--pages DIR] [--million]
    DATABASE_URL=postgres://... uv run python bench/exposure_match.py --cves 100000

1. The NVD base: the pages of bench/nvd_import.py (same generator: real shapes, ~15% AND
   configurations with platform nodes), written once to --pages (reused when present) and
   imported (setup time reported apart).
2. The inventory: `--hosts` hosts x `--per-host` components with realistic duplication: the
   software of a province comes from a few thousand (product, version) pairs, drawn with a
   Zipf-like weight; about a third of the products exist in the NVD base (with versions at and
   around its bounds, so findings happen), the rest do not. A few hosts have mapped packages
   (maven Spring jars, Debian OpenJDK) and services without CPEs. 30% of the hosts run
   Windows (Server 2016/2019/2022, Windows 10 21H2) at builds before and after the April 2022
   update, every 7th with Exchange 2019 CU11 (half of them with the March security update).
3. Measured:
   - full match through the service (`exposure_match`, first run: every finding created), then
     again (nothing changes), with peak memory;
   - the pure matcher alone on the loaded hosts and knowledge: distinct components/s (distinct
     CPE/purl + version pairs matched per second of `match_host`, one core);
   - with --million: the inventory grown to 1,000,000 components (their match keys stored as
     a full run stores them), then one new advisory (an NVD record naming the Spring Framework,
     which 1 host in 50 runs) imported and matched incrementally
     (`exposure_match(vulnerability_ids=[...])`: candidate assets from the stored keys).

Targets (issue 5): >= 50,000 distinct components/s on one core; full match < 60 s; one new
advisory < 1 s; memory < 2 GB.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import sys
import tempfile
import time
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from harness import django_ready  # bench/harness.py, beside this script
from nvd_import import generate, mib, reset_peak, status_kib, wide

TARGET_RATE, TARGET_FULL, TARGET_NEW, TARGET_RSS = 50_000, 60.0, 1.0, 2 << 30
OBSERVED = datetime(2026, 4, 25, 2, 0, tzinfo=UTC)


def import_base(pages: Path, manifest: dict[str, Any]) -> float:
    """The NVD pages (skipped when a kept CANHGAC_HOME has them), then Microsoft's January-April
    2022 documents from the samples (real Windows and Exchange fixes for the Windows hosts)."""
    from nvd_import import samples_dir

    from canhgac.accounts.actors import SystemActor
    from canhgac.advisories.models import MsrcFix, Vulnerability
    from canhgac.advisories.services import advisories_import_file

    actor = SystemActor("bench")
    started = time.perf_counter()
    if Vulnerability.objects.count() < manifest["expected"]["cves"]:
        for name in manifest["pages"]:
            advisories_import_file(by=actor, path=pages / name, source=name, format_id="nvd")
    if not MsrcFix.objects.exists():
        for month in ("Jan", "Feb", "Mar", "Apr"):
            path = samples_dir() / "advisories" / "msrc-cvrf" / f"cvrfDocument-2022-{month}.xml"
            advisories_import_file(by=actor, path=path, source=path.name, format_id="msrc-cvrf")
    return time.perf_counter() - started


def vocabulary(rng: random.Random, distinct: int) -> list[tuple[str, str]]:
    """(CPE 2.3 name, version) pairs: a third from the base's products, mostly at their newest
    bound versions (installed software is usually recent) and sometimes at a middle one, the
    rest products the base does not know."""
    from django.db.models import Count

    from canhgac.advisories.models import AffectedCriterion

    # Products as an inventory has them: the long tail (2-60 criteria each), not the few the
    # generator reuses from the real records tens of thousands of times.
    tail = list(
        AffectedCriterion.objects.filter(vulnerable=True, scheme="cpe")
        .values("product")
        .annotate(count=Count("pk"))
        .filter(count__gte=2, count__lte=60)
        .values_list("product", flat=True)
    )
    rng.shuffle(tail)
    chosen_products = tail[: distinct // 3]
    known: dict[str, set[str]] = {}
    for part_products in (
        chosen_products[start : start + 500] for start in range(0, len(chosen_products), 500)
    ):
        for product, key, *bounds in AffectedCriterion.objects.filter(
            vulnerable=True, scheme="cpe", product__in=part_products
        ).values_list(
            "product",
            "key",
            "version_start_including",
            "version_end_including",
            "version_end_excluding",
        ):
            version = key.split(":")[5] if key.count(":") >= 12 else "*"
            candidates = {value for value in bounds if value} | ({version} - {"*", "-"})
            known.setdefault(product, set()).update(candidates)
    from canhgac.exposure.matching.versions import sort_key

    products = sorted(known)
    rng.shuffle(products)
    pairs: list[tuple[str, str]] = []
    for product in products[: distinct // 3]:
        part, vendor, name = product.split(":", 2)
        ordered = sorted(
            (version for version in known[product] if sort_key(version) is not None),
            key=lambda version: sort_key(version) or (),
        )
        if not ordered:
            continue
        # as installed software is: mostly a recent release (past most bounds), sometimes old
        chosen = {ordered[-1], ordered[max(0, len(ordered) - 2)]}
        if rng.random() < 0.2:
            chosen.add(ordered[len(ordered) // 2])
        pairs.extend(
            (f"cpe:2.3:{part}:{vendor}:{name}:{version}:*:*:*:*:*:*:*", version)
            for version in sorted(chosen)
        )
    while len(pairs) < distinct:
        number = len(pairs)
        version = f"{number % 7}.{number % 13}.{number % 5}"
        pairs.append(
            (f"cpe:2.3:a:inhouse{number % 400}:app{number}:{version}:*:*:*:*:*:*:*", version)
        )
    return pairs[:distinct]


# Windows hosts: (OS name, build family, UBRs before and after the April 2022 update, KBs)
WINDOWS = (
    ("Microsoft Windows Server 2019 Standard", "10.0.17763", (2565, 2686, 2803), "5012647"),
    ("Microsoft Windows Server 2016 Standard", "10.0.14393", (4946, 5066), "5012596"),
    ("Microsoft Windows 10 Pro", "10.0.19044", (1466, 1586, 1645), "5012599"),
    ("Microsoft Windows Server 2022 Standard", "10.0.20348", (587, 643), "5012604"),
)


def _windows_host(rng: random.Random, number: int, components: list[Any]) -> Any:
    """A Windows host at one of a few patch levels, some with Exchange 2019 CU11."""
    from canhgac.core.exceptions import SourceLocation
    from canhgac.inventory.enums import AssetKind
    from canhgac.inventory.importers.records import AssetRecord, ComponentRecord, UpdateRecord

    os_name, family, revisions, april = WINDOWS[number % len(WINDOWS)]
    revision = rng.choice(revisions)
    extra = []
    updates = [UpdateRecord(f"KB{april}")] if revision == revisions[-1] else []
    if number % 7 == 0:
        extra.append(
            ComponentRecord("Microsoft Exchange Server 2019 Cumulative Update 11", "15.2.986.5")
        )
        if rng.random() < 0.5:
            updates.append(UpdateRecord("KB5012698"))
    return AssetRecord(
        key=f"win{number:07d}.bench.example",
        kind=AssetKind.SERVER,
        location=SourceLocation("bench", number),
        unit_code="BENCH",
        os_name=os_name,
        os_build=f"{family}.{revision}",
        components=tuple(components[: len(components) // 2] + extra),
        updates=tuple(updates),
    )


def inventory(
    rng: random.Random,
    hosts: int,
    per_host: int,
    first: int,
    distinct: int,
    windows_tenths: int = 3,
) -> Any:
    from canhgac.core.exceptions import SourceLocation
    from canhgac.inventory.enums import AssetKind
    from canhgac.inventory.importers.records import (
        AssetRecord,
        ComponentRecord,
        InventoryBatch,
        ServiceRecord,
    )

    pairs = vocabulary(rng, distinct)
    weights = [1.0 / (rank + 1) ** 0.8 for rank in range(len(pairs))]  # a long tail
    records = []
    for number in range(first, first + hosts):
        chosen = {pairs[index] for index in _sample(rng, weights, per_host)}
        components = [
            ComponentRecord(cpe.split(":")[4], version, cpe=cpe, evidence="bench")
            for cpe, version in sorted(chosen)
        ]
        if number % 10 < windows_tenths:
            records.append(_windows_host(rng, number, components))
            continue
        if number % 50 == 5:  # mapped packages: Spring jars on OpenJDK (1 host in 50)
            components += [
                ComponentRecord(
                    "spring-beans",
                    "5.3.17",
                    purl="pkg:maven/org.springframework/spring-beans@5.3.17",
                ),
                ComponentRecord(
                    "openjdk-11-jre-headless",
                    "11.0.14+9-0ubuntu2~20.04",
                    purl="pkg:deb/ubuntu/openjdk-11-jre-headless@11.0.14+9-0ubuntu2~20.04"
                    "?distro=ubuntu-20.04",
                ),
            ]
        records.append(
            AssetRecord(
                key=f"host{number:07d}.bench.example",
                kind=AssetKind.SERVER,
                location=SourceLocation("bench", number),
                unit_code="BENCH",
                os_name="Ubuntu 22.04.4 LTS",
                os_cpe="cpe:2.3:o:canonical:ubuntu_linux:22.04:*:*:*:lts:*:*:*",
                components=tuple(components),
                services=(ServiceRecord(443, "tcp", "https", "nginx", "1.18.0"),),
            )
        )
    return InventoryBatch("host-json", "bench", assets=tuple(records), observed_at=OBSERVED)


def _sample(rng: random.Random, weights: list[float], count: int) -> list[int]:
    return rng.choices(range(len(weights)), weights=weights, k=count)


def import_inventory(batch: Any) -> float:
    from canhgac.accounts.actors import SystemActor
    from canhgac.inventory.services import inventory_import

    started = time.perf_counter()
    for start in range(0, len(batch.assets), 1000):
        part = replace(
            batch,
            source_name=f"{batch.source_name}:{start}",
            assets=batch.assets[start : start + 1000],
        )
        inventory_import(by=SystemActor("bench"), batch=part)
    return time.perf_counter() - started


def pure_rate() -> dict[str, float]:
    """The matcher alone, on hosts and knowledge loaded once: (1) every distinct component
    judged against the advisories naming its product (cold caches: what "distinct components
    per second" measures); (2) `match_host` over every host (caches warm: the per-host work
    left is the configurations that need the whole host, and assembling the verdicts)."""
    from canhgac.exposure.loading import host_keys, load_advisories, load_hosts, load_renames
    from canhgac.exposure.matching.configurations import product_key
    from canhgac.exposure.matching.engine import Knowledge, clear_caches, match_host
    from canhgac.inventory.models import Asset

    clear_caches()
    started = time.perf_counter()
    hosts = load_hosts(Asset.objects.order_by("pk"))
    renames = load_renames(hosts)
    advisories, edges = load_advisories(host_keys(hosts, renames))
    knowledge = Knowledge(advisories, edges, renames)
    loaded = time.perf_counter() - started
    distinct = {}
    for host in hosts:
        for item in host.software:
            for text in item.cpes:
                key = (text, item.version, item.version_guess, item.mapped, item.purl)
                distinct.setdefault(key, (item, text))
    components = sum(len(host.software) for host in hosts)
    clear_caches()
    started = time.perf_counter()
    judged = sum(
        len(knowledge.simple_hits(product_key(text), item, text))
        for item, text in distinct.values()
    )
    analysed = time.perf_counter() - started
    started = time.perf_counter()
    verdicts = sum(len(match_host(host, knowledge)) for host in hosts)
    assembled = time.perf_counter() - started
    return {
        "hosts": len(hosts),
        "components": components,
        "distinct": len(distinct),
        "advisories": len(advisories),
        "load_s": loaded,
        "analyse_s": analysed,
        "hits": judged,
        "assemble_s": assembled,
        "verdicts": verdicts,
        "distinct_per_s": len(distinct) / analysed,
        "components_per_s": components / (analysed + assembled),
    }


def remember_keys() -> int:
    """Store every asset's match keys as a full run does (`_remember_keys`), without creating
    the grown inventory's findings: the incremental run looks its candidates up there."""
    from canhgac.exposure.loading import load_hosts
    from canhgac.exposure.services.matching import _remember_keys
    from canhgac.inventory.models import Asset

    ids = list(Asset.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), 2000):
        hosts = load_hosts(Asset.objects.filter(pk__in=ids[start : start + 2000]))
        _remember_keys(hosts, {})
    return len(ids)


def new_advisory(directory: Path) -> Path:
    """An NVD page with one new CVE naming the Spring Framework (on 2% of the hosts)."""
    record = {
        "id": "CVE-2026-99999",
        "sourceIdentifier": "bench@example.org",
        "published": "2026-04-30T00:00:00.000",
        "lastModified": "2026-04-30T00:00:00.000",
        "vulnStatus": "Analyzed",
        "descriptions": [{"lang": "en", "value": "A new Spring Framework flaw (benchmark)."}],
        "metrics": {},
        "configurations": [
            {
                "nodes": [
                    {
                        "operator": "OR",
                        "negate": False,
                        "cpeMatch": [
                            {
                                "vulnerable": True,
                                "criteria": "cpe:2.3:a:vmware:spring_framework:*:*:*:*:*:*:*:*",
                                "versionEndExcluding": "5.3.40",
                                "matchCriteriaId": "00000000-0000-0000-0000-000000000001",
                            }
                        ],
                    }
                ]
            }
        ],
        "references": [],
    }
    page = {
        "resultsPerPage": 1,
        "startIndex": 0,
        "totalResults": 1,
        "format": "NVD_CVE",
        "version": "2.0",
        "timestamp": "2026-04-30T00:00:00.000",
        "vulnerabilities": [{"cve": record}],
    }
    path = directory / "new-advisory.json"
    path.write_text(json.dumps(page), encoding="utf-8")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cves", type=int, default=400_000)
    parser.add_argument("--hosts", type=int, default=2000)
    parser.add_argument("--per-host", type=int, default=50)
    parser.add_argument("--distinct", type=int, default=6000, help="distinct (product, version)")
    parser.add_argument("--pages", type=Path, help="NVD pages directory (written if missing)")
    parser.add_argument("--million", action="store_true", help="also 1,000,000 components")
    parser.add_argument("--seed", type=int, default=2026)
    arguments = parser.parse_args()

    engine = django_ready()
    from rich.console import Console
    from rich.table import Table

    from canhgac.accounts.actors import SystemActor
    from canhgac.accounts.enums import UnitKind
    from canhgac.accounts.models import Unit
    from canhgac.accounts.services import unit_create
    from canhgac.advisories.models import AffectedCriterion, Vulnerability
    from canhgac.advisories.services import advisories_import_file
    from canhgac.exposure.models import Finding
    from canhgac.exposure.services.matching import exposure_match

    console = wide(Console)
    actor = SystemActor("bench")
    rng = random.Random(arguments.seed)
    pages = arguments.pages or Path(tempfile.gettempdir()) / f"canhgac-nvd-{arguments.cves}"
    manifest = generate(pages, arguments.cves, 2000, False, arguments.seed)
    setup = Table(title=f"Setup ({engine})")
    for column in ("step", "seconds", "rows"):
        setup.add_column(column, justify="right")
    seconds = import_base(pages, manifest)
    setup.add_row("NVD base imported", f"{seconds:,.1f}", f"{Vulnerability.objects.count():,} CVEs")
    setup.add_row("", "", f"{AffectedCriterion.objects.count():,} criteria")
    if not Unit.objects.filter(code="BENCH").exists():  # a kept CANHGAC_HOME has it already
        unit_create(by=actor, code="BENCH", name="Bench", kind=UnitKind.PROVINCE_COMMITTEE)
    batch = inventory(rng, arguments.hosts, arguments.per_host, 0, arguments.distinct)
    seconds = import_inventory(batch)
    components = sum(len(asset.components) for asset in batch.assets)
    setup.add_row("inventory imported", f"{seconds:,.1f}", f"{components:,} components")
    console.print(setup)

    results = Table(title=f"Matching ({engine}, {arguments.cves:,} CVEs)")
    for column in ("measure", "value", "target", "met"):
        results.add_column(column, justify="right")

    reset_peak()
    started = time.perf_counter()
    first = exposure_match(by=actor, full=True)
    full_seconds = time.perf_counter() - started
    peak = status_kib("VmHWM")
    started = time.perf_counter()
    again = exposure_match(by=actor, full=True)
    again_seconds = time.perf_counter() - started
    findings = Counter(Finding.objects.values_list("state", flat=True))
    results.add_row(
        "full match, first run (s)",
        f"{full_seconds:,.1f}",
        f"< {TARGET_FULL:.0f}",
        _met(full_seconds < TARGET_FULL),
    )
    results.add_row("  findings created", f"{first.counts['new']:,}", "", "")
    results.add_row(
        "  affected / potential", f"{findings['affected']:,} / {findings['potential']:,}", "", ""
    )
    results.add_row("full match, again (s)", f"{again_seconds:,.1f}", "", "")
    results.add_row("  unchanged", f"{again.counts['unchanged']:,}", "", "")
    results.add_row(
        "peak memory (RSS)",
        mib(peak),
        "< 2 GiB",
        _met(peak is not None and peak * 1024 < TARGET_RSS),
    )
    rate = pure_rate()
    results.add_row(
        "matcher: distinct components/s",
        f"{rate['distinct_per_s']:,.0f}",
        f">= {TARGET_RATE:,}",
        _met(rate["distinct_per_s"] >= TARGET_RATE),
    )
    results.add_row("  distinct components judged (s)", f"{rate['analyse_s']:,.2f}", "", "")
    results.add_row(
        "  distinct components / hits", f"{rate['distinct']:,} / {rate['hits']:,}", "", ""
    )
    results.add_row("  match_host, every host (s)", f"{rate['assemble_s']:,.2f}", "", "")
    results.add_row("  verdicts", f"{rate['verdicts']:,}", "", "")
    results.add_row(
        "  all components/s (judge + hosts)", f"{rate['components_per_s']:,.0f}", "", ""
    )
    results.add_row(
        "  advisories loaded (load s)", f"{rate['advisories']:,} ({rate['load_s']:,.1f})", "", ""
    )

    if arguments.million:
        more = max(0, 1_000_000 // arguments.per_host - arguments.hosts)
        grown = inventory(rng, more, arguments.per_host, arguments.hosts, arguments.distinct)
        seconds = import_inventory(grown)
        results.add_row(
            "grown to components", f"{(components + more * arguments.per_host):,}", "", ""
        )
        results.add_row("  import (s)", f"{seconds:,.1f}", "", "")
        started = time.perf_counter()
        stored = remember_keys()
        results.add_row("  match keys stored (s)", f"{time.perf_counter() - started:,.1f}", "", "")
        results.add_row("  assets with keys", f"{stored:,}", "", "")
        with tempfile.TemporaryDirectory() as directory:
            path = new_advisory(Path(directory))
            started = time.perf_counter()
            advisories_import_file(by=actor, path=path, source=path.name, format_id="nvd")
            imported = time.perf_counter() - started
        new = Vulnerability.objects.get(cve_id="CVE-2026-99999")
        started = time.perf_counter()
        run = exposure_match(by=actor, vulnerability_ids=[new.pk])
        seconds = time.perf_counter() - started
        results.add_row(
            "one new advisory vs 1M components (s)",
            f"{seconds:,.2f}",
            f"< {TARGET_NEW:.0f}",
            _met(seconds < TARGET_NEW),
        )
        results.add_row(
            "  candidate assets / findings",
            f"{run.counts['assets']:,} / {run.counts['new']:,}",
            "",
            "",
        )
        results.add_row("  advisory import (s)", f"{imported:,.2f}", "", "")
    console.print(results)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    console.print(f"max RSS of the process: {usage.ru_maxrss / 1024:,.0f} MiB")


def _met(ok: bool) -> str:
    return "yes" if ok else "NO"


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
