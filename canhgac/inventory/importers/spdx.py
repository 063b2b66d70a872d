"""SPDX 2.2 / 2.3 SBOM parser (JSON and tag-value).

One document gives one `AssetRecord`: the first package the document describes (else the
document itself), holding every other package as a component. SPDX files and snippets are
ignored. Format and mapping: docs/importers/sbom.md.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

from canhgac.core.exceptions import ParseError, Problem, SourceLocation, ValidationError
from canhgac.core.files import cpe22_to_23, json_type, read_text
from canhgac.inventory.enums import AssetKind
from canhgac.inventory.importers.interface import InventoryParser
from canhgac.inventory.importers.records import AssetRecord, ComponentRecord, InventoryBatch

KNOWN_VERSIONS = ("SPDX-2.2", "SPDX-2.3")
SERVER_PURPOSES = frozenset({"CONTAINER", "OPERATING-SYSTEM", "DEVICE", "FIRMWARE"})
APPLICATION_PURPOSES = frozenset({"APPLICATION", "FRAMEWORK", "LIBRARY"})
IMAGE_PURL_TYPES = ("pkg:oci/", "pkg:docker/")  # a container image described without a purpose
NO_VALUE = frozenset({"", "NOASSERTION", "NONE"})
# Tag-value tags that open a section which is not a package (its SPDXID is not a package's).
OTHER_SECTIONS = frozenset({"FileName", "SnippetSPDXID", "LicenseID"})
_PACKAGE_TAGS = frozenset(
    {"PackageVersion", "PackageSupplier", "PackageOriginator", "PrimaryPackagePurpose"}
)

# spdxVersion may come last (Microsoft's sbom-tool): an SPDXID "SPDXRef-..." is as telling.
_JSON_SNIFF = re.compile(rb'"spdxVersion"\s*:|"SPDXID"\s*:\s*"SPDXRef-')
_TAG_VALUE_SNIFF = re.compile(rb"(?m)^(?:\xef\xbb\xbf)?SPDXVersion:")
_TAG_LINE = re.compile(r"([A-Za-z][A-Za-z0-9_-]*):(.*)")
_PARTY_PREFIX = re.compile(r"^(?:Organization|Person|Tool)\s*:\s*", re.IGNORECASE)
_EMAIL = re.compile(r"\s*[(<][^()<>]*@[^()<>]*[)>]\s*$|\s*\(\s*\)\s*$")


@dataclass(frozen=True, slots=True)
class _Package:
    """One SPDX package, whichever the encoding. `where` is '$.packages[3]' or 'line 45'."""

    name: str
    spdx_id: str
    where: str
    location: SourceLocation
    version: str = ""
    supplier: str = ""
    originator: str = ""
    purpose: str = ""
    purls: tuple[str, ...] = ()
    cpes: tuple[str, ...] = ()  # as written: CPE 2.3 (cpe23Type) first, then CPE 2.2 URIs
    spdx_id_location: SourceLocation | None = None

    def identity(self) -> tuple[object, ...]:
        return (
            self.name,
            self.version,
            self.supplier,
            self.originator,
            self.purpose,
            self.purls,
            self.cpes,
        )


@dataclass(slots=True)
class _Document:
    source: str
    version: str = ""
    version_location: SourceLocation | None = None
    spdx_id: str = "SPDXRef-DOCUMENT"
    name: str = ""
    name_location: SourceLocation | None = None
    created: str = ""  # creationInfo.created / Created:
    created_location: SourceLocation | None = None
    packages: list[_Package] = field(default_factory=list)
    described: list[str] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def warn(self, message: str, location: SourceLocation) -> None:
        self.warnings.append(Problem(message, location))

    def problem(self, message: str, location: SourceLocation) -> None:
        self.problems.append(Problem(message, location))


class SpdxParser(InventoryParser):
    id: ClassVar[str] = "spdx"
    display_name: ClassVar[str] = "SPDX 2.2/2.3 SBOM (JSON, tag-value)"
    extensions: ClassVar[tuple[str, ...]] = (".json", ".spdx")

    @classmethod
    def sniff(cls, head: bytes, name: str) -> bool:
        return bool(_JSON_SNIFF.search(head) or _TAG_VALUE_SNIFF.search(head))

    def parse(self, path: Path, *, source: str) -> InventoryBatch:
        text = read_text(path, source)
        if text.lstrip()[:1] in ("{", "["):
            document = _read_json(text, source)
        else:
            document = _read_tag_value(text, source)
        return _batch(document)


# --- JSON -----------------------------------------------------------------------------------


def _read_json(text: str, source: str) -> _Document:
    start = len(text) - len(text.lstrip())
    try:
        data, end = json.JSONDecoder().raw_decode(text, start)
    except json.JSONDecodeError as error:
        raise ParseError(
            f"invalid JSON: {error.msg} (column {error.colno})",
            source=SourceLocation(source, error.lineno),
        ) from None
    except RecursionError:
        raise ParseError("invalid JSON: nested too deeply", source=SourceLocation(source)) from None
    except ValueError as error:  # e.g. an integer literal longer than Python converts
        raise ParseError(f"invalid JSON: {error}", source=SourceLocation(source)) from None
    if not isinstance(data, dict):
        raise ParseError(
            f"not an SPDX document: the document is {json_type(data)}, not an object",
            source=SourceLocation(source, None, "$"),
        )
    version = data.get("spdxVersion")
    if not isinstance(version, str):
        hint = " (this looks like a CycloneDX BOM)" if "bomFormat" in data else ""
        found = "missing" if version is None else f"{json_type(version)}, not a string"
        raise ParseError(
            f"not an SPDX document: spdxVersion is {found}{hint}",
            source=SourceLocation(source, None, "$.spdxVersion"),
        )
    document = _Document(
        source,
        version=version.strip(),
        version_location=SourceLocation(source, None, "$.spdxVersion"),
    )
    trailing = text[end:]
    if trailing.strip():
        line = text.count("\n", 0, end + len(trailing) - len(trailing.lstrip())) + 1
        document.warn(
            f"ignored {len(trailing.strip())} characters of text after the JSON document",
            SourceLocation(source, line),
        )
    reader = _JsonReader(document)
    document.spdx_id = reader.string(data, "SPDXID", "$.SPDXID") or document.spdx_id
    document.name = reader.string(data, "name", "$.name")
    document.name_location = SourceLocation(source, None, "$.name")
    creation = data.get("creationInfo")
    if isinstance(creation, dict):
        document.created = reader.string(creation, "created", "$.creationInfo.created")
        document.created_location = reader.at("$.creationInfo.created")
    elif creation is not None:
        document.problem(
            f"creationInfo is {json_type(creation)}, not an object", reader.at("$.creationInfo")
        )
    for index, item in enumerate(reader.items(data, "packages", "$.packages")):
        package = reader.package(item, f"$.packages[{index}]")
        if package is not None:
            document.packages.append(package)
    for index, item in enumerate(reader.items(data, "documentDescribes", "$.documentDescribes")):
        if isinstance(item, str):
            document.described.append(item.strip())
        else:
            document.problem(
                f"is {json_type(item)}, not a string", reader.at(f"$.documentDescribes[{index}]")
            )
    for index, item in enumerate(reader.items(data, "relationships", "$.relationships")):
        reader.relationship(item, f"$.relationships[{index}]")
    return document


class _JsonReader:
    """Typed access to the JSON values, reporting every wrong type with its JSON path."""

    def __init__(self, document: _Document) -> None:
        self.document = document

    def at(self, path: str) -> SourceLocation:
        return SourceLocation(self.document.source, None, path)

    def string(self, container: dict[str, Any], key: str, path: str) -> str:
        value = container.get(key)
        if value is None:
            return ""
        if isinstance(value, str):
            return value.strip()
        self.document.problem(f"{key} is {json_type(value)}, not a string", self.at(path))
        return ""

    def items(self, container: dict[str, Any], key: str, path: str) -> list[Any]:
        value = container.get(key)
        if value is None:
            return []
        if isinstance(value, list):
            return value
        self.document.problem(f"{key} is {json_type(value)}, not a list", self.at(path))
        return []

    def package(self, item: Any, path: str) -> _Package | None:
        if not isinstance(item, dict):
            self.document.problem(f"package is {json_type(item)}, not an object", self.at(path))
            return None
        name = self.string(item, "name", f"{path}.name")
        if not name:
            self.document.problem("package has no name", self.at(f"{path}.name"))
        purls: list[str] = []
        cpes23: list[str] = []
        cpes22: list[str] = []
        for index, ref in enumerate(self.items(item, "externalRefs", f"{path}.externalRefs")):
            ref_path = f"{path}.externalRefs[{index}]"
            if not isinstance(ref, dict):
                self.document.problem(
                    f"external reference is {json_type(ref)}, not an object", self.at(ref_path)
                )
                continue
            kind = self.string(ref, "referenceType", f"{ref_path}.referenceType")
            locator = self.string(ref, "referenceLocator", f"{ref_path}.referenceLocator")
            _add_reference(kind, locator, purls, cpes23, cpes22)
        return _Package(
            name=name,
            spdx_id=self.string(item, "SPDXID", f"{path}.SPDXID"),
            where=path,
            location=self.at(path),
            version=self.string(item, "versionInfo", f"{path}.versionInfo"),
            supplier=self.string(item, "supplier", f"{path}.supplier"),
            originator=self.string(item, "originator", f"{path}.originator"),
            purpose=self.string(item, "primaryPackagePurpose", f"{path}.primaryPackagePurpose"),
            purls=tuple(purls),
            cpes=(*cpes23, *cpes22),
            spdx_id_location=self.at(f"{path}.SPDXID"),
        )

    def relationship(self, item: Any, path: str) -> None:
        if not isinstance(item, dict):
            self.document.problem(
                f"relationship is {json_type(item)}, not an object", self.at(path)
            )
            return
        _add_relationship(
            self.document,
            self.string(item, "spdxElementId", f"{path}.spdxElementId"),
            self.string(item, "relationshipType", f"{path}.relationshipType"),
            self.string(item, "relatedSpdxElement", f"{path}.relatedSpdxElement"),
        )


# --- tag-value ------------------------------------------------------------------------------


def _tag_values(text: str, source: str) -> Iterator[tuple[int, str, str]]:
    """(line number, tag, value) for every `Tag: value`; `<text>` values may span lines."""
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        number = index + 1
        line = lines[index].strip()
        index += 1
        if not line or line.startswith("#"):
            continue
        match = _TAG_LINE.fullmatch(line)
        if match is None:
            shown = line if len(line) <= 40 else line[:40] + "..."
            raise ParseError(
                f"expected 'Tag: value', found '{shown}'", source=SourceLocation(source, number)
            )
        tag, value = match.group(1), match.group(2).strip()
        if value.startswith("<text>"):
            parts: list[str] = []
            rest = value[len("<text>") :]
            while "</text>" not in rest:
                parts.append(rest)
                if index >= len(lines):
                    raise ParseError(
                        "<text> is never closed by </text>",
                        source=SourceLocation(source, number, tag),
                    )
                rest = lines[index].rstrip("\r")
                index += 1
            parts.append(rest[: rest.index("</text>")])
            value = "\n".join(parts).strip()
        yield number, tag, value


@dataclass(slots=True)
class _TagValuePackage:
    """A package being read from tag-value lines; the first value of each tag wins."""

    name: str
    line: int
    spdx_id: str = ""
    spdx_id_location: SourceLocation | None = None
    values: dict[str, str] = field(default_factory=dict)
    purls: list[str] = field(default_factory=list)
    cpes23: list[str] = field(default_factory=list)
    cpes22: list[str] = field(default_factory=list)

    def read(self, document: _Document, tag: str, value: str, location: SourceLocation) -> None:
        if tag == "SPDXID" and self.spdx_id_location is None:
            self.spdx_id, self.spdx_id_location = value, location
        elif tag in _PACKAGE_TAGS:
            self.values.setdefault(tag, value)
        elif tag == "ExternalRef":
            parts = value.split(None, 2)
            if len(parts) < 3:
                document.problem("expected 'ExternalRef: CATEGORY type locator'", location)
            else:
                _add_reference(parts[1], parts[2], self.purls, self.cpes23, self.cpes22)

    def package(self, source: str) -> _Package:
        return _Package(
            name=self.name,
            spdx_id=self.spdx_id,
            where=f"line {self.line}",
            location=SourceLocation(source, self.line, "PackageName"),
            version=self.values.get("PackageVersion", ""),
            supplier=self.values.get("PackageSupplier", ""),
            originator=self.values.get("PackageOriginator", ""),
            purpose=self.values.get("PrimaryPackagePurpose", ""),
            purls=tuple(self.purls),
            cpes=(*self.cpes23, *self.cpes22),
            spdx_id_location=self.spdx_id_location,
        )


def _read_tag_value(text: str, source: str) -> _Document:
    document = _Document(source)
    package: _TagValuePackage | None = None
    section = "document"  # "package" after PackageName, "other" after FileName and the like
    for number, tag, value in _tag_values(text, source):
        location = SourceLocation(source, number, tag)
        if tag == "PackageName" or tag in OTHER_SECTIONS:
            if package is not None and package.name:
                document.packages.append(package.package(source))
            package, section = None, "other"
            if tag == "PackageName":
                package, section = _TagValuePackage(value, number), "package"
                if not value:
                    document.problem("package has no name", location)
        elif tag == "SPDXVersion" and not document.version:
            document.version, document.version_location = value, location
        elif tag == "DocumentName" and not document.name:
            document.name, document.name_location = value, location
        elif tag == "Created" and not document.created:
            document.created, document.created_location = value, location
        elif tag == "Relationship":
            parts = value.split()
            if len(parts) < 3:
                document.problem("expected 'element RELATIONSHIP element'", location)
            else:
                _add_relationship(document, parts[0], parts[1], parts[2])
        elif tag == "SPDXID" and section == "document":
            document.spdx_id = value or document.spdx_id
        elif package is not None:
            package.read(document, tag, value, location)
    if package is not None and package.name:
        document.packages.append(package.package(source))
    if not document.version:
        raise ParseError(
            "not an SPDX document: no 'SPDXVersion:' line",
            source=SourceLocation(source, None, "SPDXVersion"),
        )
    return document


# --- both encodings -------------------------------------------------------------------------


def _add_reference(
    kind: str, locator: str, purls: list[str], cpes23: list[str], cpes22: list[str]
) -> None:
    kind = kind.rsplit("/", 1)[-1]  # also the long form "http://spdx.org/rdf/references/purl"
    if not locator:
        return
    if kind == "purl":
        purls.append(locator)
    elif kind == "cpe23Type":
        cpes23.append(locator)
    elif kind == "cpe22Type":
        cpes22.append(locator)


def _add_relationship(document: _Document, element: str, kind: str, related: str) -> None:
    if kind == "DESCRIBES" and element == document.spdx_id and related:
        document.described.append(related)
    elif kind == "DESCRIBED_BY" and related == document.spdx_id and element:
        document.described.append(element)


def _party(value: str) -> str:
    """'Organization: ACT Project' → 'ACT Project'; 'Person: A (a@b.c)' → 'A'; NOASSERTION → ''."""
    if value.upper() in NO_VALUE:
        return ""
    name = _PARTY_PREFIX.sub("", value)
    return (_EMAIL.sub("", name).strip() or name).strip()


def _unique_packages(document: _Document) -> list[_Package]:
    """Packages with duplicate SPDXIDs removed: same content → warning; else a problem."""
    first_by_id: dict[str, _Package] = {}
    repeats: dict[str, list[str]] = {}
    unique: list[_Package] = []
    for package in document.packages:
        if not package.spdx_id:
            unique.append(package)
            continue
        first = first_by_id.setdefault(package.spdx_id, package)
        if first is package:
            unique.append(package)
        elif first.identity() == package.identity():
            repeats.setdefault(package.spdx_id, [first.where]).append(package.where)
        else:
            document.problem(
                f"SPDXID '{package.spdx_id}' is used twice: at {first.where} and at "
                f"{package.where}",
                package.spdx_id_location or package.location,
            )
    for spdx_id, places in repeats.items():
        first = first_by_id[spdx_id]
        document.warn(
            f"package '{first.name}' ({spdx_id}) is listed {len(places)} times with "
            f"the same content ({', '.join(places)}); kept once",
            first.location,
        )
    return unique


def _batch(document: _Document) -> InventoryBatch:
    source = document.source
    if document.version not in KNOWN_VERSIONS and document.version_location is not None:
        document.warn(
            f"SPDX version '{document.version}' is not one of "
            f"{', '.join(KNOWN_VERSIONS)}; read as SPDX-2.3",
            document.version_location,
        )
    packages = _unique_packages(document)
    if document.problems:
        if len(document.problems) == 1 and document.problems[0].location is not None:
            raise ParseError(document.problems[0].message, source=document.problems[0].location)
        raise ValidationError(
            f"{source}: {len(document.problems)} problems", problems=document.problems
        )
    by_id = {package.spdx_id: package for package in packages if package.spdx_id}
    main = next((by_id[spdx_id] for spdx_id in document.described if spdx_id in by_id), None)
    components: list[ComponentRecord] = []
    for package in packages:
        if package is main:
            continue
        if _version(package) == "":
            where = package.location
            if where.line is None:  # JSON: name the missing field
                where = SourceLocation(source, None, f"{package.where}.versionInfo")
            document.warn(f"package '{package.name}' has no version", where)
        components.append(_component(document, package))
    if not components:
        document.warn(
            "the document lists no packages (besides the one it describes)", SourceLocation(source)
        )
    systems = [package for package in packages if package.purpose.upper() == "OPERATING-SYSTEM"]
    system = systems[0] if systems else None
    for other in systems[1:]:
        if system is not None and (other.name, other.version) != (system.name, system.version):
            document.warn(
                f"several operating systems: kept '{system.name} {system.version}' "
                f"({system.where}) as the asset's",
                other.location,
            )
    asset = replace(
        _described_asset(document, main),
        components=tuple(components),
        os_name=system.name if system else "",
        os_version=_version(system) if system else "",
        os_cpe=next((cpe for cpe in map(cpe22_to_23, system.cpes) if cpe), "") if system else "",
    )
    return InventoryBatch(
        source_format=SpdxParser.id,
        source_name=source,
        observed_at=_timestamp(document),
        complete=frozenset({"components"}),
        assets=(asset,),
        warnings=tuple(document.warnings),
    )


def _described_asset(document: _Document, main: _Package | None) -> AssetRecord:
    """The asset the document describes: its key, name, kind and location (no components)."""
    if main is None:
        usable = (
            any(character.isalnum() for character in document.name)
            and document.name.upper() not in NO_VALUE
        )
        name = document.name if usable else document.source
        location = document.name_location if usable and document.name_location else None
        return AssetRecord(
            key=name.lower(),
            name=name,
            kind=AssetKind.WEB_APPLICATION,
            kind_is_guess=True,
            location=location or SourceLocation(document.source),
        )
    version = _version(main)
    purpose = main.purpose.upper()
    image = any(purl.startswith(IMAGE_PURL_TYPES) for purl in main.purls)
    server = image or purpose in SERVER_PURPOSES
    return AssetRecord(
        key=(f"{main.name}@{version}" if version else main.name).lower(),
        name=main.name,
        kind=AssetKind.SERVER if server else AssetKind.WEB_APPLICATION,
        kind_is_guess=not server and purpose not in APPLICATION_PURPOSES,
        location=main.location,
    )


def _version(package: _Package) -> str:
    return "" if package.version.upper() in NO_VALUE else package.version


def _timestamp(document: _Document) -> datetime | None:
    """creationInfo.created, an ISO 8601 UTC date-time; anything else is ignored (warning)."""
    if not document.created or document.created_location is None:
        return None
    try:
        moment = datetime.fromisoformat(document.created)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        document.warn(
            f"creation time '{document.created}' is not a date-time with a time zone; ignored",
            document.created_location,
        )
        return None
    return moment


def _component(document: _Document, package: _Package) -> ComponentRecord:
    return ComponentRecord(
        name=package.name,
        version=_version(package),
        vendor=_party(package.supplier) or _party(package.originator),
        cpe=_first_cpe(document, package),
        purl=_first_purl(document, package),
        evidence=package.where,
    )


def _first_cpe(document: _Document, package: _Package) -> str:
    """The first CPE (2.3 before 2.2, 2.2 converted); the others are left out."""
    for cpe in package.cpes:
        converted = cpe22_to_23(cpe)
        if converted:
            return converted
        document.warn(f"'{cpe}' is not a CPE name; ignored", package.location)
    return ""


def _first_purl(document: _Document, package: _Package) -> str:
    """The first package URL; the others are left out."""
    for purl in package.purls:
        if purl.startswith("pkg:"):
            return purl
        document.warn(f"'{purl}' is not a package URL; ignored", package.location)
    return ""
