"""Nmap XML output (`nmap -oX`) → one `AssetRecord` per host that is up.

Format: https://nmap.org/book/nmap-dtd.html (nmaprun → host → status, address, hostnames, ports,
os). Choices, also in docs/importers/nmap.md:

* Hosts whose status is not "up" are skipped and counted in one warning.
* key: the first hostname, lower-cased, preferring type "user" (the name given on the command
  line), then "PTR", then any other; else the first IPv4 address, else the first IPv6 address.
* Services: ports whose state is exactly "open", for every protocol. "open|filtered" means that
  nmap got no answer at all (a silent UDP port, or a firewall dropping probes); a UDP service that
  answers a version probe is reported "open", so nothing identified is lost by skipping them.
* OS: the `osmatch` with the highest accuracy (the first one on a tie) gives os_name and
  os_accuracy; the first operating-system CPE (`cpe:/o:...`) of its `osclass` elements gives
  os_cpe (else its first CPE at all). Nmap before 6 wrote `osclass` beside `osmatch`; then the
  most accurate top-level `osclass` is used (and carries no CPE).
* observed_at: the scan's start time (`nmaprun start`). Nothing is a complete list
  (`complete` is empty): a scan sees only the ports it probes, so a later scan with other ports
  must not mark services removed; a closed port keeps its old `last_seen`.
* kind (always `kind_is_guess`): NETWORK_DEVICE when that osclass type is a network device
  (router, switch, firewall, WAP...), WORKSTATION when it is a general-purpose client OS
  (Windows XP/Vista/7/8/8.1/10/11 without "Server" in the match name, or macOS), else SERVER.
  Without OS detection, a service's `devicetype` naming a network device gives NETWORK_DEVICE.

The file is streamed; each host is dropped once read. DTDs and entities are refused, except
nmap's own bare `<!DOCTYPE nmaprun>` (no internal subset, no external identifier), which nmap 7
writes at the top of every report and which declares nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import ClassVar

# Types and tree building only; the parsing is defusedxml's.
from xml.etree.ElementTree import Element, TreeBuilder

from defusedxml.ElementTree import DefusedXMLParser

from canhgac.core.exceptions import ParseError, Problem, SourceLocation
from canhgac.core.files import cpe22_to_23, iter_xml, local_name
from canhgac.inventory.enums import AssetKind
from canhgac.inventory.importers.interface import InventoryParser
from canhgac.inventory.importers.records import AssetRecord, InventoryBatch, ServiceRecord

# Nmap device types (https://nmap.org/book/osdetect-device-types.html) that are network gear.
NETWORK_DEVICE_TYPES = frozenset(
    {
        "bridge",
        "broadband router",
        "firewall",
        "hub",
        "load balancer",
        "proxy server",
        "router",
        "security-misc",
        "switch",
        "wap",
    }
)
WINDOWS_CLIENT_GENERATIONS = frozenset({"xp", "vista", "7", "8", "8.1", "10", "11"})
MACOS_FAMILIES = frozenset({"mac os x", "macos", "os x"})
HOSTNAME_TYPE_ORDER = {"user": 0, "PTR": 1}
DIGITS = re.compile(r"^[0-9]{1,12}$")
ROOT_PATTERN = re.compile(rb"<([A-Za-z_][\w.:-]*)")
PROLOG_NOISE = re.compile(rb"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>", re.DOTALL)


class _LineRecordingBuilder(TreeBuilder):
    """A TreeBuilder remembering the line of each `<host>` start tag (for locations)."""

    def __init__(self) -> None:
        super().__init__()
        self.xml_parser: DefusedXMLParser | None = None
        self.host_lines: dict[int, int] = {}

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        element = super().start(tag, attrs)
        if tag == "host" and self.xml_parser is not None:
            self.host_lines[id(element)] = self.xml_parser.parser.CurrentLineNumber
        return element


class _NmapXmlParser(DefusedXMLParser):
    """defusedxml refusing every DTD but nmap's bare `<!DOCTYPE nmaprun>`, and all entities."""

    def __init__(self, builder: _LineRecordingBuilder) -> None:
        super().__init__(
            target=builder, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
        builder.xml_parser = self

    def defused_start_doctype_decl(
        self, name: str, sysid: str | None, pubid: str | None, has_internal_subset: bool
    ) -> None:
        if name == "nmaprun" and sysid is None and pubid is None and not has_internal_subset:
            return
        super().defused_start_doctype_decl(name, sysid, pubid, has_internal_subset)


def _iter_nmap_xml(
    path: Path, source: str, builder: _LineRecordingBuilder
) -> Iterator[tuple[str, Element]]:
    """`core.files.iter_xml` with nmap's own DOCTYPE line accepted (see the module docstring)."""
    return iter_xml(path, source, events=("start", "end"), parser=_NmapXmlParser(builder))


class NmapParser(InventoryParser):
    id: ClassVar[str] = "nmap"
    display_name: ClassVar[str] = "Nmap XML (-oX)"
    extensions: ClassVar[tuple[str, ...]] = (".xml",)

    @classmethod
    def sniff(cls, head: bytes, name: str) -> bool:
        text = PROLOG_NOISE.sub(b"", head.removeprefix(b"\xef\xbb\xbf"))
        match = ROOT_PATTERN.search(text)
        return match is not None and match.group(1) == b"nmaprun"

    def parse(self, path: Path, *, source: str) -> InventoryBatch:
        builder = _LineRecordingBuilder()
        assets: list[AssetRecord] = []
        warnings: list[Problem] = []
        not_up = 0
        seen_keys: set[str] = set()
        root: Element | None = None
        observed_at: datetime | None = None
        depth = 0
        for event, element in _iter_nmap_xml(path, source, builder):
            if event == "start":
                depth += 1
                if root is None:
                    root = element
                    if local_name(element.tag) != "nmaprun":
                        raise ParseError(
                            f"not an nmap XML report: the root element is <{element.tag}>, "
                            "not <nmaprun>",
                            source=SourceLocation(source, 1),
                        )
                    observed_at = _scan_start(element)
                continue
            depth -= 1
            if depth != 1 or root is None:
                continue  # inside a host (or the root's own end): wait for the whole host
            if local_name(element.tag) == "host":
                line = builder.host_lines.pop(id(element), None)
                location = SourceLocation(source, line, "host")
                if _status(element) != "up":
                    not_up += 1
                else:
                    record = _host_record(element, location, warnings)
                    if record is not None:
                        if record.key in seen_keys:
                            warnings.append(
                                Problem(f"host {record.key!r} appears more than once", location)
                            )
                        seen_keys.add(record.key)
                        assets.append(record)
            element.clear()
            root.remove(element)
        if not_up:
            warnings.insert(
                0, Problem(f"{not_up} host(s) not up were skipped", SourceLocation(source))
            )
        return InventoryBatch(
            source_format=self.id,
            source_name=source,
            assets=tuple(assets),
            observed_at=observed_at,
            complete=frozenset(),
            warnings=tuple(warnings),
        )


def _text(value: str | None) -> str:
    return (value or "").strip()


def _int_or_none(value: str | None, *, low: int, high: int) -> int | None:
    text = _text(value)
    if not DIGITS.match(text) or not low <= int(text) <= high:
        return None
    return int(text)


def _scan_start(root: Element) -> datetime | None:
    """`nmaprun start`: when the scan began, in seconds since 1970 (UTC)."""
    start = _text(root.get("start"))
    if not DIGITS.match(start):
        return None
    try:
        return datetime.fromtimestamp(int(start), tz=UTC)
    except (OverflowError, ValueError, OSError):
        return None


def _status(host: Element) -> str:
    status = host.find("status")
    return _text(status.get("state")) if status is not None else ""


def _host_record(
    host: Element, location: SourceLocation, warnings: list[Problem]
) -> AssetRecord | None:
    ipv4: list[str] = []
    ipv6: list[str] = []
    macs: list[str] = []
    for address in host.findall("address"):
        value = _text(address.get("addr"))
        kind = _text(address.get("addrtype"))
        if not value:
            continue
        if kind == "ipv4":
            ipv4.append(value)
        elif kind == "ipv6":
            ipv6.append(value.lower())
        elif kind == "mac":
            macs.append(value.lower())
    named = [
        (HOSTNAME_TYPE_ORDER.get(_text(entry.get("type")), 2), _text(entry.get("name")))
        for entry in host.findall("hostnames/hostname")
    ]
    ordered = [name for _order, name in sorted(named, key=lambda item: item[0]) if name]
    hostnames = tuple(dict.fromkeys(name.lower() for name in ordered))
    ip_addresses = tuple(dict.fromkeys(ipv4 + ipv6))
    if hostnames:
        key, name = hostnames[0], ordered[0]
    elif ip_addresses:
        key = name = ip_addresses[0]
    else:
        warnings.append(
            Problem("a host that is up has neither an address nor a name; skipped", location)
        )
        return None
    services, device_types = _services(host, location, warnings)
    os_name, os_accuracy, os_cpe, os_class = _best_os(host)
    return AssetRecord(
        key=key,
        kind=_kind(os_class, os_name, device_types),
        location=location,
        kind_is_guess=True,
        name=name,
        hostnames=hostnames,
        ip_addresses=ip_addresses,
        mac_addresses=tuple(dict.fromkeys(macs)),
        os_name=os_name,
        os_cpe=os_cpe,
        os_accuracy=os_accuracy,
        services=services,
    )


def _services(
    host: Element, location: SourceLocation, warnings: list[Problem]
) -> tuple[tuple[ServiceRecord, ...], set[str]]:
    services: list[ServiceRecord] = []
    device_types: set[str] = set()
    for port in host.findall("ports/port"):
        state = port.find("state")
        if state is None or _text(state.get("state")) != "open":
            continue
        number = _int_or_none(port.get("portid"), low=0, high=65535)
        if number is None:
            warnings.append(
                Problem(f"port {port.get('portid')!r} is not a port number; skipped", location)
            )
            continue
        protocol = _text(port.get("protocol")).lower() or "tcp"
        service = port.find("service")
        if service is None:
            services.append(ServiceRecord(port=number, protocol=protocol))
            continue
        if _text(service.get("devicetype")):
            device_types.add(_text(service.get("devicetype")).lower())
        banner_parts = [_text(service.get("extrainfo"))]
        if _text(service.get("ostype")):
            banner_parts.append(f"ostype: {_text(service.get('ostype'))}")
        if _text(service.get("tunnel")):
            banner_parts.append(f"tunnel: {_text(service.get('tunnel'))}")
        cpes = (cpe22_to_23(_text(cpe.text)) for cpe in service.findall("cpe"))
        services.append(
            ServiceRecord(
                port=number,
                protocol=protocol,
                name=_text(service.get("name")),
                product=_text(service.get("product")),
                version=_text(service.get("version")),
                cpes=tuple(dict.fromkeys(cpe for cpe in cpes if cpe)),
                banner="; ".join(part for part in banner_parts if part),
                confidence=_int_or_none(service.get("conf"), low=0, high=10),
            )
        )
    return tuple(services), device_types


def _accuracy(element: Element) -> int:
    return _int_or_none(element.get("accuracy"), low=0, high=100) or 0


def _most_accurate(elements: list[Element]) -> Element | None:
    best: Element | None = None
    for element in elements:  # strictly greater: the first one wins a tie, as nmap ranks them
        if best is None or _accuracy(element) > _accuracy(best):
            best = element
    return best


def _best_os(host: Element) -> tuple[str, int | None, str, Element | None]:
    """(os_name, os_accuracy, os_cpe, the osclass deciding the kind) of the best guess."""
    os_element = host.find("os")
    if os_element is None:
        return "", None, "", None
    match = _most_accurate(os_element.findall("osmatch"))
    classes = match.findall("osclass") if match is not None else []
    if not classes:  # nmap < 6: osclass elements are siblings of osmatch
        top = _most_accurate(os_element.findall("osclass"))
        classes = [top] if top is not None else []
    cpes = [cpe22_to_23(_text(cpe.text)) for os_class in classes for cpe in os_class.findall("cpe")]
    cpes = [cpe for cpe in cpes if cpe]
    # The operating system's CPE ("o" part) before a hardware one (a router's model).
    os_cpe = next((cpe for cpe in cpes if cpe.startswith("cpe:2.3:o:")), cpes[0] if cpes else "")
    if match is None:
        return "", None, os_cpe, classes[0] if classes else None
    return _text(match.get("name")), _accuracy(match), os_cpe, classes[0] if classes else None


def _kind(os_class: Element | None, os_name: str, device_types: set[str]) -> AssetKind:
    if os_class is None:
        if device_types & NETWORK_DEVICE_TYPES:
            return AssetKind.NETWORK_DEVICE
        return AssetKind.SERVER
    os_type = _text(os_class.get("type")).lower()
    if os_type in NETWORK_DEVICE_TYPES:
        return AssetKind.NETWORK_DEVICE
    family = _text(os_class.get("osfamily")).lower()
    generation = _text(os_class.get("osgen")).lower()
    if os_type == "general purpose" and (
        family in MACOS_FAMILIES
        or (
            family == "windows"
            and generation in WINDOWS_CLIENT_GENERATIONS
            and "server" not in os_name.lower()
        )
    ):
        return AssetKind.WORKSTATION
    return AssetKind.SERVER
