"""Microsoft's own data decides for Microsoft products (ADR 0008).

Windows 10/11 and Server 2016+: the installed build + UBR against the fixing update's
FixedBuild; older Windows, Microsoft software (Exchange by CU, Office) or a build without its
revision: the installed KBs, supersedence closed transitively. CVEs NVD matches on a Windows
release Microsoft lists no update for are refuted. Decisions are cached per run by patch level.
"""

from __future__ import annotations

from collections.abc import Iterable

from canhgac.exposure.matching import windows
from canhgac.exposure.matching.configurations import software_by_key
from canhgac.exposure.matching.facts import (
    Advisory,
    Host,
    Kind,
    MicrosoftFix,
    Rule,
    Software,
    State,
    Verdict,
    reason,
)
from canhgac.exposure.matching.knowledge import Decision, Knowledge
from canhgac.exposure.matching.logic import Tri
from canhgac.exposure.matching.verdicts import Explain, make_verdict, microsoft_knows, wanted


def microsoft_verdicts(
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
            if state is State.NOT_AFFECTED and not wanted(explain, advisory.vulnerability):
                silent.add((advisory.vulnerability, software.kind.value, software.ref))
                continue
            yield make_verdict(
                host, advisory, software, state=state, rule=rule, source=source, reasons=reasons
            )


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
            if microsoft_knows(advisory) and advisory.vulnerability not in listed:
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
