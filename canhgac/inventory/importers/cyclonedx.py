"""CycloneDX SBOM parser (JSON and XML, specification 1.2 to 1.6).

One file gives one `AssetRecord`: the application or image named by `metadata.component`,
holding every entry of `components`, nested `components` included (flattened, in document
order, parent before children). Format and mapping: docs/importers/sbom.md.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar
from xml.etree.ElementTree import Element  # type only: parsing goes through defusedxml

from canhgac.core.exceptions import ParseError, Problem, SourceLocation, ValidationError
from canhgac.core.files import (
    check_size,
    cpe22_to_23,
    iter_xml,
    json_type,
    load_json,
    local_name,
)
from canhgac.inventory.enums import AssetKind
from canhgac.inventory.importers.interface import InventoryParser
from canhgac.inventory.importers.records import AssetRecord, ComponentRecord, InventoryBatch

KNOWN_VERSIONS = ("1.2", "1.3", "1.4", "1.5", "1.6")
NAMESPACE_PREFIX = "http://cyclonedx.org/schema/bom/"
SERVER_TYPES = frozenset({"container", "operating-system", "device", "platform"})
APPLICATION_TYPES = frozenset({"application", "framework", "library"})

_JSON_SNIFF = re.compile(
    rb'"bomFormat"\s*:\s*"CycloneDX"|"\$schema"\s*:\s*"http://cyclonedx\.org/schema/bom'
)
_XML_SNIFF = re.compile(
    rb"<(?:[A-Za-z_][\w.-]*:)?bom\b[^>]*?\sxmlns(?::[A-Za-z_][\w.-]*)?\s*=\s*"
    rb"[\"']http://cyclonedx\.org/schema/bom/"
)
_EMAIL = re.compile(r"\s*<[^<>]*@[^<>]*>\s*$")


@dataclass(frozen=True, slots=True)
class _Fields:
    """What is read from one component, whichever the encoding."""

    type: str = ""
    name: str = ""
    version: str = ""
    group: str = ""
    publisher: str = ""
    supplier: str = ""
    cpe: str = ""
    purl: str = ""
    bom_ref: str = ""


class CycloneDxParser(InventoryParser):
    id: ClassVar[str] = "cyclonedx"
    display_name: ClassVar[str] = "CycloneDX SBOM (JSON, XML)"
    extensions: ClassVar[tuple[str, ...]] = (".json", ".xml")

    @classmethod
    def sniff(cls, head: bytes, name: str) -> bool:
        return bool(_JSON_SNIFF.search(head) or _XML_SNIFF.search(head))

    def parse(self, path: Path, *, source: str) -> InventoryBatch:
        check_size(path, source)
        if _first_significant_byte(path, source) == b"<":
            return _parse_xml(path, source)
        return _parse_json(path, source)


def _first_significant_byte(path: Path, source: str) -> bytes:
    """The first byte that is not a byte-order mark, NUL or white space: b"<" means XML.

    Skipping NULs lets a UTF-16 XML file (`<` then NUL) be routed to the XML reader.
    """
    try:
        with path.open("rb") as stream:
            head = stream.read(4096)
    except OSError as error:
        raise ParseError(
            f"cannot read the file: {error.strerror}", source=SourceLocation(source)
        ) from None
    return head.lstrip(b"\xef\xbb\xbf\xff\xfe\x00 \t\r\n")[:1]


class _Collector:
    """Checks components and gathers records, warnings and problems for one file."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.components: list[ComponentRecord | None] = []
        self.warnings: list[Problem] = []
        self.problems: list[Problem] = []
        self.asset: _Fields | None = None
        self.asset_path = ""
        self.operating_systems: list[tuple[_Fields, str]] = []
        self.observed_at: datetime | None = None
        self._bom_refs: dict[str, str] = {}

    def warn(self, message: str, field: str | None = None, line: int | None = None) -> None:
        self.warnings.append(Problem(message, SourceLocation(self.source, line, field)))

    def problem(self, message: str, field: str | None = None, line: int | None = None) -> None:
        self.problems.append(Problem(message, SourceLocation(self.source, line, field)))

    def check_version(self, version: str, field: str) -> None:
        if version not in KNOWN_VERSIONS:
            shown = f"'{version}'" if version else "missing"
            self.warn(
                f"CycloneDX version {shown} is not one of {', '.join(KNOWN_VERSIONS)}; read as 1.6",
                field,
            )

    def timestamp(self, value: str, field: str) -> None:
        """metadata.timestamp, an RFC 3339 date-time; anything else is ignored with a warning."""
        if not value:
            return
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            self.warn(f"timestamp '{value}' is not a date-time with a time zone; ignored", field)
            return
        self.observed_at = moment

    def _check_bom_ref(self, fields: _Fields, path: str, separator: str) -> None:
        if not fields.bom_ref:
            return
        first = self._bom_refs.setdefault(fields.bom_ref, path)
        if first != path:
            self.problem(
                f"bom-ref '{fields.bom_ref}' is used twice: at {first} and at {path}",
                f"{path}{separator}bom-ref",
            )

    def _cpe(self, fields: _Fields, path: str, separator: str) -> str:
        if not fields.cpe:
            return ""
        converted = cpe22_to_23(fields.cpe)
        if not converted:
            self.warn(f"'{fields.cpe}' is not a CPE name; ignored", f"{path}{separator}cpe")
        return converted

    def add_metadata_component(self, fields: _Fields, path: str, separator: str) -> None:
        self._check_bom_ref(fields, path, separator)
        if not fields.name:
            self.problem("the described component has no name", f"{path}{separator}name")
            return
        self.asset = fields
        self.asset_path = path
        if fields.type == "operating-system":
            self.operating_systems.insert(0, (fields, path))

    def reserve(self) -> int:
        """A place for a component whose fields are read later (XML: parent before children)."""
        self.components.append(None)
        return len(self.components) - 1

    def add_component(
        self, fields: _Fields, path: str, separator: str, slot: int | None = None
    ) -> None:
        self._check_bom_ref(fields, path, separator)
        if not fields.name:
            self.problem("component has no name", f"{path}{separator}name")
            return
        if not fields.version:
            self.warn(f"component '{fields.name}' has no version", f"{path}{separator}version")
        if fields.purl and not fields.purl.startswith("pkg:"):
            self.warn(f"'{fields.purl}' is not a package URL; ignored", f"{path}{separator}purl")
        record = ComponentRecord(
            name=fields.name,
            version=fields.version,
            vendor=_without_email(fields.group or fields.publisher or fields.supplier),
            cpe=self._cpe(fields, path, separator),
            purl=fields.purl if fields.purl.startswith("pkg:") else "",
            evidence=path,
        )
        if fields.type == "operating-system":
            self.operating_systems.append((fields, path))
        if slot is None:
            self.components.append(record)
        else:
            self.components[slot] = record

    def batch(self) -> InventoryBatch:
        if self.problems:
            _raise(self.problems, self.source)
        components = tuple(record for record in self.components if record is not None)
        if not components:
            self.warn("the BOM lists no components (a VEX or services-only document?)")
        asset = self.asset
        kind = AssetKind.WEB_APPLICATION
        if asset is None:
            name = self.source
            key = self.source.lower()
            location = SourceLocation(self.source)
        else:
            name = asset.name
            key = f"{asset.group}/{asset.name}" if asset.group else asset.name
            key = (f"{key}@{asset.version}" if asset.version else key).lower()
            if asset.type in SERVER_TYPES:
                kind = AssetKind.SERVER
            location = SourceLocation(self.source, None, self.asset_path)
        kind_is_guess = asset is None or asset.type not in (*SERVER_TYPES, *APPLICATION_TYPES)
        os_name = os_version = os_cpe = ""
        if self.operating_systems:
            chosen, chosen_path = self.operating_systems[0]
            os_name, os_version = chosen.name, chosen.version
            os_cpe = cpe22_to_23(chosen.cpe)
            for other, other_path in self.operating_systems[1:]:
                if (other.name, other.version) != (chosen.name, chosen.version):
                    self.warn(
                        f"several operating systems: kept '{chosen.name} {chosen.version}'"
                        f" ({chosen_path}) as the asset's",
                        other_path,
                    )
        record = AssetRecord(
            key=key,
            kind=kind,
            kind_is_guess=kind_is_guess,
            location=location,
            name=name,
            os_name=os_name,
            os_version=os_version,
            os_cpe=os_cpe,
            components=components,
        )
        return InventoryBatch(
            source_format=CycloneDxParser.id,
            source_name=self.source,
            observed_at=self.observed_at,
            complete=frozenset({"components"}),
            assets=(record,),
            warnings=tuple(self.warnings),
        )


def _without_email(party: str) -> str:
    """'Natanael Copa <ncopa@alpinelinux.org>' → 'Natanael Copa'."""
    return _EMAIL.sub("", party).strip() or party


def _raise(problems: list[Problem], source: str) -> None:
    if len(problems) == 1 and problems[0].location is not None:
        raise ParseError(problems[0].message, source=problems[0].location)
    raise ValidationError(f"{source}: {len(problems)} problems", problems=problems)


# --- JSON -----------------------------------------------------------------------------------


def _parse_json(path: Path, source: str) -> InventoryBatch:
    try:
        document = load_json(path, source)
    except RecursionError:
        raise ParseError("invalid JSON: nested too deeply", source=SourceLocation(source)) from None
    except ValueError as error:  # e.g. an integer literal longer than Python converts
        raise ParseError(f"invalid JSON: {error}", source=SourceLocation(source)) from None
    if not isinstance(document, dict):
        raise ParseError(
            f"not a CycloneDX BOM: the document is {json_type(document)}, not an object",
            source=SourceLocation(source, None, "$"),
        )
    if document.get("bomFormat") != "CycloneDX":
        hint = " (this looks like an SPDX document)" if "spdxVersion" in document else ""
        found = "missing" if "bomFormat" not in document else repr(document["bomFormat"])[:40]
        raise ParseError(
            f"not a CycloneDX BOM: bomFormat is {found}, expected 'CycloneDX'{hint}",
            source=SourceLocation(source, None, "$.bomFormat"),
        )
    collector = _Collector(source)
    spec_version = _string(document, "specVersion", "$.specVersion", collector)
    collector.check_version(spec_version, "$.specVersion")
    metadata = document.get("metadata")
    if isinstance(metadata, dict):
        collector.timestamp(
            _string(metadata, "timestamp", "$.metadata.timestamp", collector),
            "$.metadata.timestamp",
        )
        described = metadata.get("component")
        if isinstance(described, dict):
            where = "$.metadata.component"
            collector.add_metadata_component(_json_fields(described, where, collector), where, ".")
        elif described is not None:
            collector.problem("metadata.component is not an object", "$.metadata.component")
    elif metadata is not None:
        collector.problem("metadata is not an object", "$.metadata")
    for item, where in _walk_json_components(document.get("components"), "$", collector):
        collector.add_component(_json_fields(item, where, collector), where, ".")
    return collector.batch()


def _walk_json_components(
    top: Any, path: str, collector: _Collector
) -> Iterator[tuple[dict[str, Any], str]]:
    """Every component object, depth first, parent before children (no recursion)."""
    pending: list[tuple[Any, str, bool]] = [(top, f"{path}.components", True)]
    while pending:
        value, value_path, is_list = pending.pop()
        if is_list:
            if value is None:
                continue
            if not isinstance(value, list):
                collector.problem(f"components is {json_type(value)}, not a list", value_path)
                continue
            pending.extend(
                (child, f"{value_path}[{index}]", False)
                for index, child in reversed(list(enumerate(value)))
            )
        elif isinstance(value, dict):
            yield value, value_path
            pending.append((value.get("components"), f"{value_path}.components", True))
        else:
            collector.problem(f"component is {json_type(value)}, not an object", value_path)


def _json_fields(item: dict[str, Any], path: str, collector: _Collector) -> _Fields:
    supplier = item.get("supplier")
    supplier_name = ""
    if isinstance(supplier, dict):
        supplier_name = _string(supplier, "name", f"{path}.supplier.name", collector)
    elif supplier is not None:
        collector.problem(f"supplier is {json_type(supplier)}, not an object", f"{path}.supplier")
    return _Fields(
        type=_string(item, "type", f"{path}.type", collector),
        name=_string(item, "name", f"{path}.name", collector),
        version=_string(item, "version", f"{path}.version", collector),
        group=_string(item, "group", f"{path}.group", collector),
        publisher=_string(item, "publisher", f"{path}.publisher", collector),
        supplier=supplier_name,
        cpe=_string(item, "cpe", f"{path}.cpe", collector),
        purl=_string(item, "purl", f"{path}.purl", collector),
        bom_ref=_string(item, "bom-ref", f"{path}.bom-ref", collector),
    )


def _string(container: dict[str, Any], key: str, path: str, collector: _Collector) -> str:
    value = container.get(key)
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    collector.problem(f"{key} is {json_type(value)}, not a string", path)
    return ""


# --- XML ------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Open:
    """An element being read: its path, and what it is in the component tree."""

    element: Element
    path: str
    role: str = ""  # "root", "metadata", "list" (a tree `components`), "component", "described"
    slot: int | None = None
    children: int = 0  # components seen so far (for a "list")


def _parse_xml(path: Path, source: str) -> InventoryBatch:
    collector = _Collector(source)
    stack: list[_Open] = []
    for event, element in _xml_events(path, source):
        name = local_name(element.tag)
        if event == "start":
            stack.append(_open_element(element, name, stack, collector, source))
            continue
        current = stack.pop()
        if current.role == "component":
            collector.add_component(_xml_fields(element), current.path, "/", current.slot)
        elif current.role == "described":
            collector.add_metadata_component(_xml_fields(element), current.path, "/")
        elif current.path == "/bom/metadata/timestamp":
            collector.timestamp(_text(element), current.path)
        if current.role in ("component", "described") or (stack and stack[-1].role == "root"):
            element.clear()  # done with it: keep memory flat on large files
            stack[-1].element.remove(element)
    return collector.batch()


def _xml_events(path: Path, source: str) -> Iterator[tuple[str, Element]]:
    return iter_xml(path, source, events=("start", "end"))


def _open_element(
    element: Element, name: str, stack: list[_Open], collector: _Collector, source: str
) -> _Open:
    if not stack:
        namespace = _namespace(element)
        if name != "bom" or not namespace.startswith(NAMESPACE_PREFIX):
            raise ParseError(
                f"not a CycloneDX BOM: the root element is <{name}> in namespace "
                f"'{namespace}', expected <bom> in {NAMESPACE_PREFIX}<version>",
                source=SourceLocation(source, None, f"/{name}"),
            )
        collector.check_version(namespace.removeprefix(NAMESPACE_PREFIX), "/bom/@xmlns")
        return _Open(element, "/bom", "root")
    parent = stack[-1]
    if _namespace(element) != _namespace(stack[0].element):  # an extension's element
        return _Open(element, f"{parent.path}/{name}")
    if name == "components" and parent.role in ("root", "component"):
        return _Open(element, f"{parent.path}/components", "list")
    if name == "component" and parent.role == "list":
        parent.children += 1
        return _Open(
            element,
            f"{parent.path}/component[{parent.children}]",
            "component",
            slot=collector.reserve(),
        )
    if name == "metadata" and parent.role == "root":
        return _Open(element, "/bom/metadata", "metadata")
    if name == "component" and parent.role == "metadata":
        return _Open(element, "/bom/metadata/component", "described")
    return _Open(element, f"{parent.path}/{name}")


def _namespace(element: Element) -> str:
    return element.tag[1:].split("}", 1)[0] if element.tag.startswith("{") else ""


def _xml_fields(element: Element) -> _Fields:
    values: dict[str, str] = {}
    namespace = _namespace(element)
    for child in element:
        if _namespace(child) != namespace:
            continue
        name = local_name(child.tag)
        if name == "supplier":
            values["supplier"] = next(
                (_text(part) for part in child if local_name(part.tag) == "name"), ""
            )
        elif name in ("name", "version", "group", "publisher", "cpe", "purl"):
            values.setdefault(name, _text(child))
    return _Fields(
        type=element.get("type", "").strip(),
        bom_ref=element.get("bom-ref", "").strip(),
        **values,
    )


def _text(element: Element) -> str:
    return (element.text or "").strip()
