"""The matcher's knowledge built straight from the real sample files, through the parsers.

The same facts `exposure.loading` reads from the database, without a database: the labelled
suite and the engine tests run on NVD records and MSRC documents as published.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from pathlib import Path

from canhgac.advisories.feeds.msrc import MsrcCvrfParser
from canhgac.advisories.feeds.nvd import NvdParser
from canhgac.advisories.feeds.records import MsrcDocumentRecord, VulnerabilityRecord
from canhgac.exposure.matching import windows
from canhgac.exposure.matching.engine import Knowledge
from canhgac.exposure.matching.facts import (
    Advisory,
    Configuration,
    Criterion,
    MicrosoftFix,
    Node,
)

NVD_RECORDS = (
    "CVE-2021-31207",
    "CVE-2021-34473",
    "CVE-2022-21907",
    "CVE-2022-22965",
    "CVE-2022-23277",
    "CVE-2022-26809",
)
MSRC_MONTHS = ("2022-Jan", "2022-Feb", "2022-Mar", "2022-Apr")


def configurations(record: VulnerabilityRecord) -> tuple[Configuration, ...]:
    return tuple(
        Configuration(
            source=record.attribution,
            operator=configuration.operator,
            negate=configuration.negate,
            nodes=tuple(
                Node(
                    operator=node.operator,
                    negate=node.negate,
                    criteria=tuple(
                        Criterion(
                            cpe=match.criteria,
                            vulnerable=match.vulnerable,
                            start_including=match.version_start_including,
                            start_excluding=match.version_start_excluding,
                            end_including=match.version_end_including,
                            end_excluding=match.version_end_excluding,
                        )
                        for match in node.matches
                    ),
                )
                for node in configuration.nodes
            ),
        )
        for configuration in record.configurations
    )


def microsoft_facts(
    documents: list[MsrcDocumentRecord],
) -> tuple[dict[str, list[MicrosoftFix]], dict[str, set[str]], list[tuple[str, str]]]:
    """Per CVE: the fixes (one per product and KB) and the affected product names; and the
    supersedence edges of every KB."""
    fixes: dict[str, list[MicrosoftFix]] = defaultdict(list)
    products: dict[str, set[str]] = defaultdict(set)
    edges: list[tuple[str, str]] = []
    for document in documents:
        names = {product.product_id: product.name for product in document.products}
        for vulnerability in document.vulnerabilities:
            products[vulnerability.cve_id].update(
                names.get(pid, pid) for pid in vulnerability.product_ids
            )
            for remedy in vulnerability.remediations:
                if not remedy.kb:
                    continue
                edges += [(remedy.kb, old) for old in remedy.supersedence.split(",") if old]
                for product_id in remedy.product_ids:
                    fix = MicrosoftFix(
                        document.document_id,
                        names.get(product_id, product_id),
                        remedy.kb,
                        remedy.sub_type,
                        remedy.fixed_build,
                    )
                    if fix not in fixes[vulnerability.cve_id]:
                        fixes[vulnerability.cve_id].append(fix)
    return fixes, products, [(kb, windows.normalise_kb(old)) for kb, old in edges]


@functools.cache
def nvd_records(samples: Path) -> dict[str, VulnerabilityRecord]:
    found = {}
    for cve_id in NVD_RECORDS:
        path = samples / "advisories" / "nvd" / f"{cve_id}.json"
        (record,) = NvdParser().parse(path, source=path.name).vulnerabilities
        found[cve_id] = record
    return found


@functools.cache
def msrc_documents(samples: Path) -> tuple[MsrcDocumentRecord, ...]:
    documents = []
    for month in MSRC_MONTHS:
        path = samples / "advisories" / "msrc-cvrf" / f"cvrfDocument-{month}.xml"
        documents += MsrcCvrfParser().parse(path, source=path.name).msrc_documents
    return tuple(documents)


def knowledge(
    samples: Path,
    *,
    with_microsoft: bool = True,
    extra: tuple[Advisory, ...] = (),
    extra_fixes: dict[str, list[MicrosoftFix]] | None = None,
) -> Knowledge:
    """A knowledge base of the six NVD records (ids 1..6 in file order), with or without the
    January-April 2022 Microsoft documents, plus `extra` advisories."""
    records = nvd_records(samples)
    fixes, products, edges = microsoft_facts(list(msrc_documents(samples)))
    for cve_id, added in (extra_fixes or {}).items():
        fixes[cve_id] = fixes[cve_id] + added
        products[cve_id].update(fix.product for fix in added)
    advisories = [
        Advisory(
            vulnerability=index,
            cve_id=cve_id,
            configurations=configurations(records[cve_id]),
            microsoft_fixes=tuple(fixes.get(cve_id, ())) if with_microsoft else (),
            microsoft_products=tuple(sorted(products.get(cve_id, ()))) if with_microsoft else (),
        )
        for index, cve_id in enumerate(NVD_RECORDS, start=1)
    ]
    return Knowledge([*advisories, *extra], edges if with_microsoft else ())
