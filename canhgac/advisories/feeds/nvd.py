"""NVD CVE API 2.0 JSON: an API response page, a 2.0 feed file (plain or gzip), or one CVE record.

The `vulnerabilities` array is streamed: the file is decoded in chunks and each `{"cve": …}`
element is decoded on its own (`json.JSONDecoder.raw_decode`) and turned into a
`VulnerabilityRecord` at once, so a year feed is never one Python object tree.
Format and mapping: docs/feeds/nvd.md.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from cvss import CVSS2, CVSS3, CVSS4  # type: ignore[import-untyped]  # ships no type hints
from cvss.exceptions import CVSSError  # type: ignore[import-untyped]  # ships no type hints

from canhgac.advisories.feeds.common import CVE_ID, Problems, gunzip_head, nvd_datetime
from canhgac.advisories.feeds.interface import AdvisoryParser
from canhgac.advisories.feeds.json_fields import JsonFields
from canhgac.advisories.feeds.json_stream import JsonStream, read_stream
from canhgac.advisories.feeds.records import (
    AdvisoryBatch,
    ConfigurationRecord,
    CpeMatchRecord,
    NodeRecord,
    ReferenceRecord,
    ScoreRecord,
    VulnerabilityRecord,
)
from canhgac.core.exceptions import ParseError, SourceLocation
from canhgac.core.files import json_type

_SNIFF_PAGE = re.compile(
    rb'"format"\s*:\s*"NVD_CVE"|"vulnerabilities"\s*:\s*\[\s*\{\s*"cve"\s*:\s*\{'
)
_SNIFF_RECORD = (re.compile(rb'"id"\s*:\s*"CVE-'), re.compile(rb'"sourceIdentifier"\s*:\s*"'))


class NvdParser(AdvisoryParser):
    id: ClassVar[str] = "nvd"
    display_name: ClassVar[str] = "NVD CVE API 2.0 (JSON page, feed or record)"
    extensions: ClassVar[tuple[str, ...]] = (".json", ".json.gz")

    @classmethod
    def sniff(cls, head: bytes, name: str) -> bool:
        text = gunzip_head(head)
        return bool(_SNIFF_PAGE.search(text)) or all(p.search(text) for p in _SNIFF_RECORD)

    def parse(self, path: Path, *, source: str) -> AdvisoryBatch:
        return read_stream(path, source, lambda stream: _Document(stream, source).read())


class _Document:
    """The top-level object: header keys kept, the vulnerabilities array streamed."""

    def __init__(self, stream: JsonStream, source: str) -> None:
        self.stream = stream
        self.source = source
        self.problems = Problems(source)
        self.header: dict[str, Any] = {}
        self.records: dict[str, VulnerabilityRecord] = {}
        self.count: int | None = None  # elements of the vulnerabilities array, once seen

    def read(self) -> AdvisoryBatch:
        stream = self.stream
        first = stream.peek()
        if first != "{":
            kind = "a list" if first == "[" else json_type(stream.value())
            raise ParseError(
                f"not an NVD CVE document: the document is {kind}, not an object",
                source=SourceLocation(self.source, None, "$"),
            )
        stream.position += 1
        if stream.peek() == "}":
            stream.position += 1
        else:
            while True:
                if stream.peek() != '"':
                    raise stream.error("invalid JSON: Expecting property name", stream.position)
                key = stream.value()
                stream.take(":", "':' delimiter")
                if key == "vulnerabilities" and self.count is None:
                    self._check_format(final=False)
                    self._read_vulnerabilities()
                else:
                    self.header[key] = stream.value()
                if stream.take(",}", "',' delimiter") == "}":
                    break
        if stream.peek():
            raise stream.error("invalid JSON: Extra data", stream.position)
        return self._batch()

    def _read_vulnerabilities(self) -> None:
        stream = self.stream
        self.count = 0
        if stream.peek() != "[":
            found = json_type(stream.value())
            raise ParseError(
                f"vulnerabilities is {found}, not a list",
                source=SourceLocation(self.source, None, "$.vulnerabilities"),
            )
        stream.position += 1
        if stream.peek() == "]":
            stream.position += 1
            return
        while True:
            stream.peek()
            line = stream.line(stream.position)
            path = f"$.vulnerabilities[{self.count}]"
            element = stream.value()
            if isinstance(element, dict) and "cveID" in element:
                raise ParseError(
                    "not an NVD CVE document: this looks like a CISA KEV catalogue (format 'kev')",
                    source=SourceLocation(self.source, line, path),
                )
            if not isinstance(element, dict):
                self.problems.add(f"element is {json_type(element)}, not an object", path, line)
            elif not isinstance(element.get("cve"), dict):
                self.problems.add("missing the 'cve' object", f"{path}.cve", line)
            else:
                self._keep(CveReader(self.problems, line).read(element["cve"], f"{path}.cve"))
            self.count += 1
            if stream.take(",]", "',' delimiter") == "]":
                return

    def _keep(self, record: VulnerabilityRecord | None) -> None:
        if record is None:
            return
        first = self.records.setdefault(record.id, record)
        if first is record:
            return
        where = f"at {first.location.field} and at {record.location.field}"
        if dataclasses.replace(record, location=first.location) == first:
            self.problems.warn(
                f"{record.id} is listed twice, {where}; kept the first",
                record.location.field,
                record.location.line,
            )
        else:
            self.problems.add(
                f"{record.id} is listed twice with different content, {where}",
                record.location.field or "$",
                record.location.line,
            )

    def _check_format(self, *, final: bool) -> None:
        header = self.header
        where = SourceLocation(self.source, None, "$")
        if "CVE_Items" in header or "CVE_data_format" in header:
            raise ParseError(
                "an NVD JSON 1.1 feed (retired in 2023); use the CVE API 2.0 or its 2.0 feeds",
                source=where,
            )
        if "catalogVersion" in header:
            raise ParseError(
                "not an NVD CVE document: this looks like a CISA KEV catalogue (format 'kev')",
                source=where,
            )
        for key, expected in (("format", "NVD_CVE"), ("version", "2.0")):
            found = header.get(key)
            if found is None and not final:
                continue
            if found != expected:
                shown = "missing" if found is None else f"{found!r}"[:40]
                raise ParseError(
                    f"not an NVD CVE API 2.0 document: {key} is {shown}, expected '{expected}'",
                    source=SourceLocation(self.source, None, f"$.{key}"),
                )

    def _batch(self) -> AdvisoryBatch:
        header = self.header
        catalog_version = ""
        if self.count is not None:
            self._check_format(final=True)
            catalog_version = self._timestamp()
            announced = header.get("resultsPerPage")
            if isinstance(announced, int) and announced != self.count:
                self.problems.warn(
                    f"resultsPerPage is {announced} but the page holds {self.count} entries",
                    "$.resultsPerPage",
                )
        elif "id" in header:
            self._keep(CveReader(self.problems, None).read(header, "$"))
        else:
            self._check_format(final=False)
            raise ParseError(
                "not an NVD CVE document: no 'vulnerabilities' list and no CVE 'id'",
                source=SourceLocation(self.source, None, "$"),
            )
        self.problems.raise_if_any()
        return AdvisoryBatch(
            source_format=NvdParser.id,
            source_name=self.source,
            vulnerabilities=tuple(self.records.values()),
            catalog_version=catalog_version,
            warnings=tuple(self.problems.warnings),
        )

    def _timestamp(self) -> str:
        value = self.header.get("timestamp")
        text = value.strip() if isinstance(value, str) else ""
        try:
            datetime.fromisoformat(text)
        except ValueError:
            self.problems.warn(f"timestamp {value!r} is not a date-time", "$.timestamp")
        return text


# --- one CVE object ---------------------------------------------------------------------------

METRICS: dict[str, tuple[str, Any, str]] = {  # key: (system, cvss class, vector prefix)
    "cvssMetricV2": ("cvss_v2", CVSS2, ""),
    "cvssMetricV30": ("cvss_v30", CVSS3, "CVSS:3.0/"),
    "cvssMetricV31": ("cvss_v31", CVSS3, "CVSS:3.1/"),
    "cvssMetricV40": ("cvss_v40", CVSS4, "CVSS:4.0/"),
}


class NvdFields(JsonFields):
    """The JSON value reads of the NVD APIs: times in UTC, written without a zone."""

    def parse_moment(self, text: str) -> datetime:
        return nvd_datetime(text)


class CveReader(NvdFields):
    """One NVD `cve` object to a `VulnerabilityRecord` (None when it has errors)."""

    def read(self, cve: dict[str, Any], path: str) -> VulnerabilityRecord | None:
        errors_before = len(self.problems.errors)
        cve_id = self.text(cve, "id", path, required=True)
        if cve_id and not CVE_ID.fullmatch(cve_id):
            self.problem(f"'{cve_id}' is not a CVE id", f"{path}.id")
        record = VulnerabilityRecord(
            id=cve_id.upper(),
            location=SourceLocation(self.problems.source, self.line, path),
            source=NvdParser.id,
            published=self.moment(cve, "published", path, required=True),
            last_modified=self.moment(cve, "lastModified", path, required=True),
            status=self.text(cve, "vulnStatus", path),
            description=self.description(cve, path),
            scores=self.scores(cve, path),
            cwes=self.cwes(cve, path),
            references=self.references(cve, path),
            configurations=self.configurations(cve, path),
            kev_date_added=self.day(cve, "cisaExploitAdd", path),
            kev_due_date=self.day(cve, "cisaActionDue", path),
            kev_required_action=self.text(cve, "cisaRequiredAction", path),
            kev_name=self.text(cve, "cisaVulnerabilityName", path),
        )
        return record if len(self.problems.errors) == errors_before else None

    # - parts -

    def description(self, cve: dict[str, Any], path: str) -> str:
        for item, where in self.items(cve, "descriptions", path):
            if self.text(item, "lang", where).lower() in ("en", "en-us"):
                return self.text(item, "value", where)
        return ""

    def scores(self, cve: dict[str, Any], path: str) -> tuple[ScoreRecord, ...]:
        metrics = self.object(cve, "metrics", path)
        scores = []
        for key in metrics:
            if key not in METRICS:
                if key.startswith("cvssMetric"):
                    self.warn(f"{key} is not a CVSS version canhgac reads", f"{path}.metrics.{key}")
                continue
            for metric, where in self.items(metrics, key, f"{path}.metrics"):
                scores.append(self.score(metric, where, *METRICS[key]))
        return tuple(scores)

    def score(
        self, metric: dict[str, Any], where: str, system: str, calculator: Any, prefix: str
    ) -> ScoreRecord:
        data = metric.get("cvssData")
        if not isinstance(data, dict):
            self.problem(f"cvssData is {json_type(data)}, not an object", f"{where}.cvssData")
            data = {}
        inner = f"{where}.cvssData"
        vector = self.text(data, "vectorString", inner)
        if not vector:
            self.warn("the CVSS vector is missing", f"{inner}.vectorString")
        elif fault := _vector_fault(vector, calculator, prefix):
            self.warn(f"bad CVSS vector '{vector}': {fault}", f"{inner}.vectorString")
        base = data.get("baseScore")
        if not isinstance(base, int | float) or isinstance(base, bool) or not 0 <= base <= 10:
            if base is not None:
                self.warn(f"baseScore {base!r} is not from 0 to 10; ignored", f"{inner}.baseScore")
            base = None
        return ScoreRecord(
            system=system,
            vector=vector,
            base_score=None if base is None else float(base),
            severity=self.text(data, "baseSeverity", inner)
            or self.text(metric, "baseSeverity", where),
            provider=self.text(metric, "source", where),
            primary=self.text(metric, "type", where) == "Primary",
        )

    def cwes(self, cve: dict[str, Any], path: str) -> tuple[str, ...]:
        found: dict[str, None] = {}  # ordered set: NVD and the CNA often give the same CWE
        for weakness, where in self.items(cve, "weaknesses", path):
            for entry, inner in self.items(weakness, "description", where):
                if value := self.text(entry, "value", inner):
                    found[value] = None
        return tuple(found)

    def references(self, cve: dict[str, Any], path: str) -> tuple[ReferenceRecord, ...]:
        found = []
        for item, where in self.items(cve, "references", path):
            tags = item.get("tags") or []
            if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
                self.problem("tags is not a list of strings", f"{where}.tags")
                tags = []
            url = self.text(item, "url", where, required=True)
            found.append(ReferenceRecord(url, self.text(item, "source", where), tuple(tags)))
        return tuple(found)

    def configurations(self, cve: dict[str, Any], path: str) -> tuple[ConfigurationRecord, ...]:
        found = []
        for item, where in self.items(cve, "configurations", path):
            nodes = tuple(
                self.node(node, inner) for node, inner in self.items(item, "nodes", where)
            )
            operator = self.operator(item, where, required=False)
            found.append(ConfigurationRecord(operator, self.flag(item, "negate", where), nodes))
        return tuple(found)

    def node(self, node: dict[str, Any], where: str) -> NodeRecord:
        matches = tuple(
            CpeMatchRecord(
                criteria=self.criteria(match, inner),
                vulnerable=self.flag(match, "vulnerable", inner, required=True),
                match_criteria_id=self.text(match, "matchCriteriaId", inner),
                version_start_including=self.text(match, "versionStartIncluding", inner),
                version_start_excluding=self.text(match, "versionStartExcluding", inner),
                version_end_including=self.text(match, "versionEndIncluding", inner),
                version_end_excluding=self.text(match, "versionEndExcluding", inner),
            )
            for match, inner in self.items(node, "cpeMatch", where)
        )
        operator = self.operator(node, where, required=True)
        return NodeRecord(operator, self.flag(node, "negate", where), matches)

    def operator(self, container: dict[str, Any], where: str, required: bool) -> str:
        value = self.text(container, "operator", where, required=required)
        if value and value not in ("AND", "OR"):
            self.problem(f"operator '{value}' is neither AND nor OR", f"{where}.operator")
        return value

    def criteria(self, match: dict[str, Any], where: str) -> str:
        value = self.text(match, "criteria", where, required=True)
        if value and not value.startswith("cpe:2.3:"):
            self.problem(f"criteria '{value}' is not a CPE 2.3 name", f"{where}.criteria")
        return value


@functools.lru_cache(maxsize=65536)
def _vector_fault(vector: str, calculator: Any, prefix: str) -> str:
    """Why `vector` is not a valid CVSS vector of its metric's version ("" if it is).

    Cached: a feed repeats a few thousand distinct vectors, and the `cvss` library computes
    every score to validate one."""
    if prefix and not vector.startswith(prefix):
        return f"it does not start with {prefix}"
    try:
        calculator(vector)
    except CVSSError as error:
        return str(error)
    return ""
