"""Where a CSAF provider publishes its documents (CSAF 2.0 section 7): `provider-metadata.json`,
ROLIE feeds and the directory index `changes.csv`. Pure readers from bytes (or parsed JSON) to
dataclasses, with located errors; the online sync fetches the bytes. Format and choices:
docs/feeds/csaf.md.

* `provider_metadata`: every `distributions[].rolie.feeds[]` (URL, TLP label, summary) and every
  `distributions[].directory_url`. The standard gives a directory no TLP label; it is taken
  from the URL's last path segment when that is a TLP word (".../white/", ".../tlp-amber/").
* `rolie_feed`: per `feed.entry[]` the tracking id, `updated`, the document URL (`content.src`,
  else the link rel "self"), the first link rel "hash" (the algorithm is the URL's extension,
  ".sha256" / ".sha512") and the link rel "signature" (".asc").
* `directory_changes`: `changes.csv` lines "path","timestamp" (the path relative to the
  directory URL); absolute paths, "..", URLs and non-JSON names are left out with a warning.

URLs must be absolute http(s) URLs; a relative one is resolved against `base_url` when given.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from canhgac.advisories.feeds.common import Problems
from canhgac.advisories.feeds.csaf import CsafFields, csaf_datetime
from canhgac.core.exceptions import ParseError, Problem, SourceLocation
from canhgac.core.files import json_type, max_bytes

# CSAF 2.0 labels, and CSAF 2.1's (TLP 2.0: CLEAR replaces WHITE, AMBER+STRICT).
TLP_LABELS = frozenset({"UNLABELED", "WHITE", "CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED"})
TLP_SEGMENT = re.compile(r"^(?:tlp[-_:]?)?(white|clear|green|amber|amber\+strict|red)$", re.I)


@dataclass(frozen=True, slots=True)
class RolieFeedLink:
    url: str
    tlp_label: str  # upper case: "WHITE", "GREEN", "AMBER", "RED", "UNLABELED", "CLEAR"...
    summary: str = ""


@dataclass(frozen=True, slots=True)
class DirectoryLink:
    url: str
    tlp_label: str = ""  # from the URL's last path segment; "" when it names no TLP label


@dataclass(frozen=True, slots=True)
class PgpKey:
    url: str
    fingerprint: str = ""


@dataclass(frozen=True, slots=True)
class ProviderMetadata:
    canonical_url: str
    publisher: str  # publisher.name
    role: str  # "csaf_publisher", "csaf_provider", "csaf_trusted_provider"
    last_updated: datetime | None
    feeds: tuple[RolieFeedLink, ...] = ()
    directories: tuple[DirectoryLink, ...] = ()
    pgp_keys: tuple[PgpKey, ...] = ()


@dataclass(frozen=True, slots=True)
class RolieEntry:
    id: str  # the document's tracking id
    updated: datetime
    document_url: str
    location: SourceLocation
    hash_url: str = ""
    signature_url: str = ""
    title: str = ""


@dataclass(frozen=True, slots=True)
class RolieFeed:
    id: str
    title: str
    updated: datetime | None
    entries: tuple[RolieEntry, ...]
    warnings: tuple[Problem, ...] = ()


@dataclass(frozen=True, slots=True)
class DirectoryChange:
    path: str  # relative to the directory URL: "2024/acme-sa-2024-0042.json"
    updated: datetime
    line: int


@dataclass(frozen=True, slots=True)
class DirectoryChanges:
    changes: tuple[DirectoryChange, ...]
    warnings: tuple[Problem, ...] = ()  # lines left out


def json_document(content: bytes, *, source: str) -> Any:
    """`content` as JSON (UTF-8, a BOM accepted), or a located ParseError."""
    if len(content) > max_bytes():
        raise ParseError(
            f"the document is {len(content)} bytes; the limit is {max_bytes()}",
            source=SourceLocation(source),
        )
    try:
        return json.loads(content.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise ParseError(
            f"not UTF-8 text (byte {error.start})", source=SourceLocation(source, line)
        ) from None
    except json.JSONDecodeError as error:
        raise ParseError(
            f"invalid JSON: {error.msg} (column {error.colno})",
            source=SourceLocation(source, error.lineno),
        ) from None
    except RecursionError:
        raise ParseError("invalid JSON: nested too deeply", source=SourceLocation(source)) from None
    except ValueError as error:  # an integer longer than Python's digit limit
        raise ParseError(f"invalid JSON: {error}", source=SourceLocation(source)) from None


def directory_document_url(directory_url: str, path: str) -> str:
    """The URL of a `changes.csv` path: 'https://x/csaf/white/' + '2024/a.json'."""
    return urljoin(directory_url.rstrip("/") + "/", path)


class _Fields(CsafFields):
    def __init__(self, source: str, base_url: str) -> None:
        super().__init__(source)
        self.base_url = base_url

    def url(self, container: dict[str, Any], key: str, path: str, required: bool = True) -> str:
        text = self.text(container, key, path, required=required)
        if not text:
            return ""
        url = urljoin(self.base_url, text) if self.base_url else text
        parts = urlsplit(url)
        if parts.scheme not in ("https", "http") or not parts.netloc:
            self.problems.add(f"'{text}' is not an absolute http(s) URL", f"{path}.{key}")
            return ""
        return url

    def tlp(self, container: dict[str, Any], key: str, path: str) -> str:
        label = self.text(container, key, path, required=True).upper()
        if label and label not in TLP_LABELS:
            self.problems.add(f"{key} '{label}' is not a TLP label", f"{path}.{key}")
        return label


def _root(document: Any, source: str) -> dict[str, Any]:
    if not isinstance(document, dict):
        raise ParseError(
            f"the document is {json_type(document)}, not an object",
            source=SourceLocation(source, None, "$"),
        )
    return document


def provider_metadata(document: Any, *, source: str, base_url: str = "") -> ProviderMetadata:
    """A parsed `provider-metadata.json` → its feeds, directories and keys."""
    root = _root(document, source)
    fields = _Fields(source, base_url)
    feeds: list[RolieFeedLink] = []
    directories: list[DirectoryLink] = []
    for distribution, where in fields.items(root, "distributions", "$"):
        if "directory_url" in distribution:
            url = fields.url(distribution, "directory_url", where)
            match = TLP_SEGMENT.match(url.rstrip("/").rsplit("/", 1)[-1])
            directories.append(DirectoryLink(url, match.group(1).upper() if match else ""))
        rolie = fields.object(distribution, "rolie", where)
        for feed, inner in fields.items(rolie, "feeds", f"{where}.rolie"):
            url = fields.url(feed, "url", inner)
            label = fields.tlp(feed, "tlp_label", inner)
            feeds.append(RolieFeedLink(url, label, fields.text(feed, "summary", inner)))
    keys = [
        PgpKey(fields.url(key, "url", where), fields.text(key, "fingerprint", where))
        for key, where in fields.items(root, "pgp_keys", "$")
    ]
    if not feeds and not directories and not fields.problems.errors:
        fields.problems.add("the provider names no ROLIE feed and no directory", "$.distributions")
    metadata = ProviderMetadata(
        canonical_url=fields.url(root, "canonical_url", "$", required=False),
        publisher=fields.text(fields.object(root, "publisher", "$"), "name", "$.publisher"),
        role=fields.text(root, "role", "$"),
        last_updated=fields.moment(root, "last_updated", "$"),
        feeds=tuple(feeds),
        directories=tuple(directories),
        pgp_keys=tuple(keys),
    )
    fields.problems.raise_if_any()
    return metadata


def rolie_feed(document: Any, *, source: str, base_url: str = "") -> RolieFeed:
    """A parsed ROLIE feed → its entries (document, hash and signature URLs). A broken entry
    is left out with warnings (the rest of the feed stays usable); a broken feed is refused."""
    fields = _Fields(source, base_url)
    feed = fields.object(_root(document, source), "feed", "$", required=True)
    raw_entries = feed.get("entry", [])
    if not isinstance(raw_entries, list):
        fields.problems.add(f"entry is {json_type(raw_entries)}, not a list", "$.feed.entry")
        raw_entries = []
    fields.problems.raise_if_any()
    entries = []
    warnings: list[Problem] = []
    for index, item in enumerate(raw_entries):
        entry_fields = _Fields(source, base_url)
        entry = _entry(entry_fields, item, f"$.feed.entry[{index}]")
        warnings += [
            Problem(f"{problem.message}; the entry is left out", problem.location)
            for problem in entry_fields.problems.errors
        ]
        if entry is not None and not entry_fields.problems.errors:
            entries.append(entry)
    result = RolieFeed(
        id=fields.text(feed, "id", "$.feed", required=True),
        title=fields.text(feed, "title", "$.feed"),
        updated=fields.moment(feed, "updated", "$.feed"),
        entries=tuple(entries),
        warnings=tuple(warnings),
    )
    fields.problems.raise_if_any()
    return result


def _entry(fields: _Fields, item: Any, where: str) -> RolieEntry | None:
    if not isinstance(item, dict):
        fields.problems.add(f"entry is {json_type(item)}, not an object", where)
        return None
    links: dict[str, str] = {}
    for link, inner in fields.items(item, "link", where):
        relation = fields.text(link, "rel", inner, required=True)
        links.setdefault(relation, fields.url(link, "href", inner))
    source_url = ""
    if item.get("content") is not None:
        content = fields.object(item, "content", where)
        source_url = fields.url(content, "src", f"{where}.content")
    elif "self" not in links:
        fields.problems.add("no document URL (content.src or a link rel self)", where)
    updated = fields.moment(item, "updated", where, required=True)
    identifier = fields.text(item, "id", where, required=True)
    document_url = source_url or links.get("self", "")
    if updated is None or not identifier or not document_url:
        return None
    return RolieEntry(
        id=identifier,
        updated=updated,
        document_url=document_url,
        location=SourceLocation(fields.problems.source, None, where),
        hash_url=links.get("hash", ""),
        signature_url=links.get("signature", ""),
        title=fields.text(item, "title", where),
    )


def read_provider_metadata(content: bytes, *, source: str, base_url: str = "") -> ProviderMetadata:
    return provider_metadata(
        json_document(content, source=source), source=source, base_url=base_url
    )


def read_rolie_feed(content: bytes, *, source: str, base_url: str = "") -> RolieFeed:
    return rolie_feed(json_document(content, source=source), source=source, base_url=base_url)


def directory_changes(content: bytes, *, source: str) -> DirectoryChanges:
    """A directory's `changes.csv` → (path, timestamp) per line, in the file's order. A bad
    line is left out with a warning; a file that is not UTF-8 CSV is refused."""
    problems = Problems(source)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[: error.start].count(b"\n") + 1
        raise ParseError(
            f"not UTF-8 text (byte {error.start})", source=SourceLocation(source, line)
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    changes = []
    line = 1
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                change = _change(row, line, problems)
                if change is not None:
                    changes.append(change)
            line = reader.line_num + 1
    except csv.Error as error:
        raise ParseError(f"invalid CSV: {error}", source=SourceLocation(source, line)) from None
    return DirectoryChanges(tuple(changes), tuple(problems.warnings))


def _change(row: list[str], line: int, problems: Problems) -> DirectoryChange | None:
    if len(row) != 2:
        problems.warn(f'{len(row)} fields, not 2 ("path","timestamp"); left out', None, line)
        return None
    path, timestamp = row[0].strip(), row[1].strip()
    parts = urlsplit(path)
    if (
        not path.endswith(".json")
        or parts.scheme
        or parts.netloc
        or path.startswith("/")
        or "\\" in path
        or not path.isprintable()
        or ".." in unquote(path).split("/")
    ):
        problems.warn(f"{path!r} is not a relative path to a .json file; left out", "path", line)
        return None
    try:
        return DirectoryChange(path, csaf_datetime(timestamp), line)
    except ValueError:
        problems.warn(f"{timestamp!r} is not a date-time; left out", "timestamp", line)
        return None
