"""OASIS CSAF 2.0 JSON advisories of any vendor or CERT (Cisco, Siemens, Red Hat, CISA, BSI...)
→ one `VulnerabilityRecord` per vulnerability, with its products as `PackageRecord`s.

Format: https://docs.oasis-open.org/csaf/csaf/v2.0/csaf-v2.0.html. Microsoft's documents have
their own parser (`msrc_csaf.py`, id "msrc-csaf") and are not sniffed here. Choices, also in
docs/feeds/csaf.md:

* `id`: the `cve`; without one, the first `ids[]` entry as "<system_name>:<text>" (the text
  alone when it already starts with the system name: "GHSA-..."); without either,
  "<tracking id>#<position>" with a warning. Every other id becomes an alias.
* Products: every `product` of the branches, `full_product_names`, and each relationship's
  `full_product_name`, which stands for its `product_reference` product. Identity: the purl
  without version, qualifiers or subpath; else the CPE 2.3 name with version "*"; else
  "vendor/product name" from the branches, lower-cased. Version: the nearest
  `product_version_range` branch (a vers string as written, or a vls string made into
  "vers:<purl type or generic>/<vls>", checked with univers); else the version written in the
  purl or CPE; else the nearest `product_version` branch.
* Packages: the products of each `product_status` list, merged by (identity, status).
* Remediations: `product_keys` are the keys of the products they list, groups expanded; a
  remediation naming products only outside the tree is skipped with a warning.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from packageurl import PackageURL
from univers.version_range import RANGE_CLASS_BY_SCHEMES, VersionRange

from canhgac.advisories.feeds.common import CVE_ID, Problems
from canhgac.advisories.feeds.interface import AdvisoryParser
from canhgac.advisories.feeds.json_fields import JsonFields
from canhgac.advisories.feeds.msrc import (
    BOM,
    cvss_system,
    score_or_none,
    unknown_products_warning,
)
from canhgac.advisories.feeds.msrc_csaf import MICROSOFT_PUBLISHER
from canhgac.advisories.feeds.records import (
    AdvisoryBatch,
    PackageRecord,
    RangeRecord,
    ReferenceRecord,
    RemediationRecord,
    ScoreRecord,
    VulnerabilityRecord,
)
from canhgac.core.exceptions import ParseError, SourceLocation
from canhgac.core.files import cpe22_to_23, load_json
from canhgac.core.purls import package_key

# The CSAF 2.0 product status lists, affected first.
STATUSES = (
    "known_affected",
    "first_affected",
    "last_affected",
    "fixed",
    "first_fixed",
    "known_not_affected",
    "under_investigation",
    "recommended",
)
SHAREABLE_TLP = frozenset({"", "WHITE", "CLEAR"})
CSAF_SNIFF = re.compile(rb'"csaf_version"\s*:\s*"')
CPE_SEPARATOR = re.compile(r"(?<!\\):")
CPE_ESCAPE = re.compile(r"\\(.)")
# univers raises these for malformed ranges (found by fuzzing from_string).
VERS_ERRORS = (ValueError, TypeError, AttributeError, IndexError)


@dataclass(frozen=True, slots=True)
class _Product:
    scheme: str
    key: str
    ecosystem: str
    name: str
    ranges: tuple[RangeRecord, ...] = ()
    versions: tuple[str, ...] = ()


_Merged = tuple[_Product, dict[RangeRecord, None], dict[str, None]]


@dataclass(frozen=True, slots=True)
class _Context:
    """What a product inherits from the branches above it."""

    vendor: str = ""
    product_name: str = ""
    helper: tuple[dict[str, Any], str] | None = None  # an ancestor product's helper
    version: tuple[str, str, str] | None = None  # (category, name, field) of the nearest


class CsafParser(AdvisoryParser):
    id: ClassVar[str] = "csaf"
    display_name: ClassVar[str] = "CSAF 2.0 advisory (any vendor or CERT)"
    extensions: ClassVar[tuple[str, ...]] = (".json",)

    @classmethod
    def sniff(cls, head: bytes, name: str) -> bool:
        text = head.removeprefix(BOM)
        return bool(CSAF_SNIFF.search(text)) and not MICROSOFT_PUBLISHER.search(text)

    def parse(self, path: Path, *, source: str) -> AdvisoryBatch:
        data = load_json(path, source)
        reader = _Reader(source)
        records = reader.document(data)
        reader.problems.raise_if_any()
        return AdvisoryBatch(
            source_format=self.id,
            source_name=source,
            vulnerabilities=records,
            warnings=tuple(reader.problems.warnings),
        )


def id_label(system_name: str, text: str) -> str:
    """An `ids[]` entry as an identifier: "GHSA-..." as is, ("NCERT-VU", "7") → "NCERT-VU:7"."""
    if not system_name or text.casefold().startswith(system_name.casefold()):
        return text
    return f"{system_name}:{text}"


def csaf_datetime(text: str) -> datetime:
    """ISO 8601 → aware UTC datetime (no offset: UTC); ValueError if not one."""
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def first_per_url(references: tuple[ReferenceRecord, ...]) -> tuple[ReferenceRecord, ...]:
    found: dict[str, ReferenceRecord] = {}
    for reference in references:
        found.setdefault(reference.url, reference)
    return tuple(found.values())


def vers_scheme(purl_type: str) -> str:
    """The vers versioning scheme of a purl type: the type itself when univers knows it."""
    return purl_type if purl_type in RANGE_CLASS_BY_SCHEMES else "generic"


class CsafFields(JsonFields):
    """The JSON value reads of CSAF documents and providers: ISO 8601 date-times."""

    def __init__(self, source: str) -> None:
        super().__init__(Problems(source))

    def parse_moment(self, text: str) -> datetime:
        return csaf_datetime(text)


class _Reader(CsafFields):
    def __init__(self, source: str) -> None:
        super().__init__(source)
        self.products: dict[str, _Product] = {}
        self.groups: dict[str, list[str]] = {}
        self.provider = ""
        self.meta: dict[str, Any] = {}
        self.document_id = self.title = ""
        self.released: datetime | None = None
        self.revised: datetime | None = None
        self.document_references: tuple[ReferenceRecord, ...] = ()

    # - document -

    def document(self, data: Any) -> tuple[VulnerabilityRecord, ...]:
        source = self.problems.source
        meta = data.get("document") if isinstance(data, dict) else None
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
        self.meta = meta
        tracking = self.object(meta, "tracking", "$.document")
        self.document_id = self.text(tracking, "id", "$.document.tracking", required=True)
        self.title = self.text(meta, "title", "$.document")
        self.released = self.moment(tracking, "initial_release_date", "$.document.tracking")
        self.revised = self.moment(tracking, "current_release_date", "$.document.tracking")
        publisher = self.object(meta, "publisher", "$.document")
        self.provider = self.text(publisher, "namespace", "$.document.publisher")
        tlp = self.object(self.object(meta, "distribution", "$.document"), "tlp", "$.document")
        label = self.text(tlp, "label", "$.document.distribution.tlp").upper()
        if label not in SHAREABLE_TLP:
            self.problems.warn(
                f"the document is TLP:{label}; share what is imported accordingly",
                "$.document.distribution.tlp.label",
            )
        self.document_references = self.references(meta, "$.document")
        self.product_tree(self.object(data, "product_tree", "$"))
        vulnerabilities = self.items(data, "vulnerabilities", "$")
        records = tuple(
            self.vulnerability(item, where, index)
            for index, (item, where) in enumerate(vulnerabilities)
        )
        seen: set[str] = set()
        for record in records:
            if record.id in seen:
                self.problems.warn(
                    f"{record.id} is described twice; both kept", record.location.field
                )
            seen.add(record.id)
        return records

    # - product tree -

    def product_tree(self, tree: dict[str, Any]) -> None:
        path = "$.product_tree"
        # Depth first without recursion: branches may nest deeply.
        stack = [(item, where, _Context()) for item, where in self.items(tree, "branches", path)]
        stack.reverse()
        while stack:
            branch, where, context = stack.pop()
            category = self.text(branch, "category", where, required=True)
            name = self.text(branch, "name", where, required=True)
            if category == "vendor":
                context = replace(context, vendor=name)
            elif category == "product_name":
                context = replace(context, product_name=name)
            elif category in ("product_version", "product_version_range"):
                context = replace(context, version=(category, name, f"{where}.name"))
            product = self.object(branch, "product", where)
            if product:
                context = self.add_product(product, f"{where}.product", context)
            children = self.items(branch, "branches", where)
            stack.extend((item, inner, context) for item, inner in reversed(children))
        for product, where in self.items(tree, "full_product_names", path):
            self.add_product(product, where, _Context())
        references: dict[str, tuple[str, str]] = {}
        for relationship, where in self.items(tree, "relationships", path):
            full = self.object(relationship, "full_product_name", where)
            product_id = self.text(full, "product_id", f"{where}.full_product_name", required=True)
            reference = self.text(relationship, "product_reference", where, required=True)
            if product_id and reference:
                references.setdefault(product_id, (reference, f"{where}.product_reference"))
        self.resolve_relationships(references)
        for group, where in self.items(tree, "product_groups", path):
            group_id = self.text(group, "group_id", where, required=True)
            if group_id:
                self.groups[group_id] = self.strings(group, "product_ids", where)

    def add_product(self, product: dict[str, Any], where: str, context: _Context) -> _Context:
        """Record the product; the context its sub-branches (if any) inherit."""
        product_id = self.text(product, "product_id", where, required=True)
        name = self.text(product, "name", where, required=True)
        helper = self.object(product, "product_identification_helper", where)
        helper_field = f"{where}.product_identification_helper"
        if helper:
            context = replace(context, helper=(helper, helper_field))
        if not product_id:
            return context
        if product_id in self.products:
            self.problems.warn(
                f"product_id {product_id} is defined twice; the first is kept", where
            )
            return context
        self.products[product_id] = self.identify(context, name)
        return context

    def identify(self, context: _Context, name: str) -> _Product:
        helper, field = context.helper or ({}, "")
        display = context.product_name or name
        purl_text = self.text(helper, "purl", field)
        cpe_text = self.text(helper, "cpe", field)
        scheme, key, ecosystem, written = "", "", "", ""
        if purl_text:
            try:
                purl = PackageURL.from_string(purl_text)
            except ValueError as error:
                self.problems.warn(f"'{purl_text}' is not a package URL ({error})", f"{field}.purl")
            else:
                scheme, ecosystem = "purl", purl.type
                key = package_key(purl.type, purl.namespace, purl.name)
                written = purl.version or ""
                epoch = (purl.qualifiers or {}).get("epoch", "") if purl.type == "rpm" else ""
                written = f"{epoch}:{written}" if written and epoch not in ("", "0") else written
        if not scheme and cpe_text:
            parts = CPE_SEPARATOR.split(cpe22_to_23(cpe_text))
            if len(parts) == 13 and parts[2] in ("a", "o", "h", "*", "-"):
                scheme, key = "cpe", ":".join([*parts[:5], "*", *parts[6:]])
                version = CPE_ESCAPE.sub(r"\1", parts[5])
                written = "" if version in ("*", "-", "") else version
            else:
                self.problems.warn(f"'{cpe_text}' is not a CPE name", f"{field}.cpe")
        if not scheme:
            vendor_and_product = [part for part in (context.vendor, display) if part]
            scheme, key = "name", "/".join(vendor_and_product).lower()
        ranges: tuple[RangeRecord, ...] = ()
        versions: tuple[str, ...] = (written,) if written else ()
        if context.version and context.version[0] == "product_version_range":
            ranges, versions = (self.version_range(context.version, ecosystem),), ()
        elif context.version and not written:
            versions = (context.version[1],)
        return _Product(scheme, key, ecosystem, display, ranges, versions)

    def version_range(self, branch: tuple[str, str, str], purl_type: str) -> RangeRecord:
        _category, text, field = branch
        vers = text if text.startswith("vers:") else f"vers:{vers_scheme(purl_type)}/{text}"
        try:
            VersionRange.from_string(vers)  # type: ignore[no-untyped-call]  # univers has no hints here
        except VERS_ERRORS as error:
            self.problems.warn(
                f"version range '{text}' is not a vers or vls range ({error}); "
                "kept as text, never compared",
                field,
            )
            return RangeRecord(type="vers", events=(("vls", text),))
        return RangeRecord(type="vers", vers=vers)

    def resolve_relationships(self, references: dict[str, tuple[str, str]]) -> None:
        """A relationship's product stands for its product_reference product (followed through
        other relationships)."""
        for product_id, (reference, field) in references.items():
            seen = {product_id}
            while reference in references and reference not in self.products:
                if reference in seen:
                    break
                seen.add(reference)
                reference = references[reference][0]
            if product_id in self.products:
                self.problems.warn(
                    f"product_id {product_id} is defined twice; the first is kept", field
                )
            elif reference in self.products:
                self.products[product_id] = self.products[reference]
            else:
                self.problems.warn(
                    f"product_reference {reference} is not in the product tree; "
                    f"{product_id} is left out",
                    field,
                )

    def expand(self, item: dict[str, Any], where: str) -> list[str]:
        """The product ids of `item` (`product_ids` and `group_ids`), groups expanded."""
        listed = self.strings(item, "product_ids", where)
        for group_id in self.strings(item, "group_ids", where):
            if group_id in self.groups:
                listed += self.groups[group_id]
            else:
                self.problems.warn(
                    f"group_id {group_id} is not in the product tree", f"{where}.group_ids"
                )
        return list(dict.fromkeys(listed))

    def known(self, listed: list[str], field: str, *, remediation: bool = False) -> list[str]:
        """The ids of `listed` in the product tree; the others are named in a warning."""
        known = [key for key in listed if key in self.products]
        unknown = [key for key in listed if key not in self.products]
        if unknown:
            location = SourceLocation(self.problems.source, None, field)
            skipped = remediation and not known
            self.problems.warnings.append(
                unknown_products_warning(unknown, location, skipped=skipped)
            )
        return known

    # - vulnerabilities -

    def vulnerability(self, item: dict[str, Any], where: str, index: int) -> VulnerabilityRecord:
        cve = self.text(item, "cve", where).upper()
        if cve and not CVE_ID.fullmatch(cve):
            self.problems.add(f"'{cve}' is not a CVE id", f"{where}.cve")
        labels = []
        for entry, inner in self.items(item, "ids", where):
            system = self.text(entry, "system_name", inner, required=True)
            if text := self.text(entry, "text", inner, required=True):
                labels.append(id_label(system, text))
        identifier = cve or (labels[0] if labels else f"{self.document_id}#{index + 1}")
        if not (cve or labels):
            self.problems.warn(f"a vulnerability without cve or ids; named {identifier}", where)
        title = self.text(item, "title", where)
        published = self.moment(item, "release_date", where)
        description = self.description(item, where)
        packages = self.packages(item, where)
        return VulnerabilityRecord(
            id=identifier,
            location=SourceLocation(self.problems.source, None, where),
            source=CsafParser.id,
            aliases=tuple(label for label in dict.fromkeys(labels) if label != identifier),
            published=published or self.released,
            last_modified=self.revised,
            title=title or self.title,
            description=description,
            scores=self.scores(item, where),
            cwes=self.cwes(item, where),
            references=first_per_url(self.references(item, where) + self.document_references),
            packages=packages,
            remediations=self.remediations(item, where),
            document=self.document_id,
        )

    def description(self, item: dict[str, Any], where: str) -> str:
        notes: dict[str, list[str]] = {}
        for note, inner in self.items(item, "notes", where):
            category = self.text(note, "category", inner, required=True)
            if text := self.text(note, "text", inner, required=True):
                notes.setdefault(category, []).append(text)
        return "\n\n".join(notes.get("description") or notes.get("summary") or [])

    def cwes(self, item: dict[str, Any], where: str) -> tuple[str, ...]:
        found = [self.text(self.object(item, "cwe", where), "id", f"{where}.cwe")]
        found += [self.text(cwe, "id", inner) for cwe, inner in self.items(item, "cwes", where)]
        return tuple(dict.fromkeys(cwe for cwe in found if cwe))

    def references(self, item: dict[str, Any], where: str) -> tuple[ReferenceRecord, ...]:
        """The references, `category` "external" when absent."""
        found = []
        for reference, inner in self.items(item, "references", where):
            url = self.text(reference, "url", inner, required=True)
            category = self.text(reference, "category", inner) or "external"
            if url:
                found.append(ReferenceRecord(url, tags=(category,)))
        return tuple(found)

    def scores(self, item: dict[str, Any], where: str) -> tuple[ScoreRecord, ...]:
        containers = self.items(item, "scores", where)
        for metric, inner in self.items(item, "metrics", where):  # CSAF 2.1
            containers.append((self.object(metric, "content", inner), f"{inner}.content"))
        found: dict[tuple[str, str, float | None], ScoreRecord] = {}
        for score, inner in containers:
            for member in ("cvss_v4", "cvss_v3", "cvss_v2"):
                cvss = self.object(score, member, inner)
                if not cvss:
                    continue
                field = f"{inner}.{member}"
                vector = self.text(cvss, "vectorString", field, required=True)
                system = cvss_system(vector)
                if not system:
                    if vector:
                        self.problems.warn(
                            f"'{vector}' is not a CVSS vector; skipped", f"{field}.vectorString"
                        )
                    continue
                base = score_or_none(cvss.get("baseScore"))
                severity = self.text(cvss, "baseSeverity", field)
                record = ScoreRecord(system, vector, base, severity, provider=self.provider)
                found.setdefault((system, vector, base), record)
        return tuple(found.values())

    def packages(self, item: dict[str, Any], where: str) -> tuple[PackageRecord, ...]:
        """The products of `product_status`, merged by (identity, status)."""
        status = self.object(item, "product_status", where)
        field = f"{where}.product_status"
        for name in status:
            if name not in STATUSES:
                self.problems.warn(f"{name} is not a CSAF 2.0 product status; not read", field)
        # (scheme, key, status) → (the first product, its ranges and versions as ordered sets)
        merged: dict[tuple[str, str, str], _Merged] = {}
        for name in STATUSES:
            listed = []  # CSAF lists product ids only here; a group id is expanded all the same
            for key in self.strings(status, name, field):
                group = key not in self.products and self.groups.get(key)
                listed += group or [key]
            for product_id in self.known(list(dict.fromkeys(listed)), f"{field}.{name}"):
                product = self.products[product_id]
                _first, ranges, versions = merged.setdefault(
                    (product.scheme, product.key, name), (product, {}, {})
                )
                ranges.update(dict.fromkeys(product.ranges))
                versions.update(dict.fromkeys(product.versions))
        return tuple(
            PackageRecord(
                first.scheme,
                first.key,
                first.ecosystem,
                first.name,
                status,
                ranges=tuple(ranges),
                versions=tuple(versions),
            )
            for (_scheme, _key, status), (first, ranges, versions) in merged.items()
        )

    def remediations(self, item: dict[str, Any], where: str) -> tuple[RemediationRecord, ...]:
        found = []
        for remediation, inner in self.items(item, "remediations", where):
            category = self.text(remediation, "category", inner, required=True)
            listed = self.expand(remediation, inner)
            known = self.known(listed, f"{inner}.product_ids", remediation=True)
            if listed and not known:
                continue
            product_keys = [self.products[key].key for key in known]
            found.append(
                RemediationRecord(
                    category=category,
                    details=self.text(remediation, "details", inner),
                    url=self.text(remediation, "url", inner),
                    product_keys=tuple(dict.fromkeys(product_keys)),
                    date=self.moment(remediation, "date", inner),
                )
            )
        return tuple(found)
