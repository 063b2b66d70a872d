"""The community "windows-version-feed" files (ZentrixLabs, MIT, derived from MSRC CVRF):
the monthly CVE → KB map and the list of the latest update of each Windows release.

* `WindowsKbMapParser` ("windows-kb-map"): `CVE_KB_Mapping_<YYYY>-<Mon>.json`, a JSON list of
  `{"cve", "patches": [{"os", "version", "kb", "fixedBuild", "severity", "exploitStatus"}]}` →
  one `MsrcDocumentRecord` "kbmap-<YYYY>-<Mon>" (the month from the file name).
* `WindowsVersionsParser` ("windows-versions"): `windows-versions.json`, a JSON list of
  `{"os", "version", "build", "latestKB", "releaseDate"}` → `WindowsReleaseRecord`s.

Choices, also in docs/feeds/windows-kb.md:

* The feed names products by their Microsoft name only ("Windows Server 2022"). Each distinct
  name gets a synthetic product id `kb:` + the first 12 hex digits of the SHA-256 of the name:
  stable across months, but NOT a Microsoft ProductID (those are numbers, "11923").
* `severity` is a CVSS base score written as text ("8.1") without its vector: one
  `ScoreRecord(system="cvss", base_score=8.1, provider="windows-version-feed")` per distinct
  score of a CVE. A severity that is not a number from 0 to 10 is left out with a warning.
* `exploitStatus` ("Publicly Disclosed:No;Exploited:No;...") is read as MSRC's Exploit Status
  threat; the first patch that gives one decides, a different one later gives a warning.
* One `Vendor Fix` remediation per patch; `fixedBuild` "22621.5472" of Windows 10/11 and
  Server 2016 or later (a first number of 10240 or more) becomes Microsoft's four-part
  "10.0.22621.5472"; any other build is kept as written.
* The same CVE (or release) twice: identical → a warning and the first is kept; different →
  an error. Wrong types, a bad CVE id, a bad KB number or a bad date are errors located at
  their JSON path ("$[3].patches[1].kb"); nothing is returned when there is one.

The files are small (~90 KB a month) and read whole through `core.files.load_json`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from canhgac.advisories.feeds.common import CVE_ID, Problems
from canhgac.advisories.feeds.interface import AdvisoryParser
from canhgac.advisories.feeds.json_fields import JsonFields
from canhgac.advisories.feeds.msrc import exploit_flags, kb_number, score_or_none
from canhgac.advisories.feeds.records import (
    AdvisoryBatch,
    MsrcDocumentRecord,
    MsrcProductRecord,
    MsrcRemediationRecord,
    MsrcVulnerabilityRecord,
    ScoreRecord,
    WindowsReleaseRecord,
)
from canhgac.core.exceptions import ParseError, SourceLocation
from canhgac.core.files import json_type, load_json

PROVIDER = "windows-version-feed"
PRODUCT_ID_PREFIX = "kb:"
FIRST_NT10_BUILD = 10240  # Windows 10 1507; every later Windows 10/11/Server 2016+ build
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
KB_MAP_NAME = re.compile(r"CVE_KB_Mapping_(\d{4})-([A-Za-z]{3})\.json", re.IGNORECASE)
TWO_PART_BUILD = re.compile(r"(\d{1,9})\.(\d{1,9})")
BOM = b"\xef\xbb\xbf"

Record = TypeVar("Record", MsrcVulnerabilityRecord, WindowsReleaseRecord)

_LIST_OF_OBJECTS = re.compile(rb"\s*\[\s*\{")
_CVE_KEY = re.compile(rb'"cve"\s*:\s*"')
_PATCHES_KEY = re.compile(rb'"patches"\s*:\s*\[')
_OS_KEY = re.compile(rb'"os"\s*:\s*"')
_LATEST_KB_KEY = re.compile(rb'"latestKB"\s*:')


def product_id(name: str) -> str:
    """The synthetic product id of a product name: 'kb:' + 12 hex digits of its SHA-256."""
    return PRODUCT_ID_PREFIX + hashlib.sha256(name.encode("utf-8")).hexdigest()[:12]


def four_part_build(build: str) -> str:
    """'22621.5472' → '10.0.22621.5472' for NT 10 builds (≥ 10240); anything else as written."""
    match = TWO_PART_BUILD.fullmatch(build)
    if match and int(match.group(1)) >= FIRST_NT10_BUILD:
        return f"10.0.{int(match.group(1))}.{int(match.group(2))}"
    return build


def kb_map_document_id(name: str) -> str:
    """'CVE_KB_Mapping_2025-Jun.json' → 'kbmap-2025-Jun'; '' when the name is not one."""
    match = KB_MAP_NAME.fullmatch(Path(name).name)
    month = match.group(2).title() if match else ""
    return f"kbmap-{match.group(1)}-{month}" if match and month in MONTHS else ""


def _first_object(head: bytes) -> bytes | None:
    """The head from the first object of a JSON list on, or None when it is not such a list."""
    head = head.removeprefix(BOM)
    return head[head.index(b"{") :] if _LIST_OF_OBJECTS.match(head) else None


class WindowsKbMapParser(AdvisoryParser):
    id: ClassVar[str] = "windows-kb-map"
    display_name: ClassVar[str] = "Windows CVE → KB map (windows-version-feed)"
    extensions: ClassVar[tuple[str, ...]] = (".json",)

    @classmethod
    def sniff(cls, head: bytes, name: str) -> bool:
        first = _first_object(head)
        return bool(first and _CVE_KEY.search(first) and _PATCHES_KEY.search(first))

    def parse(self, path: Path, *, source: str) -> AdvisoryBatch:
        entries = _load_list(path, source, "a windows-version-feed CVE → KB map")
        reader = _KbMapReader(source)
        document_id = kb_map_document_id(source) or kb_map_document_id(path.name)
        if not document_id:
            document_id = "kbmap"
            reader.warn(
                f"the file name is not CVE_KB_Mapping_<YYYY>-<Mon>.json; "
                f"the document is called '{document_id}'",
                "$",
            )
        for index, entry in enumerate(entries):
            reader.entry(entry, f"$[{index}]")
        if not entries:
            reader.warn("the file lists no CVEs", "$")
        reader.problems.raise_if_any()
        document = MsrcDocumentRecord(
            document_id=document_id,
            title="",
            released=None,
            products=tuple(
                MsrcProductRecord(product_id=key, name=name)
                for name, key in reader.products.items()
            ),
            vulnerabilities=tuple(reader.records.values()),
        )
        return AdvisoryBatch(
            source_format=self.id,
            source_name=source,
            msrc_documents=(document,),
            warnings=tuple(reader.problems.warnings),
        )


class WindowsVersionsParser(AdvisoryParser):
    id: ClassVar[str] = "windows-versions"
    display_name: ClassVar[str] = "Latest Windows updates (windows-version-feed)"
    extensions: ClassVar[tuple[str, ...]] = (".json",)

    @classmethod
    def sniff(cls, head: bytes, name: str) -> bool:
        first = _first_object(head)
        if first is None:
            return False
        flat = first[: first.find(b"}") + 1 or None]  # the entries hold no nested objects
        return bool(_OS_KEY.search(flat) and _LATEST_KB_KEY.search(flat))

    def parse(self, path: Path, *, source: str) -> AdvisoryBatch:
        entries = _load_list(path, source, "a windows-version-feed release list")
        reader = _VersionsReader(source)
        for index, entry in enumerate(entries):
            reader.entry(entry, f"$[{index}]")
        if not entries:
            reader.warn("the file lists no releases", "$")
        reader.problems.raise_if_any()
        return AdvisoryBatch(
            source_format=self.id,
            source_name=source,
            windows_releases=tuple(reader.records.values()),
            warnings=tuple(reader.problems.warnings),
        )


def _load_list(path: Path, source: str, kind: str) -> list[Any]:
    document = load_json(path, source)  # checks the size; located ParseErrors
    if not isinstance(document, list):
        raise ParseError(
            f"not {kind}: the document is {json_type(document)}, not a list",
            source=SourceLocation(source, None, "$"),
        )
    return document


class _Fields(JsonFields):
    """The feed's value reads: dates only ("2026-08-11"); `parse_moment` is not used."""

    def __init__(self, source: str) -> None:
        super().__init__(Problems(source))

    def parse_moment(self, text: str) -> datetime:
        moment = datetime.fromisoformat(text)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    def location(self, where: str) -> SourceLocation:
        return SourceLocation(self.problems.source, None, where)

    def kb(self, container: dict[str, Any], key: str, where: str) -> str:
        """The required KB number of `key`, digits only ("KB5060999" → "5060999")."""
        text = self.text(container, key, where, required=True)
        kb = kb_number(text)
        if text and not kb:
            self.problem(f"{key} '{text[:40]}' is not a KB number", f"{where}.{key}")
        return kb

    def object_at(self, entry: Any, where: str) -> dict[str, Any] | None:
        if isinstance(entry, dict):
            return entry
        self.problem(f"entry is {json_type(entry)}, not an object", where)
        return None

    def keep_first(
        self, records: dict[str, Record], key: str, record: Record, what: str, where: str
    ) -> None:
        """Keep `record` under `key` unless one is there: an identical repeat is a warning,
        a different one an error."""
        first = records.setdefault(key, record)
        if first is record:
            return
        places = f"at {first.location.field} and at {where}"
        if replace(record, location=first.location) == first:
            self.warn(f"{what} is listed twice, {places}; kept the first", where)
        else:
            self.problem(f"{what} is listed twice with different content, {places}", where)


class _KbMapReader(_Fields):
    def __init__(self, source: str) -> None:
        super().__init__(source)
        self.products: dict[str, str] = {}  # name → synthetic product id, first seen first
        self.records: dict[str, MsrcVulnerabilityRecord] = {}

    def entry(self, entry: Any, where: str) -> None:
        values = self.object_at(entry, where)
        if values is None:
            return
        errors_before = len(self.problems.errors)
        cve_id = self.text(values, "cve", where, required=True)
        if cve_id and not CVE_ID.fullmatch(cve_id):
            self.problem(f"'{cve_id[:40]}' is not a CVE id", f"{where}.cve")
        if "patches" not in values:
            self.problem("patches is missing", f"{where}.patches")
        product_ids: dict[str, None] = {}
        remediations: list[MsrcRemediationRecord] = []
        scores: dict[float, None] = {}
        flags: tuple[str, str] = ("", "")
        for patch, at in self.items(values, "patches", where):
            name = self.text(patch, "os", at, required=True)
            self.text(patch, "version", at)  # checked only: the name holds the version
            kb = self.kb(patch, "kb", at)
            build = self.text(patch, "fixedBuild", at)
            score = self._score(patch, at)
            if score is not None:
                scores.setdefault(score)
            flags = self._flags(patch, at, flags)
            if not name or not kb:
                continue
            key = self.products.setdefault(name, product_id(name))
            product_ids.setdefault(key)
            remediations.append(
                MsrcRemediationRecord(
                    product_ids=(key,), kb=kb, kind="Vendor Fix", fixed_build=four_part_build(build)
                )
            )
        if len(self.problems.errors) > errors_before:
            return
        record = MsrcVulnerabilityRecord(
            cve_id=cve_id.upper(),
            location=self.location(where),
            title="",
            product_ids=tuple(product_ids),
            scores=tuple(
                ScoreRecord(system="cvss", base_score=score, provider=PROVIDER) for score in scores
            ),
            remediations=tuple(remediations),
            exploited=flags[0],
            publicly_disclosed=flags[1],
        )
        self.keep_first(self.records, record.cve_id, record, record.cve_id, where)

    def _score(self, patch: dict[str, Any], at: str) -> float | None:
        value = patch.get("severity")
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            self.problem(f"severity is {json_type(value)}, not a string", f"{at}.severity")
            return None
        score = score_or_none(value)
        if score is None:
            self.warn(
                f"severity '{str(value)[:40]}' is not a CVSS base score (0-10); left out",
                f"{at}.severity",
            )
        return score

    def _flags(self, patch: dict[str, Any], at: str, known: tuple[str, str]) -> tuple[str, str]:
        """(exploited, publicly disclosed): the first patch giving them decides."""
        text = self.text(patch, "exploitStatus", at)
        flags = exploit_flags(text) if text else ("", "")
        if not any(known):
            return flags
        if any(flags) and flags != known:
            self.warn(
                f"exploitStatus '{text[:80]}' differs from an earlier patch's; kept the first",
                f"{at}.exploitStatus",
            )
        return known


class _VersionsReader(_Fields):
    def __init__(self, source: str) -> None:
        super().__init__(source)
        self.records: dict[str, WindowsReleaseRecord] = {}

    def entry(self, entry: Any, where: str) -> None:
        values = self.object_at(entry, where)
        if values is None:
            return
        errors_before = len(self.problems.errors)
        product = self.text(values, "os", where, required=True)
        version = self.text(values, "version", where)
        build = self.text(values, "build", where)
        kb = self.kb(values, "latestKB", where)
        released = self.day(values, "releaseDate", where)
        if len(self.problems.errors) > errors_before:
            return
        record = WindowsReleaseRecord(
            product=product,
            location=self.location(where),
            version=version,
            build=build,
            latest_kb=kb,
            released=released,
        )
        self.keep_first(self.records, product, record, f"'{product[:80]}'", where)
