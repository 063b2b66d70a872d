"""CISA's Known Exploited Vulnerabilities catalogue: the JSON catalogue and its CSV twin.

Both give one `KevRecord` per entry, in the file's order. The JSON form also names the
catalogue's version (`catalogVersion`, kept as `AdvisoryBatch.catalog_version`) and announces
its `count`, checked against the entries. Format and mapping: docs/feeds/kev.md.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from canhgac.advisories.feeds.common import CVE_ID, Problems, iso_date
from canhgac.advisories.feeds.interface import AdvisoryParser
from canhgac.advisories.feeds.records import AdvisoryBatch, KevRecord
from canhgac.core.exceptions import ParseError, SourceLocation
from canhgac.core.files import json_type, load_json, read_text

# In the order of the published CSV. The schema requires the first eight.
COLUMNS = (
    "cveID",
    "vendorProject",
    "product",
    "vulnerabilityName",
    "dateAdded",
    "shortDescription",
    "requiredAction",
    "dueDate",
    "knownRansomwareCampaignUse",
    "notes",
    "cwes",
)
REQUIRED = COLUMNS[:8]
NOT_EMPTY = ("cveID", "vendorProject", "product", "vulnerabilityName", "dateAdded")
RANSOMWARE_WORDS = ("Known", "Unknown")

_JSON_SNIFF = re.compile(rb'"catalogVersion"\s*:\s*"|\{\s*"cveID"\s*:\s*"CVE-')
_CSV_SNIFF = re.compile(rb'\s*"?cveID"?\s*,\s*"?vendorProject"?\s*,')


class KevJsonParser(AdvisoryParser):
    id: ClassVar[str] = "kev"
    display_name: ClassVar[str] = "CISA KEV catalogue (JSON)"
    extensions: ClassVar[tuple[str, ...]] = (".json",)

    @classmethod
    def sniff(cls, head: bytes, name: str) -> bool:
        return bool(_JSON_SNIFF.search(head))

    def parse(self, path: Path, *, source: str) -> AdvisoryBatch:
        try:
            document = load_json(path, source)
        except RecursionError:
            raise ParseError(
                "invalid JSON: nested too deeply", source=SourceLocation(source)
            ) from None
        except ValueError as error:  # an integer literal longer than Python converts
            raise ParseError(f"invalid JSON: {error}", source=SourceLocation(source)) from None
        if not isinstance(document, dict):
            raise ParseError(
                f"not a KEV catalogue: the document is {json_type(document)}, not an object",
                source=SourceLocation(source, None, "$"),
            )
        entries = document.get("vulnerabilities")
        if not isinstance(entries, list):
            hint = ""
            if document.get("format") == "NVD_CVE" or "sourceIdentifier" in document:
                hint = " (this looks like NVD CVE data: use the format 'nvd')"
            found = "missing" if entries is None else json_type(entries)
            raise ParseError(
                f"not a KEV catalogue: vulnerabilities is {found}, not a list{hint}",
                source=SourceLocation(source, None, "$.vulnerabilities"),
            )
        if document.get("format") == "NVD_CVE":
            raise ParseError(
                "not a KEV catalogue: this is an NVD CVE API response (use the format 'nvd')",
                source=SourceLocation(source, None, "$.format"),
            )
        collector = _Collector(source)
        for index, entry in enumerate(entries):
            where = f"$.vulnerabilities[{index}]"
            if isinstance(entry, dict):
                collector.add(entry, None, where)
            else:
                collector.problems.add(f"entry is {json_type(entry)}, not an object", where)
        version = _header(document, collector.problems, len(entries))
        return collector.batch(self.id, version)


class KevCsvParser(AdvisoryParser):
    id: ClassVar[str] = "kev-csv"
    display_name: ClassVar[str] = "CISA KEV catalogue (CSV)"
    extensions: ClassVar[tuple[str, ...]] = (".csv",)

    @classmethod
    def sniff(cls, head: bytes, name: str) -> bool:
        return bool(_CSV_SNIFF.match(head.removeprefix(b"\xef\xbb\xbf")))

    def parse(self, path: Path, *, source: str) -> AdvisoryBatch:
        reader = csv.reader(io.StringIO(read_text(path, source), newline=""))
        collector = _Collector(source)
        try:
            header = [name.strip() for name in next(reader, [])]
            if not header:
                raise ParseError("the file is empty", source=SourceLocation(source, 1))
            missing = [name for name in REQUIRED if name not in header]
            if missing:
                raise ParseError(
                    f"not a KEV CSV file: the header lacks {', '.join(missing)}",
                    source=SourceLocation(source, 1, missing[0]),
                )
            for name in header:
                if name not in COLUMNS:
                    collector.problems.warn(f"column '{name}' is not read", name, 1)
            line = reader.line_num + 1
            for row in reader:
                if any(cell.strip() for cell in row):
                    collector.add_row(header, row, line)
                line = reader.line_num + 1
        except csv.Error as error:
            raise ParseError(
                f"invalid CSV: {error}", source=SourceLocation(source, reader.line_num)
            ) from None
        return collector.batch(self.id, "")


def _header(document: dict[str, Any], problems: Problems, entries: int) -> str:
    """The catalogue's version; a missing version, date or a wrong count gives a warning."""
    version = document.get("catalogVersion")
    if not isinstance(version, str) or not version.strip():
        problems.warn("catalogVersion is missing or not a string", "$.catalogVersion")
        version = ""
    released = document.get("dateReleased")
    try:
        datetime.fromisoformat(released if isinstance(released, str) else "")
    except ValueError:
        problems.warn(f"dateReleased {released!r} is not a date-time", "$.dateReleased")
    count = document.get("count")
    if not isinstance(count, int) or isinstance(count, bool):
        problems.warn(f"count is {json_type(count)}, not a number", "$.count")
    elif count != entries:
        problems.warn(f"count is {count} but the catalogue lists {entries} entries", "$.count")
    return version.strip()


class _Collector:
    """Checks entries and keeps their records (the first of identical repeats)."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems = Problems(source)
        self.records: dict[str, KevRecord] = {}

    def add_row(self, header: list[str], row: list[str], line: int) -> None:
        if len(row) != len(header):
            self.problems.warn(
                f"the row has {len(row)} cells, the header {len(header)}", None, line
            )
        values: dict[str, Any] = dict(zip(header, row, strict=False))
        values["cwes"] = [cwe.strip() for cwe in values.get("cwes", "").split(",") if cwe.strip()]
        self.add(values, line, None)

    def add(self, values: dict[str, Any], line: int | None, path: str | None) -> None:
        """One entry; `path` is its JSON path (fields are named `path.key`), None in a CSV."""

        def field(key: str) -> str:
            return f"{path}.{key}" if path else key

        problems = self.problems
        errors_before = len(problems.errors)
        text: dict[str, str] = {}
        for key in COLUMNS[:-1]:
            value = values.get(key)
            if isinstance(value, str):
                text[key] = value.strip()
            elif value is None and key not in REQUIRED:
                text[key] = ""
            else:
                found = "missing" if value is None else f"{json_type(value)}, not a string"
                problems.add(f"{key} is {found}", field(key), line)
                text[key] = ""
            if key in NOT_EMPTY and isinstance(value, str) and not text[key]:
                problems.add(f"{key} is empty", field(key), line)
        cve_id = text["cveID"]
        if cve_id and not CVE_ID.fullmatch(cve_id):
            problems.add(f"'{cve_id}' is not a CVE id", field("cveID"), line)
        dates = {}
        for key in ("dateAdded", "dueDate"):
            try:
                dates[key] = iso_date(text[key]) if text[key] else None
            except ValueError:
                problems.add(f"{key} '{text[key]}' is not a date (YYYY-MM-DD)", field(key), line)
        cwes = values.get("cwes") or []
        if not isinstance(cwes, list) or not all(isinstance(cwe, str) for cwe in cwes):
            problems.add("cwes is not a list of strings", field("cwes"), line)
            cwes = []
        ransomware = text["knownRansomwareCampaignUse"]
        if ransomware and ransomware not in RANSOMWARE_WORDS:
            problems.warn(
                f"knownRansomwareCampaignUse '{ransomware}' is neither Known nor Unknown",
                field("knownRansomwareCampaignUse"),
                line,
            )
        added = dates.get("dateAdded")
        if len(problems.errors) > errors_before or added is None:
            return
        record = KevRecord(
            cve_id=cve_id.upper(),
            location=SourceLocation(self.source, line, path),
            vendor_project=text["vendorProject"],
            product=text["product"],
            name=text["vulnerabilityName"],
            date_added=added,
            due_date=dates.get("dueDate"),
            required_action=text["requiredAction"],
            known_ransomware_campaign_use=ransomware,
            short_description=text["shortDescription"],
            notes=text["notes"],
            cwes=tuple(cwe.strip() for cwe in cwes),
        )
        self._keep(record)

    def _keep(self, record: KevRecord) -> None:
        first = self.records.setdefault(record.cve_id, record)
        if first is record:
            return
        where = f"at {_place(first.location)} and at {_place(record.location)}"
        location = record.location
        if dataclasses.replace(record, location=first.location) == first:
            self.problems.warn(
                f"{record.cve_id} is listed twice, {where}; kept the first",
                location.field or "cveID",
                location.line,
            )
        else:
            self.problems.add(
                f"{record.cve_id} is listed twice with different content, {where}",
                location.field or "cveID",
                location.line,
            )

    def batch(self, source_format: str, catalog_version: str) -> AdvisoryBatch:
        self.problems.raise_if_any()
        return AdvisoryBatch(
            source_format=source_format,
            source_name=self.source,
            kev=tuple(self.records.values()),
            catalog_version=catalog_version,
            warnings=tuple(self.problems.warnings),
        )


def _place(location: SourceLocation) -> str:
    return f"line {location.line}" if location.line is not None else str(location.field)
