"""NVD Products (CPE) API 2.0 JSON: an API response page or a dictionary feed file (plain or gzip).

Only deprecations are kept: a `CpeRecord` for every product that is deprecated (`deprecated`
true or a non-empty `deprecatedBy`) and for every name a product `deprecates`, both directions
merged. Of a current product only what decides that is read and checked (cpeName, deprecated,
deprecatedBy, deprecates), then it is dropped: the whole dictionary holds 1.3 million names.
The `products` array is streamed like `nvd.py` streams `vulnerabilities`: each element is
decoded on its own, so the file is never one Python object tree.
`resolve()` follows deprecations to the current names. Format and choices: docs/feeds/nvd-cpe.md.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from canhgac.advisories.feeds.common import Problems, gunzip_head
from canhgac.advisories.feeds.interface import AdvisoryParser
from canhgac.advisories.feeds.json_stream import JsonStream, read_stream
from canhgac.advisories.feeds.nvd import NvdFields
from canhgac.advisories.feeds.records import AdvisoryBatch, CpeRecord
from canhgac.core.exceptions import ParseError, SourceLocation
from canhgac.core.files import cpe22_to_23, json_type

# A CPE 2.3 formatted string: "cpe:2.3:", the part, then 10 more components, none empty; a
# backslash quotes the next character (so "\:" does not separate components).
CPE23 = re.compile(r"cpe:2\.3:[aoh*\-](?::(?:[^:\\\s]++|\\.)++){10}")  # possessive: fast
# A CPE 2.2 URI with at least a vendor and a product (converted with cpe22_to_23).
CPE22 = re.compile(r"cpe:/[aoh]:[^:\s]+:[^:\s]+(?::[^:\s]*){0,4}")
_SNIFF = re.compile(rb'"format"\s*:\s*"NVD_CPE"|"products"\s*:\s*\[\s*\{\s*"cpe"\s*:')
_NOT_CPE = "not an NVD CPE document"


class NvdCpeParser(AdvisoryParser):
    id: ClassVar[str] = "nvd-cpe"
    display_name: ClassVar[str] = "NVD Products (CPE) API 2.0 (JSON page or feed, deprecations)"
    extensions: ClassVar[tuple[str, ...]] = (".json", ".json.gz")

    @classmethod
    def sniff(cls, head: bytes, name: str) -> bool:
        return bool(_SNIFF.search(gunzip_head(head)))

    def parse(self, path: Path, *, source: str) -> AdvisoryBatch:
        return read_stream(path, source, lambda stream: _Document(stream, source).read())


def resolve(name: str, deprecations: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    """The current CPE name(s) `name` stands for, following `deprecations` (name → the names
    that replace it) transitively: A→B→C gives (C,); several successors give all their current
    names, in order, each once. A name that is not deprecated, or deprecated without a
    successor, gives (name,); so does a cycle with no way out (A→B→A). Names compare exactly."""
    found: dict[str, None] = {}  # ordered set
    seen = {name}
    stack = list(reversed(deprecations.get(name, ())))
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        successors = deprecations.get(current, ())
        if successors:
            stack.extend(reversed(successors))
        else:
            found[current] = None
    return tuple(found) or (name,)


@dataclass(slots=True)
class _Entry:
    """A deprecated name being collected: from its own product, or named by `deprecates`."""

    location: SourceLocation
    successors: dict[str, None]  # ordered set
    own: bool  # seen as a product of its own (else only named in another's `deprecates`)
    title: str = ""
    last_modified: datetime | None = None


class _Document:
    """The top-level object: header keys kept, the products array streamed."""

    def __init__(self, stream: JsonStream, source: str) -> None:
        self.stream = stream
        self.source = source
        self.problems = Problems(source)
        self.header: dict[str, Any] = {}
        self.entries: dict[str, _Entry] = {}
        self.count: int | None = None  # elements of the products array, once seen

    def refuse(self, message: str, where: str) -> ParseError:
        return ParseError(message, source=SourceLocation(self.source, None, where))

    def read(self) -> AdvisoryBatch:
        stream = self.stream
        first = stream.peek()
        if first != "{":
            kind = "a list" if first == "[" else json_type(stream.value())
            raise self.refuse(f"{_NOT_CPE}: the document is {kind}, not an object", "$")
        stream.position += 1
        if stream.peek() == "}":
            stream.position += 1
        else:
            while True:
                if stream.peek() != '"':
                    raise stream.error("invalid JSON: Expecting property name", stream.position)
                key = stream.value()
                stream.take(":", "':' delimiter")
                if key == "products":
                    if self.count is not None:
                        raise self.refuse("products is given twice", "$.products")
                    self._read_products()
                elif key in ("vulnerabilities", "matchStrings"):
                    raise self._foreign(key)  # before decoding a list we would not read
                else:
                    self.header[key] = stream.value()
                    self._check_format(final=False)
                if stream.take(",}", "',' delimiter") == "}":
                    break
        if stream.peek():
            raise stream.error("invalid JSON: Extra data", stream.position)
        return self._batch()

    def _foreign(self, key: str) -> ParseError:
        if "catalogVersion" in self.header:
            kev = "this looks like a CISA KEV catalogue (format 'kev')"
            return self.refuse(f"{_NOT_CPE}: {kev}", "$")
        if key == "matchStrings":
            return self.refuse(
                f"{_NOT_CPE}: this is an NVD CPE match criteria file (matchStrings), "
                "which canhgac does not read",
                "$.matchStrings",
            )
        return self.refuse(
            f"{_NOT_CPE}: it holds 'vulnerabilities', not 'products'", "$.vulnerabilities"
        )

    def _check_format(self, *, final: bool) -> None:
        header = self.header
        if "catalogVersion" in header:
            raise self._foreign("vulnerabilities")
        for key, expected in (("format", "NVD_CPE"), ("version", "2.0")):
            found = header.get(key)
            if found == expected or (found is None and not final):
                continue
            if key == "format" and found == "NVD_CVE":
                raise self.refuse(
                    f"{_NOT_CPE}: this is an NVD CVE file (format 'NVD_CVE'); use the NVD CVE "
                    "parser (format 'nvd')",
                    "$.format",
                )
            if key == "format" and found == "NVD_CPEMatchString":
                raise self._foreign("matchStrings")
            shown = "missing" if found is None else f"{found!r}"[:40]
            raise self.refuse(
                f"not an NVD CPE API 2.0 document: {key} is {shown}, expected '{expected}'",
                f"$.{key}",
            )

    def _read_products(self) -> None:
        stream = self.stream
        self.count = 0
        if stream.peek() != "[":
            found = json_type(stream.value())
            raise self.refuse(f"products is {found}, not a list", "$.products")
        stream.position += 1
        if stream.peek() == "]":
            stream.position += 1
            return
        while True:
            stream.peek()
            line = stream.line(stream.position)
            path = f"$.products[{self.count}]"
            element = stream.value()
            cpe = element.get("cpe") if isinstance(element, dict) else None
            if not isinstance(element, dict):
                self.problems.add(f"element is {json_type(element)}, not an object", path, line)
            elif cpe is None:
                self.problems.add("missing the 'cpe' object", f"{path}.cpe", line)
            elif not isinstance(cpe, dict):
                self.problems.add(f"cpe is {json_type(cpe)}, not an object", f"{path}.cpe", line)
            else:
                self._product(cpe, f"{path}.cpe", line)
            self.count += 1
            if stream.take(",]", "',' delimiter") == "]":
                return

    def _product(self, cpe: dict[str, Any], path: str, line: int | None) -> None:
        """Read what decides whether the product is kept; the rest only for a kept one."""
        errors_before = len(self.problems.errors)
        values = NvdFields(self.problems, line)
        name = self._name(values, cpe, path)
        deprecated = values.flag(cpe, "deprecated", path, required=True)
        successors = self._links(values, cpe, "deprecatedBy", path, name)
        predecessors = self._links(values, cpe, "deprecates", path, name)
        kept = deprecated or bool(successors)
        title, last_modified = "", None
        if kept:
            values.text(cpe, "cpeNameId", path)
            last_modified = values.moment(cpe, "lastModified", path, required=True)
            if "created" in cpe:
                values.moment(cpe, "created", path, required=True)
            for item, where in values.items(cpe, "titles", path):
                text = values.text(item, "title", where)
                if not title and values.text(item, "lang", where).lower() in ("en", "en-us"):
                    title = text
        if len(self.problems.errors) > errors_before:
            return
        if successors and not deprecated:
            message = "deprecated is false but deprecatedBy is not empty; read as deprecated"
            values.warn(message, f"{path}.deprecated")
        if kept:
            own = _Entry(SourceLocation(self.source, line, path), {}, True, title, last_modified)
            self._keep(name, own, [new for new, _ in successors])
        for old, where in predecessors:
            self._keep(old, _Entry(SourceLocation(self.source, line, where), {}, False), [name])

    def _name(self, values: NvdFields, container: dict[str, Any], path: str) -> str:
        """The CPE 2.3 name in `container["cpeName"]` (a 2.2 URI converted), "" if bad."""
        text = container.get("cpeName")
        if isinstance(text, str) and CPE23.fullmatch(text):
            return text  # the usual case, quickly
        where = f"{path}.cpeName"
        text = values.text(container, "cpeName", path, required=True)
        if text.startswith("cpe:/") and CPE22.fullmatch(text):
            converted = cpe22_to_23(text)
            values.warn(f"cpeName '{text}' is a CPE 2.2 URI; read as '{converted}'", where)
            text = converted
        if text and not CPE23.fullmatch(text):
            shown = text if len(text) <= 100 else text[:100] + "…"
            values.problem(f"cpeName '{shown}' is not a CPE 2.3 name", where)
            return ""
        return text

    def _links(
        self, values: NvdFields, cpe: dict[str, Any], key: str, path: str, name: str
    ) -> list[tuple[str, str]]:
        """The names (with their paths) in `deprecatedBy` or `deprecates`, each once."""
        found: dict[str, str] = {}
        for item, where in values.items(cpe, key, path):
            other = self._name(values, item, where)
            values.text(item, "cpeNameId", where)
            if other and other == name:
                values.warn(f"{key} names the product itself; ignored", f"{where}.cpeName")
            elif other:
                found.setdefault(other, where)
        return list(found.items())

    def _keep(self, name: str, found: _Entry, successors: list[str]) -> None:
        """Merge what `found` says about `name` (deprecated, replaced by `successors`)."""
        entry = self.entries.setdefault(name, found)
        if found.own and entry.own and entry is not found:
            where = found.location
            self.problems.warn(
                f"{name} is listed twice, at {entry.location.field} and at {where.field}; merged",
                where.field,
                where.line,
            )
        elif found.own and not entry.own:  # so far only named in a `deprecates`: its own says more
            entry.location, entry.own = found.location, True
            entry.title, entry.last_modified = found.title, found.last_modified
        entry.successors.update(dict.fromkeys(successors))

    def _batch(self) -> AdvisoryBatch:
        if self.count is None:
            self._check_format(final=False)
            raise self.refuse(f"{_NOT_CPE}: no 'products' list", "$")
        self._check_format(final=True)
        announced = self.header.get("resultsPerPage")
        if isinstance(announced, int) and announced != self.count:
            self.problems.warn(
                f"resultsPerPage is {announced} but the page holds {self.count} products",
                "$.resultsPerPage",
            )
        timestamp = self.header.get("timestamp")
        catalog_version = timestamp.strip() if isinstance(timestamp, str) else ""
        try:
            datetime.fromisoformat(catalog_version)
        except ValueError:
            self.problems.warn(f"timestamp {timestamp!r} is not a date-time", "$.timestamp")
        self.problems.raise_if_any()
        return AdvisoryBatch(
            source_format=NvdCpeParser.id,
            source_name=self.source,
            cpes=tuple(
                CpeRecord(
                    name=name,
                    location=entry.location,
                    deprecated=True,
                    deprecated_by=tuple(entry.successors),
                    title=entry.title,
                    last_modified=entry.last_modified,
                )
                for name, entry in self.entries.items()
            ),
            catalog_version=catalog_version,
            warnings=tuple(self.problems.warnings),
        )
