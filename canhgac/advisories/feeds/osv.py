"""OSV advisories (https://ossf.github.io/osv-schema/): one entry as JSON or YAML (PyPA's
advisory-database), or a zip of a whole ecosystem (osv.dev's `all.zip`, a repository archive).

An entry gives one `VulnerabilityRecord` per CVE id it names (its `id` or `aliases`), else one
keyed by its first GHSA id, else by its own id; `affected[]` become `PackageRecord`s keyed by a
versionless package URL, and ECOSYSTEM/SEMVER ranges are also written as `vers` strings with
univers. Zip members are read one at a time, never extracted. Format and mapping:
docs/feeds/osv.md.
"""

from __future__ import annotations

import codecs
import dataclasses
import functools
import json
import re
import struct
import zipfile
import zlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

import yaml
from cvss import CVSS2, CVSS3, CVSS4  # type: ignore[import-untyped]  # ships no type hints
from cvss.exceptions import CVSSError  # type: ignore[import-untyped]  # ships no type hints
from packageurl import PackageURL
from univers.nuget import InvalidNuGetVersion
from univers.version_constraint import VersionConstraint
from univers.version_range import RANGE_CLASS_BY_SCHEMES, InvalidVersionRange, VersionRange

try:
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # PyYAML built without libyaml: the pure-Python loader (slower)
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]

from canhgac.advisories.feeds.common import CVE_ID, MAX_PROBLEMS, Problems
from canhgac.advisories.feeds.interface import AdvisoryParser
from canhgac.advisories.feeds.json_fields import JsonFields
from canhgac.advisories.feeds.records import (
    AdvisoryBatch,
    PackageRecord,
    RangeRecord,
    ReferenceRecord,
    ScoreRecord,
    VulnerabilityRecord,
)
from canhgac.core.exceptions import ParseError, SourceLocation, ValidationError
from canhgac.core.files import check_size, json_type, max_bytes, read_text
from canhgac.core.purls import package_key

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # a local file header; an empty archive's end record
MAX_MEMBER_BYTES = 16 * 1024 * 1024  # one entry; the largest real ones are about 100 KB
YAML_SUFFIXES = (".yaml", ".yml")
ENTRY_SUFFIXES = (".json", *YAML_SUFFIXES)
EVENT_KINDS = ("introduced", "fixed", "last_affected", "limit")
RANGE_TYPES = ("ECOSYSTEM", "SEMVER", "GIT")
UNIVERS_ERRORS = (ValueError, TypeError, InvalidVersionRange, InvalidNuGetVersion)

# Ecosystem (the part before any ":", "Debian:12" → "Debian") → (purl type, purl namespace,
# univers versioning scheme of its ECOSYSTEM and SEMVER ranges; "" when univers has none).
ECOSYSTEMS: dict[str, tuple[str, str | None, str]] = {
    "PyPI": ("pypi", None, "pypi"),
    "Go": ("golang", None, "golang"),
    "npm": ("npm", None, "npm"),
    "Maven": ("maven", None, "maven"),
    "crates.io": ("cargo", None, "cargo"),
    "RubyGems": ("gem", None, "gem"),
    "NuGet": ("nuget", None, "nuget"),
    "Packagist": ("composer", None, "composer"),
    "Hex": ("hex", None, "hex"),
    "Pub": ("pub", None, ""),
    "Debian": ("deb", "debian", "deb"),
    "Ubuntu": ("deb", "ubuntu", "deb"),
    "Alpine": ("apk", "alpine", "apk"),
}
# A SEMVER range of an ecosystem without a scheme: univers's scheme of semver versions (it has
# no scheme named "semver").
SEMVER_SCHEME = "generic"
CVSS_PREFIXES = {"CVSS:3.0/": "cvss_v30", "CVSS:3.1/": "cvss_v31", "CVSS:4.0/": "cvss_v40"}
CVSS_CLASSES: dict[str, Any] = {
    "cvss_v2": CVSS2,
    "cvss_v30": CVSS3,
    "cvss_v31": CVSS3,
    "cvss_v40": CVSS4,
}
CVSS_TYPES = {
    "CVSS_V2": ("cvss_v2",),
    "CVSS_V3": ("cvss_v30", "cvss_v31"),
    "CVSS_V4": ("cvss_v40",),
}

_OSV_KEYS = rb"affected|aliases|details|schema_version|summary"  # not in STIX or Sigma
_JSON_START = re.compile(
    rb'\s*\{\s*"(id|modified|published|withdrawn|related|' + _OSV_KEYS + rb')"\s*:'
)
_JSON_KEYS = [rb'"id"\s*:\s*"', rb'"modified"\s*:\s*"', rb'"(' + _OSV_KEYS + rb')"\s*:']
_YAML_KEYS = [rb"(?m)^id:[ \t]*\S", rb"(?m)^modified:[ \t]*\S", rb"(?m)^(" + _OSV_KEYS + rb"):"]
_MOMENT = re.compile(
    r"(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:\.(\d+))?([Zz]|[+-]\d{2}:\d{2})?", re.ASCII
)


class _YamlLoader(_SafeLoader):
    """Safe YAML whose plain scalars stay strings: versions (`1.10`), dates and ids are read as
    written; only `null`, `~` and empty values become None."""


_YamlLoader.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag == "tag:yaml.org,2002:null"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class OsvParser(AdvisoryParser):
    id: ClassVar[str] = "osv"
    display_name: ClassVar[str] = "OSV advisories (JSON or YAML entry, or a zip of entries)"
    extensions: ClassVar[tuple[str, ...]] = (".json", ".yaml", ".yml", ".zip")

    @classmethod
    def sniff(cls, head: bytes, name: str) -> bool:
        lowered = name.lower()
        if head.startswith(ZIP_MAGIC):
            return lowered.endswith(".zip") and any(
                member.lower().endswith(ENTRY_SUFFIXES) for member in _zip_names(head)
            )
        text = head.removeprefix(codecs.BOM_UTF8)
        if lowered.endswith(YAML_SUFFIXES):
            return all(re.search(pattern, text) for pattern in _YAML_KEYS)
        return bool(_JSON_START.match(text)) and all(re.search(p, text) for p in _JSON_KEYS)

    def parse(self, path: Path, *, source: str) -> AdvisoryBatch:
        check_size(path, source)
        try:
            with path.open("rb") as handle:
                zipped = handle.read(4) in ZIP_MAGIC
        except OSError as error:
            raise ParseError(
                f"cannot read the file: {error.strerror or error}", source=SourceLocation(source)
            ) from None
        collector = _Collector(source)
        if zipped:
            _read_zip(path, collector)
        else:
            document = _load(
                read_text(path, source), source, source.lower().endswith(YAML_SUFFIXES)
            )
            collector.entry(document, source)
        return collector.batch()


def _zip_names(head: bytes) -> list[str]:
    """Member names of the local file headers found in the first bytes of a zip."""
    names = []
    for found in re.finditer(re.escape(ZIP_MAGIC[0]), head):
        start = found.start()
        if start + 30 <= len(head):
            length = struct.unpack_from("<H", head, start + 26)[0]
            names.append(head[start + 30 : start + 30 + length].decode("utf-8", "replace"))
    return names


def _load(text: str, where: str, as_yaml: bool) -> Any:
    """One entry's JSON or YAML text as Python values; a ParseError located at `where`."""
    try:
        if as_yaml:
            return yaml.load(text, Loader=_YamlLoader)  # noqa: S506 (a safe loader)
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ParseError(
            f"invalid JSON: {error.msg} (column {error.colno})",
            source=SourceLocation(where, error.lineno),
        ) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        words = [getattr(error, "context", None), getattr(error, "problem", None)]
        shown = ": ".join(word for word in words if word) or " ".join(str(error).split())
        raise ParseError(f"invalid YAML: {shown}", source=SourceLocation(where, line)) from None
    except RecursionError:
        raise ParseError("nested too deeply", source=SourceLocation(where)) from None
    except ValueError as error:  # an integer literal longer than Python converts
        kind = "YAML" if as_yaml else "JSON"
        raise ParseError(f"invalid {kind}: {error}", source=SourceLocation(where)) from None


def _read_zip(path: Path, collector: _Collector) -> None:
    source = collector.source
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, EOFError, ValueError, OSError) as error:
        raise ParseError(
            f"not a readable zip file: {error}", source=SourceLocation(source)
        ) from None
    with archive:
        members = archive.infolist()
        total = sum(info.file_size for info in members)
        if total > max_bytes():
            raise ParseError(
                f"the archive expands to {total} bytes; the limit is {max_bytes()}",
                source=SourceLocation(source),
            )
        try:
            for info in members:
                where = f"{source}!{info.filename}"
                if _unsafe(info.filename):
                    collector.located(where).add(f"unsafe member name {info.filename!r}", None)
                elif not info.is_dir() and info.filename.lower().endswith(ENTRY_SUFFIXES):
                    collector.member(archive, info, where)
        except ValidationError as error:  # the problem limit, reached in a member
            raise ValidationError(
                f"{source}: {MAX_PROBLEMS} problems; stopped reading", problems=error.problems
            ) from None
    if not collector.entries and not collector.problems.errors:
        raise ParseError(
            "no OSV entries (*.json, *.yaml, *.yml) in the archive", source=SourceLocation(source)
        )


def _unsafe(name: str) -> bool:
    """An absolute name, a drive letter or a `..` component (harmless here: nothing is
    extracted, but such an archive was not made by an OSV publisher)."""
    parts = name.replace("\\", "/").split("/")
    return name.startswith(("/", "\\")) or bool(re.match(r"[A-Za-z]:", name)) or ".." in parts


def _moment(text: str) -> datetime | None:
    """An RFC 3339 time as an aware UTC datetime (no zone = UTC, digits past microseconds
    dropped); None for year 1 (Go's zero time "0001-01-01T00:00:00Z" means "not recorded")."""
    match = _MOMENT.fullmatch(text)
    if match is None:
        raise ValueError(text)
    day, clock, fraction, zone = match.groups()
    if day.startswith("0001-"):
        datetime.fromisoformat(day)  # still a real day
        return None
    written = f"{day}T{clock}.{(fraction or '0')[:6]:0<6}{zone or '+00:00'}"
    moment = datetime.fromisoformat(written.replace("Z", "+00:00").replace("z", "+00:00"))
    return moment.astimezone(UTC)


def _normal_id(alias: str) -> str:
    return alias.upper() if CVE_ID.fullmatch(alias) else alias


class _VersError(ValueError):
    """Why a range cannot be written as a vers string."""


_Bound = tuple[Any, str] | None  # (univers Version, the version as written); None: unbounded
_Interval = tuple[_Bound, _Bound, bool]  # low (included), high, whether high is included


def _vers(scheme: str, events: tuple[tuple[str, str], ...]) -> str:
    """The events as a vers string: each `introduced` opens an interval that the next `fixed`,
    `limit` (excluded) or `last_affected` (included) closes; the intervals are merged where
    they overlap or touch and written with the versions as given, in univers's order. The
    string is checked by reading it back with univers. `_VersError` (the reason) otherwise."""
    try:
        return _vers_text(scheme, _intervals(scheme, events))
    except _VersError:
        raise
    except UNIVERS_ERRORS as error:  # e.g. two versions univers cannot compare
        raise _VersError(f"univers refuses it: {str(error)[:200]}") from None


def _intervals(scheme: str, events: tuple[tuple[str, str], ...]) -> list[_Interval]:
    def bound(value: str) -> _Bound:
        try:
            return _version(scheme, value), value
        except UNIVERS_ERRORS:
            raise _VersError(f"'{value[:100]}' is not a {scheme} version") from None

    if not events:
        raise _VersError("it has no events")
    intervals: list[_Interval] = []
    opened, low = False, None
    for kind, value in events:
        if kind == "introduced":
            start = None if value == "0" else bound(value)
            if not opened or start is None or (low is not None and start[0] < low[0]):
                low = start
            opened = True
        elif not opened:
            raise _VersError(f"{kind} {value[:100]} does not follow an introduced event")
        else:
            high = None if kind == "limit" and value == "*" else bound(value)
            intervals.append((low, high, kind == "last_affected"))
            opened = False
    if opened:
        intervals.append((low, None, False))
    return intervals


def _vers_text(scheme: str, intervals: list[_Interval]) -> str:
    merged: list[_Interval] = []
    for low, high, inclusive in sorted(intervals, key=_low_first):
        if low is not None and high is not None and not low[0] < high[0]:
            if high[0] < low[0]:
                raise _VersError(f"introduced {low[1][:100]} is above {high[1][:100]}")
            if not inclusive:
                continue  # introduced and fixed at the same version: no version
        last = merged[-1] if merged else None
        if last is None or (low is not None and last[1] is not None and last[1][0] < low[0]):
            merged.append((low, high, inclusive))
        elif last[1] is not None and (
            high is None or last[1][0] < high[0] or (last[1][0] == high[0] and inclusive)
        ):
            merged[-1] = (last[0], high, inclusive)  # overlapping or touching: one interval
    written, constraints = [], []
    for low, high, inclusive in merged:
        for comparator, edge in ((">=", low), ("<=" if inclusive else "<", high)):
            if edge is not None:
                written.append(f"{comparator}{edge[1]}")
                constraints.append(VersionConstraint(comparator=comparator, version=edge[0]))
    if not merged:
        raise _VersError("it affects no version")
    text = f"vers:{scheme}/{'|'.join(written) or '*'}"
    read_back = VersionRange.from_string(text, validate=True)  # type: ignore[no-untyped-call]  # univers leaves it unannotated
    if constraints and read_back != RANGE_CLASS_BY_SCHEMES[scheme](constraints=tuple(constraints)):
        raise _VersError(f"univers reads {text[:200]!r} differently")
    return text


@functools.lru_cache(maxsize=8192)
def _version(scheme: str, value: str) -> Any:
    """A univers Version (cached: a zip repeats the same versions many times)."""
    version_class: Any = RANGE_CLASS_BY_SCHEMES[scheme].version_class
    return version_class(value)


def _low_first(interval: _Interval) -> tuple[int, Any]:
    return (0, None) if interval[0] is None else (1, interval[0][0])


class _Collector:
    """The records of one file (a single entry, or every entry of a zip), with its problems."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems = Problems(source)
        self.records: dict[tuple[str, str], VulnerabilityRecord] = {}
        self.told: set[str] = set()  # warnings given once per file
        self.entries = 0

    def located(self, where: str) -> Problems:
        """Problems of a zip member (named `where`) that count with the file's."""
        problems = Problems(where)
        problems.errors, problems.warnings = self.problems.errors, self.problems.warnings
        return problems

    def member(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo, where: str) -> None:
        problems = self.located(where)
        if info.file_size > MAX_MEMBER_BYTES:
            problems.add(
                f"the member is {info.file_size} bytes; the limit is {MAX_MEMBER_BYTES}", None
            )
            return
        if info.flag_bits & 0x1:
            problems.add("the member is encrypted", None)
            return
        try:
            with archive.open(info) as handle:
                raw = handle.read(MAX_MEMBER_BYTES + 1)
        except (zipfile.BadZipFile, NotImplementedError, zlib.error, EOFError, OSError) as error:
            problems.add(f"cannot read the member: {error}", None)
            return
        if len(raw) > MAX_MEMBER_BYTES:
            problems.add(f"the member is larger than the limit of {MAX_MEMBER_BYTES} bytes", None)
            return
        try:
            text = raw.decode("utf-8-sig")
            document = _load(text, where, info.filename.lower().endswith(YAML_SUFFIXES))
        except UnicodeDecodeError as error:
            line = raw[: error.start].count(b"\n") + 1
            problems.add(f"not UTF-8 text (byte {error.start})", None, line)
        except ParseError as error:
            problems.add(error.problems[0].message, None, error.source.line)
        else:
            self.entry(document, where)

    def entry(self, document: Any, where: str) -> None:
        self.entries += 1
        for record in _EntryReader(self.located(where), self.told).read(document):
            self._keep(record)

    def _keep(self, record: VulnerabilityRecord) -> None:
        first = self.records.setdefault((record.id, record.document), record)
        if first is record:
            return
        where = f"in {first.location.path} and in {record.location.path}"
        problems = self.located(record.location.path)
        if dataclasses.replace(record, location=first.location) == first:
            problems.warn(
                f"{record.document} ({record.id}) is given twice, {where}; kept the first", "$"
            )
        else:
            problems.add(
                f"{record.document} ({record.id}) is given twice with different content, {where}",
                "$",
            )

    def batch(self) -> AdvisoryBatch:
        self.problems.raise_if_any()
        return AdvisoryBatch(
            source_format=OsvParser.id,
            source_name=self.source,
            vulnerabilities=tuple(self.records.values()),
            warnings=tuple(self.problems.warnings),
        )


class _EntryReader(JsonFields):
    """One OSV entry to its records (none when it has errors)."""

    moment_kind = "an RFC 3339 date-time"
    moment_shown = 40

    def __init__(self, problems: Problems, told: set[str]) -> None:
        super().__init__(problems)
        self.told = told

    def parse_moment(self, text: str) -> datetime | None:
        return _moment(text)

    def warn_once(self, key: str, message: str, field: str) -> None:
        if key not in self.told:
            self.told.add(key)
            self.warn(message, field)

    def read(self, document: Any) -> list[VulnerabilityRecord]:
        if not isinstance(document, dict):
            found = json_type(document)
            self.problem(f"not an OSV entry: the document is {found}, not an object", "$")
            return []
        errors_before = len(self.problems.errors)
        self.schema_version(document)
        osv_id = self.text(document, "id", "$", required=True)
        aliases = self.strings(document, "aliases", "$")
        extra = document.get("database_specific")
        if not isinstance(extra, dict):
            if extra is not None:
                found = json_type(extra)
                self.warn(
                    f"database_specific is {found}, not an object; ignored", "$.database_specific"
                )
            extra = {}
        withdrawn = document.get("withdrawn")
        self.moment(document, "withdrawn", "$")  # checked only: the status says it
        base = VulnerabilityRecord(
            id=osv_id,
            location=SourceLocation(self.problems.source, None, "$"),
            source=OsvParser.id,
            published=self.moment(document, "published", "$"),
            last_modified=self.moment(document, "modified", "$", required=True),
            status="Withdrawn" if isinstance(withdrawn, str) and withdrawn.strip() else "",
            title=self.text(document, "summary", "$"),
            description=self.text(document, "details", "$"),
            scores=self.scores(document, extra),
            cwes=self.cwes(extra),
            references=self.references(document),
            packages=tuple(
                self.package(item, where) for item, where in self.items(document, "affected", "$")
            ),
            document=osv_id,
        )
        if len(self.problems.errors) > errors_before:
            return []
        ids = list(dict.fromkeys(_normal_id(alias) for alias in [osv_id, *aliases]))
        cves = [alias for alias in ids if CVE_ID.fullmatch(alias)]
        keys = cves or [next((alias for alias in ids if alias.startswith("GHSA-")), ids[0])]
        return [
            dataclasses.replace(base, id=key, aliases=tuple(other for other in ids if other != key))
            for key in keys
        ]

    # - parts -

    def schema_version(self, document: dict[str, Any]) -> None:
        version = self.text(document, "schema_version", "$")
        if version and version.split(".")[0] != "1":
            self.problem(
                f"schema_version {version[:40]!r}: canhgac reads OSV schema 1.x", "$.schema_version"
            )

    def scores(self, document: dict[str, Any], extra: dict[str, Any]) -> tuple[ScoreRecord, ...]:
        found = []
        for item, where in self.items(document, "severity", "$"):
            kind = self.text(item, "type", where, required=True)
            score = self.text(item, "score", where, required=True)
            if kind in CVSS_TYPES and score:
                found.append(self.cvss(kind, score, f"{where}.score"))
            elif kind == "Ubuntu" and score:
                found.append(ScoreRecord(system="osv", severity=score, provider="Ubuntu"))
            elif kind and score:
                shown = kind[:40]
                self.warn(
                    f"severity type '{shown}' is not one canhgac reads; ignored", f"{where}.type"
                )
        word = extra.get("severity")
        if isinstance(word, str) and word.strip():
            found.append(ScoreRecord(system="osv", severity=word.strip(), provider="osv"))
        elif word is not None and not isinstance(word, str):
            found_type = json_type(word)
            self.warn(
                f"severity is {found_type}, not a word; ignored", "$.database_specific.severity"
            )
        return tuple(found)

    def cwes(self, extra: dict[str, Any]) -> tuple[str, ...]:
        value = extra.get("cwe_ids")
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            self.warn("cwe_ids is not a list of strings; ignored", "$.database_specific.cwe_ids")
            return ()
        return tuple(dict.fromkeys(item.strip() for item in value if item.strip()))

    def cvss(self, kind: str, vector: str, where: str) -> ScoreRecord:
        system = CVSS_PREFIXES.get(vector[:9], "") if vector.startswith("CVSS:") else "cvss_v2"
        if system not in CVSS_TYPES[kind]:
            self.warn(f"bad CVSS vector '{vector[:200]}': it is not of the type {kind}", where)
            if not system:
                return ScoreRecord(system=CVSS_TYPES[kind][-1], vector=vector, provider="osv")
        try:
            base = float(CVSS_CLASSES[system](vector).base_score)
        except CVSSError as error:
            self.warn(f"bad CVSS vector '{vector[:200]}': {error}", where)
            base = None
        return ScoreRecord(system=system, vector=vector, base_score=base, provider="osv")

    def references(self, document: dict[str, Any]) -> tuple[ReferenceRecord, ...]:
        found = []
        for item, where in self.items(document, "references", "$"):
            url = self.text(item, "url", where, required=True)
            kind = self.text(item, "type", where)
            found.append(ReferenceRecord(url, tags=(kind,) if kind else ()))
        return tuple(found)

    def package(self, affected: dict[str, Any], where: str) -> PackageRecord:
        package = affected.get("package")
        if not isinstance(package, dict):
            if package is not None:
                self.problem(f"package is {json_type(package)}, not an object", f"{where}.package")
            else:
                self.warn("no package: the ranges are kept under an empty key", f"{where}.package")
            package = {}
        inner = f"{where}.package"
        ecosystem = self.text(package, "ecosystem", inner, required=bool(package))
        name = self.text(package, "name", inner, required=bool(package))
        base = ecosystem.split(":")[0]
        scheme, key = "purl", self.purl(package, inner, base, name)
        if not key and name:
            scheme, key = "name", f"{ecosystem}/{name}".lower()
            self.warn_once(
                f"purl:{base}",
                f"ecosystem '{ecosystem[:40]}' has no package URL type canhgac knows: its "
                "packages are keyed by ecosystem and name",
                f"{inner}.ecosystem",
            )
        elif not key:
            scheme = "name"
        ranges = tuple(
            self.range(item, path, base) for item, path in self.items(affected, "ranges", where)
        )
        return PackageRecord(
            scheme=scheme,
            key=key,
            ecosystem=ecosystem,
            name=name,
            ranges=ranges,
            versions=tuple(self.strings(affected, "versions", where)),
        )

    def purl(self, package: dict[str, Any], where: str, base: str, name: str) -> str:
        """The versionless purl: from `purl` when given and valid, else from the ecosystem."""
        if written := self.text(package, "purl", where):
            try:
                given = PackageURL.from_string(written)
                return package_key(given.type, given.namespace, given.name)
            except ValueError as error:
                self.warn(
                    f"purl '{written[:100]}' is not a package URL ({error}); ignored",
                    f"{where}.purl",
                )
        if base not in ECOSYSTEMS or not name:
            return ""
        purl_type, namespace, _ = ECOSYSTEMS[base]
        if purl_type in ("golang", "npm", "composer") and "/" in name:
            namespace, name = name.rsplit("/", 1)
        elif purl_type == "maven" and ":" in name:
            namespace, name = name.split(":", 1)
        try:
            return package_key(purl_type, namespace, name)
        except ValueError as error:
            self.warn(f"no package URL for '{name[:100]}': {error}", f"{where}.name")
            return ""

    def range(self, item: dict[str, Any], where: str, ecosystem: str) -> RangeRecord:
        kind = self.text(item, "type", where, required=True)
        repo = self.text(item, "repo", where)
        events = []
        for event, path in self.items(item, "events", where):
            if len(event) != 1:
                kinds = ", ".join(EVENT_KINDS)
                self.problem(f"the event has {len(event)} keys; it must have one of {kinds}", path)
                continue
            ((name, value),) = event.items()
            if name not in EVENT_KINDS:
                self.problem(
                    f"unknown event {str(name)[:40]!r} (one of {', '.join(EVENT_KINDS)})", path
                )
            elif not isinstance(value, str) or not value.strip():
                found = "empty" if isinstance(value, str) else f"{json_type(value)}, not a string"
                self.problem(f"{name} is {found}", f"{path}.{name}")
            else:
                events.append((name, value.strip()))
        if kind and kind not in RANGE_TYPES:
            self.warn(
                f"range type '{kind[:40]}' is not one canhgac reads: kept without vers",
                f"{where}.type",
            )
        if kind == "GIT" or kind not in RANGE_TYPES:
            if kind == "GIT" and not repo:
                self.warn("a GIT range without repo", f"{where}.repo")
            return RangeRecord(kind, tuple(events), "", repo)
        scheme = ECOSYSTEMS[ecosystem][2] if ecosystem in ECOSYSTEMS else ""
        scheme = scheme or (SEMVER_SCHEME if kind == "SEMVER" else "")
        if not scheme:
            self.warn_once(
                f"vers:{ecosystem}",
                f"ecosystem '{ecosystem[:40]}' has no versioning scheme canhgac knows: its "
                "ECOSYSTEM ranges are kept without vers",
                f"{where}.type",
            )
            return RangeRecord(kind, tuple(events), "", repo)
        try:
            vers = _vers(scheme, tuple(events))
        except ValueError as error:
            self.warn(f"no vers for this range: {error}", f"{where}.events")
            vers = ""
        return RangeRecord(kind, tuple(events), vers, repo)
