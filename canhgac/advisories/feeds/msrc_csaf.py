"""Microsoft Security Update Guide, CSAF 2.0 JSON (one document per CVE, published since
November 2024 under https://msrc.microsoft.com/csaf/) → one `MsrcDocumentRecord`.

Format: OASIS CSAF 2.0 (https://docs.oasis-open.org/csaf/csaf/v2.0/csaf-v2.0.html). Choices, also
in docs/feeds/msrc.md; the shared helpers and the CVRF parser are in `msrc.py`:

* `document.csaf_version` must be 2.x and `document.publisher.name` must name Microsoft;
  `document.tracking.id` is the document id, `initial_release_date` its release.
* Products: every `product` of the branches (depth first, in order), `full_product_names` and
  each relationship's `full_product_name`. A `product_version_range` branch "<10.0.17763.6189"
  (or "vers:.../<...") above a product gives that product's fixed build.
* Affected products: `known_affected`, `first_affected` and `last_affected`. `group_ids` are
  expanded through `product_tree.product_groups`.
* Threats: `exploit_status` as in CVRF; `impact` whose details is a Microsoft severity word
  (Critical, Important, Moderate, Low) is a severity, any other `impact` an impact; a threat
  without products applies to every affected product. Without any per-product severity,
  `document.aggregate_severity.text` is used for every affected product.
* Scores: `cvss_v3` / `cvss_v2` of every `scores[]` item, deduplicated like CVRF, with
  baseSeverity as `severity`.
* Remediations: category vendor_fix / workaround / mitigation / no_fix_planned /
  none_available → "Vendor Fix" / "Workaround" / "Mitigation" / "Will Not Fix" /
  "None Available"; `details` that is a KB number → `kb`, else `description`;
  `restart_required.category` as written ("machine", "none"...). Fixed build: a `fixed_build`
  member when present; for a vendor fix, else the version ranges of its products (when the
  details are a KB), else a four-part build in the details text. A KB whose products have
  different fixed builds becomes one record per fixed build, in product order. Remediations
  without products apply to the whole vulnerability. CSAF has no supersedence: "".
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar

from canhgac.advisories.feeds.interface import AdvisoryParser
from canhgac.advisories.feeds.msrc import (
    BOM,
    aware_datetime,
    cvss_system,
    exploit_flags,
    kb_number,
    pairs,
    score_or_none,
    unknown_products_warning,
)
from canhgac.advisories.feeds.records import (
    AdvisoryBatch,
    MsrcDocumentRecord,
    MsrcProductRecord,
    MsrcRemediationRecord,
    MsrcVulnerabilityRecord,
    ScoreRecord,
)
from canhgac.core.exceptions import ParseError, Problem, SourceLocation
from canhgac.core.files import load_json

CATEGORIES = {
    "vendor_fix": "Vendor Fix",
    "workaround": "Workaround",
    "mitigation": "Mitigation",
    "no_fix_planned": "Will Not Fix",
    "none_available": "None Available",
}
SEVERITY_WORDS = frozenset({"critical", "important", "moderate", "low"})
AFFECTED_STATUSES = ("known_affected", "first_affected", "last_affected")
FIXED_RANGE = re.compile(r"^(?:vers:[a-z0-9.+-]+/)?<\s*([0-9]+(?:\.[0-9]+)+)$", re.IGNORECASE)
BUILD_IN_TEXT = re.compile(r"\b[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+\b")
CSAF_SNIFF = re.compile(rb'"csaf_version"\s*:\s*"2\.')
MICROSOFT_PUBLISHER = re.compile(rb'"publisher"\s*:\s*\{[^{}]*"name"\s*:\s*"Microsoft')


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _string(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _strings(value: Any) -> list[str]:
    return [text for item in _list(value) if (text := _string(item))]


class MsrcCsafParser(AdvisoryParser):
    id: ClassVar[str] = "msrc-csaf"
    display_name: ClassVar[str] = "Microsoft Security Update Guide (CSAF 2.0 JSON)"
    extensions: ClassVar[tuple[str, ...]] = (".json",)

    @classmethod
    def sniff(cls, head: bytes, name: str) -> bool:
        text = head.removeprefix(BOM)
        return bool(CSAF_SNIFF.search(text) and MICROSOFT_PUBLISHER.search(text))

    def parse(self, path: Path, *, source: str) -> AdvisoryBatch:
        try:
            data = load_json(path, source)
        except RecursionError:
            raise ParseError(
                "invalid JSON: nested too deeply", source=SourceLocation(source)
            ) from None
        reader = _CsafReader(source, _meta(data, source))
        return AdvisoryBatch(
            source_format=self.id,
            source_name=source,
            msrc_documents=(reader.document(data),),
            warnings=tuple(reader.warnings),
        )


def _meta(data: Any, source: str) -> dict[str, Any]:
    """The checked `document` object: CSAF 2.x, published by Microsoft, with a tracking id."""
    meta = _object(data).get("document")
    if not isinstance(meta, dict):
        raise ParseError(
            'not a CSAF document: there is no "document" object',
            source=SourceLocation(source, None, "$.document"),
        )
    version = meta.get("csaf_version")
    if not (isinstance(version, str) and version.startswith("2.")):
        raise ParseError(
            f"not a CSAF 2.x document: csaf_version is {version!r}",
            source=SourceLocation(source, None, "$.document.csaf_version"),
        )
    publisher = _string(_object(meta.get("publisher")).get("name"))
    if "microsoft" not in publisher.lower():
        raise ParseError(
            f"not a Microsoft CSAF document: the publisher is {publisher!r}; "
            "this parser reads the Microsoft Security Update Guide",
            source=SourceLocation(source, None, "$.document.publisher.name"),
        )
    if not _string(_object(meta.get("tracking")).get("id")):
        raise ParseError(
            "the document has no tracking id",
            source=SourceLocation(source, None, "$.document.tracking.id"),
        )
    return meta


class _CsafReader:
    def __init__(self, source: str, meta: dict[str, Any]) -> None:
        self.source = source
        self.meta = meta
        self.warnings: list[Problem] = []
        self.products: dict[str, str] = {}
        self.fixed_builds: dict[str, str] = {}  # product id → build of its "<build>" range
        self.groups: dict[str, list[str]] = {}
        self.provider = _string(_object(meta.get("publisher")).get("contact_details"))

    def location(self, field: str) -> SourceLocation:
        return SourceLocation(self.source, None, field)

    def document(self, data: dict[str, Any]) -> MsrcDocumentRecord:
        self._product_tree(_object(data.get("product_tree")))
        vulnerabilities = data.get("vulnerabilities", [])
        if not isinstance(vulnerabilities, list):
            raise ParseError(
                '"vulnerabilities" is not a list', source=self.location("$.vulnerabilities")
            )
        records = [
            record
            for index, item in enumerate(vulnerabilities)
            if (record := self._vulnerability(item, f"$.vulnerabilities[{index}]"))
        ]
        tracking = _object(self.meta.get("tracking"))
        return MsrcDocumentRecord(
            document_id=_string(tracking.get("id")),
            title=_string(self.meta.get("title")),
            released=aware_datetime(_string(tracking.get("initial_release_date"))),
            products=tuple(MsrcProductRecord(key, name) for key, name in self.products.items()),
            vulnerabilities=tuple(records),
        )

    def _add_product(self, product: Any, field: str, fixed_build: str = "") -> None:
        product_id = _string(_object(product).get("product_id"))
        name = _string(_object(product).get("name"))
        if not product_id:
            self.warnings.append(
                Problem("a product without a product_id; skipped", self.location(field))
            )
            return
        if product_id not in self.products:
            self.products[product_id] = name
        elif self.products[product_id] != name:
            self.warnings.append(
                Problem(
                    f"product_id {product_id} is named {self.products[product_id]!r} and "
                    f"{name!r}; the first name is kept",
                    self.location(field),
                )
            )
        if fixed_build:
            self.fixed_builds.setdefault(product_id, fixed_build)

    def _product_tree(self, tree: dict[str, Any]) -> None:
        # Depth first without recursion: branches may nest deeply.
        stack = [
            (item, f"$.product_tree.branches[{index}]")
            for index, item in enumerate(_list(tree.get("branches")))
        ]
        stack.reverse()
        while stack:
            item, field = stack.pop()
            branch = _object(item)
            if "product" in branch:
                fixed = ""
                if _string(branch.get("category")) == "product_version_range":
                    match = FIXED_RANGE.match(_string(branch.get("name")))
                    fixed = match.group(1) if match else ""
                self._add_product(branch["product"], f"{field}.product", fixed)
            children = _list(branch.get("branches"))
            stack.extend(
                (children[index], f"{field}.branches[{index}]")
                for index in reversed(range(len(children)))
            )
        for index, product in enumerate(_list(tree.get("full_product_names"))):
            self._add_product(product, f"$.product_tree.full_product_names[{index}]")
        for index, relationship in enumerate(_list(tree.get("relationships"))):
            product = _object(relationship).get("full_product_name")
            self._add_product(product, f"$.product_tree.relationships[{index}].full_product_name")
        for group in _list(tree.get("product_groups")):
            group_id = _string(_object(group).get("group_id"))
            if group_id:
                self.groups[group_id] = _strings(_object(group).get("product_ids"))

    def _ids(self, item: dict[str, Any]) -> tuple[list[str], tuple[str, ...]]:
        """(the product ids listed, groups expanded; those in the product tree)."""
        listed = _strings(item.get("product_ids"))
        for group_id in _strings(item.get("group_ids")):
            listed += self.groups.get(group_id, [])
        known = tuple(dict.fromkeys(key for key in listed if key in self.products))
        return listed, known

    def _known(self, listed: list[str], field: str) -> None:
        unknown = [key for key in dict.fromkeys(listed) if key not in self.products]
        if unknown:
            self.warnings.append(unknown_products_warning(unknown, self.location(field)))

    def _vulnerability(self, item: Any, where: str) -> MsrcVulnerabilityRecord | None:
        vulnerability = _object(item)
        cve = _string(vulnerability.get("cve")).upper()
        if not cve:
            self.warnings.append(
                Problem("a vulnerability without a cve; skipped", self.location(where))
            )
            return None
        status = _object(vulnerability.get("product_status"))
        listed = [key for name in AFFECTED_STATUSES for key in _strings(status.get(name))]
        self._known(listed, f"{where}.product_status")
        affected = tuple(dict.fromkeys(key for key in listed if key in self.products))
        severities: list[tuple[str, str]] = []
        impacts: list[tuple[str, str]] = []
        exploited = disclosed = ""
        for index, item in enumerate(_list(vulnerability.get("threats"))):
            threat = _object(item)
            category = _string(threat.get("category"))
            details = _string(threat.get("details"))
            named, known = self._ids(threat)
            self._known(named, f"{where}.threats[{index}].product_ids")
            targets = known if named else affected
            if category == "exploit_status" and not (exploited or disclosed):
                exploited, disclosed = exploit_flags(details)
            elif category == "impact" and details.lower() in SEVERITY_WORDS:
                severities += pairs(targets, details)
            elif category == "impact":
                impacts += pairs(targets, details)
        if not severities:
            aggregate = _string(_object(self.meta.get("aggregate_severity")).get("text"))
            severities = pairs(affected, aggregate) if aggregate else []
        return MsrcVulnerabilityRecord(
            cve_id=cve,
            location=self.location(where),
            title=_string(vulnerability.get("title")),
            product_ids=affected,
            severities=tuple(dict.fromkeys(severities)),
            impacts=tuple(dict.fromkeys(impacts)),
            scores=self._scores(vulnerability, where),
            remediations=self._remediations(vulnerability, where),
            exploited=exploited,
            publicly_disclosed=disclosed,
            released=aware_datetime(_string(vulnerability.get("release_date"))),
        )

    def _scores(self, vulnerability: dict[str, Any], where: str) -> tuple[ScoreRecord, ...]:
        scores: dict[tuple[str, str, float | None], ScoreRecord] = {}
        for index, score in enumerate(_list(vulnerability.get("scores"))):
            for member in ("cvss_v3", "cvss_v2"):
                cvss = _object(_object(score).get(member))
                if not cvss:
                    continue
                vector = _string(cvss.get("vectorString"))
                system = cvss_system(vector)
                if not system:
                    field = f"{where}.scores[{index}].{member}.vectorString"
                    self.warnings.append(
                        Problem(f"{vector!r} is not a CVSS vector; skipped", self.location(field))
                    )
                    continue
                base = score_or_none(cvss.get("baseScore"))
                severity = _string(cvss.get("baseSeverity"))
                record = ScoreRecord(system, vector, base, severity, provider=self.provider)
                scores.setdefault((system, vector, base), record)
        return tuple(scores.values())

    def _remediations(
        self, vulnerability: dict[str, Any], where: str
    ) -> tuple[MsrcRemediationRecord, ...]:
        records: list[MsrcRemediationRecord] = []
        for index, item in enumerate(_list(vulnerability.get("remediations"))):
            remediation = _object(item)
            field = f"{where}.remediations[{index}]"
            listed, product_ids = self._ids(remediation)
            unknown = [key for key in dict.fromkeys(listed) if key not in self.products]
            if unknown:
                skipped = not product_ids
                location = self.location(f"{field}.product_ids")
                self.warnings.append(unknown_products_warning(unknown, location, skipped=skipped))
                if skipped:
                    continue
            category = _string(remediation.get("category"))
            details = _string(remediation.get("details"))
            kb = kb_number(details)
            for fixed_build, ids in self._by_fixed_build(remediation, kb, product_ids).items():
                records.append(
                    MsrcRemediationRecord(
                        product_ids=ids,
                        kb=kb,
                        kind=CATEGORIES.get(category, category),
                        fixed_build=fixed_build,
                        url=_string(remediation.get("url")),
                        restart_required=_string(
                            _object(remediation.get("restart_required")).get("category")
                        ),
                        description="" if kb else details,
                    )
                )
        return tuple(records)

    def _by_fixed_build(
        self, remediation: dict[str, Any], kb: str, product_ids: tuple[str, ...]
    ) -> dict[str, tuple[str, ...]]:
        """Fixed build → the remediation's products with that fixed build, in order."""
        explicit = _string(remediation.get("fixed_build"))
        if explicit or _string(remediation.get("category")) != "vendor_fix":
            return {explicit: product_ids}
        in_text = BUILD_IN_TEXT.search(_string(remediation.get("details")))
        fallback = in_text.group(0) if in_text else ""
        if not kb:  # release notes and the like: no build of their own
            return {fallback: product_ids}
        groups: dict[str, list[str]] = {}
        for product_id in product_ids:
            groups.setdefault(self.fixed_builds.get(product_id, fallback), []).append(product_id)
        return {build: tuple(ids) for build, ids in groups.items()} or {fallback: ()}
