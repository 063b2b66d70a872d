"""Benchmark: NVD CVE API 2.0 import at real scale, on SQLite (and PostgreSQL with DATABASE_URL).

    uv run python bench/nvd_import.py [--cves 400000] [--page-size 2000] [--gzip] [--keep DIR]
    DATABASE_URL=postgres://... uv run python bench/nvd_import.py --engine postgres
    uv run python bench/nvd_import.py --engine sqlite --engine postgres   # one after the other

1. Writes NVD CVE API 2.0 response pages (resultsPerPage, startIndex, totalResults, format,
   version, timestamp, vulnerabilities: [{"cve": ...}]), built from the shapes of the real
   records in CANHGAC_SAMPLES_DIR/advisories/nvd (read at run time; seeded random, so the
   same arguments give the same pages): unique ids over 1999-2025, descriptions of realistic
   length, 1-3 CVSS metrics with valid vectors (v3.1 mostly, some v2, a few v4), CWEs, 3-15
   references, and configurations as NVD has them: mostly one OR node of 1-20 cpeMatch
   entries (about half with version bounds), ~15% AND configurations with a platform node of
   vulnerable:false entries (as CVE-2022-22965), a few with several configurations, ~3% not
   analysed yet (no configurations) and ~2% rejected.
2. For each engine, in a fresh process (so its peak memory is the import's alone): imports the
   pages through `advisories_import_file`, one call (one transaction) per page as a sync
   does; then the same pages again, which must change nothing (asserted). Prints CVEs/s, the
   time split (parse, store, archive), peak memory, per-page time trend and database size.

`--pages DIR` imports pages written before with `--keep DIR` in this process (no generation):
the form to profile, e.g. `py-spy record -o nvd.svg -- python bench/nvd_import.py --pages DIR`.

Target (issue): the full 400,000 CVEs in < 10 minutes on SQLite, with < 1 GB of memory.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import wraps
from pathlib import Path
from typing import Any

from harness import django_ready  # bench/harness.py, beside this script

REPO = Path(__file__).resolve().parent.parent
GENERATOR_VERSION = 1  # bump when the pages change, so kept pages are not reused
TARGET_CVES, TARGET_SECONDS, TARGET_RSS = 400_000, 600.0, 1 << 30
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
NOW = datetime(2026, 4, 1, tzinfo=UTC).timestamp()  # last modification at the latest
PAGE_TIMESTAMP = "2026-04-01T02:00:00.000"

# CVEs published per year (thousands, roughly NVD's): 1999-2025 add up to about 427,000.
YEARS = dict(
    zip(
        range(1999, 2026),
        (
            *(1.5, 1.2, 1.7, 2.4, 1.5, 2.7, 4.7, 7.1, 6.6, 7.2, 5.0, 5.2, 4.8, 5.8, 6.7, 8.4),
            *(8.5, 10.5, 17.8, 18.2, 18.9, 20.3, 22.0, 25.2, 29.1, 40.3, 45.0),
        ),
        strict=True,
    )
)
REJECTED, NOT_ANALYSED = 0.02, 0.03  # shares of all records
AND_CONFIGURATION, SEVERAL_CONFIGURATIONS = 0.15, 0.04  # shares of analysed records
KEV_SHARE = 0.005
NOT_ANALYSED_STATUSES = ("Received", "Awaiting Analysis", "Undergoing Analysis")
ANALYSED_STATUSES = ("Analyzed", "Analyzed", "Modified", "Modified", "Deferred")
NVD = "nvd@nist.gov"
COMMON_CWES = (
    *(f"CWE-{n}" for n in (79, 787, 89, 352, 22, 125, 78, 416, 862, 434, 94, 20, 77, 287, 269)),
    *(f"CWE-{n}" for n in (502, 200, 863, 918, 119, 476, 798, 190, 400, 306, 120, 611, 601)),
    *(f"CWE-{n}" for n in (770, 295, 732, 639, 203, 362)),
    "NVD-CWE-Other",
    "NVD-CWE-noinfo",
)
CPE_FIELDS = re.compile(r"(?<!\\):")
DIGITS = re.compile(r"\d+")
WORD = re.compile(r"[^\W\d_][\w.+-]*")

# CVSS metric letters to NVD's cvssData names and values.
V3_NAMES = {
    "attackVector": (
        "AV",
        {"N": "NETWORK", "A": "ADJACENT_NETWORK", "L": "LOCAL", "P": "PHYSICAL"},
    ),
    "attackComplexity": ("AC", {"L": "LOW", "H": "HIGH"}),
    "privilegesRequired": ("PR", {"N": "NONE", "L": "LOW", "H": "HIGH"}),
    "userInteraction": ("UI", {"N": "NONE", "R": "REQUIRED"}),
    "scope": ("S", {"U": "UNCHANGED", "C": "CHANGED"}),
    "confidentialityImpact": ("C", {"H": "HIGH", "L": "LOW", "N": "NONE"}),
    "integrityImpact": ("I", {"H": "HIGH", "L": "LOW", "N": "NONE"}),
    "availabilityImpact": ("A", {"H": "HIGH", "L": "LOW", "N": "NONE"}),
}
V2_NAMES = {
    "accessVector": ("AV", {"L": "LOCAL", "A": "ADJACENT_NETWORK", "N": "NETWORK"}),
    "accessComplexity": ("AC", {"H": "HIGH", "M": "MEDIUM", "L": "LOW"}),
    "authentication": ("Au", {"M": "MULTIPLE", "S": "SINGLE", "N": "NONE"}),
    "confidentialityImpact": ("C", {"N": "NONE", "P": "PARTIAL", "C": "COMPLETE"}),
    "integrityImpact": ("I", {"N": "NONE", "P": "PARTIAL", "C": "COMPLETE"}),
    "availabilityImpact": ("A", {"N": "NONE", "P": "PARTIAL", "C": "COMPLETE"}),
}
V2_WEIGHTS = {
    "AV": {"L": 0.395, "A": 0.646, "N": 1.0},
    "AC": {"H": 0.35, "M": 0.61, "L": 0.71},
    "Au": {"M": 0.45, "S": 0.56, "N": 0.704},
    "CIA": {"N": 0.0, "P": 0.275, "C": 0.660},
}
V4_BASE = {
    "attackVector": ("AV", {"N": "NETWORK", "A": "ADJACENT", "L": "LOCAL", "P": "PHYSICAL"}),
    "attackComplexity": ("AC", {"L": "LOW", "H": "HIGH"}),
    "attackRequirements": ("AT", {"N": "NONE", "P": "PRESENT"}),
    "privilegesRequired": ("PR", {"N": "NONE", "L": "LOW", "H": "HIGH"}),
    "userInteraction": ("UI", {"N": "NONE", "P": "PASSIVE", "A": "ACTIVE"}),
    "vulnConfidentialityImpact": ("VC", {"H": "HIGH", "L": "LOW", "N": "NONE"}),
    "vulnIntegrityImpact": ("VI", {"H": "HIGH", "L": "LOW", "N": "NONE"}),
    "vulnAvailabilityImpact": ("VA", {"H": "HIGH", "L": "LOW", "N": "NONE"}),
    "subConfidentialityImpact": ("SC", {"H": "HIGH", "L": "LOW", "N": "NONE"}),
    "subIntegrityImpact": ("SI", {"H": "HIGH", "L": "LOW", "N": "NONE"}),
    "subAvailabilityImpact": ("SA", {"H": "HIGH", "L": "LOW", "N": "NONE"}),
}
V4_NOT_DEFINED = (  # NVD writes every supplemental/environmental metric, as X in the vector
    ("E", "exploitMaturity"),
    ("CR", "confidentialityRequirement"),
    ("IR", "integrityRequirement"),
    ("AR", "availabilityRequirement"),
    ("MAV", "modifiedAttackVector"),
    ("MAC", "modifiedAttackComplexity"),
    ("MAT", "modifiedAttackRequirements"),
    ("MPR", "modifiedPrivilegesRequired"),
    ("MUI", "modifiedUserInteraction"),
    ("MVC", "modifiedVulnConfidentialityImpact"),
    ("MVI", "modifiedVulnIntegrityImpact"),
    ("MVA", "modifiedVulnAvailabilityImpact"),
    ("MSC", "modifiedSubConfidentialityImpact"),
    ("MSI", "modifiedSubIntegrityImpact"),
    ("MSA", "modifiedSubAvailabilityImpact"),
    ("S", "Safety"),
    ("AU", "Automatable"),
    ("R", "Recovery"),
    ("V", "valueDensity"),
    ("RE", "vulnerabilityResponseEffort"),
    ("U", "providerUrgency"),
)
METRIC_KEYS = ("cvssMetricV2", "cvssMetricV30", "cvssMetricV31", "cvssMetricV40")


def samples_dir() -> Path:
    """CANHGAC_SAMPLES_DIR, as the settings and the tests read it (default ../shared/data)."""
    given = os.environ.get("CANHGAC_SAMPLES_DIR")
    return Path(given) if given else REPO.parent / "shared" / "data"


# --- The shapes of the real records -----------------------------------------------------------


@dataclass
class Shapes:
    """What the generator takes from the real NVD records: pools of words, names and layouts."""

    records: list[dict[str, Any]]
    en_words: list[str] = field(default_factory=list)
    es_words: list[str] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)  # pieces of product and vendor names
    products: list[tuple[str, str, str]] = field(default_factory=list)  # part, vendor, product
    platforms: list[tuple[str, str, str]] = field(default_factory=list)
    updates: list[str] = field(default_factory=list)
    cnas: list[str] = field(default_factory=list)
    url_templates: list[tuple[str, tuple[int, ...]]] = field(default_factory=list)
    tag_sets: list[list[str]] = field(default_factory=list)
    cwes: list[str] = field(default_factory=list)
    kev_actions: list[str] = field(default_factory=list)
    v31_template: dict[str, Any] = field(default_factory=dict)
    v2_template: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def read(cls, directory: Path) -> Shapes:
        records: list[dict[str, Any]] = []
        for path in sorted(directory.glob("*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            if "vulnerabilities" in data:
                records += [item["cve"] for item in data["vulnerabilities"]]
            else:
                records.append(data)
        if not records:
            raise SystemExit(f"no NVD records in {directory}: set CANHGAC_SAMPLES_DIR")
        shapes = cls(records)
        en: set[str] = set()
        es: set[str] = set()
        tokens: set[str] = set()
        cnas: set[str] = set()
        cwes: set[str] = set()
        updates: set[str] = set()
        urls: set[str] = set()
        actions: set[str] = set()
        tags: list[list[str]] = []
        products: set[tuple[str, str, str]] = set()
        platforms: set[tuple[str, str, str]] = set()
        for cve in records:
            cnas.add(cve["sourceIdentifier"])
            for description in cve.get("descriptions", []):
                words = WORD.findall(description["value"])
                (en if description["lang"] == "en" else es).update(words)
            for metrics in cve.get("metrics", {}).values():
                for metric in metrics:
                    cnas.add(metric["source"])
                    if metric.get("cvssData", {}).get("version") == "3.1":
                        shapes.v31_template = shapes.v31_template or metric
                    if metric.get("cvssData", {}).get("version") == "2.0":
                        shapes.v2_template = shapes.v2_template or metric
            for weakness in cve.get("weaknesses", []):
                cwes.update(entry["value"] for entry in weakness["description"])
            for reference in cve.get("references", []):
                urls.add(reference["url"])
                tags.append(reference.get("tags", []))
            if "cisaRequiredAction" in cve:
                actions.add(cve["cisaRequiredAction"])
            for configuration in cve.get("configurations", []):
                for node in configuration["nodes"]:
                    for match in node["cpeMatch"]:
                        parts = CPE_FIELDS.split(match["criteria"])
                        product = (parts[2], parts[3], parts[4])
                        (products if match["vulnerable"] else platforms).add(product)
                        if parts[2] == "o":
                            platforms.add(product)
                        if parts[6] not in "*-":
                            updates.add(parts[6])
                        tokens.update(t for t in (*parts[3].split("_"), *parts[4].split("_")))
        for names, target in ((en, shapes.en_words), (es, shapes.es_words)):
            target.extend(sorted(w for w in names if "CVE" not in w))
        shapes.tokens = sorted(t for t in tokens if t.isalpha() and len(t) > 2)
        shapes.products, shapes.platforms = sorted(products), sorted(platforms)
        shapes.updates, shapes.cnas = sorted(updates), sorted(cnas - {NVD})
        shapes.tag_sets = [list(t) for t in sorted({tuple(t) for t in tags})]
        shapes.cwes = sorted(cwes | set(COMMON_CWES))
        shapes.kev_actions = sorted(actions) or ["Apply updates per vendor instructions."]
        for url in sorted(urls):  # the digit runs vary; the rest is kept
            runs = tuple(len(run) for run in DIGITS.findall(url))
            shapes.url_templates.append(
                (DIGITS.sub("{}", url.replace("{", "").replace("}", "")), runs)
            )
        if not (shapes.v31_template and shapes.v2_template and shapes.products):
            raise SystemExit(f"the records in {directory} lack a v3.1 or v2 metric or a CPE")
        return shapes


# --- The generator -----------------------------------------------------------------------------


@dataclass
class Tally:
    cves: int = 0
    scores: int = 0
    criteria: int = 0
    rejected: int = 0
    not_analysed: int = 0
    and_configurations: int = 0
    several_configurations: int = 0
    bounded: int = 0
    references: int = 0
    description_chars: int = 0
    metric_counts: dict[str, int] = field(default_factory=dict)


class Generator:
    """NVD `cve` objects in the shapes of the real ones; seeded, so always the same."""

    def __init__(self, shapes: Shapes, seed: int) -> None:
        self.shapes = shapes
        self.rng = rng = random.Random(seed)
        self.tally = Tally()
        self.v31 = self._v3_pool()
        self.v2 = self._v2_pool()
        self.v4 = self._v4_pool(300)
        # Synthetic vendors and products from the real names' pieces; the real ones first
        # (the most frequent), then ~2,500 vendors with 1-6 products each.
        words = [w.lower() for w in shapes.en_words if w.isalpha() and len(w) > 3]
        pieces = sorted(set(shapes.tokens + words))
        vendors: set[str] = {vendor for _part, vendor, _product in shapes.products}
        self.products: list[tuple[str, str, str]] = list(shapes.products)
        platforms: list[tuple[str, str, str]] = list(shapes.platforms)
        while len(vendors) < 2500:
            vendor = rng.choice(pieces) + rng.choice(("", "_", "-")) + rng.choice(pieces)
            if vendor in vendors:
                continue
            vendors.add(vendor)
            for _ in range(rng.randint(1, 6)):
                name = "_".join(rng.choices(pieces, k=rng.randint(1, 3)))
                part = rng.choices("aoh", (85, 10, 5))[0]
                self.products.append((part, vendor, name))
                if part == "o" and len(platforms) < 300:
                    platforms.append((part, vendor, name))
        self.platforms = platforms
        self.cna_by_vendor: dict[str, str] = {}

    # - pools of valid CVSS metrics, computed once with the library the parser checks with -

    def _v3_pool(self) -> list[tuple[dict[str, Any], float, float]]:
        from itertools import product

        from cvss import CVSS3  # type: ignore[import-untyped]  # ships no type hints

        template = self.shapes.v31_template["cvssData"]
        pool = []
        letters = [sorted(values) for _abbr, values in V3_NAMES.values()]
        for combination in product(*letters):
            chosen = dict(zip((abbr for abbr, _ in V3_NAMES.values()), combination, strict=True))
            vector = "CVSS:3.1/" + "/".join(f"{k}:{v}" for k, v in chosen.items())
            calculated = CVSS3(vector)
            base = calculated.scores()[0]
            data: dict[str, Any] = {}
            for key, value in template.items():  # the real record's key order
                if key == "vectorString":
                    data[key] = vector
                elif key == "baseScore":
                    data[key] = base
                elif key == "baseSeverity":
                    data[key] = calculated.severities()[0].upper()
                elif key in V3_NAMES:
                    abbr, names = V3_NAMES[key]
                    data[key] = names[chosen[abbr]]
                else:
                    data[key] = value
            pool.append((data, round(float(calculated.esc), 1), round(float(calculated.isc), 1)))
        return pool

    def _v2_pool(self) -> list[tuple[dict[str, Any], str, float, float]]:
        from itertools import product

        from cvss import CVSS2

        template = self.shapes.v2_template["cvssData"]
        pool = []
        abbrs = [abbr for abbr, _ in V2_NAMES.values()]
        for combination in product(*[sorted(values) for _abbr, values in V2_NAMES.values()]):
            chosen = dict(zip(abbrs, combination, strict=True))
            vector = "/".join(f"{k}:{v}" for k, v in chosen.items())
            base = float(CVSS2(vector).scores()[0])
            impact = 10.41 * (
                1
                - (1 - V2_WEIGHTS["CIA"][chosen["C"]])
                * (1 - V2_WEIGHTS["CIA"][chosen["I"]])
                * (1 - V2_WEIGHTS["CIA"][chosen["A"]])
            )
            exploitability = (
                20
                * V2_WEIGHTS["AV"][chosen["AV"]]
                * V2_WEIGHTS["AC"][chosen["AC"]]
                * V2_WEIGHTS["Au"][chosen["Au"]]
            )
            data: dict[str, Any] = {}
            for key, value in template.items():
                if key == "vectorString":
                    data[key] = vector
                elif key == "baseScore":
                    data[key] = base
                elif key in V2_NAMES:
                    abbr, names = V2_NAMES[key]
                    data[key] = names[chosen[abbr]]
                else:
                    data[key] = value
            severity = "LOW" if base < 4 else "MEDIUM" if base < 7 else "HIGH"
            pool.append((data, severity, round(exploitability, 1), round(impact, 1)))
        return pool

    def _v4_pool(self, size: int) -> list[dict[str, Any]]:
        from cvss import CVSS4

        rng = random.Random(self.rng.random())
        pool = []
        for _ in range(size):
            chosen = {abbr: rng.choice(sorted(names)) for abbr, names in V4_BASE.values()}
            vector = "CVSS:4.0/" + "/".join(f"{k}:{v}" for k, v in chosen.items())
            vector += "".join(f"/{abbr}:X" for abbr, _name in V4_NOT_DEFINED)
            calculated = CVSS4(vector)
            data: dict[str, Any] = {
                "version": "4.0",
                "vectorString": vector,
                "baseScore": float(calculated.base_score),
                "baseSeverity": str(calculated.severity).upper(),
            }
            data |= {key: names[chosen[abbr]] for key, (abbr, names) in V4_BASE.items()}
            data |= {name: "NOT_DEFINED" for _abbr, name in V4_NOT_DEFINED}
            pool.append(data)
        return pool

    # - the records -

    def ids(self, count: int) -> list[tuple[float, str]]:
        """`count` unique CVE ids over 1999-2025 with their publication times, in the order
        the API pages them (by publication)."""
        rng = self.rng
        total = sum(YEARS.values())
        shares = {year: count * weight / total for year, weight in YEARS.items()}
        counts = {year: int(share) for year, share in shares.items()}
        for year in sorted(shares, key=lambda y: counts[y] - shares[y])[
            : count - sum(counts.values())
        ]:
            counts[year] += 1
        found = []
        for year, number in counts.items():
            start = datetime(year, 1, 1, tzinfo=UTC).timestamp()
            seconds = min(datetime(year + 1, 1, 1, tzinfo=UTC).timestamp(), NOW) - start
            top = max(9999, number * 4)
            found += [
                (start + rng.random() * seconds, f"CVE-{year}-{sequence:04d}")
                for sequence in rng.sample(range(1, top + 1), number)
            ]
        found.sort()
        return found

    def record(self, published: float, cve_id: str) -> dict[str, Any]:
        rng, shapes, tally = self.rng, self.shapes, self.tally
        tally.cves += 1
        modified = published + rng.random() * (NOW - published)
        roll = rng.random()
        part, vendor, product = self.product()
        cna = self.cna(vendor)
        cve: dict[str, Any] = {
            "id": cve_id,
            "sourceIdentifier": cna,
            "published": moment(published),
            "lastModified": moment(modified),
        }
        if roll < REJECTED:
            tally.rejected += 1
            cve |= {
                "vulnStatus": "Rejected",
                "cveTags": [],
                "descriptions": [
                    {
                        "lang": "en",
                        "value": "Rejected reason: This CVE ID has been rejected or withdrawn "
                        "by its CVE Numbering Authority.",
                    }
                ],
                "metrics": {},
                "references": [],
            }
            return cve
        analysed = roll >= REJECTED + NOT_ANALYSED
        year = int(cve_id[4:8])
        cve["vulnStatus"] = rng.choice(ANALYSED_STATUSES if analysed else NOT_ANALYSED_STATUSES)
        cve["cveTags"] = []
        if analysed and rng.random() < KEV_SHARE:
            added = EPOCH + timedelta(seconds=max(published, 1.636e9) + rng.random() * 8e7)
            cve["cisaExploitAdd"] = added.date().isoformat()
            cve["cisaActionDue"] = (added + timedelta(days=14)).date().isoformat()
            cve["cisaRequiredAction"] = rng.choice(shapes.kev_actions)
            cve["cisaVulnerabilityName"] = (
                f"{vendor.title()} {product.replace('_', ' ').title()} Vulnerability"
            )
        cve["descriptions"] = self.descriptions(vendor, product, year)
        if rng.random() < 0.1:
            cve["affected"] = [self.affected(cna, vendor, product)]
        cve["metrics"] = self.metrics(year, cna, analysed)
        if analysed or rng.random() < 0.5:
            cve["weaknesses"] = self.weaknesses(cna, analysed)
        if analysed:
            cve["configurations"] = self.configurations((part, vendor, product))
        else:
            tally.not_analysed += 1
        cve["references"] = self.references(cve_id, vendor, cna)
        return cve

    def product(self) -> tuple[str, str, str]:
        products = self.products
        return products[int(len(products) * self.rng.random() ** 2.5)]  # popular ones first

    def cna(self, vendor: str) -> str:
        found = self.cna_by_vendor.get(vendor)
        if found is None:
            rng = self.rng
            found = (
                rng.choice(self.shapes.cnas)
                if rng.random() < 0.3
                else f"psirt@{vendor.replace('_', '-')}.com"
            )
            self.cna_by_vendor[vendor] = found
        return found

    def descriptions(self, vendor: str, product: str, year: int) -> list[dict[str, str]]:
        rng, tally = self.rng, self.tally
        length = min(3500, max(40, int(rng.lognormvariate(5.35, 0.65))))  # median ~210 chars
        name = f"{vendor.replace('_', ' ').title()} {product.replace('_', ' ')}"
        text = f"{name} {' '.join(rng.choices(self.shapes.en_words, k=length // 7))}."
        tally.description_chars += len(text)
        found = [{"lang": "en", "value": text}]
        if self.shapes.es_words and year < 2024 and rng.random() < 0.7:
            spanish = " ".join(rng.choices(self.shapes.es_words, k=length // 6))
            found.append({"lang": "es", "value": f"{name} {spanish}."})
        return found

    def affected(self, cna: str, vendor: str, product: str) -> dict[str, Any]:
        rng = self.rng
        data = []
        for _ in range(rng.randint(1, 5)):
            major = rng.randint(1, 20)
            data.append(
                {
                    "vendor": vendor.title(),
                    "product": product.replace("_", " ").title(),
                    "platforms": ["x64-based Systems"],
                    "versions": [
                        {
                            "version": f"{major}.0.0",
                            "lessThan": f"{major}.{rng.randint(0, 9)}.{rng.randint(1, 999)}",
                            "versionType": "custom",
                            "status": "affected",
                        }
                    ],
                }
            )
        return {"source": cna, "affectedData": data}  # the CNA's, as in CVE-2022-26809

    def metrics(self, year: int, cna: str, analysed: bool) -> dict[str, list[dict[str, Any]]]:
        rng, tally = self.rng, self.tally
        metrics: dict[str, list[dict[str, Any]]] = {}
        v31 = []
        if analysed and rng.random() < (0.97 if year >= 2016 else 0.35):
            v31.append(self.v31_metric(NVD, "Primary"))
        if rng.random() < (0.45 if year >= 2019 else 0.1) or (not analysed and rng.random() < 0.6):
            v31.append(self.v31_metric(cna, "Secondary"))
        v4 = year >= 2023 and rng.random() < (0.12 if analysed else 0.2)
        v2 = analysed and year <= 2022 and rng.random() < (0.95 if year < 2022 else 0.4)
        if v4:
            metrics["cvssMetricV40"] = [
                {"source": cna, "type": "Secondary", "cvssData": rng.choice(self.v4)}
            ]
        if v31:
            metrics["cvssMetricV31"] = v31[: 3 - v4 - v2]
        if v2:
            data, severity, exploitability, impact = rng.choice(self.v2)
            metrics["cvssMetricV2"] = [
                self.shapes.v2_template
                | {
                    "source": NVD,
                    "type": "Primary",
                    "cvssData": data,
                    "baseSeverity": severity,
                    "exploitabilityScore": exploitability,
                    "impactScore": impact,
                }
            ]
        if analysed and not metrics:
            metrics["cvssMetricV31"] = [self.v31_metric(NVD, "Primary")]
        for key, found in metrics.items():
            tally.scores += len(found)
            tally.metric_counts[key] = tally.metric_counts.get(key, 0) + len(found)
        return metrics

    def v31_metric(self, source: str, kind: str) -> dict[str, Any]:
        data, exploitability, impact = self.rng.choice(self.v31)
        return self.shapes.v31_template | {
            "source": source,
            "type": kind,
            "cvssData": data,
            "exploitabilityScore": exploitability,
            "impactScore": impact,
        }

    def weaknesses(self, cna: str, analysed: bool) -> list[dict[str, Any]]:
        rng, cwes = self.rng, self.shapes.cwes
        found = []
        if analysed:
            found.append(weakness(NVD, "Primary", rng.choice(cwes)))
        if not analysed or rng.random() < 0.3:
            found.append(weakness(cna, "Secondary", rng.choice(cwes)))
        return found

    def configurations(self, first: tuple[str, str, str]) -> list[dict[str, Any]]:
        rng, tally = self.rng, self.tally
        roll = rng.random()
        if roll < SEVERAL_CONFIGURATIONS:
            tally.several_configurations += 1
            found = [self.and_configuration(first)] if rng.random() < 0.3 else []
            while len(found) < rng.randint(2, 8):
                found.append({"nodes": [self.node(self.product(), self.matches(), True)]})
            return found
        if roll < SEVERAL_CONFIGURATIONS + AND_CONFIGURATION:
            return [self.and_configuration(first)]
        return [{"nodes": [self.node(first, self.matches(), True)]}]

    def and_configuration(self, first: tuple[str, str, str]) -> dict[str, Any]:
        """A vulnerable node and a platform node of vulnerable:false entries (Spring4Shell)."""
        self.tally.and_configurations += 1
        platform = self.platforms[int(len(self.platforms) * self.rng.random() ** 2)]
        return {
            "operator": "AND",
            "nodes": [
                self.node(first, min(8, self.matches()), True),
                self.node(platform, self.rng.randint(1, 5), False),
            ],
        }

    def matches(self) -> int:
        return min(20, 1 + int(self.rng.expovariate(0.25)))  # 1-20, mean ~4.7

    def node(self, product: tuple[str, str, str], count: int, vulnerable: bool) -> dict[str, Any]:
        rng, tally = self.rng, self.tally
        bounded = rng.random() < 0.5
        products = [product] + [
            self.product() for _ in range(rng.randint(0, 2) if count > 3 else 0)
        ]
        entries = []
        updates = self.shapes.updates
        for index in range(count):
            part, vendor, name = products[index % len(products)]
            major, minor = rng.randint(0, 20), rng.randint(0, 30)
            if bounded:
                entry: dict[str, Any] = {
                    "vulnerable": vulnerable,
                    "criteria": f"cpe:2.3:{part}:{vendor}:{name}:*:*:*:*:*:*:*:*",
                }
                kind = rng.random()
                if kind < 0.4:
                    entry["versionStartIncluding"] = f"{major}.{minor}.0"
                elif kind < 0.45:
                    entry["versionStartExcluding"] = f"{major}.{minor}.0"
                if kind < 0.95:
                    end = f"{major}.{minor}.{rng.randint(1, 60)}"
                    entry[
                        "versionEndExcluding" if rng.random() < 0.75 else "versionEndIncluding"
                    ] = end
                tally.bounded += 1
            else:
                update = rng.choice(updates) if updates and rng.random() < 0.1 else "*"
                version = f"{major}.{minor}.{rng.randint(0, 60)}"
                entry = {
                    "vulnerable": vulnerable,
                    "criteria": f"cpe:2.3:{part}:{vendor}:{name}:{version}:{update}:*:*:*:*:*:*",
                }
            uid = f"{rng.getrandbits(128):032X}"
            entry["matchCriteriaId"] = f"{uid[:8]}-{uid[8:12]}-{uid[12:16]}-{uid[16:20]}-{uid[20:]}"
            entries.append(entry)
        tally.criteria += count
        return {"operator": "OR", "negate": False, "cpeMatch": entries}

    def references(self, cve_id: str, vendor: str, cna: str) -> list[dict[str, Any]]:
        rng, shapes = self.rng, self.shapes
        found = []
        count = min(15, 3 + int(rng.expovariate(1 / 2.5)))
        self.tally.references += count
        for index in range(count):
            if rng.random() < 0.6:
                template, runs = rng.choice(shapes.url_templates)
                url = template.format(*(rng.randrange(10 ** (n - 1), 10**n) for n in runs))
            else:
                url = f"https://www.{vendor}.com/security/advisories/{cve_id.lower()}-{index}"
            found.append(
                {
                    "url": url,
                    "source": cna if rng.random() < 0.85 else NVD,
                    "tags": rng.choice(shapes.tag_sets) if rng.random() < 0.8 else [],
                }
            )
        return found


def moment(timestamp: float) -> str:
    """NVD's UTC time without a zone: '2022-04-15T19:15:13.540'."""
    when = EPOCH + timedelta(seconds=timestamp)
    return f"{when:%Y-%m-%dT%H:%M:%S}.{when.microsecond // 1000:03d}"


def weakness(source: str, kind: str, cwe: str) -> dict[str, Any]:
    return {"source": source, "type": kind, "description": [{"lang": "en", "value": cwe}]}


def page_name(index: int, gzipped: bool) -> str:
    return f"nvdcve-2.0-page-{index:04d}.json" + (".gz" if gzipped else "")


def generate(
    directory: Path, cves: int, page_size: int, gzipped: bool, seed: int
) -> dict[str, Any]:
    """Write the pages and a manifest (what was asked and what the pages hold); reuse pages
    written before with the same arguments."""
    wanted = {
        "generator": GENERATOR_VERSION,
        "cves": cves,
        "page_size": page_size,
        "gzip": gzipped,
        "seed": seed,
    }
    manifest_path = directory / "manifest.json"
    if manifest_path.exists():
        manifest: dict[str, Any] = json.loads(manifest_path.read_text(encoding="utf-8"))
        if {key: manifest.get(key) for key in wanted} == wanted and all(
            (directory / name).exists() for name in manifest["pages"]
        ):
            manifest["reused"] = True
            return manifest
    directory.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    generator = Generator(Shapes.read(samples_dir() / "advisories" / "nvd"), seed)
    ids = generator.ids(cves)
    names, written = [], 0
    for index, start in enumerate(range(0, cves, page_size)):
        chunk = ids[start : start + page_size]
        document = {
            "resultsPerPage": len(chunk),
            "startIndex": start,
            "totalResults": cves,
            "format": "NVD_CVE",
            "version": "2.0",
            "timestamp": PAGE_TIMESTAMP,
            "vulnerabilities": [{"cve": generator.record(*item)} for item in chunk],
        }
        data = json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        if gzipped:
            data = gzip.compress(data, compresslevel=1, mtime=0)
        name = page_name(index, gzipped)
        (directory / name).write_bytes(data)
        names.append(name)
        written += len(data)
    tally = generator.tally
    manifest = wanted | {
        "pages": names,
        "bytes": written,
        "seconds": time.perf_counter() - started,
        "expected": {"cves": tally.cves, "scores": tally.scores, "criteria": tally.criteria},
        "tally": tally.__dict__,
    }
    manifest_path.write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    manifest["reused"] = False
    return manifest


# --- Measuring ---------------------------------------------------------------------------------


def status_kib(key: str) -> int | None:
    """A VmRSS/VmHWM figure of this process (KiB), None off Linux."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def reset_peak() -> bool:
    """Reset the peak RSS (VmHWM) of this process (Linux clear_refs 5)."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as clear:
            clear.write("5")
    except OSError:
        return False
    return True


def mib(kib: float | None) -> str:
    return "-" if kib is None else f"{kib / 1024:,.0f} MiB"


@dataclass
class Timers:
    """Seconds spent in the parts of `advisories_import_file` (wrapped below)."""

    seconds: dict[str, float] = field(default_factory=dict)

    def wrap(self, owner: Any, name: str, label: str) -> None:
        original = getattr(owner, name, None)
        if original is None:  # the service changed: time what is there
            return

        @wraps(original)
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[label] = self.seconds.get(label, 0.0) + time.perf_counter() - started

        setattr(owner, name, timed)

    def take(self) -> dict[str, float]:
        taken, self.seconds = self.seconds, {}
        return taken


@dataclass
class Pass:
    label: str
    seconds: float = 0.0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    page_seconds: list[float] = field(default_factory=list)
    parts: dict[str, float] = field(default_factory=dict)
    peak_kib: int | None = None
    rss_first_kib: int | None = None
    rss_last_kib: int | None = None


def import_pages(directory: Path, engine_wanted: str, result_path: Path | None) -> None:
    """Import the pages in `directory` twice in this process and print what it cost."""
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    paths = [directory / name for name in manifest["pages"]]
    use_engine(engine_wanted)
    engine = django_ready()
    from django.db import connection
    from django.db.models import Max
    from rich.console import Console
    from rich.table import Table

    from canhgac.accounts.actors import SystemActor
    from canhgac.advisories import services
    from canhgac.advisories.feeds.nvd import NvdParser
    from canhgac.advisories.models import AffectedCriterion, Attribution, Score, Vulnerability

    console = wide(Console)
    if Vulnerability.objects.exists():
        raise SystemExit(
            f"the {engine} database already holds vulnerabilities: a first import needs an "
            "empty one (a fresh CANHGAC_HOME, or a new PostgreSQL database)"
        )
    actor = SystemActor("bench:nvd")  # trusted like the CLI's: has advisory-manage

    # One page parsed alone under tracemalloc: the parser's own peak.
    tracemalloc.start()
    started = time.perf_counter()
    batch = NvdParser().parse(paths[0], source=paths[0].name)
    traced_seconds = time.perf_counter() - started
    _current, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    page_records = len(batch.vulnerabilities)
    del batch

    timers = Timers()
    timers.wrap(NvdParser, "parse", "parse")
    timers.wrap(services, "advisories_import", "store")
    timers.wrap(services, "sha256_of", "archive")
    timers.wrap(services, "archive_file", "archive")

    def counts() -> dict[str, int]:
        return {
            "vulnerabilities": Vulnerability.objects.count(),
            "attributions": Attribution.objects.count(),
            "scores": Score.objects.count(),
            "criteria": AffectedCriterion.objects.count(),
        }

    def run(label: str) -> Pass:
        result = Pass(label)
        reset_peak()
        started = time.perf_counter()
        step = max(1, len(paths) // 10)
        for number, path in enumerate(paths, 1):
            page_started = time.perf_counter()
            report = services.advisories_import_file(
                by=actor,
                path=path,
                source=path.name,
                format_id="nvd",  # as the sync does
            )
            result.page_seconds.append(time.perf_counter() - page_started)
            found = report.vulnerabilities
            result.created += found.created
            result.updated += found.updated
            result.unchanged += found.unchanged
            if number == 1:
                result.rss_first_kib = status_kib("VmRSS")
            if number % step == 0 or number == len(paths):
                elapsed = time.perf_counter() - started
                done = result.created + result.updated + result.unchanged
                print(
                    f"  {label}: {number}/{len(paths)} pages, {done:,} CVEs, {elapsed:,.0f} s, "
                    f"{done / elapsed:,.0f} CVEs/s, RSS {mib(status_kib('VmRSS'))}",
                    file=sys.stderr,
                    flush=True,
                )
        result.seconds = time.perf_counter() - started
        result.parts = timers.take()
        result.peak_kib = status_kib("VmHWM")
        result.rss_last_kib = status_kib("VmRSS")
        return result

    expected = manifest["expected"]
    first = run("first import")
    stored = counts()
    want = {
        "vulnerabilities": expected["cves"],
        "attributions": expected["cves"],
        "scores": expected["scores"],
        "criteria": expected["criteria"],
    }
    assert stored == want, f"stored {stored}, the pages hold {want}"
    assert (first.created, first.updated, first.unchanged) == (expected["cves"], 0, 0), first
    size_first = database_size(connection)
    touched = Vulnerability.objects.aggregate(last=Max("updated_at"))["last"]
    again = run("re-import")
    assert (again.created, again.updated, again.unchanged) == (0, 0, expected["cves"]), again
    assert counts() == stored, f"re-import changed the counts: {counts()} != {stored}"
    assert Vulnerability.objects.aggregate(last=Max("updated_at"))["last"] == touched
    size_after = database_size(connection)
    max_rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    cves = expected["cves"]
    table = Table(title=f"NVD import on {engine}: {cves:,} CVEs in {len(paths)} pages")
    for column in ("pass", "CVEs", "pages", "seconds", "CVEs/s", "parse s", "store s"):
        table.add_column(column, justify="right")
    table.add_column("archive s", justify="right")
    table.add_column("other s", justify="right")
    table.add_column("peak RSS", justify="right")
    for result in (first, again):
        parts = result.parts
        other = result.seconds - sum(parts.values())
        table.add_row(
            result.label,
            f"{cves:,}",
            f"{len(paths):,}",
            f"{result.seconds:,.1f}",
            f"{cves / result.seconds:,.0f}",
            f"{parts.get('parse', 0):,.1f}",
            f"{parts.get('store', 0):,.1f}",
            f"{parts.get('archive', 0):,.1f}",
            f"{other:,.1f}",
            mib(result.peak_kib),
        )
    console.print(table)

    pages = Table(title="Per page (seconds): does the cost grow with the database?")
    for column in (
        "pass",
        "first 10%",
        "last 10%",
        "median",
        "max",
        "RSS after page 1",
        "RSS at end",
    ):
        pages.add_column(column, justify="right")
    for result in (first, again):
        tenth = max(1, len(result.page_seconds) // 10)
        pages.add_row(
            result.label,
            f"{statistics.mean(result.page_seconds[:tenth]):.2f}",
            f"{statistics.mean(result.page_seconds[-tenth:]):.2f}",
            f"{statistics.median(result.page_seconds):.2f}",
            f"{max(result.page_seconds):.2f}",
            mib(result.rss_first_kib),
            mib(result.rss_last_kib),
        )
    console.print(pages)

    memory = Table(title="Memory and size")
    memory.add_column("what")
    memory.add_column("value", justify="right")
    memory.add_row("peak RSS of the process (ru_maxrss)", mib(max_rss_kib))
    memory.add_row(
        f"tracemalloc peak, parsing page 1 alone ({page_records:,} CVEs, {traced_seconds:.1f} s)",
        mib(traced_peak / 1024),
    )
    memory.add_row("page file size (page 1)", mib(paths[0].stat().st_size / 1024))
    memory.add_row("database after the first import", mib(size_first["total"] / 1024))
    memory.add_row("database after the re-import", mib(size_after["total"] / 1024))
    for name, rows in stored.items():
        memory.add_row(f"rows: {name}", f"{rows:,}")
    for name, size in size_after.items():
        if name != "total":
            memory.add_row(f"size: {name}", mib(size / 1024))
    console.print(memory)

    projected = first.seconds * TARGET_CVES / cves
    met_time = projected < TARGET_SECONDS
    met_memory = max_rss_kib * 1024 < TARGET_RSS
    if engine == "sqlite3":
        estimate = "" if cves == TARGET_CVES else f" (projected linearly from {cves:,})"
        console.print(
            f"Target: 400,000 CVEs in < 10 min on SQLite: {projected:,.0f} s{estimate} -> "
            f"{'met' if met_time else 'NOT met'}; memory < 1 GB: peak RSS {mib(max_rss_kib)} -> "
            f"{'met' if met_memory else 'NOT met'}"
        )
    if result_path:
        result_path.write_text(
            json.dumps(
                {
                    "engine": engine,
                    "cves": cves,
                    "first_seconds": first.seconds,
                    "reimport_seconds": again.seconds,
                    "peak_rss_kib": max_rss_kib,
                    "database_bytes": size_after["total"],
                    "projected_400k_seconds": projected,
                }
            ),
            encoding="utf-8",
        )


def database_size(connection: Any) -> dict[str, int]:
    """The database's size in bytes ("total") and, where the engine tells, per table."""
    tables = (
        "advisories_vulnerability",
        "advisories_attribution",
        "advisories_score",
        "advisories_affectedcriterion",
    )
    found: dict[str, int] = {}
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            name = Path(connection.settings_dict["NAME"])
            found["total"] = sum(
                path.stat().st_size
                for path in (name, name.with_name(name.name + "-wal"))
                if path.exists()
            )
            try:  # dbstat is compiled into most SQLite builds, not all
                cursor.execute(
                    "SELECT m.tbl_name, SUM(s.pgsize) FROM dbstat s "
                    "JOIN sqlite_master m ON m.name = s.name GROUP BY m.tbl_name"
                )
                sizes = dict(cursor.fetchall())
                found |= {table: int(sizes[table]) for table in tables if table in sizes}
            except Exception:  # noqa: BLE001, S110 - no dbstat: the total is enough
                pass
        else:
            cursor.execute("SELECT pg_database_size(current_database())")
            found["total"] = int(cursor.fetchone()[0])
            for table in tables:
                cursor.execute("SELECT pg_total_relation_size(%s)", [table])
                found[table] = int(cursor.fetchone()[0])
    return found


def use_engine(engine: str) -> None:
    """Point DATABASE_URL at the engine wanted, before Django reads it."""
    if engine == "sqlite":
        os.environ.pop("DATABASE_URL", None)  # the embedded database in CANHGAC_HOME
        return
    url = os.environ.get("DATABASE_URL") or os.environ.get("CANHGAC_TEST_DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit(
            "--engine postgres needs DATABASE_URL=postgres://... (scripts/services.sh)"
        )
    os.environ["DATABASE_URL"] = url


# --- Main --------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cves", type=int, default=TARGET_CVES)
    parser.add_argument("--page-size", type=int, default=2000, help="NVD API's maximum: 2000")
    parser.add_argument("--gzip", action="store_true", help="write the pages gzip-compressed")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--engine", action="append", choices=("sqlite", "postgres"), help="repeatable"
    )
    parser.add_argument("--keep", type=Path, help="write the pages here and keep them (reused)")
    parser.add_argument("--pages", type=Path, help="import pages kept before, in this process")
    parser.add_argument("--generate-only", action="store_true")
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    engines = arguments.engine or ["sqlite"]

    if arguments.pages:
        if len(engines) != 1:
            parser.error("--pages imports into one engine")
        import_pages(arguments.pages, engines[0], arguments.result)
        return

    from rich.console import Console
    from rich.table import Table

    console = wide(Console)
    with temporary(arguments.keep) as directory:
        manifest = generate(
            directory, arguments.cves, arguments.page_size, arguments.gzip, arguments.seed
        )
        show_generation(console, Table, manifest, directory)
        if arguments.generate_only:
            return
        results = []
        for engine in engines:  # one import process at a time
            with tempfile.NamedTemporaryFile(suffix=".json") as result:
                command = [sys.executable, __file__, "--pages", str(directory)]
                command += ["--engine", engine, "--result", result.name]
                subprocess.run(command, check=True)  # noqa: S603 - this script, our arguments
                results.append(json.loads(Path(result.name).read_text(encoding="utf-8")))
        if len(results) > 1:
            table = Table(title="Engines compared")
            for column in ("engine", "CVEs", "first s", "CVEs/s", "re-import s", "peak RSS", "DB"):
                table.add_column(column, justify="right")
            for found in results:
                table.add_row(
                    found["engine"],
                    f"{found['cves']:,}",
                    f"{found['first_seconds']:,.1f}",
                    f"{found['cves'] / found['first_seconds']:,.0f}",
                    f"{found['reimport_seconds']:,.1f}",
                    mib(found["peak_rss_kib"]),
                    mib(found["database_bytes"] / 1024),
                )
            console.print(table)


def wide(console_class: Callable[..., Any]) -> Any:
    """A console; 140 columns when the output is not a terminal (a log file)."""
    console = console_class()
    return console if console.is_terminal else console_class(width=140)


class temporary:  # noqa: N801 - used as a context manager like tempfile's
    """The directory given (kept), or a temporary one (removed)."""

    def __init__(self, keep: Path | None) -> None:
        self.keep = keep
        self.made: str | None = None

    def __enter__(self) -> Path:
        if self.keep:
            return self.keep
        self.made = tempfile.mkdtemp(prefix="canhgac-nvd-pages-")
        return Path(self.made)

    def __exit__(self, *_exc: object) -> None:
        if self.made:
            shutil.rmtree(self.made, ignore_errors=True)


def show_generation(
    console: Any, table_class: Callable[..., Any], manifest: dict[str, Any], directory: Path
) -> None:
    tally = manifest["tally"]
    cves = tally["cves"]
    table = table_class(
        title=f"NVD API 2.0 pages {'reused' if manifest['reused'] else 'generated'} in {directory}"
    )
    table.add_column("what")
    table.add_column("value", justify="right")
    analysed = cves - tally["rejected"] - tally["not_analysed"]
    rows = (
        ("CVEs", f"{cves:,}"),
        ("pages", f"{len(manifest['pages']):,} of {manifest['page_size']:,}"),
        ("bytes", f"{manifest['bytes'] / 1e6:,.0f} MB" + (" (gzip)" if manifest["gzip"] else "")),
        ("bytes per CVE", f"{manifest['bytes'] / cves:,.0f}"),
        ("generation seconds", f"{manifest['seconds']:,.1f}"),
        ("generation CVEs/s", f"{cves / manifest['seconds']:,.0f}"),
        ("rejected", f"{tally['rejected'] / cves:.1%}"),
        ("not analysed (no configurations)", f"{tally['not_analysed'] / cves:.1%}"),
        ("AND configurations (of analysed)", f"{tally['and_configurations'] / analysed:.1%}"),
        ("several configurations", f"{tally['several_configurations'] / analysed:.1%}"),
        ("cpeMatch entries", f"{tally['criteria']:,} ({tally['criteria'] / analysed:.1f}/CVE)"),
        ("with version bounds", f"{tally['bounded'] / max(1, tally['criteria']):.0%}"),
        ("scores", f"{tally['scores']:,} " + str(tally["metric_counts"])),
        ("references", f"{tally['references'] / cves:.1f}/CVE"),
        ("description length", f"{tally['description_chars'] / cves:,.0f} chars (mean)"),
    )
    for row in rows:
        table.add_row(*row)
    console.print(table)


if __name__ == "__main__":
    main()
