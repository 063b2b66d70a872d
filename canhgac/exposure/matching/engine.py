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
from collections.abc import Collection, Iterable
from dataclasses import replace
from typing import Any

from canhgac.core.purls import read_purl
from canhgac.exposure.matching import cpe, versions, windows
from canhgac.exposure.matching.configurations import (
    Hit,
    Judgements,
    Outcome,
    SoftwareByKey,
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


# A configuration's outcome on hosts alike: truth, context, hits as (entry index, truth, reasons).
CachedOutcome = tuple[Tri, tuple[Reason, ...], tuple[tuple[int, Tri, tuple[Reason, ...]], ...]]
# A simple configuration's verdict for one software: (advisory, configuration, truth, reasons).
SimpleHit = tuple[Advisory, Configuration, Tri, tuple[Reason, ...]]


class Knowledge:
    """The advisories, indexed for matching; build once per run, share across hosts.

    It also caches, for the run, what depends on a piece of software alone (simple
    configurations' verdicts, the Microsoft products a software name is), so software found on
    a thousand hosts is judged once."""

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
        self._microsoft_names: dict[str, list[str]] = {}
        self._configuration_keys: dict[int, tuple[str, ...]] = {}
        self._outcomes: dict[
            tuple[object, ...], tuple[Tri, tuple[Reason, ...], tuple[Any, ...]]
        ] = {}
        self.by_package: dict[str, list[tuple[Advisory, PackageRange]]] = defaultdict(list)
        # Microsoft fixes by Windows family, or by (lower-case) product name, then vulnerability
        self.windows: dict[str, dict[int, list[MicrosoftFix]]] = defaultdict(
            lambda: defaultdict(list)
        )
        self.microsoft_software: dict[str, dict[int, list[MicrosoftFix]]] = defaultdict(
            lambda: defaultdict(list)
        )
        self.decisions: dict[tuple[object, ...], list[Decision]] = {}
        self.advisories: dict[int, Advisory] = {}
        for advisory in advisories:
            self.add(advisory)
        self.closure = windows.supersedence_closure(supersedence)

    def simple_hits(self, key: str, software: Software, text: str) -> list[SimpleHit]:
        """The simple configurations naming `key` that `software` (as `text`) meets, best
        criterion per configuration."""
        kind = ecosystem(software)
        cache_key = (key, text, software.version, software.version_guess, software.mapped, kind)
        cached = self._simple_hits.get(cache_key)
        if cached is not None:
            return cached
        best: dict[int, SimpleHit] = {}
        for advisory, configuration, criterion in self.simple.get(key, ()):
            judged = self.judgements.of(criterion, software, text, kind)
            if judged is None or judged[0] is Tri.NO:
                continue
            current = best.get(id(configuration))
            if current is None or judged[0] > current[2]:
                best[id(configuration)] = (advisory, configuration, *judged)
        found = self._simple_hits[cache_key] = list(best.values())
        return found

    def outcome(
        self, configuration: Configuration, by_key: SoftwareByKey, os_known: bool
    ) -> Outcome:
        """A configuration evaluated on a host, cached by what it depends on: the host's
        software under the configuration's product keys (hosts built alike share it)."""
        keys = self._configuration_keys.get(id(configuration))
        if keys is None:
            keys = self._configuration_keys[id(configuration)] = tuple(
                sorted(
                    {
                        _product_key(criterion.cpe)
                        for node in configuration.nodes
                        for criterion in node.criteria
                    }
                    - {""}
                )
            )
        entries = [entry for key in keys for entry in by_key.get(key, ())]
        signature = (
            id(configuration),
            os_known,
            tuple(
                (text, item.name, item.version, item.version_guess, item.mapped, item.purl)
                for item, text in entries
            ),
        )
        cached = self._outcomes.get(signature)
        if cached is None:
            found = evaluate(configuration, by_key, os_known=os_known, judgements=self.judgements)
            position = {id(item): index for index, (item, _) in reversed(list(enumerate(entries)))}
            cached = self._outcomes[signature] = (
                found.truth,
                found.context,
                tuple((position[id(hit.software)], hit.truth, hit.reasons) for hit in found.hits),
            )
        truth, context, hits = cached
        return Outcome(
            truth,
            tuple(Hit(entries[index][0], hit_truth, reasons) for index, hit_truth, reasons in hits),
            context,
        )

    def microsoft_products(self, name: str) -> list[str]:
        """The Microsoft products (MSRC names, lower-case keys) an installed software is."""
        found = self._microsoft_names.get(name)
        if found is None:
            found = self._microsoft_names[name] = [
                product
                for product, fixes in self.microsoft_software.items()
                if windows.product_matches_software(next(iter(fixes.values()))[0].product, name)
            ]
        return found

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
                self.windows[family.lower()][advisory.vulnerability].append(fix)
            else:
                self.microsoft_software[fix.product.lower()][advisory.vulnerability].append(fix)


def _product_key(text: str) -> str:
    try:
        return cpe.parse(text).product_key
    except cpe.CpeError:
        return ""


def _is_windows(family: str) -> bool:
    return family.lower().startswith("windows")


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
            new = renames.get(_product_key(text))
            if new is None:
                cpes.append(text)
                continue
            name = cpe.parse(text)
            part, vendor, product = new.split(":", 2)
            cpes.append(replace(name, part=part, vendor=vendor, product=product).formatted())
            notes[(item.kind.value, item.ref)] = reason(
                "cpe_renamed", old=_product_key(text), new=new
            )
        software.append(replace(item, cpes=tuple(cpes)) if cpes != list(item.cpes) else item)
    return replace(host, software=tuple(software)), notes


# Which refutations (NOT_AFFECTED verdicts) to return: None for all, else these vulnerabilities.
Explain = Collection[int] | None


def match_host(host: Host, knowledge: Knowledge, explain: Explain = None) -> list[Verdict]:
    """Every verdict for one host, the strongest per (vulnerability, matched thing).

    NOT_AFFECTED verdicts are returned for the vulnerabilities in `explain` (all when None):
    a run asks only for those of the findings it closes, as a patched Windows host has a
    refutation for nearly every Windows CVE."""
    host, renamed = _renamed(host, knowledge.renames)
    found: dict[tuple[int, str, int], Verdict] = {}
    silent: set[tuple[int, str, int]] = set()  # decided not affected by Microsoft's data
    for verdict in (
        *_microsoft_verdicts(host, knowledge, silent, explain),
        *_package_verdicts(host, knowledge),
        *_cpe_verdicts(host, knowledge),
    ):
        key = (verdict.vulnerability, verdict.kind.value, verdict.ref)
        if key in silent:
            continue
        current = found.get(key)
        if current is None or _stronger(verdict, current):
            found[key] = verdict
    kept = [
        verdict
        for verdict in found.values()
        if verdict.state is not State.NOT_AFFECTED or _wanted(explain, verdict.vulnerability)
    ]
    if renamed:
        kept = [_noted(verdict, renamed.get((verdict.kind.value, verdict.ref))) for verdict in kept]
    return sorted(kept, key=lambda item: (item.cve_id, item.kind.value, item.ref))


def _noted(verdict: Verdict, note: Reason | None) -> Verdict:
    if note is None or verdict.rule is not Rule.CPE:
        return verdict
    return replace(verdict, reasons=(note, *verdict.reasons))


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
            outcome = knowledge.outcome(configuration, by_key, host.os_known)
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


# What Microsoft's data decides for one vulnerability on one product of a host, before it is a
# verdict: (advisory, state, rule, source, reasons). Cached per run by what it depends on, since
# hosts at the same patch level get the same answers.
Decision = tuple[Advisory, State, Rule, str, tuple[Reason, ...]]


def _microsoft_verdicts(
    host: Host, knowledge: Knowledge, silent: set[tuple[int, str, int]], explain: Explain
) -> Iterable[Verdict]:
    """Verdicts of Microsoft's data; refutations not asked for (`explain`) are only noted in
    `silent`, so that they still override weaker rules without building a verdict each."""
    build = windows.parse_build(host.os_build) if host.os_build else None
    release = windows.os_release(host.os_name, build) if host.os_name else None
    operating_system = next((item for item in host.software if item.kind is Kind.OS), None)
    decided: list[tuple[Software, list[Decision]]] = [
        (software, _kb_decisions(knowledge, host, product))
        for software in host.software
        if software.kind is Kind.COMPONENT and "microsoft" in software.name.lower()
        for product in knowledge.microsoft_products(software.name)
    ]
    if release and operating_system is not None:
        decisions = _windows_decisions(knowledge, host, operating_system, release, build)
        decided.append((operating_system, decisions))
    for software, decisions in decided:
        for advisory, state, rule, source, reasons in decisions:
            if state is State.NOT_AFFECTED and not _wanted(explain, advisory.vulnerability):
                silent.add((advisory.vulnerability, software.kind.value, software.ref))
                continue
            yield _verdict(
                host, advisory, software, state=state, rule=rule, source=source, reasons=reasons
            )


def _wanted(explain: Explain, vulnerability: int) -> bool:
    return explain is None or vulnerability in explain


def _windows_decisions(
    knowledge: Knowledge,
    host: Host,
    software: Software,
    release: str,
    build: windows.WindowsBuild | None,
) -> list[Decision]:
    key = ("windows", release, host.os_build, host.kbs, software.cpes)
    cached = knowledge.decisions.get(key)
    if cached is not None:
        return cached
    family = knowledge.windows.get(windows.product_family(release).lower(), {})
    found = [
        _windows_decision(knowledge, host, knowledge.advisories[vulnerability], build, fixes)
        for vulnerability, fixes in family.items()
    ]
    found += [
        (
            advisory,
            State.NOT_AFFECTED,
            Rule.WINDOWS_BUILD,
            "msrc",
            (reason("microsoft_not_listed", release=release),),
        )
        for advisory in _refuted_windows(knowledge, software, set(family))
    ]
    knowledge.decisions[key] = found
    return found


def _refuted_windows(
    knowledge: Knowledge, software: Software, listed: set[int]
) -> Iterable[Advisory]:
    """CVEs NVD matches on this Windows but Microsoft lists no update for this release."""
    for key in software_by_key([software]):
        for advisory, _ in knowledge.by_cpe.get(key, ()):
            if _microsoft_knows(advisory) and advisory.vulnerability not in listed:
                listed.add(advisory.vulnerability)
                yield advisory


def _windows_decision(
    knowledge: Knowledge,
    host: Host,
    advisory: Advisory,
    build: windows.WindowsBuild | None,
    fixes: list[MicrosoftFix],
) -> Decision:
    """The build rule where it applies and decides; else the KB rule (older Windows, or a
    build without its revision when the installed KBs are known)."""
    with_build = [fix for fix in fixes if fix.fixed_build]
    if build is None or not build.uses_build_rule or not with_build:
        return _kb_decision(knowledge, host, advisory, fixes)
    same_family = [
        fix for fix in with_build if fix.fixed_build.startswith(build.family + ".")
    ] or with_build
    fix = min(same_family, key=_build_order)
    fixed = windows.build_fixed(build, fix.fixed_build)
    if fixed is Tri.UNKNOWN and host.kbs:
        return _kb_decision(knowledge, host, advisory, fixes)
    values = {
        "product": fix.product,
        "kb": f"KB{fix.kb}",
        "installed": host.os_build,
        "fixed": fix.fixed_build,
    }
    code = {Tri.YES: "build_has_fix", Tri.NO: "build_below_fix"}.get(fixed, "build_unknown")
    state = {Tri.YES: State.NOT_AFFECTED, Tri.NO: State.AFFECTED}.get(fixed, State.POTENTIAL)
    return (advisory, state, Rule.WINDOWS_BUILD, f"msrc:{fix.document}", (reason(code, **values),))


def _build_order(fix: MicrosoftFix) -> tuple[int, int]:
    build = windows.parse_build(fix.fixed_build)
    return (build.build, build.revision or 0) if build is not None else (0, 0)


def _kb_decisions(knowledge: Knowledge, host: Host, product: str) -> list[Decision]:
    key = ("kb", product, host.kbs)
    cached = knowledge.decisions.get(key)
    if cached is None:
        cached = knowledge.decisions[key] = [
            _kb_decision(knowledge, host, knowledge.advisories[vulnerability], fixes)
            for vulnerability, fixes in knowledge.microsoft_software[product].items()
        ]
    return cached


def _kb_decision(
    knowledge: Knowledge, host: Host, advisory: Advisory, fixes: list[MicrosoftFix]
) -> Decision:
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
    return (advisory, state, Rule.MICROSOFT_KB, f"msrc:{document}", (reason(code, **values),))


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
