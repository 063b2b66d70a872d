"""Every rule together: one verdict per (host, vulnerability, matched thing).

`Knowledge` indexes the advisories once by what they can match (CPE product keys, package keys,
Microsoft product families), so a host costs lookups in dicts, never a scan of the base. The
rules, strongest evidence first:

1. Microsoft's own data decides for Microsoft products: the Windows build rule (Windows 10/11,
   Server 2016+: installed build + UBR against the update's FixedBuild), else the KB rule
   (installed KBs, supersedence closed transitively). It overrides an NVD CPE verdict on the
   same thing, both ways: NVD cannot tell a patched Windows Server 2019 from an unpatched one.
2. Ecosystem data (OSV, CSAF ranges on package URLs) decides for a package it names; a CPE
   match on the same component is then dropped (the name-collision lesson).
3. NVD configurations, evaluated as written (`configurations.py`).

Refuted candidates are returned as NOT_AFFECTED with their reason (a fix installed, a platform
that does not hold), so the explanation of a closed finding says why.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace

from canhgac.core.purls import read_purl
from canhgac.exposure.matching import cpe, versions, windows
from canhgac.exposure.matching.configurations import (
    Hit,
    Judgements,
    ecosystem,
    evaluate,
    is_simple,
    software_by_key,
)
from canhgac.exposure.matching.facts import (
    Advisory,
    Configuration,
    Criterion,
    Host,
    Kind,
    MicrosoftFix,
    PackageRange,
    Reason,
    Rule,
    Software,
    State,
    Verdict,
    reason,
)
from canhgac.exposure.matching.logic import Tri

# How much a verdict is worth, by the rule and the evidence (shown as "confidence").
CONFIDENCE = {
    (Rule.WINDOWS_BUILD, State.AFFECTED): 100,
    (Rule.MICROSOFT_KB, State.AFFECTED): 90,
    (Rule.PACKAGE, State.AFFECTED): 95,
    (Rule.CPE, State.AFFECTED): 90,
}
MAPPED_PENALTY = 10  # the CPE came from canhgac's table, not from the inventory source
POTENTIAL = 50
RULE_STRENGTH = {Rule.WINDOWS_BUILD: 3, Rule.MICROSOFT_KB: 3, Rule.PACKAGE: 2, Rule.CPE: 1}
STATE_STRENGTH = {State.AFFECTED: 2, State.POTENTIAL: 1, State.NOT_AFFECTED: 0}
ACTIVE_STATUSES = ("affected", "known_affected", "first_affected", "last_affected")
UNDECIDED_STATUSES = ("under_investigation",)


class Knowledge:
    """The advisories, indexed for matching; build once per run, share across hosts."""

    def __init__(
        self,
        advisories: Iterable[Advisory],
        supersedence: Iterable[tuple[str, str]] = (),
        renames: dict[str, str] | None = None,
    ) -> None:
        # Deprecated CPE products → their successors ("a:old_vendor:product" → "a:new:product"):
        # an inventory that still uses the old name matches the criteria written with the new.
        self.renames: dict[str, str] = dict(renames or {})
        # every configuration naming a product; apart: the simple ones' criteria (a verdict per
        # software, cached across hosts) and the others (evaluated on each host as a whole)
        self.by_cpe: dict[str, list[tuple[Advisory, Configuration]]] = defaultdict(list)
        self.simple: dict[str, list[tuple[Advisory, Configuration, Criterion]]] = defaultdict(list)
        self.complex: dict[str, list[tuple[Advisory, Configuration]]] = defaultdict(list)
        self._simple_hits: dict[tuple[str, str, str, str, bool, str], list[SimpleHit]] = {}
        self.judgements = Judgements()
        self.by_package: dict[str, list[tuple[Advisory, PackageRange]]] = defaultdict(list)
        self.windows: dict[str, list[tuple[Advisory, MicrosoftFix]]] = defaultdict(list)
        self.microsoft_software: dict[str, list[tuple[Advisory, MicrosoftFix]]] = defaultdict(list)
        self.advisories: dict[int, Advisory] = {}
        for advisory in advisories:
            self.add(advisory)
        self.closure = windows.supersedence_closure(supersedence)

    def simple_hits(self, key: str, software: Software, text: str) -> list[SimpleHit]:
        return _simple_hits(self, key, software, text)

    def add(self, advisory: Advisory) -> None:
        self.advisories[advisory.vulnerability] = advisory
        for configuration in advisory.configurations:
            simple = is_simple(configuration)
            keys = set()
            for node in configuration.nodes:
                for criterion in node.criteria:
                    key = _product_key(criterion.cpe) if criterion.vulnerable else ""
                    if key and simple:
                        self.simple[key].append((advisory, configuration, criterion))
                    keys.add(key)
            for key in keys - {""}:
                self.by_cpe[key].append((advisory, configuration))
                if not simple:
                    self.complex[key].append((advisory, configuration))
        for package in advisory.packages:
            self.by_package[package.key].append((advisory, package))
        for fix in advisory.microsoft_fixes:
            family = windows.product_family(fix.product)
            if _is_windows(family):
                self.windows[family.lower()].append((advisory, fix))
            else:
                self.microsoft_software[fix.product.lower()].append((advisory, fix))


# A simple configuration's verdict for one software: (advisory, configuration, truth, reasons).
SimpleHit = tuple[Advisory, Configuration, Tri, tuple[Reason, ...]]


def _simple_hits(knowledge: Knowledge, key: str, software: Software, text: str) -> list[SimpleHit]:
    """The simple configurations naming `key` that `software` (as `text`) meets, best
    criterion per configuration; cached on the knowledge by what the verdict depends on."""
    kind = ecosystem(software)
    cache_key = (key, text, software.version, software.version_guess, software.mapped, kind)
    cached = knowledge._simple_hits.get(cache_key)
    if cached is not None:
        return cached
    best: dict[int, SimpleHit] = {}
    for advisory, configuration, criterion in knowledge.simple.get(key, ()):
        judged = knowledge.judgements.of(criterion, software, text, kind)
        if judged is None or judged[0] is Tri.NO:
            continue
        current = best.get(id(configuration))
        if current is None or judged[0].value > current[2].value:
            best[id(configuration)] = (advisory, configuration, *judged)
    found = list(best.values())
    knowledge._simple_hits[cache_key] = found
    return found


def _product_key(text: str) -> str:
    try:
        return cpe.parse(text).product_key
    except cpe.CpeError:
        return ""


def _is_windows(family: str) -> bool:
    return family.lower().startswith("windows")


def _renamed(host: Host, renames: dict[str, str]) -> tuple[Host, dict[int, Reason]]:
    """The host with deprecated CPE names of its software replaced by their successors."""
    if not renames:
        return host, {}
    notes: dict[int, Reason] = {}
    software = []
    for item in host.software:
        cpes = []
        for text in item.cpes:
            new = renames.get(_product_key(text))
            if new is None:
                cpes.append(text)
                continue
            name = cpe.parse(text)
            part, vendor, product = new.split(":", 2)
            cpes.append(replace(name, part=part, vendor=vendor, product=product).formatted())
            notes[id(item)] = reason("cpe_renamed", old=_product_key(text), new=new)
        software.append(replace(item, cpes=tuple(cpes)) if cpes != list(item.cpes) else item)
    return replace(host, software=tuple(software)), notes


def match_host(host: Host, knowledge: Knowledge) -> list[Verdict]:
    """Every verdict for one host, the strongest per (vulnerability, matched thing)."""
    host, _ = _renamed(host, knowledge.renames)
    found: dict[tuple[int, str, int], Verdict] = {}
    for verdict in (
        *_microsoft_verdicts(host, knowledge),
        *_package_verdicts(host, knowledge),
        *_cpe_verdicts(host, knowledge),
    ):
        key = (verdict.vulnerability, verdict.kind.value, verdict.ref)
        current = found.get(key)
        if current is None or _stronger(verdict, current):
            found[key] = verdict
    return sorted(found.values(), key=lambda item: (item.cve_id, item.kind.value, item.ref))


def _stronger(candidate: Verdict, current: Verdict) -> bool:
    """A stronger rule wins whatever it says; within a rule, the more exposed verdict."""
    if RULE_STRENGTH[candidate.rule] != RULE_STRENGTH[current.rule]:
        return RULE_STRENGTH[candidate.rule] > RULE_STRENGTH[current.rule]
    return STATE_STRENGTH[candidate.state] > STATE_STRENGTH[current.state]


def _verdict(
    host: Host,
    advisory: Advisory,
    software: Software,
    *,
    state: State,
    rule: Rule,
    source: str,
    reasons: Iterable[Reason],
) -> Verdict:
    if state is State.AFFECTED:
        confidence = CONFIDENCE[(rule, state)] - (MAPPED_PENALTY if software.mapped else 0)
    elif state is State.POTENTIAL:
        confidence = POTENTIAL - (MAPPED_PENALTY if software.mapped else 0)
    else:
        confidence = 0
    return Verdict(
        asset=host.asset,
        vulnerability=advisory.vulnerability,
        cve_id=advisory.cve_id,
        kind=software.kind,
        ref=software.ref,
        name=software.name,
        version=software.version,
        state=state,
        rule=rule,
        source=source,
        confidence=confidence,
        reasons=tuple(reasons),
    )


# --- NVD configurations ---------------------------------------------------------------------


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
            outcome = evaluate(
                configuration, by_key, os_known=host.os_known, judgements=knowledge.judgements
            )
            for hit in outcome.hits:
                yield _cpe_verdict(
                    host, advisory, configuration, hit, outcome.truth, outcome.context
                )


def _cpe_software(host: Host) -> list[Software]:
    """The host's software for CPE matching; a service is left out when a component or the OS
    already names the same product (the installed package is better evidence than a banner)."""
    named = {
        _product_key(text)
        for item in host.software
        if item.kind is not Kind.SERVICE
        for text in item.cpes
    }
    return [
        item
        for item in host.software
        if item.kind is not Kind.SERVICE or not {_product_key(text) for text in item.cpes} <= named
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
    if state is State.AFFECTED and not _microsoft_knows(advisory) and _microsoft(hit.software):
        # NVD names the product version, not the patch level: a security update may be in.
        state, extra = State.POTENTIAL, (reason("microsoft_data_missing"),)
    return _verdict(
        host,
        advisory,
        hit.software,
        state=state,
        rule=Rule.CPE,
        source=configuration.source,
        reasons=(*hit.reasons, *context, *extra),
    )


def _microsoft_knows(advisory: Advisory) -> bool:
    """Microsoft's update guide describes this CVE (it lists affected products or fixes)."""
    return bool(advisory.microsoft_products or advisory.microsoft_fixes)


def _microsoft(software: Software) -> bool:
    return any(_product_key(text).split(":")[1:2] == ["microsoft"] for text in software.cpes)


# --- ecosystem ranges -----------------------------------------------------------------------


def _package_verdicts(host: Host, knowledge: Knowledge) -> Iterable[Verdict]:
    for software in host.software:
        package = read_purl(software.purl) if software.purl else None
        if package is None or not package.version:
            continue
        for advisory, statement in knowledge.by_package.get(package.key, ()):
            verdict = _package_verdict(host, advisory, software, statement)
            if verdict is not None:
                yield verdict


def _package_verdict(
    host: Host, advisory: Advisory, software: Software, statement: PackageRange
) -> Verdict | None:
    package = read_purl(software.purl)
    if package is None:
        return None
    release = _release(statement.ecosystem)
    if release and package.distro and not _same_release(release, package.distro):
        return None  # another distribution release's advisory: its versions mean other things
    scheme = versions.scheme_for_purl_type(package.type) or ""
    if package.version in statement.versions:
        inside, why = Tri.YES, reason("version_listed", version=package.version)
    elif statement.vers:
        inside = versions.in_vers(package.version, statement.vers, scheme=scheme)
        code = {Tri.YES: "version_in_range", Tri.NO: "version_outside_range"}.get(
            inside, "version_not_comparable"
        )
        why = reason(code, version=package.version, range=statement.vers)
    elif statement.versions:
        inside, why = Tri.NO, reason("version_not_listed", version=package.version)
    else:
        return None
    if inside is Tri.NO:
        state = State.NOT_AFFECTED
    elif statement.status in ACTIVE_STATUSES:
        state = State.AFFECTED if inside is Tri.YES else State.POTENTIAL
    elif statement.status in UNDECIDED_STATUSES:
        state = State.POTENTIAL
    else:  # fixed, known_not_affected, ...: the vendor says this version is not affected
        state = State.NOT_AFFECTED
    reasons = [reason("package_match", package=package.key, ecosystem=statement.ecosystem), why]
    if statement.status not in ("", "affected"):
        reasons.append(reason("product_status", status=statement.status))
    if release and not package.distro:
        reasons.append(reason("release_unknown", release=release))
        state = State.POTENTIAL if state is State.AFFECTED else state
    return _verdict(
        host,
        advisory,
        software,
        state=state,
        rule=Rule.PACKAGE,
        source=statement.source,
        reasons=reasons,
    )


def _release(ecosystem: str) -> str:
    """ "Ubuntu:20.04:LTS" → "20.04"; "" for ecosystems without releases."""
    parts = ecosystem.split(":")
    return parts[1] if len(parts) > 1 else ""


def _same_release(release: str, distro: str) -> bool:
    """The purl `distro` qualifier ("ubuntu-20.04", "bookworm", "debian-12") names the release."""
    return distro.lower().endswith(release.lower())


# --- Microsoft ------------------------------------------------------------------------------


def _microsoft_verdicts(host: Host, knowledge: Knowledge) -> Iterable[Verdict]:
    build = windows.parse_build(host.os_build) if host.os_build else None
    release = windows.os_release(host.os_name, build) if host.os_name else None
    operating_system = next((item for item in host.software if item.kind is Kind.OS), None)
    if release and operating_system is not None:
        yield from _windows_verdicts(host, knowledge, operating_system, release, build)
    for software in host.software:
        if software.kind is not Kind.COMPONENT or "microsoft" not in software.name.lower():
            continue
        for product, fixes in knowledge.microsoft_software.items():
            if windows.product_matches_software(fixes[0][1].product, software.name):
                yield from _kb_verdicts(host, knowledge, software, product, fixes)


def _windows_verdicts(
    host: Host,
    knowledge: Knowledge,
    software: Software,
    release: str,
    build: windows.WindowsBuild | None,
) -> Iterable[Verdict]:
    by_vulnerability: dict[int, list[MicrosoftFix]] = defaultdict(list)
    for advisory, fix in knowledge.windows.get(windows.product_family(release).lower(), ()):
        by_vulnerability[advisory.vulnerability].append(fix)
    for vulnerability, fixes in by_vulnerability.items():
        advisory = knowledge.advisories[vulnerability]
        yield _windows_verdict(host, knowledge, advisory, software, release, build, fixes)
    for advisory in _refuted_windows(knowledge, host, software, release, set(by_vulnerability)):
        yield _verdict(
            host,
            advisory,
            software,
            state=State.NOT_AFFECTED,
            rule=Rule.WINDOWS_BUILD,
            source="msrc",
            reasons=(reason("microsoft_not_listed", release=release),),
        )


def _refuted_windows(
    knowledge: Knowledge, host: Host, software: Software, release: str, listed: set[int]
) -> Iterable[Advisory]:
    """CVEs NVD matches on this Windows but Microsoft lists no update for this release."""
    by_key = software_by_key([software])
    for key in by_key:
        for advisory, _ in knowledge.by_cpe.get(key, ()):
            if _microsoft_knows(advisory) and advisory.vulnerability not in listed:
                listed.add(advisory.vulnerability)
                yield advisory


def _windows_verdict(
    host: Host,
    knowledge: Knowledge,
    advisory: Advisory,
    software: Software,
    release: str,
    build: windows.WindowsBuild | None,
    fixes: list[MicrosoftFix],
) -> Verdict:
    """The build rule where it applies and decides; else the KB rule (older Windows, or a
    build without its revision when the installed KBs are known)."""
    with_build = [fix for fix in fixes if fix.fixed_build]
    if build is None or not build.uses_build_rule or not with_build:
        return _kb_verdict(host, knowledge, advisory, software, fixes)
    same_family = [
        fix for fix in with_build if fix.fixed_build.startswith(build.family + ".")
    ] or with_build
    fix = min(same_family, key=_build_order)
    fixed = windows.build_fixed(build, fix.fixed_build)
    if fixed is Tri.UNKNOWN and host.kbs:
        return _kb_verdict(host, knowledge, advisory, software, fixes)
    values = {
        "product": fix.product,
        "kb": f"KB{fix.kb}",
        "installed": host.os_build,
        "fixed": fix.fixed_build,
    }
    code = {Tri.YES: "build_has_fix", Tri.NO: "build_below_fix"}.get(fixed, "build_unknown")
    state = {Tri.YES: State.NOT_AFFECTED, Tri.NO: State.AFFECTED}.get(fixed, State.POTENTIAL)
    return _verdict(
        host,
        advisory,
        software,
        state=state,
        rule=Rule.WINDOWS_BUILD,
        source=f"msrc:{fix.document}",
        reasons=(reason(code, **values),),
    )


def _build_order(fix: MicrosoftFix) -> tuple[int, int]:
    build = windows.parse_build(fix.fixed_build)
    return (build.build, build.revision or 0) if build is not None else (0, 0)


def _kb_verdicts(
    host: Host,
    knowledge: Knowledge,
    software: Software,
    product: str,
    fixes: list[tuple[Advisory, MicrosoftFix]],
) -> Iterable[Verdict]:
    by_vulnerability: dict[int, list[MicrosoftFix]] = defaultdict(list)
    for advisory, fix in fixes:
        by_vulnerability[advisory.vulnerability].append(fix)
    for vulnerability, product_fixes in by_vulnerability.items():
        advisory = knowledge.advisories[vulnerability]
        yield _kb_verdict(host, knowledge, advisory, software, product_fixes)


def _kb_verdict(
    host: Host,
    knowledge: Knowledge,
    advisory: Advisory,
    software: Software,
    fixes: list[MicrosoftFix],
) -> Verdict:
    kbs = sorted({fix.kb for fix in fixes if fix.kb})
    installed = windows.fix_installed(kbs, host.kbs, knowledge.closure)
    document = fixes[0].document
    listed = ", ".join(f"KB{kb}" for kb in kbs)
    if installed is not None:
        code = "kb_installed" if installed in kbs else "kb_superseded"
        state = State.NOT_AFFECTED
        values = {"product": fixes[0].product, "kb": listed, "installed": f"KB{installed}"}
    elif not kbs:
        code, state = "kb_none", State.POTENTIAL
        values = {"product": fixes[0].product}
    else:
        code = "kb_missing" if host.kbs else "kb_list_unknown"
        state = State.AFFECTED if host.kbs else State.POTENTIAL
        values = {"product": fixes[0].product, "kb": listed}
    return _verdict(
        host,
        advisory,
        software,
        state=state,
        rule=Rule.MICROSOFT_KB,
        source=f"msrc:{document}",
        reasons=(reason(code, **values),),
    )


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
