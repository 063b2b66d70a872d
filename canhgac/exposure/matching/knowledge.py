"""The advisories indexed for matching, with the caches of one run.

Built once per run from the advisories that can concern the run's hosts; shared by every host.
Keys: CPE product keys (simple configurations' criteria apart from those needing the whole
host), package keys, Windows families and Microsoft product names.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from canhgac.exposure.matching import cpe, windows
from canhgac.exposure.matching.configurations import (
    Compiled,
    Hit,
    Judgements,
    Outcome,
    SoftwareByKey,
    compile_criterion,
    ecosystem,
    evaluate,
    is_simple,
    product_key,
    version_key,
)
from canhgac.exposure.matching.facts import (
    Advisory,
    Configuration,
    Criterion,
    MicrosoftFix,
    PackageRange,
    Reason,
    Rule,
    Software,
    State,
)
from canhgac.exposure.matching.logic import Tri

# What Microsoft's data decides for one vulnerability on one product of a host, before it is a
# verdict: (advisory, state, rule, source, reasons).
Decision = tuple[Advisory, State, Rule, str, tuple[Reason, ...]]
# A configuration's outcome on hosts alike: truth, context, hits as (entry index, truth, reasons).
CachedOutcome = tuple[Tri, tuple[Reason, ...], tuple[tuple[int, Tri, tuple[Reason, ...]], ...]]
# A simple configuration's verdict for one software: (advisory, configuration, truth, reasons).
SimpleHit = tuple[Advisory, Configuration, Tri, tuple[Reason, ...]]
# A simple configuration's criterion, compiled for the hot path.
SimpleCriterion = tuple[Advisory, Configuration, Criterion, Compiled]


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
        self.simple: dict[str, list[tuple[Advisory, Configuration, Criterion, Compiled]]] = (
            defaultdict(list)
        )
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
        version = version_key(software, text)
        named = cpe.literal_key(text)
        decide = self.judgements.decide
        for advisory, configuration, criterion, compiled in self.simple.get(key, ()):
            judged = decide(criterion, compiled, software, text, kind, version, named)
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
                        product_key(criterion.cpe)
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
                    key = product_key(criterion.cpe) if criterion.vulnerable else ""
                    if key and simple:
                        compiled = compile_criterion(criterion)
                        self.simple[key].append((advisory, configuration, criterion, compiled))
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


def _is_windows(family: str) -> bool:
    return family.lower().startswith("windows")
