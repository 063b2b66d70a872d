"""NVD configurations evaluated as written, on what the inventory says about one host.

A configuration is a tree: nodes of CPE criteria combined by OR/AND, possibly negated, and the
nodes combined by the configuration's operator. Criteria with `vulnerable: false` are platform
context ("… running on JDK ≥ 9"): they never produce a finding by themselves. Each criterion is
three-valued on a host:

- a vulnerable criterion is YES/UNKNOWN for the software that matches it, NO when nothing does;
- a platform criterion is YES/NO by the software that matches it; when nothing on the host
  matches, it is NO for an OS criterion if the host's OS is known, UNKNOWN otherwise (an
  inventory rarely lists every runtime: "JDK unknown" must not become "JDK absent").

A finding comes from a vulnerable criterion's match when the whole configuration is not NO: YES
everywhere gives "affected", any UNKNOWN gives "potential" with the undecided condition named.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from canhgac.core.purls import read_purl
from canhgac.exposure.matching import cpe, versions
from canhgac.exposure.matching.facts import (
    Configuration,
    Criterion,
    Reason,
    Software,
    reason,
)
from canhgac.exposure.matching.logic import Tri, all_of, any_of


@dataclass(frozen=True, slots=True)
class Hit:
    """A criterion matched by one piece of software, with how well."""

    software: Software
    truth: Tri
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class Outcome:
    """A configuration on a host: its truth, and the vulnerable matches it may report."""

    truth: Tri
    hits: tuple[Hit, ...]  # matches of vulnerable criteria (truth YES or UNKNOWN)
    context: tuple[Reason, ...]  # how the platform conditions were decided


# A host's software by CPE product key: each piece with one of its CPE names (as written).
SoftwareByKey = Mapping[str, Sequence[tuple[Software, str]]]


@functools.lru_cache(maxsize=262144)
def product_key(text: str) -> str:
    """The product key of a CPE name; "" when it is not one."""
    try:
        return cpe.parse(text).product_key
    except cpe.CpeError:
        return ""


def software_by_key(software: Iterable[Software]) -> dict[str, list[tuple[Software, str]]]:
    """Index a host's software by the product key of each of its CPE names."""
    index: dict[str, list[tuple[Software, str]]] = {}
    for item in software:
        for text in item.cpes:
            if key := product_key(text):
                index.setdefault(key, []).append((item, text))
    return index


def is_simple(configuration: Configuration) -> bool:
    """One or more OR nodes of vulnerable criteria, nothing negated: a software's verdict then
    depends on the software alone, not on the rest of the host (most NVD configurations)."""
    return (
        configuration.operator in ("", "OR")
        and not configuration.negate
        and all(
            node.operator == "OR"
            and not node.negate
            and all(criterion.vulnerable for criterion in node.criteria)
            for node in configuration.nodes
        )
    )


def bounds_text(criterion: Criterion) -> str:
    """ "≥ 5.3.0, < 5.3.18" — the version bounds as a unit officer reads them."""
    parts = [
        f"{symbol} {value}"
        for symbol, value in (
            ("≥", criterion.start_including),
            (">", criterion.start_excluding),
            ("≤", criterion.end_including),
            ("<", criterion.end_excluding),
        )
        if value
    ]
    return ", ".join(parts)


def has_bounds(criterion: Criterion) -> bool:
    return bool(
        criterion.start_including
        or criterion.start_excluding
        or criterion.end_including
        or criterion.end_excluding
    )


def ecosystem(software: Software) -> str:
    package = read_purl(software.purl) if software.purl else None
    return package.type if package else ""


def _version_truth(criterion: Criterion, target: cpe.CpeName, version: str) -> tuple[Tri, Reason]:
    """The version part of a criterion against one target: bounds, exact, NA or any."""
    name = cpe.parse(criterion.cpe)
    if has_bounds(criterion):
        truth = versions.within_bounds(
            version,
            start_including=criterion.start_including,
            start_excluding=criterion.start_excluding,
            end_including=criterion.end_including,
            end_excluding=criterion.end_excluding,
        )
        code = {Tri.YES: "version_in_range", Tri.NO: "version_outside_range"}.get(
            truth, "version_not_comparable"
        )
        return truth, reason(code, version=version, range=bounds_text(criterion))
    wanted = name.version
    if wanted is cpe.ANY:
        return Tri.YES, reason("any_version", version=version)
    if wanted is cpe.NA:
        truth = cpe.attribute_match(cpe.NA, target.version)
        return truth, reason("version_not_applicable", version=version)
    if not version:
        return Tri.UNKNOWN, reason("version_unknown", range=f"= {wanted}")
    order = versions.compare(version, str(wanted))
    truth = Tri.UNKNOWN if order is None else Tri.of(order == 0)
    code = {Tri.YES: "version_equal", Tri.NO: "version_different"}.get(
        truth, "version_not_comparable"
    )
    return truth, reason(code, version=version, range=f"= {wanted}")


# Attributes an inventory CPE leaves ANY because no inventory source records them: the
# criterion's value is not a condition the host can be asked about (a platform conflict is
# checked against the component's ecosystem instead). `update` and `edition` stay strict: they
# carry version information (Exchange "cumulative_update_11", "sp1").
UNRECORDED = ("language", "sw_edition", "target_sw", "target_hw", "other")


@functools.lru_cache(maxsize=65536)
def _naming(criterion: str, target: str) -> Tri:
    name, wanted = cpe.parse(criterion), cpe.parse(target)
    relaxed = replace(
        name, **{field: cpe.ANY for field in UNRECORDED if getattr(wanted, field) is cpe.ANY}
    )
    return cpe.name_match(relaxed, wanted, compare_version=False)


Judgement = tuple[Tri, tuple[Reason, ...]] | None
REFUTED: Judgement = (Tri.NO, ())  # the version is outside: nothing to explain on a host


@dataclass(frozen=True, slots=True)
class Compiled:
    """A criterion prepared for the hot path. In the common shape (a plain CPE whose only
    condition is the version: every other attribute ANY, no escapes), a version outside it is
    refuted with precomputed sort keys, and a name with the same literal product key whose
    version is inside (or any version) is met (`met`), without parsing anything; everything
    else goes through `judge`."""

    fast: bool
    exact: tuple[Any, ...] | None = None  # sort key of the criterion's literal version
    bounds: tuple[tuple[tuple[Any, ...], Callable[[Any, Any], bool]], ...] = ()
    key: str = ""  # `part:vendor:product`, literal: a name with the same one meets it

    @property
    def any_version(self) -> bool:
        return self.exact is None and not self.bounds


def compile_criterion(criterion: Criterion) -> Compiled:
    text = criterion.cpe.lower()
    parts = text.split(":")
    if "\\" in text or len(parts) != 13 or any(part != "*" for part in parts[8:]):
        return Compiled(False)
    named = parts[2:5]
    wild = any(part in ("", "-") or "*" in part or "?" in part for part in named)
    # update and edition carry version information ("cumulative_update_11", "sp1"): another
    # version refutes such a criterion too, but only `judge` says whether one is met
    key = "" if wild or parts[6:8] != ["*", "*"] else ":".join(named)
    bounds = []
    for bound, accepts in (
        (criterion.start_including, operator.ge),
        (criterion.start_excluding, operator.gt),
        (criterion.end_including, operator.le),
        (criterion.end_excluding, operator.lt),
    ):
        if bound:
            at = versions.sort_key(bound)
            if at is None:
                return Compiled(False)
            bounds.append((at, accepts))
    version = parts[5]
    if version in ("*", "") and bounds:
        return Compiled(True, None, tuple(bounds), key)
    if version in ("*", ""):
        return Compiled(bool(key), None, (), key)  # any version: the name decides
    if bounds or version == "-" or "?" in version or "*" in version:
        return Compiled(False)  # both a version and bounds, NA, wildcards
    exact = versions.sort_key(version)
    return Compiled(exact is not None, exact, (), key)


def version_key(software: Software, text: str) -> tuple[Any, ...] | None:
    """The sort key of the version a criterion is compared with: the software's, else the one
    its CPE name gives; None when there is none (the general path decides then)."""
    version = software.version
    if not version:
        if "\\" in text:
            return None
        parts = text.split(":")
        version = parts[5] if len(parts) > 5 else ""
    return versions.sort_key(version) if version else None


def refutes(compiled: Compiled, key: tuple[Any, ...]) -> bool:
    """Whether a fast criterion proves the version (by its sort key) outside it."""
    if compiled.exact is not None:
        return key != compiled.exact
    return not all(accepts(key, bound) for bound, accepts in compiled.bounds)


class Judgements(dict[tuple[Criterion, str, str, str, bool, str], Judgement]):
    """Judgements of one matching run, by what they depend on: the same software runs on many
    hosts. Kept per run (not module-wide) so a long-lived worker does not hold old advisories."""

    def __init__(self) -> None:
        super().__init__()
        self.compiled: dict[int, Compiled] = {}  # by id(criterion): criteria outlive the run

    def of(self, criterion: Criterion, software: Software, text: str, kind: str) -> Judgement:
        """`criterion` against `software` named `text`, from the ecosystem `kind`."""
        compiled = self.compiled.get(id(criterion))
        if compiled is None:
            compiled = self.compiled[id(criterion)] = compile_criterion(criterion)
        found = version_key(software, text) if compiled.fast else None
        named = cpe.literal_key(text) if compiled.fast else ""
        return self.decide(criterion, compiled, software, text, kind, found, named)

    def decide(
        self,
        criterion: Criterion,
        compiled: Compiled,
        software: Software,
        text: str,
        kind: str,
        found: tuple[Any, ...] | None,
        named: str,
    ) -> Judgement:
        """`of` with the software's version key (`version_key`) and its name's literal key
        (`cpe.literal_key`) computed once for every criterion it meets: the common shape is
        refuted or met by sort keys and string equality; the rest goes through `judge`."""
        if compiled.fast:
            if found is not None and refutes(compiled, found):
                return REFUTED
            decided = found is not None or compiled.any_version
            if decided and compiled.key and compiled.key == named:
                return met(criterion, compiled, software, text)
        return self.judged(criterion, software, text, kind)

    def judged(self, criterion: Criterion, software: Software, text: str, kind: str) -> Judgement:
        """`judge`, cached."""
        key = (criterion, text, software.version, software.version_guess, software.mapped, kind)
        if key in self:
            return self[key]
        found = self[key] = judge(*key)
        return found


def met(
    criterion: Criterion, compiled: Compiled, software: Software, text: str
) -> tuple[Tri, tuple[Reason, ...]]:
    """`judge`'s answer, without parsing, for a fast criterion whose version condition holds on
    a name with the criterion's literal product key: every other attribute of the criterion is
    ANY, so the names match and no platform can conflict."""
    written = text.lower().split(":")[5]
    version = software.version or ("" if written in ("*", "-") else written)
    found = reason(
        "cpe_mapped" if software.mapped else "cpe_match", criterion=criterion.cpe, cpe=text
    )
    if compiled.any_version:
        return Tri.YES, (found, reason("any_version", version=version))
    if compiled.exact is not None:
        wanted = criterion.cpe.lower().split(":")[5]
        return Tri.YES, (found, reason("version_equal", version=version, range=f"= {wanted}"))
    in_range = reason("version_in_range", version=version, range=bounds_text(criterion))
    if criterion.vulnerable and software.version_guess:
        return Tri.UNKNOWN, (found, in_range, reason("version_guess", why=software.version_guess))
    return Tri.YES, (found, in_range)


def match_criterion(
    criterion: Criterion, software: Software, text: str, judgements: Judgements
) -> Hit | None:
    """How `software` (through its CPE name `text`) meets `criterion`: None when the names
    differ, else a hit whose truth also says whether the version is in range."""
    judged = judgements.of(criterion, software, text, ecosystem(software))
    return None if judged is None else Hit(software, *judged)


def judge(
    criterion: Criterion, text: str, version: str, guess: str, mapped: bool, ecosystem: str
) -> tuple[Tri, tuple[Reason, ...]] | None:
    """The criterion against one CPE name of a piece of software (cached: the same software
    runs on many hosts)."""
    naming = _naming(criterion.cpe, text)
    if naming is Tri.NO:
        return None
    name, target = cpe.parse(criterion.cpe), cpe.parse(text)
    if ecosystem and cpe.target_software_conflict(name, ecosystem):
        return None  # the Grype lesson: a plugin for another platform with the same name
    version = version or (target.version if isinstance(target.version, str) else "")
    version_truth, version_reason = _version_truth(criterion, target, version)
    found = reason("cpe_mapped" if mapped else "cpe_match", criterion=criterion.cpe, cpe=text)
    reasons = [found, version_reason]
    truth = all_of((naming, version_truth))
    if naming is Tri.UNKNOWN:
        reasons.append(reason("cpe_attribute_unknown", criterion=criterion.cpe))
    if truth is Tri.YES and criterion.vulnerable and guess and has_bounds(criterion):
        # A distribution may have backported the fix; a banner may lie. A platform condition
        # ("JDK >= 9") on the upstream version of a package is reliable and stays YES.
        truth = Tri.UNKNOWN
        reasons.append(reason("version_guess", why=guess))
    return truth, tuple(reasons)


def _criterion_hits(
    criterion: Criterion, by_key: SoftwareByKey, judgements: Judgements
) -> list[Hit]:
    found = []
    for software, text in by_key.get(product_key(criterion.cpe), ()):
        hit = match_criterion(criterion, software, text, judgements)
        if hit is not None:
            found.append(hit)
    return found


def _platform_truth(criterion: Criterion, hits: list[Hit], os_known: bool) -> tuple[Tri, Reason]:
    text = _criterion_text(criterion)
    if hits:
        best = max(hits, key=lambda hit: hit.truth.value)
        code = {Tri.YES: "platform_holds", Tri.NO: "platform_fails"}.get(
            best.truth, "platform_unknown"
        )
        return best.truth, reason(
            code, criterion=text, software=best.software.name, version=best.software.version
        )
    if os_known and cpe.parse(criterion.cpe).part == "o":
        return Tri.NO, reason("platform_absent", criterion=text)
    return Tri.UNKNOWN, reason("platform_not_in_inventory", criterion=text)


def _criterion_text(criterion: Criterion) -> str:
    name = cpe.parse(criterion.cpe)
    bounds = bounds_text(criterion)
    version = "" if name.version in (cpe.ANY, cpe.NA) else f" {name.version}"
    return f"{name.vendor}:{name.product}{version}" + (f" ({bounds})" if bounds else "")


def evaluate(
    configuration: Configuration,
    by_key: SoftwareByKey,
    *,
    os_known: bool,
    judgements: Judgements | None = None,
) -> Outcome:
    """The configuration's truth on a host whose software is indexed in `by_key`."""
    judgements = Judgements() if judgements is None else judgements
    node_truths: list[Tri] = []
    vulnerable_hits: list[Hit] = []
    context: list[Reason] = []
    for node in configuration.nodes:
        truths = []
        for criterion in node.criteria:
            hits = _criterion_hits(criterion, by_key, judgements)
            if criterion.vulnerable:
                vulnerable_hits.extend(hit for hit in hits if hit.truth is not Tri.NO)
                truths.append(any_of(hit.truth for hit in hits))
            else:
                truth, why = _platform_truth(criterion, hits, os_known)
                truths.append(truth)
                context.append(why)
        truth = all_of(truths) if node.operator == "AND" else any_of(truths)
        node_truths.append(~truth if node.negate else truth)
    combined = all_of(node_truths) if configuration.operator == "AND" else any_of(node_truths)
    if configuration.negate:
        combined = ~combined
    return Outcome(combined, tuple(vulnerable_hits), tuple(_decisive(context, combined)))


def _decisive(context: list[Reason], truth: Tri) -> list[Reason]:
    """The platform reasons worth telling: all when the configuration holds or is undecided,
    only the failing ones when it does not."""
    if truth is Tri.NO:
        failing = [item for item in context if item.code in ("platform_absent", "platform_fails")]
        return failing or context
    return context
