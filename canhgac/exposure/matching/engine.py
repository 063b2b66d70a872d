"""Every rule together: one verdict per (host, vulnerability, matched thing).

`Knowledge` (knowledge.py) indexes the advisories once by what they can match (CPE product keys,
package keys, Microsoft product families), so a host costs lookups in dicts, never a scan of
the base. The rules, strongest evidence first:

1. Microsoft's own data decides for Microsoft products: the Windows build rule (Windows 10/11,
   Server 2016+: installed build + UBR against the update's FixedBuild), else the KB rule
   (installed KBs, supersedence closed transitively). It overrides an NVD CPE verdict on the
   same thing, both ways: NVD cannot tell a patched Windows Server 2019 from an unpatched one
   (microsoft.py).
2. Ecosystem data (OSV, CSAF ranges on package URLs) decides for a package it names; a CPE
   match on the same component is then dropped (the name-collision lesson; packages.py).
3. NVD configurations, evaluated as written (configurations.py; this module).

Refuted candidates are returned as NOT_AFFECTED with their reason (a fix installed, a platform
that does not hold), so the explanation of a closed finding says why.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from canhgac.exposure.matching import cpe, versions
from canhgac.exposure.matching.configurations import (
    Hit,
    product_key,
    software_by_key,
)
from canhgac.exposure.matching.facts import (
    Advisory,
    Configuration,
    Host,
    Kind,
    Reason,
    Rule,
    Software,
    State,
    Verdict,
    reason,
)
from canhgac.exposure.matching.knowledge import Knowledge
from canhgac.exposure.matching.logic import Tri
from canhgac.exposure.matching.microsoft import microsoft_verdicts
from canhgac.exposure.matching.packages import package_verdicts
from canhgac.exposure.matching.verdicts import (
    Explain,
    make_verdict,
    microsoft_knows,
    stronger,
    wanted,
)

__all__ = ["Knowledge", "clear_caches", "match_host"]


def _renamed(host: Host, renames: dict[str, str]) -> tuple[Host, dict[tuple[str, int], Reason]]:
    """The host with deprecated CPE names of its software replaced by their successors, and a
    note per renamed software ((kind, ref) → reason) for its verdicts' explanations."""
    if not renames:
        return host, {}
    notes: dict[tuple[str, int], Reason] = {}
    software = []
    for item in host.software:
        cpes = []
        for text in item.cpes:
            new = renames.get(product_key(text))
            if new is None:
                cpes.append(text)
                continue
            name = cpe.parse(text)
            part, vendor, product = new.split(":", 2)
            cpes.append(replace(name, part=part, vendor=vendor, product=product).formatted())
            notes[(item.kind.value, item.ref)] = reason(
                "cpe_renamed", old=product_key(text), new=new
            )
        software.append(replace(item, cpes=tuple(cpes)) if cpes != list(item.cpes) else item)
    return replace(host, software=tuple(software)), notes


def match_host(host: Host, knowledge: Knowledge, explain: Explain = None) -> list[Verdict]:
    """Every verdict for one host, the strongest per (vulnerability, matched thing).

    NOT_AFFECTED verdicts are returned for the vulnerabilities in `explain` (all when None):
    a run asks only for those of the findings it closes, as a patched Windows host has a
    refutation for nearly every Windows CVE."""
    host, renamed = _renamed(host, knowledge.renames)
    found: dict[tuple[int, str, int], Verdict] = {}
    silent: set[tuple[int, str, int]] = set()  # decided not affected by Microsoft's data
    for verdict in (
        *microsoft_verdicts(host, knowledge, silent, explain),
        *package_verdicts(host, knowledge),
        *_cpe_verdicts(host, knowledge),
    ):
        key = (verdict.vulnerability, verdict.kind.value, verdict.ref)
        if key in silent:
            continue
        current = found.get(key)
        if current is None or stronger(verdict, current):
            found[key] = verdict
    kept = [
        verdict
        for verdict in found.values()
        if verdict.state is not State.NOT_AFFECTED or wanted(explain, verdict.vulnerability)
    ]
    if renamed:
        kept = [_noted(verdict, renamed.get((verdict.kind.value, verdict.ref))) for verdict in kept]
    return sorted(kept, key=lambda item: (item.cve_id, item.kind.value, item.ref))


def _noted(verdict: Verdict, note: Reason | None) -> Verdict:
    if note is None or verdict.rule is not Rule.CPE:
        return verdict
    return replace(verdict, reasons=(note, *verdict.reasons))


def _cpe_verdicts(host: Host, knowledge: Knowledge) -> Iterable[Verdict]:
    by_key = software_by_key(_cpe_software(host))
    for key, targets in by_key.items():
        for software, text in targets:
            for advisory, configuration, truth, reasons in knowledge.simple_hits(
                key, software, text
            ):
                hit = Hit(software, truth, reasons)
                yield _cpe_verdict(host, advisory, configuration, hit, truth, ())
    seen: set[int] = set()
    for key in by_key:
        for advisory, configuration in knowledge.complex.get(key, ()):
            if id(configuration) in seen:
                continue
            seen.add(id(configuration))
            outcome = knowledge.outcome(configuration, by_key, host.os_known)
            for hit in outcome.hits:
                yield _cpe_verdict(
                    host, advisory, configuration, hit, outcome.truth, outcome.context
                )


def _cpe_software(host: Host) -> list[Software]:
    """The host's software for CPE matching; a service is left out when a component or the OS
    already names the same product (the installed package is better evidence than a banner)."""
    named = {
        product_key(text)
        for item in host.software
        if item.kind is not Kind.SERVICE
        for text in item.cpes
    }
    return [
        item
        for item in host.software
        if item.kind is not Kind.SERVICE or not {product_key(text) for text in item.cpes} <= named
    ]


def _cpe_verdict(
    host: Host,
    advisory: Advisory,
    configuration: Configuration,
    hit: Hit,
    truth: Tri,
    context: tuple[Reason, ...],
) -> Verdict:
    combined = Tri(min(truth.value, hit.truth.value))
    state = {Tri.YES: State.AFFECTED, Tri.UNKNOWN: State.POTENTIAL}.get(
        combined, State.NOT_AFFECTED
    )
    extra: tuple[Reason, ...] = ()
    if state is State.AFFECTED and not microsoft_knows(advisory) and _microsoft(hit.software):
        # NVD names the product version, not the patch level: a security update may be in.
        state, extra = State.POTENTIAL, (reason("microsoft_data_missing"),)
    return make_verdict(
        host,
        advisory,
        hit.software,
        state=state,
        rule=Rule.CPE,
        source=configuration.source,
        reasons=(*hit.reasons, *context, *extra),
    )


def _microsoft(software: Software) -> bool:
    return any(product_key(text).split(":")[1:2] == ["microsoft"] for text in software.cpes)


def clear_caches() -> None:
    """Empty the parse caches the matcher shares across runs (a benchmark measures cold)."""
    from canhgac.core import purls
    from canhgac.exposure.matching import configurations

    for cached in (
        cpe.parse,
        configurations.product_key,
        configurations._naming,
        purls.read_purl,
        purls.package_key,
        *versions.CACHED,
    ):
        cached.cache_clear()
