"""Microsoft Security Update Guide, CVRF 1.1 XML (one monthly document, e.g. "2022-Apr") →
one `MsrcDocumentRecord`; also the helpers the CSAF parser (`msrc_csaf.py`) shares.

Format: ICASI CVRF 1.1 (namespace http://www.icasi.org/CVRF/schema/cvrf/1.1 with its `prod` and
`vuln` sub-namespaces) as https://api.msrc.microsoft.com/cvrf/v3.0/cvrf/{id} returns it with
"Accept: application/xml". Choices, also in docs/feeds/msrc.md:

* The root must be `cvrfdoc` in the CVRF 1.1 namespace and the `DocumentPublisher` must name
  Microsoft; anything else is refused. `DocumentTracking/Identification/ID` is required.
* Products: every `prod:FullProductName` (Microsoft lists each product twice, in its family branch
  and at the top of the tree): ProductID → name, first occurrence kept, in document order.
* Per vulnerability: affected products from `Status Type="Known Affected"`; `Threat Type`
  "Impact"/"0", "Severity"/"3" per product (a threat without ProductID applies to every affected
  product), "Exploit Status"/"1" split into `exploited` and `publicly_disclosed` ("Yes"/"No");
  CVSS score sets deduplicated on (system, vector, base score), the system from the vector prefix
  ("CVSS:3.1/" → cvss_v31, "CVSS:3.0/" → cvss_v30, "CVSS:4.0/" → cvss_v40, a bare
  "AV:..." v2 vector → cvss_v2), the provider being the publisher's ContactDetails; `released`
  is the earliest date of the vulnerability's own revision history.
* Every remediation is kept, in document order (Vendor Fix, Known Issue, Mitigation, ...):
  `Description` that is a KB number ("5012647", "KB5012647") → `kb` (digits); any other
  Description → `description`. `Supercedence` → the superseded KB numbers, digits only,
  comma-separated without spaces in the order written ("5011503" or "5011503,5011485");
  pieces that are not KB numbers are left out with a warning. FixedBuild, URL, SubType and
  RestartRequired are kept as written. No ProductID (Microsoft's mitigations and workarounds)
  means: for the whole vulnerability.
* A ProductID that is not in the ProductTree is left out with a located warning; a remediation
  all of whose ProductIDs are unknown is skipped.
* Dates without an offset are UTC (Microsoft writes 08:00 or 07:00, midnight in Redmond).

The file is streamed; each top-level element is dropped once read. DTDs and entities are refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar
from xml.etree.ElementTree import Element  # types only; the parsing is defusedxml's

from canhgac.advisories.feeds.interface import AdvisoryParser
from canhgac.advisories.feeds.records import (
    AdvisoryBatch,
    MsrcDocumentRecord,
    MsrcProductRecord,
    MsrcRemediationRecord,
    MsrcVulnerabilityRecord,
    ScoreRecord,
)
from canhgac.core.exceptions import ParseError, Problem, SourceLocation
from canhgac.core.files import iter_xml, local_name

CVRF_NAMESPACE = "http://www.icasi.org/CVRF/schema/cvrf/1.1"
CVRF = "{" + CVRF_NAMESPACE + "}"
PROD = "{http://www.icasi.org/CVRF/schema/prod/1.1}"
VULN = "{http://www.icasi.org/CVRF/schema/vuln/1.1}"
# The MSRC JSON API writes these enumerations as numbers (CVRF 1.1 order, 3 = Severity).
THREAT_TYPES = {"0": "Impact", "1": "Exploit Status", "2": "Target Set", "3": "Severity"}
REMEDIATION_TYPES = {
    "0": "Workaround",
    "1": "Mitigation",
    "2": "Vendor Fix",
    "3": "None Available",
    "4": "Will Not Fix",
}
KB_PATTERN = re.compile(r"^(?:KB)?\s*([0-9]{4,9})$", re.IGNORECASE)
SUPERSEDENCE_SEPARATORS = re.compile(r"[,;\s]+")
CVSS_PREFIXES = (("CVSS:3.1/", "cvss_v31"), ("CVSS:3.0/", "cvss_v30"), ("CVSS:4.0/", "cvss_v40"))
CVSS_V2_VECTOR = re.compile(r"^\(?AV:[LAN]/AC:[HML]/Au:[MSN]/")
BOM = b"\xef\xbb\xbf"
ROOT_PATTERN = re.compile(rb"<([A-Za-z_][\w.:-]*)")
PROLOG_NOISE = re.compile(rb"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>", re.DOTALL)


# --- helpers shared with msrc_csaf ----------------------------------------------------------


def text_of(value: str | None) -> str:
    return (value or "").strip()


def kb_number(text: str) -> str:
    """'5012647' or 'KB5012647' → '5012647'; anything else → ''."""
    match = KB_PATTERN.match(text.strip())
    return match.group(1) if match else ""


def superseded_kbs(text: str) -> tuple[str, list[str]]:
    """'5011503; KB5011485' → ('5011503,5011485', []); the pieces that are not KBs come second."""
    kbs: list[str] = []
    rejected: list[str] = []
    for piece in SUPERSEDENCE_SEPARATORS.split(text.strip()):
        if not piece:
            continue
        kb = kb_number(piece)
        if kb:
            kbs.append(kb)
        else:
            rejected.append(piece)
    return ",".join(dict.fromkeys(kbs)), rejected


def exploit_flags(text: str) -> tuple[str, str]:
    """'Publicly Disclosed:No;Exploited:Yes;...' → (exploited, publicly_disclosed)."""
    values: dict[str, str] = {}
    for part in text.split(";"):
        key, _colon, value = part.partition(":")
        values.setdefault(key.strip().casefold(), value.strip())
    return values.get("exploited", ""), values.get("publicly disclosed", "")


def cvss_system(vector: str) -> str:
    """The ScoreRecord system of a CVSS vector, '' when the vector is not recognised."""
    for prefix, system in CVSS_PREFIXES:
        if vector.startswith(prefix):
            return system
    return "cvss_v2" if CVSS_V2_VECTOR.match(vector) else ""


def score_or_none(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if 0.0 <= number <= 10.0 else None


def aware_datetime(text: str) -> datetime | None:
    """ISO 8601 → aware datetime; without an offset the time is taken as UTC."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def pairs(product_ids: Iterable[str], word: str) -> list[tuple[str, str]]:
    return [(product_id, word) for product_id in product_ids]


def unknown_products_warning(
    unknown: list[str], location: SourceLocation, *, skipped: bool = False
) -> Problem:
    tail = "; the remediation is skipped" if skipped else "; left out"
    return Problem(f"ProductID(s) {', '.join(unknown)} not in the product tree{tail}", location)


# --- CVRF 1.1 -------------------------------------------------------------------------------


def _iter_cvrf(path: Path, source: str) -> Iterator[tuple[str, Element]]:
    return iter_xml(path, source, events=("start", "end"))


class MsrcCvrfParser(AdvisoryParser):
    id: ClassVar[str] = "msrc-cvrf"
    display_name: ClassVar[str] = "Microsoft Security Update Guide (CVRF 1.1 XML)"
    extensions: ClassVar[tuple[str, ...]] = (".xml",)

    @classmethod
    def sniff(cls, head: bytes, name: str) -> bool:
        text = PROLOG_NOISE.sub(b"", head.removeprefix(BOM))
        match = ROOT_PATTERN.search(text)
        return (
            match is not None
            and match.group(1).rsplit(b":", 1)[-1] == b"cvrfdoc"
            and CVRF_NAMESPACE.encode() in head
            and b"microsoft" in head.lower()
        )

    def parse(self, path: Path, *, source: str) -> AdvisoryBatch:
        reader = _CvrfReader(source)
        root: Element | None = None
        depth = 0
        for event, element in _iter_cvrf(path, source):
            if event == "start":
                depth += 1
                if root is None:
                    root = element
                    _check_root(element, source)
                continue
            depth -= 1
            if depth != 1 or root is None:
                continue  # inside a top-level element: wait for the whole of it
            reader.take(element)
            element.clear()
            root.remove(element)
        return AdvisoryBatch(
            source_format=self.id,
            source_name=source,
            msrc_documents=(reader.document(),),
            warnings=tuple(reader.warnings),
        )


def _check_root(element: Element, source: str) -> None:
    if element.tag == f"{CVRF}cvrfdoc":
        return
    location = SourceLocation(source)  # iter_xml gives no line numbers
    if local_name(element.tag) == "cvrfdoc":
        namespace = element.tag[1:].split("}", 1)[0] if element.tag.startswith("{") else ""
        raise ParseError(
            f"a CVRF document in namespace {namespace or '(none)'!r}, not Microsoft's CVRF 1.1 "
            f"({CVRF_NAMESPACE})",
            source=location,
        )
    raise ParseError(
        f"not a Microsoft CVRF document: the root element is <{local_name(element.tag)}>, "
        "not <cvrf:cvrfdoc>",
        source=location,
    )


class _CvrfReader:
    """Collects one document from its top-level elements, in document order."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.warnings: list[Problem] = []
        self.title = ""
        self.document_id = ""
        self.released: datetime | None = None
        self.provider = ""
        self.publisher_seen = False
        self.products: dict[str, str] = {}
        self.vulnerabilities: list[MsrcVulnerabilityRecord] = []

    def location(self, field: str) -> SourceLocation:
        return SourceLocation(self.source, None, field)

    def take(self, element: Element) -> None:
        name = local_name(element.tag)
        if name == "DocumentTitle":
            self.title = text_of(element.text)
        elif name == "DocumentPublisher":
            self._publisher(element)
        elif name == "DocumentTracking":
            self.document_id = text_of(element.findtext(f"{CVRF}Identification/{CVRF}ID"))
            self.released = self._date(element, "InitialReleaseDate", "DocumentTracking")
        elif name in ("ProductTree", "Vulnerability"):
            if not self.publisher_seen:
                raise ParseError(
                    f"not a Microsoft CVRF document: <{name}> before any <DocumentPublisher>",
                    source=self.location("DocumentPublisher"),
                )
            if name == "ProductTree":
                self._products(element)
            else:
                self._vulnerability(element)

    def document(self) -> MsrcDocumentRecord:
        if not self.document_id:
            raise ParseError(
                "the document has no ID (DocumentTracking/Identification/ID)",
                source=self.location("DocumentTracking/Identification/ID"),
            )
        products = tuple(MsrcProductRecord(key, name) for key, name in self.products.items())
        return MsrcDocumentRecord(
            document_id=self.document_id,
            title=self.title,
            released=self.released,
            products=products,
            vulnerabilities=tuple(self.vulnerabilities),
        )

    def _publisher(self, element: Element) -> None:
        contact = text_of(element.findtext(f"{CVRF}ContactDetails"))
        authority = text_of(element.findtext(f"{CVRF}IssuingAuthority"))
        if "microsoft" not in f"{contact} {authority}".lower():
            raise ParseError(
                f"not a Microsoft CVRF document: the publisher is {contact or authority!r}",
                source=self.location("DocumentPublisher"),
            )
        self.publisher_seen = True
        self.provider = contact

    def _date(self, element: Element, child: str, field: str) -> datetime | None:
        raw = text_of(element.findtext(f"{CVRF}{child}"))
        moment = aware_datetime(raw)
        if raw and moment is None:
            self.warnings.append(
                Problem(f"{raw!r} is not a date; left out", self.location(f"{field}/{child}"))
            )
        return moment

    def _products(self, tree: Element) -> None:
        for index, product in enumerate(tree.iter(f"{PROD}FullProductName"), start=1):
            product_id = text_of(product.get("ProductID"))
            name = text_of(product.text)
            location = self.location(f"ProductTree/FullProductName[{index}]")
            if not product_id:
                self.warnings.append(Problem(f"{name!r} has no ProductID; skipped", location))
            elif product_id not in self.products:
                self.products[product_id] = name
            elif self.products[product_id] != name:
                self.warnings.append(
                    Problem(
                        f"ProductID {product_id} is named {self.products[product_id]!r} and "
                        f"{name!r}; the first name is kept",
                        location,
                    )
                )

    def _known(self, product_ids: list[str], field: str) -> tuple[str, ...]:
        unknown = [key for key in dict.fromkeys(product_ids) if key not in self.products]
        if unknown:
            self.warnings.append(unknown_products_warning(unknown, self.location(field)))
        return tuple(dict.fromkeys(key for key in product_ids if key in self.products))

    def _vulnerability(self, element: Element) -> None:
        cve = text_of(element.findtext(f"{VULN}CVE")).upper()
        if not cve:
            ordinal = text_of(element.get("Ordinal"))
            self.warnings.append(
                Problem(
                    "a vulnerability without a CVE id; skipped",
                    self.location(f"Vulnerability[Ordinal={ordinal}]"),
                )
            )
            return
        where = f"Vulnerability[{cve}]"
        status = f"{VULN}ProductStatuses/{VULN}Status[@Type='Known Affected']/{VULN}ProductID"
        affected = self._known(_ids(element, status), f"{where}/ProductStatuses")
        severities: list[tuple[str, str]] = []
        impacts: list[tuple[str, str]] = []
        exploited = disclosed = ""
        threats = list(element.iterfind(f"{VULN}Threats/{VULN}Threat"))
        self._known([key for threat in threats for key in _ids(threat)], f"{where}/Threats")
        for threat in threats:
            kind = THREAT_TYPES.get(text_of(threat.get("Type")), text_of(threat.get("Type")))
            description = text_of(threat.findtext(f"{VULN}Description"))
            listed = _ids(threat)
            targets = [key for key in listed if key in self.products] if listed else affected
            if kind == "Impact":
                impacts += pairs(targets, description)
            elif kind == "Severity":
                severities += pairs(targets, description)
            elif kind == "Exploit Status" and not (exploited or disclosed):
                exploited, disclosed = exploit_flags(description)
        revisions = element.iterfind(f"{VULN}RevisionHistory/{VULN}Revision/{CVRF}Date")
        dates = [moment for date in revisions if (moment := aware_datetime(text_of(date.text)))]
        self.vulnerabilities.append(
            MsrcVulnerabilityRecord(
                cve_id=cve,
                location=self.location(where),
                title=text_of(element.findtext(f"{VULN}Title")),
                product_ids=affected,
                severities=tuple(dict.fromkeys(severities)),
                impacts=tuple(dict.fromkeys(impacts)),
                scores=self._scores(element, where),
                remediations=self._remediations(element, where),
                exploited=exploited,
                publicly_disclosed=disclosed,
                released=min(dates) if dates else None,
            )
        )

    def _scores(self, element: Element, where: str) -> tuple[ScoreRecord, ...]:
        scores: dict[tuple[str, str, float | None], ScoreRecord] = {}
        score_sets = list(element.iterfind(f"{VULN}CVSSScoreSets/{VULN}ScoreSet"))
        self._known([key for item in score_sets for key in _ids(item)], f"{where}/CVSSScoreSets")
        for index, score_set in enumerate(score_sets, start=1):
            vector = text_of(score_set.findtext(f"{VULN}Vector"))
            base = score_or_none(score_set.findtext(f"{VULN}BaseScore"))
            system = cvss_system(vector)
            if not system:
                self.warnings.append(
                    Problem(
                        f"{vector!r} is not a CVSS vector; the score set is skipped",
                        self.location(f"{where}/CVSSScoreSets/ScoreSet[{index}]/Vector"),
                    )
                )
                continue
            key = (system, vector, base)
            scores.setdefault(key, ScoreRecord(system, vector, base, provider=self.provider))
        return tuple(scores.values())

    def _remediations(self, element: Element, where: str) -> tuple[MsrcRemediationRecord, ...]:
        remediations: list[MsrcRemediationRecord] = []
        items = element.iterfind(f"{VULN}Remediations/{VULN}Remediation")
        for index, remediation in enumerate(items, start=1):
            field = f"{where}/Remediation[{index}]"
            listed = _ids(remediation)
            product_ids = tuple(dict.fromkeys(key for key in listed if key in self.products))
            unknown = [key for key in dict.fromkeys(listed) if key not in self.products]
            if unknown:
                location = self.location(f"{field}/ProductID")
                skipped = not product_ids
                self.warnings.append(unknown_products_warning(unknown, location, skipped=skipped))
                if skipped:
                    continue
            description = text_of(remediation.findtext(f"{VULN}Description"))
            kb = kb_number(description)
            supersedence, rejected = superseded_kbs(
                text_of(remediation.findtext(f"{VULN}Supercedence"))
            )
            if rejected:
                self.warnings.append(
                    Problem(
                        f"{', '.join(rejected)} in Supercedence: not KB numbers; left out",
                        self.location(f"{field}/Supercedence"),
                    )
                )
            kind = text_of(remediation.get("Type"))
            remediations.append(
                MsrcRemediationRecord(
                    product_ids=product_ids,
                    kb=kb,
                    kind=REMEDIATION_TYPES.get(kind, kind),
                    sub_type=text_of(remediation.findtext(f"{VULN}SubType")),
                    supersedence=supersedence,
                    fixed_build=text_of(remediation.findtext(f"{VULN}FixedBuild")),
                    url=text_of(remediation.findtext(f"{VULN}URL")),
                    restart_required=text_of(remediation.findtext(f"{VULN}RestartRequired")),
                    description="" if kb else description,
                )
            )
        return tuple(remediations)


def _ids(element: Element, path: str = f"{VULN}ProductID") -> list[str]:
    return [key for item in element.iterfind(path) if (key := text_of(item.text))]
